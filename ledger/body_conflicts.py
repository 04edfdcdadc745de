"""The body's conflicts with a client in the application (004 §4.2 d) 1)-3); issue 15 item 3;
docs/people.md, "Body-level conflicts").

Two sources, one answer: a conflict of the body itself (kind 1): an asset relation or another
interest), recorded by ``body conflict`` / ended by ``body conflict-end`` on the ``Body`` aggregate
(aggregates/body_conflicts.py); and a conflict of one of its senior managers (kinds 2)-3)), derived,
never re-typed: a person holding the role ``senior_manager`` on the day who has declared employment at
the client within a year, a close relative in its senior management (2)) or a significant financial
interest (3)) (``people declare``, aggregates/policy/people.py ``conflicts``). While either stands, the
acts of the client's evaluation are refused (``check_evaluation``, called by the handlers before the
client's command): "HZX不得提供有关该被评对象的……报告". Explicit conflicts apply whenever declared;
the derived ones need the register, so they appear only once it holds someone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from aggregates.errors import RuleViolation, no_such_client, shell_arg
from aggregates.policy.people import conflicts as person_conflicts
from aggregates.uscc import normalise_uscc
from aggregates.vocabulary import BODY_CONFLICT_KINDS, INTEREST_KINDS, word
from ledger.people_actor import body_conflict_writer

if TYPE_CHECKING:
    from aggregates.body import Body  # imported where used (ledger/body.py, D66)

SENIOR = "senior_manager"
# A senior manager's declared interest → the clause of 004 §4.2 d) that makes it the body's
DERIVED_CLAUSES = {"employment": "004 §4.2 d) 2)", "relative": "004 §4.2 d) 2)", "financial": "004 §4.2 d) 3)"}


def held_on(person: Any, role: str, day: date) -> bool:
    """Whether the person held ``role`` on ``day`` (granted on or before it, not withdrawn by then, not left)."""
    if person.has_left(day):
        return False
    grant = person.roles.get(role)
    if grant is not None and grant["granted_on"] <= day:
        return True
    return any(r["role"] == role and r["granted_on"] <= day < r["withdrawn_on"] for r in getattr(person, "former_roles", []))


class BodyConflictHandlers:
    """The body's conflicts: commands and the view (mixed into ``BodyHandlers``)."""

    _actor: Callable[..., str]
    _business_date: Callable[..., date]
    _exists: Callable[[str], bool]
    _body_act: Callable[[dict[str, Any], Callable[[Body], Any]], Any]  # ledger/body.py
    body: Callable[[], Body | None]
    people: Callable[..., list[Any]]

    def _conflict_act(self, client: str, actor: str | None, on: date | None, note: str,
                      evidence: list[str] | None, action: str = "body conflict") -> tuple[dict[str, Any], dict[str, Any]]:
        """A conflict command's act (actor and business date, checked first) and its fields: the
        client's USCC (a known client), the note and the evidence references, trimmed."""
        act = {"actor": self._actor(actor, on), "occurred_on": self._business_date(on)}
        body_conflict_writer(self, act["actor"], action)  # an administrator's or a senior manager's (trial 12, item 6)
        uscc = normalise_uscc(client)
        if not self._exists(uscc):
            raise no_such_client(uscc)
        return act, {"uscc": uscc, "note": (note or "").strip(), "evidence": [e.strip() for e in evidence or [] if e and e.strip()], **act}

    def declare_body_conflict(self, *, client: str, kind: str, detail: str, actor: str | None = None, on: date | None = None,
                              note: str = "", evidence: list[str] | None = None) -> str:
        """The body's own conflict with a client (004 §4.2 d) 1)): an asset relation or another interest."""
        act, fields = self._conflict_act(client, actor, on, note, evidence)
        return self._body_act(act, lambda b: b.declare_conflict(kind=kind, detail=detail, **fields))

    def end_body_conflict(self, *, client: str, reason: str, conflict: str = "", actor: str | None = None, on: date | None = None,
                          note: str = "", evidence: list[str] | None = None) -> str:
        """A conflict of the body with a client no longer stands (the reason: the relation ended, the interest sold...)."""
        act, fields = self._conflict_act(client, actor, on, note, evidence, "body conflict-end")
        return self._body_act(act, lambda b: b.end_conflict(conflict_id=conflict, reason=reason, **fields))

    def ended_body_conflicts(self, client: str, on: date) -> list[dict[str, Any]]:
        """The body's own conflicts with the client that had ended by ``on`` (for inspectors: what was
        declared and why it ended)."""
        uscc = normalise_uscc(client)
        body = self.body()
        return [{**c, "clause": "004 §4.2 d) 1)", "what_zh": word(BODY_CONFLICT_KINDS, c["kind"]), "what_en": word(BODY_CONFLICT_KINDS, c["kind"], "en")}
                for c in getattr(body, "conflicts", []) if c["uscc"] == uscc and c.get("ended") and c["ended"]["on"] <= on]

    def body_conflict_views(self, client: str, as_of: date | None = None) -> dict[str, list[dict[str, Any]]]:
        """For inspectors (``people impartiality``): the body-level conflicts with the client that stand
        on ``as_of`` (else today, Asia/Shanghai), the register as of that day, and the body's own
        conflicts that had ended by then."""
        from ledger import clock

        day = as_of or clock.today()
        return {"body_conflicts": self.body_conflicts(client, day, as_of=as_of), "ended_body_conflicts": self.ended_body_conflicts(client, day)}

    def _body_for_checks(self) -> Body | None:
        """The body's record for the conflict check (D61): outside a session, read now; in a session
        (an import), the session's own copy if it acted on the body, else the record read once per
        transaction of the session: again after each save, so another writer's act on the body is
        seen from the import's next transaction, as a line's events were already saved with their
        transaction and not at their check."""
        from aggregates.body import BODY_ID

        uow = getattr(self, "_uow", None)
        if uow is None:
            return self.body()
        pending = uow.__dict__.get("body")
        if pending and BODY_ID in pending:
            return pending[BODY_ID]
        kept = uow.__dict__.get("body_checked")
        if kept is not None and kept[0] is uow.dirty:  # ``flush`` and ``forget`` give the session a new ``dirty``
            return kept[1]
        body = self.body()
        uow.__dict__["body_checked"] = (uow.dirty, body)
        return body

    def body_conflicts(self, client: str, on: date, *, as_of: date | None = None) -> list[dict[str, Any]]:
        """The body-level conflicts with the client that stand on ``on``: the body's own (004 §4.2 d) 1))
        and those of its senior managers (2)-3)); ``as_of``: the register as of that day (the inspectors'
        view), else as it stands."""
        from aggregates.policy.body_conflicts import standing

        uscc = normalise_uscc(client)
        out: list[dict[str, Any]] = []
        body = self._body_for_checks()
        for c in standing(body, uscc, on) if body is not None else []:
            out.append({"source": "body", "id": c["id"], "kind": c["kind"], "clause": "004 §4.2 d) 1)", "detail": c["detail"],
                        "since": c["on"], "person": None,
                        "what_zh": word(BODY_CONFLICT_KINDS, c["kind"]), "what_en": word(BODY_CONFLICT_KINDS, c["kind"], "en")})
        for p in self.people(as_of=as_of):
            if not held_on(p, SENIOR, on):
                continue
            for c in person_conflicts(p, uscc, on):
                if c["kind"] not in DERIVED_CLAUSES:
                    continue  # consultancy by a person (004 §4.3) bars that person, not the body
                out.append({"source": "senior_manager", "id": None, "kind": c["kind"], "clause": DERIVED_CLAUSES[c["kind"]],
                            "detail": c["detail"], "since": None, "person": p.name, "ended_on": c.get("ended_on"),
                            "what_zh": f"高级管理人员 {p.name}：{word(INTEREST_KINDS, c['kind'])}",
                            "what_en": f"senior manager {p.name}: {word(INTEREST_KINDS, c['kind'], 'en')}"})
        return out


