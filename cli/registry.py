"""What the command line offers, by name, without importing any command module: the groups built
from the write catalogue (ledger.commands) and the commands written by hand, each with its module.
``--help`` reads this and imports nothing of the database stack."""

from __future__ import annotations

import importlib.util

# Commands that are not built from the write catalogue: name -> (module, attribute, short help).
EXTRA: dict[str, tuple[str, str, str]] = {
    "show": ("cli.show", "show", "What a user wants to know about a client now."),
    "history": ("cli.reads", "history", "The client's events in order, with actor and both dates."),
    "clients": ("cli.reads", "clients", "List the clients in the ledger."),
    "import": ("cli.importing", "import_", "Run a JSON Lines batch of commands."),
    "demo": ("cli.demo", "demo", "Play a year of a certification body's work on a fresh ledger."),
    "init": ("cli.init", "init", "Make a new, empty ledger (the one command that creates one, besides demo)."),
    "schemes": ("cli.schemes", "schemes", "The rulebooks as versioned schemes: list, show."),
    "explain": ("cli.explain", "explain", "Why a client's grade is what it is, item by item, as of any date."),
    "due": ("cli.due", "due", "Every open deadline across all clients, overdue first."),
    "rebuild": ("cli.projections", "rebuild", "Drop and rebuild read models from the events."),
    "register": ("cli.projections", "register", "The certificate register (IAF CertSearch fields); export."),
    "keys": ("cli.trail", "keys", "The body's signing key for checkpoints."),
    "checkpoint": ("cli.trail", "checkpoint", "Sign and store the audit trail's tree head."),
    "verify": ("cli.trail", "verify", "Recompute the audit trail and check it against checkpoints."),
    "export": ("cli.bundle", "export", "Write an inspection bundle for a client or all clients."),
    "verify-bundle": ("cli.bundle", "verify_bundle", "Check an inspection bundle offline, without the database."),
    "witness": ("cli.witness", "witness", "Run a witness: cosign a ledger's checkpoints only when consistent (C2SP tlog-witness)."),
    "purge": ("cli.reads", "purge", "Request to delete a client's records: refused (records are never deleted)."),
    "sheet": ("cli.sheet", "sheet", "Score sheets (.xlsx): write a template, import a filled one."),
    "server": ("cli.server", "server", "A command server that keeps the code loaded so commands start fast: start, stop, status."),
}
# Read commands that live inside a catalogue group: group -> {name: (module, attribute)}.
GROUP_EXTRA: dict[str, dict[str, tuple[str, str]]] = {
    "score": {"preview": ("cli.schemes", "preview")},
    "report": {"cnca": ("cli.report", "cnca")},  # the regulator's monthly workbook (issue 17, docs/cnca-report.md)
    "people": {"show": ("cli.people", "show"), "list": ("cli.people", "list_"), "impartiality": ("cli.people", "impartiality"),
               "key": ("cli.people_keys", "key")},  # people (issue 15)
    "certificate": {"print": ("cli.documents", "print_certificate"), "verify-statement": ("cli.documents", "verify_statement")},
}


def available(module: str) -> bool:
    """Whether a command module is present (without importing it)."""
    return importlib.util.find_spec(module) is not None


GROUP_HELP = {
    "application": "Applications: submit, review, contract, transfer (申请、评审、合同、转换).",
    "audit": "Audits: plan, complete, reopen, cancel, link-cause, objection, objection-answer (审核策划、完成、重新打开、取消、关联原因、审核组异议).",
    "body": "The body's own conflicts with a client: conflict, conflict-end (本机构利益冲突, 004 §4.2 d) 1)).",
    "score": "Scores: enter, correct, exclude (评分、更正、删减).",
    "nc": "Nonconformities: raise, respond, verify (不符合项).",
    "decide": "Record the certification decision; score and grade are computed (认证决定).",
    "sign": "Co-sign a panel's act already signed by one of its members (会签).",
    "certificate": "Certificates: issue, report, suspend, restore, withdraw, cancel, expire, scope, report-act, publish, recall, cause, print (证书).",
    "change": "Changes: notify, record, assess, link, suspend (信息通报与主数据变更).",
    "complaint": "Complaints: receive, admit, inform-client, resolve (投诉).",
    "appeal": "Appeals: lodge, admit, hear, extend, decide, redecide, effect (申诉).",
    "report": "The regulator's monthly report: cnca (write the workbook), submit (record its submission) (认证信息报送).",
    "people": "The body's people: register, grant, withdraw-role, ccaa, train, competence, declare, login, logout, key, signing, leave, show, list, impartiality (人员).",
}
