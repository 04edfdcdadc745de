"""The deadline of the client's objection to an audit team (004 §5.2.1; aggregates/objections.py), as
rows of ``client_deadlines`` (ledger/rules/deadlines.py adds them with one line):

- ``team_objection``: an unanswered objection answered (``audit objection-answer``) before the audit
  begins. 004 §5.2.1 lets the applicant object ("可向 HZX 提出") but sets no time for the answer; the
  audit cannot proceed while the objection is open, so the ledger makes it due on the audit's first
  day, or on the day of the objection if it came on or after that day (an interpretation:
  docs/deadlines.md, docs/people.md).

Pure, like the engine: the client's state and the procedure. The engine's row builder is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aggregates.policy.objections import OBJECTION, open_objection
from ledger.rules.procedures import Procedure

__all__ = ["KINDS", "objection_deadlines"]

KINDS: dict[str, tuple[str, str]] = {
    "team_objection": ("答复对审核组组成的异议", "objection to the audit team answered"),
}
PERIOD = ("审核开始前（004 §5.2.1 未规定期限）", "before the audit begins (004 §5.2.1 sets no period)")


def objection_deadlines(client: Any, p: Procedure, row: Callable[..., dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """One row per planned audit with an unanswered objection to its team."""
    for audit in client.audits.values():
        if audit["status"] != "planned" or not audit.get("objections"):
            continue
        o = open_objection(audit)
        if o is None:
            continue
        due = max(audit["start_on"], o["on"])
        members_zh = f"（针对 {'、'.join(o['members'])}）" if o["members"] else ""
        members_en = f" (against {', '.join(o['members'])})" if o["members"] else ""
        yield row(
            "team_objection", o["id"], OBJECTION, p,
            f"答复申请人对审核 {audit['id']} 审核组组成的异议 {o['id']}{members_zh}：audit objection-answer --audit {audit['id']} --upheld 或 --dismissed",
            f"Answer the applicant's objection {o['id']} to the team of audit {audit['id']}{members_en}: audit objection-answer "
            f"--audit {audit['id']} --upheld or --dismissed",
            o["on"], None, {"audit": audit["id"], "objection": o["id"]}, due=due, period=PERIOD,
        )