def check_evaluation(ledger: Any, client: Any, on: date, act_zh: str, act_en: str) -> None:
    """Refuse an act of the client's evaluation while a body-level conflict stands on ``on`` (004 §4.2 d)
    1)-3)), naming the conflict and what would put it right."""
    found = ledger.body_conflicts(client.uscc, on)
    if not found:
        return
    c = found[0]
    who = f"{client.name}（{client.uscc}）"
    if c["source"] == "body":
        fix_zh = f"如该关系已消除，请记录：body conflict-end --client {client.uscc} --reason …"
        fix_en = f"If the relation has ended, record it: body conflict-end --client {client.uscc} --reason …"
        what_zh, what_en = f"{c['id']}：{c['what_zh']}（{c['detail']}，{c['since']} 记录）", f"{c['id']}: {c['what_en']} ({c['detail']}, recorded {c['since']})"
    else:
        fix_zh = (f"如声明已不再属实，请更新：people declare --person {shell_arg(c['person'])} --client {client.uscc} --kind none；"
                  f"如其已不再担任高级管理人员：people withdraw-role --person {shell_arg(c['person'])} --role senior_manager --reason …")
        fix_en = (f"If the declaration is no longer true, make it current: people declare --person {shell_arg(c['person'])} --client {client.uscc} "
                  f"--kind none; if they are no longer a senior manager: people withdraw-role --person {shell_arg(c['person'])} --role senior_manager --reason …")
        what_zh, what_en = f"{c['what_zh']}（{c['detail']}）", f"{c['what_en']} ({c['detail']})"
    raise RuleViolation(
        c["clause"],
        f"本机构与{who}存在利益冲突：{what_zh}；依 {c['clause']}，本机构不得对其提供评价，不能{act_zh}。{fix_zh}。",
        f"The body has a conflict with {client.name} ({client.uscc}): {what_en}; under {c['clause']} the body must not evaluate "
        f"this client, so it cannot {act_en}. {fix_en}.")
