"""The certledger application: one method per command, ids and primitives in, domain errors out.

A command method reads the clock and the rulebooks, loads the client, calls one aggregate command
(which checks the client's own history before it records an event) and saves. Nothing is written
when a rule refuses: the aggregate checks before it records, and only a command that succeeded is
saved. Rules that need a scheme, the calendar or the clock live here; rules that need only the
client's history live in ``aggregates.client``.
"""

from __future__ import annotations

import contextlib
import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Iterator
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import OriginatorIDError, OriginatorVersionError
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from aggregates.client import Client
from aggregates.errors import NotFound, RuleViolation
from aggregates.uscc import client_id_for, normalise_uscc
from ledger import clock
from ledger.store import codec
from ledger.store.errors import inconsistent_history
from ledger.rules.procedures import procedure_for
from ledger.rules.scoring import evaluate, load_scheme, scheme_in_force

log = structlog.get_logger("certledger")

REGISTERED_TOPIC = f"{Client.__module__}:{Client.__qualname__}.Registered"


SESSION_CLIENTS = 2000  # saved clients a session keeps in memory (the most recently used)


@dataclass
class _UnitOfWork:
    """A session of commands: clients loaded or created in it are kept in memory (no reload per
    command); those changed and not yet saved are ``dirty`` until ``flush`` saves them in one
    transaction. After a flush, only the ``SESSION_CLIENTS`` most recently used clients stay (an
    evicted one is loaded again if a later command needs it), so a long import's memory is bounded.
    ``on_saved`` is called with each committed flush's recordings, then ``on_leave`` with each
    client as it leaves memory saved: evicted after a flush, or still held when the session ends
    after its last flush."""

    clients: OrderedDict[UUID, Client] = field(default_factory=OrderedDict)
    dirty: dict[UUID, Client] = field(default_factory=dict)
    on_saved: Callable[[list[Any]], None] | None = None
    on_leave: Callable[[Client], None] | None = None

    def trim(self, keep: int | None = None) -> None:
        keep = SESSION_CLIENTS if keep is None else keep
        while len(self.clients) > keep:
            _, client = self.clients.popitem(last=False)
            if self.on_leave is not None:
                self.on_leave(client)


