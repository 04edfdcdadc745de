"""The commands of the client's objection to an audit team (004 §5.2.1; aggregates/objections.py):
``audit objection`` records the applicant's objection, ``audit objection-answer`` the body's answer.
Mixed into ``Handlers``; catalogued in ledger/commands.py."""

from __future__ import annotations

from aggregates.client import Client
from aggregates.policy.objections import check_proceeds  # noqa: F401 - ledger/handlers.py runs it before a completion's own checks
from ledger.acts import Act, Step, command


class ObjectionHandlers:
    """The objection's commands (``CertLedger`` supplies the rest)."""

    @command("audit objection")
    def object_to_team(self, act: Act, *, audit: str, reason: str, member: list[str] | None = None) -> Step:
        def apply(c: Client) -> str:
            return c.object_to_team(audit_id=audit, members=list(member or []), reason=reason, **act.recorded)

        return apply

    @command("audit objection-answer")
    def answer_objection(self, act: Act, *, audit: str, reason: str, upheld: bool = False, dismissed: bool = False) -> Step:
        def apply(c: Client) -> str:
            return c.answer_objection(audit_id=audit, upheld=bool(upheld), dismissed=bool(dismissed), reason=reason, **act.recorded)

        return apply
