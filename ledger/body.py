"""The body's own acts in the application (issue 17, docs/cnca-report.md): ``report submit`` records
that a report to the regulator was submitted (catalogued in ledger/commands_body.py), and ``body()``
reads the body's record. The body is one aggregate (``aggregates.body.Body``) in the same log as the
clients and the people; its first act opens it. The command takes the same road as a client's: the
actor and the business date first, then the aggregate's checks, then a save (in an import's
session: with the session's next flush).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from aggregates.errors import RuleViolation
from ledger.body_conflicts import BodyConflictHandlers  # the body's conflicts with a client (004 §4.2 d) 1)-3))

if TYPE_CHECKING:
    from aggregates.body import Body

# The body's aggregate (aggregates/body.py, with its conflicts area and policy) is imported where it is
# used: by the body's commands and the checks that read it, not by every process that builds a
# ``CertLedger`` (a client's write and ``explain`` use neither; D66).


class BodyHandlers(BodyConflictHandlers):
    """The body's commands, mixed into ``Handlers`` (``CertLedger`` supplies the rest)."""

    _actor: Callable[..., str]
    _business_date: Callable[..., date]
    _uow: Any
    repository: Any
    save: Callable[..., Any]

    def body(self) -> Body | None:
        """The body's record, or None before its first act."""
        from aggregates.body import BODY_ID

        pending = self._pending_body()
        if BODY_ID in pending:
            return pending[BODY_ID]
        try:
            return self.repository.get(BODY_ID)
        except AggregateNotFoundError:
            return None

    def _pending_body(self) -> dict[Any, Body]:
        uow = self._uow
        return uow.__dict__.setdefault("body", {}) if uow is not None else {}

    def submit_report(self, *, month: str, reference: str, correction: str = "", kind: str = "cnca-monthly",
                      actor: str | None = None, on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        """A report to the regulator submitted: the month it covers, the regulator's reference and,
        for a second submission of a month, what it corrects (市监认证函〔2021〕102号)."""
        act = {"actor": self._actor(actor, on), "occurred_on": self._business_date(on)}

        def submit(body: Body) -> dict[str, Any]:
            body.submit_report(kind=kind, period=month, reference=reference, correction=correction, note=note,
                               evidence=list(evidence or []), **act)
            last = body.submissions[-1]
            return {"id": last["reference"], "correction": last["correction"]}

        return self._body_act(act, submit)

    def _body_act(self, act: dict[str, Any], fn: Callable[[Body], Any]) -> Any:
        """Every act of the body: load or open the body, run ``fn`` on it (the aggregate's command) and
        save, retried twice on a concurrent write; in an import's session, with its next flush."""
        from aggregates.body import Body

        for attempt in range(3):
            body = self.body() or Body.open(**act)
            result = fn(body)
            if self._uow is not None:
                self._pending_body()[body.id] = body
                self._uow.dirty[body.id] = body
                return result
            try:
                self.save(body)
                return result
            except IntegrityError:
                if attempt == 2:
                    raise RuleViolation("ledger: concurrent writes", "另一位用户同时记录了本机构的事项；未写入，请重试。",
                                        "Someone else recorded an act of the body at the same time; nothing was written; try again.") from None
        return None  # pragma: no cover - the loop returns or raises

    def body_approval(self, option: str | None = None) -> str | None:
        """The body's approval number (``--approval``, else ``CERTLEDGER_BODY_APPROVAL``; ledger/config.py)."""
        from ledger.config import body_approval

        return body_approval(option)

    def reports_to_cnca(self) -> bool:
        """Whether ``due`` lists the monthly report: the approval number is configured, or a report
        was submitted (docs/cnca-report.md)."""
        body = self.body()
        return self.body_approval() is not None or (body is not None and bool(body.submissions))