class CertLedger(Application[UUID]):
    name = "certledger"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._uow: _UnitOfWork | None = None
        self._schemes: dict[tuple[Any, ...], Any] = {}

    @functools.cached_property
    def calendar(self) -> Any:
        """The working-day calendar (built once; it caches each year it reads)."""
        from ledger.rules.calendar import Calendar

        return Calendar()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        codec.register_transcodings(transcoder)

    # ------------------------------------------------------------------ plumbing

    @staticmethod
    def _actor(actor: str | None) -> str:
        actor = (actor or "").strip()
        if not actor:
            raise RuleViolation(
                "ledger: every record names its actor",
                "写入操作必须指明操作人：请使用 --actor 姓名 或设置环境变量 CERTLEDGER_ACTOR。",
                "A write must name its actor: pass --actor NAME or set CERTLEDGER_ACTOR.",
            )
        return actor

    @staticmethod
    def _business_date(on: date | None, what_zh: str = "业务日期", what_en: str = "The business date") -> date:
        today = clock.today()
        if on is None:
            return today
        if on > today:
            raise RuleViolation(
                "ledger: no future dates for things that happened",
                f"{what_zh} {on} 晚于今天（{today}，北京时间）；已发生的事项不能记在将来的日期。",
                f"{what_en} {on} is after today ({today}, Asia/Shanghai); what happened cannot be dated in the future.",
            )
        return on

    def _load(self, uscc: str) -> Client:
        client_id = client_id_for(uscc)
        if self._uow is not None and client_id in self._uow.clients:
            self._uow.clients.move_to_end(client_id)
            return self._uow.clients[client_id]
        try:
            client = self.repository.get(client_id)
        except (OriginatorVersionError, OriginatorIDError) as e:
            raise inconsistent_history(normalise_uscc(uscc), e) from None
        except AggregateNotFoundError:
            raise NotFound(
                "ledger: reference exists",
                f"账本中没有统一社会信用代码为 {normalise_uscc(uscc)} 的组织；请先提交申请（application submit）。",
                f"The ledger has no client with USCC {normalise_uscc(uscc)}; submit an application first.",
            ) from None
        if self._uow is not None:
            self._uow.clients[client_id] = client
        return client

    def _exists(self, uscc: str) -> bool:
        client_id = client_id_for(uscc)
        if self._uow is not None and client_id in self._uow.clients:
            return True
        return self.recorder.select_events(client_id, limit=1) != []

    def _commit(self, client: Client) -> None:
        if self._uow is not None:
            self._uow.clients[client.id] = client
            self._uow.dirty[client.id] = client
        else:
            self.save(client)

    def _run(self, uscc: str, action: str, fn: Any) -> Any:
        """Load, act, save; retry a concurrent-write conflict on the same client twice."""
        # bind/reset rather than the bound_contextvars context manager: a quarter of its cost per command
        tokens = structlog.contextvars.bind_contextvars(client=normalise_uscc(uscc))
        try:
            for attempt in range(3):
                client = self._load(uscc)
                result = fn(client)
                try:
                    self._commit(client)
                except IntegrityError:
                    if attempt == 2 or self._uow is not None:
                        raise RuleViolation(
                            "ledger: concurrent writes",
                            f"另一位用户同时修改了该组织的记录；{action} 未写入，请重试。",
                            f"Someone else changed this client at the same time; {action} was not written; try again.",
                        ) from None
                    log.info("retrying after a concurrent write", attempt=attempt + 1)
                    continue
                log.info("recorded", action=action, version=client.version)
                return result
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
        raise AssertionError("unreachable")

    @contextlib.contextmanager
    def session(self, on_saved: Callable[[list[Any]], None] | None = None,
                on_leave: Callable[[Client], None] | None = None) -> Iterator["CertLedger"]:
        """Run many commands with the clients kept in memory; nothing is saved until ``flush()``
        (which the caller calls as often as it likes) or the end of the block. An exception
        inside the block discards what was not flushed. Used by ``import``. ``on_saved`` sees the
        recordings of each committed flush; then ``on_leave(client)`` each client, as saved, that
        leaves the session's memory (``_UnitOfWork``)."""
        if self._uow is not None:
            raise RuntimeError("sessions do not nest")
        self._uow = _UnitOfWork(on_saved=on_saved, on_leave=on_leave)
        try:
            yield self
            self.flush()
            self._uow.trim(keep=0)
        finally:
            self._uow = None

    def flush(self) -> list[Any]:
        """Save every client changed in this session in one transaction; returns the recordings
        (each event with its notification id, in order), which a read-model follower can apply
        without reading them back (the session's ``on_saved`` sees them before any client leaves
        memory). A concurrent write to one of them refuses the whole flush (and forgets the
        session's copies, so the next command reloads)."""
        uow = self._uow
        if uow is None or not uow.dirty:
            return []
        pending = list(uow.dirty.values())
        uow.dirty = {}
        try:
            recordings = self.save(*pending)
        except IntegrityError:
            uow.clients = OrderedDict()
            raise RuleViolation(
                "ledger: concurrent writes",
                "保存期间另一位用户修改了其中的组织记录；这一批未写入，请重试。",
                "Someone else changed one of these clients meanwhile; this batch was not written; try again.",
            ) from None
        if uow.on_saved is not None and recordings:
            uow.on_saved(recordings)
        uow.trim()
        return recordings

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """All or nothing: every change made inside the block is saved in one transaction at the
        end; an exception inside the block discards everything."""
        with self.session():
            yield

    # ------------------------------------------------------------------ rulebooks

    def _scheme(self, scheme_id: str, version: str | None = None, on: date | None = None) -> Any:
        """A scheme by id: a given version, or the version in force on a date (001 §13.1). Found
        schemes are remembered for the ledger object's life (an import asks for the same few often;
        reading the scheme folder setting, CERTLEDGER_SCHEMES, per line cost 2 % of an import)."""
        key = (scheme_id, version, on if version is None else None)
        found = self._schemes.get(key)
        if found is not None:
            return found
        found = scheme_in_force(scheme_id, on) if on is not None and version is None else load_scheme(scheme_id, version)
        self._schemes[key] = found
        return found

    def audit_scheme(self, client: Client, audit_id: str) -> Any:
        """The scheme version an audit is scored under: that of the client's current certification
        for surveillance, else the version in force on the audit's first day (001 §13.1)."""
        audit = client._get(client.audits, audit_id, "审核", "audit")
        cert = client.certificate
        if audit["application_id"] is None and cert is not None:
            return self._scheme(cert["scheme_id"], on=audit["start_on"])
        app = client.applications[audit["application_id"]] if audit["application_id"] else list(client.applications.values())[-1]
        return self._scheme(app["scheme_id"], on=audit["start_on"])

    # ------------------------------------------------------------------ commands: application

    def submit_application(
        self, *, client: str, scheme: str, scope: str, site: list[dict[str, str]], headcount: int,
        kind: str = "initial", evidence: str = "", name: str | None = None, address: str | None = None,
        actor: str | None = None, on: date | None = None,
    ) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        uscc = normalise_uscc(client)
        scheme_obj = self._scheme(scheme, on=occurred_on)
        if self._exists(uscc):
            def act(c: Client) -> str:
                from ledger.rules.lifecycle import check_upgrade_application

                check_upgrade_application(c, kind=kind, submitted_on=occurred_on, calendar=self.calendar)
                return c.submit_application(
                    scheme_id=scheme_obj.id, scope=scope, sites=site, headcount=headcount, kind=kind,
                    evidence=evidence, actor=actor, occurred_on=occurred_on,
                )
            return self._run(uscc, "application submit", act)
        new = Client.register(uscc=uscc, name=name or "", address=address or "", actor=actor, occurred_on=occurred_on)
        application_id = new.submit_application(
            scheme_id=scheme_obj.id, scope=scope, sites=site, headcount=headcount, kind=kind,
            evidence=evidence, actor=actor, occurred_on=occurred_on,
        )
        try:
            self._commit(new)
        except IntegrityError:
            raise RuleViolation(
                "ledger: concurrent writes",
                f"组织 {uscc} 刚被另一位用户登记；请重新提交申请。",
                f"Client {uscc} was just registered by someone else; submit the application again.",
            ) from None
        log.info("recorded", action="application submit", client=uscc)
        return application_id

    def review_application(self, *, client: str, application: str, accept: bool = False, refuse: bool = False,
                           reason: str = "", actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        if accept == refuse:
            raise RuleViolation(
                "001 §4.2.1",
                "请选择 --accept（受理）或 --refuse（不予受理）之一。",
                "Choose exactly one of --accept or --refuse.",
            )
        self._run(client, "application review", lambda c: c.review_application(
            application_id=application, accepted=accept, reason=reason, actor=actor, occurred_on=occurred_on))

    def notify_refusal(self, *, client: str, application: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "application notify-refusal", lambda c: c.notify_refusal(application_id=application, actor=actor, occurred_on=occurred_on))

    def sign_contract(self, *, client: str, contract_no: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "application contract", lambda c: c.sign_contract(contract_no=contract_no, actor=actor, occurred_on=occurred_on))

    def request_transfer(self, *, client: str, from_body: str, certificate_no: str, certificate_status: str,
                         reason: str, actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        return self._run(client, "application transfer", lambda c: c.request_transfer(
            from_body=from_body, certificate_no=certificate_no, certificate_status=certificate_status,
            reason=reason, actor=actor, occurred_on=occurred_on))

    # ------------------------------------------------------------------ commands: audits and scores

    def plan_audit(self, *, client: str, kind: str, member: list[str], start: date, man_days: Decimal | None = None,
                   leader: str = "", site: list[str] | None = None, man_days_reason: str = "", combined: str | None = None,
                   reduction: Decimal | None = None, actor: str | None = None, on: date | None = None) -> str:
        """Plan an audit; man-days and the multi-site sample come from the planning calculators
        (004 §16.2, §11) and are recorded with the plan."""
        from ledger.rules import planning

        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> str:
            in_scope = [x["name"] for x in c.sites]
            if site:
                visited = list(site)
            elif kind in ("stage2", "transfer", "recertification"):
                visited = in_scope
            elif kind == "stage1":
                visited = []
            else:
                visited = in_scope[: planning.sample_size(len(in_scope))] if in_scope else []
            planning.check_sites_visited(kind, in_scope, visited)
            calculated = planning.audit_man_days(kind, c.headcount or 1, max(1, len(in_scope)), combined, reduction)
            planned = man_days if man_days is not None else calculated["man_days"]
            overridden = planned != calculated["man_days"]
            if overridden and not (man_days_reason or "").strip():
                raise RuleViolation(
                    "001 §4.3.1.2",
                    f"计划人日 {planned} 与按 004 §16.2 核算的 {calculated['man_days']} 人日不同；增减人日须说明合理理由并记录（--man-days-reason）。",
                    f"Planned man-days {planned} differ from the {calculated['man_days']} computed under 004 §16.2; "
                    "a change needs a recorded reason (--man-days-reason).",
                )
            calculation = {
                "calculated_man_days": calculated["man_days"], "steps": calculated["steps"],
                "sites_in_scope": len(in_scope), "sample_size": planning.sample_size(len(in_scope)) if in_scope else 0,
                "overridden": overridden, "override_reason": (man_days_reason or "").strip() if overridden else "",
            }
            return c.plan_audit(kind=kind, team=member, leader=leader, man_days=planned, sites=visited, start_on=start,
                                calculation=calculation, actor=actor, occurred_on=occurred_on)

        return self._run(client, "audit plan", act)

    def complete_audit(self, *, client: str, audit: str, conclusion: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "audit complete", lambda c: c.complete_audit(audit_id=audit, conclusion=conclusion, actor=actor, occurred_on=occurred_on))

    def enter_score(self, *, client: str, audit: str, item: str, value: dict[str, Any], facet: str | None = None,
                    actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> str:
            scheme = self.audit_scheme(c, audit)
            entry = scheme.validate_entry(item, facet or None, value)
            return c.enter_score(audit_id=audit, item=entry.item, facet=entry.facet, value=entry.value, actor=actor, occurred_on=occurred_on)

        return self._run(client, "score enter", act)

    def correct_score(self, *, client: str, entry: str, value: dict[str, Any], reason: str,
                      actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> str:
            old = c.entry(entry)
            scheme = self.audit_scheme(c, old["audit_id"])
            checked = scheme.validate_entry(old["item"], old["facet"], value)
            return c.correct_score(entry_id=entry, value=checked.value, reason=reason, actor=actor, occurred_on=occurred_on)

        return self._run(client, "score correct", act)

    def exclude_item(self, *, client: str, audit: str, item: str, reason: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> None:
            scheme = self.audit_scheme(c, audit)
            item_id = scheme.validate_exclusion(item, reason)
            c.exclude_item(audit_id=audit, item=item_id, reason=reason, actor=actor, occurred_on=occurred_on)

        self._run(client, "score exclude", act)

    def raise_nonconformity(self, *, client: str, audit: str, severity: str, clause: str, description: str,
                            actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        return self._run(client, "nc raise", lambda c: c.raise_nonconformity(
            audit_id=audit, severity=severity, clause=clause, description=description, actor=actor, occurred_on=occurred_on))

    def submit_correction(self, *, client: str, nc: str, correction: str, corrective_action: str,
                          actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "nc respond", lambda c: c.submit_correction(
            nc_id=nc, correction=correction, corrective_action=corrective_action, actor=actor, occurred_on=occurred_on))

    def verify_nonconformity(self, *, client: str, nc: str, verification: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "nc verify", lambda c: c.verify_nonconformity(nc_id=nc, verification=verification, actor=actor, occurred_on=occurred_on))

    # ------------------------------------------------------------------ commands: decision and certificate

    def evaluate_audit(self, client: Client, audit_id: str, on: date | None = None) -> tuple[Any, Any]:
        """Score an audit from its recorded entries and exclusions under its scheme version."""
        from ledger.explain import audit_inputs

        scheme = self.audit_scheme(client, audit_id)
        entries, exclusions, context = audit_inputs(client, audit_id, on)
        return scheme, evaluate(scheme, entries, exclusions, context)

    def decide(self, *, client: str, audit: str, decider: str, reason: str, refuse: bool = False,
               actor: str | None = None, on: date | None = None) -> dict[str, Any]:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> dict[str, Any]:
            c.check_decidable(audit_id=audit, decider=decider, occurred_on=occurred_on)
            scheme, evaluation = self.evaluate_audit(c, audit, occurred_on)
            if evaluation.missing_items:
                missing = ", ".join(evaluation.missing_items)
                raise RuleViolation(
                    "ledger: every item scored or excluded",
                    f"以下指标既未评分也未删减，不能作出认证决定：{missing}。请先评分或删减（并说明理由）。",
                    f"These items are neither scored nor excluded, so no decision can be made: {missing}. Score or exclude them first.",
                )
            if evaluation.unchecked_conditions:
                unchecked = ", ".join(evaluation.unchecked_conditions)
                raise RuleViolation(
                    "ledger: every prerequisite checked",
                    f"以下前提条件或否决项尚未核查，不能作出认证决定：{unchecked}。请用 score enter 录入核查结果。",
                    f"These prerequisites or veto items are not checked yet, so no decision can be made: {unchecked}. Record them with score enter.",
                )
            granted = evaluation.grade is not None and evaluation.grants and not refuse
            decision_id = c.decide(
                audit_id=audit, decider=decider, scheme_id=scheme.id, scheme_version=scheme.version,
                score=evaluation.total, max_score=evaluation.max_total, percent=evaluation.percent,
                grade=evaluation.grade, granted=granted, reason=reason, evaluation=evaluation.record(),
                actor=actor, occurred_on=occurred_on,
            )
            return {"decision": decision_id, "granted": granted, "score": evaluation.total,
                    "max_score": evaluation.max_total, "percent": evaluation.percent, "grade": evaluation.grade,
                    "scheme": scheme.id, "scheme_version": scheme.version}

        return self._run(client, "decide", act)

    def issue_certificate(self, *, client: str, decision: str, number: str | None = None,
                          valid_from: date | None = None, actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        start = valid_from or occurred_on

        from ledger.rules.lifecycle import validity_until

        def act(c: Client) -> str:
            d = c._get(c.decisions, decision, "认证决定", "certification decision")
            scheme = self._scheme(d["scheme_id"], d["scheme_version"])
            cert_no = (number or "").strip() or f"CL-{occurred_on.year}-{c.uscc[8:17]}-{len(c.certificates) + 1:02d}"
            until = validity_until(start, self.calendar, procedure_for(scheme.id))
            standard = f"{scheme.document_number} {scheme.title_zh}（{scheme.version}）".strip()
            c.issue_certificate(decision_id=decision, number=cert_no, valid_from=start, valid_until=until,
                                standard=standard, actor=actor, occurred_on=occurred_on)
            return cert_no

        return self._run(client, "certificate issue", act)

    def report_to_regulator(self, *, client: str, reference: str = "", actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "certificate report", lambda c: c.report_to_regulator(reference=reference, actor=actor, occurred_on=occurred_on))

    def suspend(self, *, client: str, reason_code: str, reason: str, start: date | None = None,
                months: int | None = None, actor: str | None = None, on: date | None = None) -> str:
        from ledger.rules.lifecycle import suspension_until

        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> str:
            procedure = procedure_for(c.scheme_id)
            why = procedure.reason("suspension", reason_code)
            begin = start or occurred_on
            until = suspension_until(procedure, why, begin, months, self.calendar)
            return c.suspend(reason_code=why.code, reason=reason, start=begin, until=until, actor=actor, occurred_on=occurred_on)

        return self._run(client, "certificate suspend", act)

    def restore(self, *, client: str, reason: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        from ledger.rules.lifecycle import check_restoration

        def act(c: Client) -> None:
            check_restoration(c, restored_on=occurred_on)
            c.restore(reason=reason, actor=actor, occurred_on=occurred_on)

        self._run(client, "certificate restore", act)

    def withdraw(self, *, client: str, reason_code: str, reason: str, actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> str:
            why = procedure_for(c.scheme_id).reason("withdrawal", reason_code)
            return c.withdraw(reason_code=why.code, reason=reason, actor=actor, occurred_on=occurred_on)

        return self._run(client, "certificate withdraw", act)

    def cancel(self, *, client: str, reason: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "certificate cancel", lambda c: c.cancel(reason=reason, actor=actor, occurred_on=occurred_on))

    def expire(self, *, client: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "certificate expire", lambda c: c.expire(actor=actor, occurred_on=occurred_on))

    def change_scope(self, *, client: str, kind: str, scope: str, reason: str, site: list[dict[str, str]] | None = None,
                     actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        return self._run(client, "certificate scope", lambda c: c.change_scope(
            kind=kind, scope=scope, sites=site or None, reason=reason, actor=actor, occurred_on=occurred_on))

    # ------------------------------------------------------------------ commands: changes, complaints, appeals

    def notify_change(self, *, client: str, kind: str, changed_on: date, description: str,
                      actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        changed_on = self._business_date(changed_on, "变更发生日期", "The date of the change")
        return self._run(client, "change notify", lambda c: c.notify_change(
            kind=kind, changed_on=changed_on, description=description, actor=actor, occurred_on=occurred_on))

    def receive_complaint(self, *, client: str, complainant: str, subject: str, actor: str | None = None, on: date | None = None) -> str:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        return self._run(client, "complaint receive", lambda c: c.receive_complaint(
            complainant=complainant, subject=subject, actor=actor, occurred_on=occurred_on))

    def resolve_complaint(self, *, client: str, complaint: str, result: str, actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "complaint resolve", lambda c: c.resolve_complaint(
            complaint_id=complaint, result=result, actor=actor, occurred_on=occurred_on))

    def lodge_appeal(self, *, client: str, against: str, grounds: str, late_override: str = "",
                     actor: str | None = None, on: date | None = None) -> str:
        from ledger.rules.lifecycle import check_appeal_lodging

        actor = self._actor(actor)
        occurred_on = self._business_date(on)

        def act(c: Client) -> str:
            check_appeal_lodging(c, against=against, lodged_on=occurred_on, late_override=late_override, calendar=self.calendar)
            return c.lodge_appeal(against=against, grounds=grounds, late_override=(late_override or "").strip(),
                                  actor=actor, occurred_on=occurred_on)

        return self._run(client, "appeal lodge", act)

    def admit_appeal(self, *, client: str, appeal: str, accept: bool = False, refuse: bool = False, reason: str = "",
                     actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        if accept == refuse:
            raise RuleViolation("004 §14.1.2", "请选择 --accept（受理）或 --refuse（不予受理）之一。", "Choose exactly one of --accept or --refuse.")
        self._run(client, "appeal admit", lambda c: c.admit_appeal(
            appeal_id=appeal, accepted=accept, reason=reason, actor=actor, occurred_on=occurred_on))

    def hear_appeal(self, *, client: str, appeal: str, hearing_on: date, notice_on: date, panel: list[str],
                    actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        from ledger.rules.lifecycle import check_hearing

        def act(c: Client) -> None:
            check_hearing(c, appeal_id=appeal, hearing_on=hearing_on, notice_on=notice_on, calendar=self.calendar)
            c.hear_appeal(appeal_id=appeal, hearing_on=hearing_on, notice_given_on=notice_on, panel=panel, actor=actor,
                          occurred_on=occurred_on)

        self._run(client, "appeal hear", act)

    def decide_appeal(self, *, client: str, appeal: str, outcome: str, result: str, decider: list[str],
                      actor: str | None = None, on: date | None = None) -> None:
        actor = self._actor(actor)
        occurred_on = self._business_date(on)
        self._run(client, "appeal decide", lambda c: c.decide_appeal(
            appeal_id=appeal, outcome=outcome, result=result, deciders=decider, actor=actor, occurred_on=occurred_on))

    # ------------------------------------------------------------------ queries

    def client(self, uscc: str, as_of: date | None = None, as_recorded: datetime | None = None) -> Client:
        """The client now, or as the events imply at a past moment.

        ``as_of`` (a business date) replays the events that happened on or before that day, in the
        order they were recorded, including those recorded late; ``as_recorded`` (a moment) replays
        what the ledger itself knew then. Both may be combined.
        """
        if as_of is None and as_recorded is None:
            return self._load(uscc)
        self._load(uscc)  # a clear error for an unknown client
        selected = [
            e for e in self.events.get(client_id_for(uscc))
            if (as_of is None or e.occurred_on <= as_of) and (as_recorded is None or e.timestamp <= as_recorded)
        ]
        if not selected or selected[0].originator_version != 1:
            when_zh = "、".join(x for x in (f"业务日期 {as_of}" if as_of else "", f"记录时刻 {as_recorded}" if as_recorded else "") if x)
            when_en = ", ".join(x for x in (f"business date {as_of}" if as_of else "", f"recorded by {as_recorded}" if as_recorded else "") if x)
            raise NotFound(
                "ledger: no such client then",
                f"截至{when_zh}，账本中还没有统一社会信用代码为 {normalise_uscc(uscc)} 的组织。",
                f"No client with USCC {normalise_uscc(uscc)} existed in the ledger as of {when_en}.",
            )
        client: Any = None
        for e in selected:
            if client is not None:
                # Events left out (dated later) leave gaps in the version sequence; replay across them.
                client.version = e.originator_version - 1
            client = e.mutate(client)
        return client

    def purge(self, uscc: str) -> None:
        """A request to delete a client's records: always refused (see ledger.rules.retention)."""
        from ledger.rules.retention import refuse_purge

        refuse_purge(self._load(uscc), clock.today())

    def explain(self, uscc: str, *, as_of: date | None = None, as_recorded: datetime | None = None,
                audit: str | None = None) -> dict[str, Any]:
        """Why the client's grade is what it is, as of a business date / recording moment."""
        from ledger.explain import explain

        client = self.client(uscc, as_of=as_of, as_recorded=as_recorded)
        return explain(client, audit=audit, scheme_of=self.audit_scheme, history=self.history(uscc),
                       as_of=as_of, as_recorded=as_recorded)

    def history(self, uscc: str) -> list[dict[str, Any]]:
        """The client's events in order: version, type, recorded time, business date, actor, fields."""
        client_id = client_id_for(uscc)
        self._load(uscc)  # a clear error for an unknown client
        rows = []
        for ev in self.events.get(client_id):
            fields = {k: v for k, v in ev.__dict__.items() if k not in ("originator_id", "originator_version", "timestamp", "actor", "occurred_on", "originator_topic")}
            rows.append({
                "version": ev.originator_version,
                "type": type(ev).__name__,
                "recorded_at": ev.timestamp,
                "occurred_on": getattr(ev, "occurred_on", None),
                "actor": getattr(ev, "actor", None),
                "fields": fields,
            })
        return rows

    def clients(self) -> list[Client]:
        """Every registered client, in registration order (a scan of the notification log)."""
        out = []
        start = 1
        while True:
            batch = self.recorder.select_notifications(start, 500, topics=[REGISTERED_TOPIC])
            if not batch:
                break
            for n in batch:
                try:
                    out.append(self.repository.get(n.originator_id))
                except (OriginatorVersionError, OriginatorIDError) as e:
                    raise inconsistent_history(n.originator_id, e) from None
            start = batch[-1].id + 1
        return out

    def event_count(self) -> int:
        return self.recorder.max_notification_id() or 0


def event_time(ev_time: datetime) -> str:
    return ev_time.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
