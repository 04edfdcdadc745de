"""The checks of the body's own conflicts with a client (004 §4.2 d) 1)): "HZX与被评对象存在资产关联或者
其他利害关系……HZX不得提供有关该被评对象的……报告". A conflict is declared per client with its kind and
what it is, and ended with a reason; while it stands the client's evaluation is refused
(ledger/body_conflicts.py). Pure functions over the ``Body``'s state."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.common import require, require_choice, require_text
from aggregates.vocabulary import BODY_CONFLICT_KINDS, word

BODY_CONFLICT = "004 §4.2 d) 1)"


def standing(body: Any, uscc: str, on: date | None = None) -> list[dict[str, Any]]:
    """The body's conflicts with the client that stand on ``on`` (declared on or before it, not ended
    by then; ``None``: now)."""
    out = []
    for c in getattr(body, "conflicts", []):
        if c["uscc"] != uscc:
            continue
        if on is not None and c["on"] > on:
            continue
        ended = c.get("ended")
        if ended is not None and (on is None or ended["on"] <= on):
            continue
        out.append(c)
    return out


def check_declaration(body: Any, *, uscc: str, kind: str, detail: str, occurred_on: date) -> str:
    """A conflict of the body with a client: its kind (an asset relation or another interest), what it
    is; the same kind standing for the client twice is refused. Returns the detail, trimmed."""
    require_choice(kind, BODY_CONFLICT_KINDS, "本机构利益冲突类型", "kind of the body's conflict")
    detail = require_text(detail, "利害关系的说明（--detail）", "What the relation is (--detail)", BODY_CONFLICT)
    same = [c for c in standing(body, uscc) if c["kind"] == kind]
    if same:
        raise RuleViolation(BODY_CONFLICT, f"本机构与 {uscc} 的“{word(BODY_CONFLICT_KINDS, kind)}”已于 {same[0]['on']} 记录（{same[0]['id']}）且仍然存在；如已解除，请记录：body conflict-end。",
                            f"That conflict with {uscc} ({word(BODY_CONFLICT_KINDS, kind, 'en')}) was recorded on {same[0]['on']} "
                            f"({same[0]['id']}) and still stands; if it has ended, record that: body conflict-end.")
    return detail


def check_end(body: Any, *, uscc: str, conflict_id: str, reason: str, occurred_on: date) -> tuple[dict[str, Any], str]:
    """The end of a standing conflict with the client (the one named by ``conflict_id``, or the only
    one standing), with a reason, not before it was declared. Returns the conflict and the reason."""
    open_ = standing(body, uscc)
    require(bool(open_), BODY_CONFLICT, f"本机构与 {uscc} 没有存续的利益冲突记录，无从解除。",
            f"The body has no standing conflict with {uscc}; there is nothing to end.")
    wanted = (conflict_id or "").strip().upper()
    if wanted:
        chosen = [c for c in open_ if c["id"] == wanted]
        require(bool(chosen), BODY_CONFLICT, f"本机构与 {uscc} 存续的利益冲突中没有 {wanted}；现有：{'、'.join(c['id'] for c in open_)}。",
                f"No standing conflict {wanted} of the body with {uscc}; standing: {', '.join(c['id'] for c in open_)}.")
    else:
        chosen = open_
        require(len(open_) == 1, BODY_CONFLICT, f"本机构与 {uscc} 有多项存续的利益冲突（{'、'.join(c['id'] for c in open_)}）；请用 --conflict 指明。",
                f"The body has several standing conflicts with {uscc} ({', '.join(c['id'] for c in open_)}); name one with --conflict.")
    conflict = chosen[0]
    require(occurred_on >= conflict["on"], BODY_CONFLICT, f"解除日期 {occurred_on} 早于记录日期 {conflict['on']}。",
            f"The end date {occurred_on} is before the conflict was recorded ({conflict['on']}).")
    reason = require_text(reason, "解除的理由（--reason）", "Why the conflict ended (--reason)", BODY_CONFLICT)
    return conflict, reason
