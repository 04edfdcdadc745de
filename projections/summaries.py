"""What ``show`` prints: ``client_summary`` of each client, stored as JSON.

JSON turns dates into ISO strings and Decimals into their exact strings; ``show`` renders both
the same way, and ``show --json`` prints the same text.

The row is rewritten after every event of its client, and a client's open complaints have no
bound (the concurrency benchmark's shared client gathers 600): their views and JSON were the
largest part of a write's catch-up (D64). ``summary_text`` therefore keeps, per client in this
process, each open complaint's JSON text with a copy of the complaint it was made from, and
makes again only the text of a complaint that differs from its copy (new, admitted, informed,
resolved): the text is the same as ``dumps(client_summary(client))`` byte for byte
(tests/integration/test_summary_incremental.py checks it against a rebuild after random events).
A complaint's view is a function of the complaint, its client's procedure and the package
calendar, which do not change under a running process (as the read models' fingerprints,
``projections.states.code_fingerprint``); a client's texts are made afresh when its procedure is
another object (another scheme, or the body's own files named by another ``CERTLEDGER_SCHEMES``).
The copy is compared with ``==``, which is exact for what a complaint holds (text, dates, booleans,
None, lists of text) but not for key order, which the text keeps: a complaint's keys come in the
order its events add them, the same for every complaint that reached the same state.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from typing import Any

from ledger.rules.deadlines_cases import complaint_view, complaints_view
from ledger.rules.deadlines_changes import changes_view
from ledger.rules.scoring import grade_names
from projections.base import ClientProjection, Rows
from projections.jsonish import dumps


def client_summary(c: Any) -> dict[str, Any]:
    """What ``show`` prints of a client: who, where it stands, its certificate and latest decision
    with their grade names, what is open, recent changes, its suspensions and withdrawals."""
    return _summary(c, complaints_view(c))


def _summary(c: Any, open_complaints: Any) -> dict[str, Any]:
    cert = c.certificate
    cert_view = None
    if cert:
        cert_view = {k: cert[k] for k in ("number", "status", "grade", "scheme_id", "scheme_version", "scope", "sites",
                                          "standard", "issued_on", "valid_from", "valid_until", "original_issue_on",
                                          "status_changed_on", "reported_on")}
        cert_view["suspension"] = c.suspensions.get(cert["suspension_id"]) if cert.get("suspension_id") else None
        cert_view["grade_name"] = grade_names(cert["scheme_id"], cert["scheme_version"], cert["grade"])
    decisions = list(c.decisions.values())
    latest = None
    if decisions:
        d = decisions[-1]
        latest = {k: d[k] for k in ("id", "audit_id", "on", "granted", "score", "max_score", "percent", "grade", "decider", "scheme_id", "scheme_version")}
        latest["grade_name"] = grade_names(d["scheme_id"], d["scheme_version"], d["grade"])
        # a decision made on an upheld appeal names the decision it superseded (complaints and appeals, issue 9)
        latest["supersedes"], latest["appeal_id"] = d.get("supersedes"), d.get("appeal_id")
    return {
        "uscc": c.uscc,
        "name": c.name,
        "address": c.address,
        "stage": c.stage,
        "scheme": c.scheme_id,
        "certificate": cert_view,
        "latest_decision": latest,
        "applications": list(c.applications.values()),
        "open_audits": c.open_audits,
        "open_nonconformities": c.open_nonconformities,
        "open_complaints": open_complaints,  # complaints_view: an admitted one flagged when accepted late (004 §14.2.2)
        "open_appeals": c.open_appeals,
        "recent_changes": list(c.changes.values())[-5:],
        "suspensions": list(c.suspensions.values()),
        "withdrawals": list(c.withdrawals.values()),
        "events": c.version,
        # --- changes (issue 9): master data in force and its history, notified changes with lateness,
        # assessment and follow-ups, the certificate's versions (ledger/rules/deadlines_changes.py)
        "changes": changes_view(c),
    }


KEPT_CLIENTS = 512  # clients whose open complaints' texts are kept in this process


class _Kept:
    """One client's open complaints as last written: copies of the complaints and their JSON texts."""

    __slots__ = ("procedure", "copies", "texts")

    def __init__(self, procedure: Any) -> None:
        self.procedure = procedure  # the texts were made under it (a body's own files can name another)
        self.copies: list[dict[str, Any]] = []
        self.texts: list[str] = []


_KEPT: "OrderedDict[Any, _Kept]" = OrderedDict()


def _open_complaints_text(c: Any) -> str:
    """``dumps(complaints_view(c))``, remaking only the texts of complaints changed since the last call
    for this client (the module's doc)."""
    from ledger.rules.calendar import Calendar
    from ledger.rules.procedures import procedure_for

    opens = c.open_complaints
    p = procedure_for(c.scheme_id)
    kept = _KEPT.pop(c.id, None)
    if kept is None or kept.procedure is not p:
        kept = _Kept(p)
    copies, texts, n = kept.copies, kept.texts, len(kept.copies)
    if n <= len(opens) and opens[:n] == copies:  # the common case: unchanged, some received since
        fresh = opens[n:]
        known: dict[str, tuple[dict[str, Any], str]] = {}
    else:  # one changed or closed: each unchanged one's text kept by its id, the others made again
        fresh = opens
        known = {x["id"]: (x, text) for x, text in zip(copies, texts)}
        copies, texts = kept.copies, kept.texts = [], []
    if fresh:
        cal = Calendar()
        for x in fresh:
            hit = known.get(x["id"])
            if hit is not None and hit[0] == x:
                copies.append(hit[0])
                texts.append(hit[1])
            else:
                copies.append(pickle.loads(pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)))  # a deep copy, in C
                texts.append(dumps(complaint_view(x, p, cal)))
    _KEPT[c.id] = kept
    while len(_KEPT) > KEPT_CLIENTS:
        _KEPT.popitem(last=False)
    return "[" + ",".join(texts) + "]"


def summary_text(c: Any) -> str:
    """``dumps(client_summary(c))``, its open complaints' texts kept from the last call (the module's
    doc): the keys before and after them encoded in one call each, braces taken off, joined as the
    whole-dict encoding joins them (``separators=(",", ":")``)."""
    summary = _summary(c, None)
    keys = list(summary)
    at = keys.index("open_complaints")
    before = dumps({k: summary[k] for k in keys[:at]})[1:-1]
    after = dumps({k: summary[k] for k in keys[at + 1:]})[1:-1]
    middle = '"open_complaints":' + (_open_complaints_text(c) if c.complaints else "[]")
    return "{" + ",".join(part for part in (before, middle, after) if part) + "}"


class Summaries(ClientProjection):
    name = "summaries"
    table_names = ("rm_client_summaries",)

    def rows(self, client: Any) -> Rows:
        return {"rm_client_summaries": [{"uscc": client.uscc, "events": client.version, "summary": summary_text(client)}]}
