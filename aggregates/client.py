"""The client organisation (申请组织 / 获证组织): one event-sourced aggregate per USCC.

Every public method is a command: it checks the rules that need only this client's history, then
calls one private ``@event`` method that only applies state (it runs again on every replay, so it
reads no clock, generates no id and checks nothing). Every event carries the ``actor`` who recorded
it and the business date ``occurred_on`` (Asia/Shanghai) on which the thing happened; the library
adds the time it was recorded.

State is kept JSON-shaped (dicts, lists, str, int, Decimal, date) so snapshots round-trip.
Ids of things inside a client (applications, audits, score entries, nonconformities, decisions,
complaints, appeals...) are short, readable and sequential per client: ``A1``, ``S12``, ``NC3``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from aggregates.errors import NotFound, RuleViolation
from aggregates.uscc import client_id_for, normalise_uscc
from aggregates.vocabulary import (
    APPEAL_OUTCOMES,
    APPLICATION_KINDS,
    AUDIT_KINDS,
    CERTIFICATE_STATUSES,
    CHANGE_KINDS,
    DECIDABLE_AUDIT_KINDS,
    NC_SEVERITIES,
    SCOPE_CHANGE_KINDS,
    word,
)


def _require(condition: bool, rule: str, zh: str, en: str) -> None:
    if not condition:
        raise RuleViolation(rule, zh, en)


def _require_text(value: str | None, what_zh: str, what_en: str, rule: str = "001 §12.2") -> str:
    text = (value or "").strip()
    if not text:  # the messages are formatted only when needed: these checks run on every command
        raise RuleViolation(rule, f"必须填写{what_zh}。", f"{what_en} is required.")
    return text


def _require_choice(value: str, table: dict[str, tuple[str, str]], what_zh: str, what_en: str) -> None:
    if value not in table:
        known = ", ".join(f"{k}（{v[0]}）" for k, v in table.items())
        known_en = ", ".join(f"{k} ({v[1]})" for k, v in table.items())
        raise RuleViolation(
            "ledger: vocabulary",
            f"未知的{what_zh}“{value}”；可选：{known}。",
            f"Unknown {what_en} '{value}'; choose one of: {known_en}.",
        )


def _not_before(day: date, earlier: date, what_zh: str, what_en: str) -> None:
    if day < earlier:
        raise RuleViolation(
            "ledger: business dates in order",
            f"业务日期 {day} 早于{what_zh}（{earlier}）；请核对日期。",
            f"Business date {day} is before {what_en} ({earlier}); check the date.",
        )


class Client(Aggregate):
    """One client organisation and everything the body did with it."""

    @staticmethod
    def create_id(uscc: str) -> UUID:  # type: ignore[override]
        return client_id_for(uscc)

    # ------------------------------------------------------------------ registration

    @classmethod
    def register(cls, *, uscc: str, name: str, address: str, actor: str, occurred_on: date) -> "Client":
        uscc = normalise_uscc(uscc)
        name = _require_text(name, "组织名称（001 §8.1 a）", "the organisation's name (001 §8.1 a)", "001 §8.1 a")
        address = _require_text(address, "组织地址（001 §8.1 a）", "the organisation's address (001 §8.1 a)", "001 §8.1 a")
        return cls(uscc=uscc, name=name, address=address, actor=actor, occurred_on=occurred_on)

    @event("Registered")
    def __init__(self, uscc: str, name: str, address: str, actor: str, occurred_on: date) -> None:
        self.uscc = uscc
        self.name = name
        self.address = address
        self.registered_on = occurred_on
        self.applications: dict[str, dict[str, Any]] = {}
        self.contracts: dict[str, dict[str, Any]] = {}
        self.audits: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, dict[str, Any]] = {}
        self.exclusions: dict[str, dict[str, dict[str, Any]]] = {}
        self.nonconformities: dict[str, dict[str, Any]] = {}
        self.decisions: dict[str, dict[str, Any]] = {}
        self.certificates: dict[str, dict[str, Any]] = {}
        self.current_certificate: str | None = None
        self.suspensions: dict[str, dict[str, Any]] = {}
        self.withdrawals: dict[str, dict[str, Any]] = {}
        self.scope_changes: dict[str, dict[str, Any]] = {}
        self.changes: dict[str, dict[str, Any]] = {}
        self.complaints: dict[str, dict[str, Any]] = {}
        self.appeals: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ helpers (read-only)

    def _after_registration(self, occurred_on: date) -> None:
        _not_before(occurred_on, self.registered_on, "该组织的登记日期", "the client's registration date")

    def _get(self, table: dict[str, dict[str, Any]], key: str, what_zh: str, what_en: str) -> dict[str, Any]:
        try:
            return table[key]
        except KeyError:
            known = ", ".join(table) or "—"
            raise NotFound(
                "ledger: reference exists",
                f"{self.name} 没有{what_zh} {key}；现有：{known}。",
                f"{self.name} has no {what_en} {key}; existing: {known}.",
            ) from None

    @property
    def open_application(self) -> dict[str, Any] | None:
        """The application currently being processed: submitted or accepted and not yet concluded."""
        for app in reversed(list(self.applications.values())):
            if app["status"] in ("submitted", "accepted") and not app.get("concluded"):
                return app
        return None

    @property
    def sites(self) -> list[dict[str, str]]:
        """The sites in scope now: the certificate's, else the latest application's."""
        cert = self.certificate
        if cert is not None and cert["status"] in ("valid", "suspended"):
            return cert["sites"]
        return list(self.applications.values())[-1]["sites"] if self.applications else []

    @property
    def headcount(self) -> int:
        """People within the scope, as last stated: a notified headcount change does not carry a
        number, so this is the latest application's figure."""
        return list(self.applications.values())[-1]["headcount"] if self.applications else 0

    @property
    def certificate(self) -> dict[str, Any] | None:
        return self.certificates.get(self.current_certificate) if self.current_certificate else None

    @property
    def certificate_status(self) -> str | None:
        cert = self.certificate
        return cert["status"] if cert else None

    @property
    def scheme_id(self) -> str | None:
        """The scheme of the certification in force (the certificate's), else of the latest
        application; it decides which procedure governs the client (ledger.rules.procedures)."""
        cert = self.certificate
        if cert is not None and cert["status"] in ("valid", "suspended"):
            return cert["scheme_id"]
        if not self.applications:
            return None
        return list(self.applications.values())[-1]["scheme_id"]

    @property
    def stage(self) -> str:
        """Where the client stands in the lifecycle (see aggregates.vocabulary.STAGES)."""
        cert_status = self.certificate_status
        app = self.open_application
        if app is None:
            if cert_status:
                return cert_status
            if self.applications:
                last = list(self.applications.values())[-1]
                if last["status"] == "refused":
                    return "refused"
                if last.get("concluded") == "not_granted":
                    return "not_granted"
            return "registered"
        if cert_status in ("valid", "suspended") and app["kind"] in ("recertification", "upgrade"):
            return cert_status
        if app["status"] == "submitted":
            return "applied"
        audits = [a for a in self.audits.values() if a["application_id"] == app["id"]]
        decided = [d for d in self.decisions.values() if d["application_id"] == app["id"]]
        if decided:
            return "decided"
        if any(a["status"] == "planned" for a in audits):
            return "auditing"
        if audits:
            return "audited"
        if any(c["application_id"] == app["id"] for c in self.contracts.values()):
            return "contracted"
        return "accepted"

    def effective_entries(self, audit_id: str) -> list[dict[str, Any]]:
        """The score entries of an audit that stand: each correction replaces the entry it corrects."""
        return [e for e in self.entries.values() if e["audit_id"] == audit_id and e["superseded_by"] is None]

    def _involved_in(self, appealable: dict[str, Any]) -> set[str]:
        """People involved in an appealable decision: its decider, its recorder, its audit team."""
        people = {appealable.get("decider"), appealable.get("actor")}
        audit_id = appealable.get("audit_id")
        if audit_id and audit_id in self.audits:
            people.update(self.audits[audit_id]["team"])
            application_id = self.audits[audit_id]["application_id"]
            if application_id:
                for a in self.audits.values():
                    if a["application_id"] == application_id:
                        people.update(a["team"])
        return {p for p in people if p}

    @property
    def appealable(self) -> dict[str, dict[str, Any]]:
        """Decisions a client may appeal (004 §14.1.1): refusals, certification decisions,
        suspensions, withdrawals and scope reductions, by their ids."""
        out: dict[str, dict[str, Any]] = {}
        for app in self.applications.values():
            if app["status"] == "refused":
                out[app["id"]] = {"kind": "refusal", "on": app["reviewed_on"], "actor": app["reviewed_by"]}
        for d in self.decisions.values():
            out[d["id"]] = {"kind": "decision", "on": d["on"], "actor": d["actor"], "decider": d["decider"], "audit_id": d["audit_id"]}
        for s in self.suspensions.values():
            out[s["id"]] = {"kind": "suspension", "on": s["start"], "actor": s["actor"]}
        for w in self.withdrawals.values():
            out[w["id"]] = {"kind": "withdrawal", "on": w["on"], "actor": w["actor"]}
        for c in self.scope_changes.values():
            if c["kind"] == "reduce":
                out[c["id"]] = {"kind": "scope_reduction", "on": c["on"], "actor": c["actor"]}
        return out

    # ------------------------------------------------------------------ application, review, contract

    def submit_application(
        self, *, scheme_id: str, scope: str, sites: list[dict[str, str]], headcount: int,
        kind: str, actor: str, occurred_on: date, evidence: str = "",
    ) -> str:
        self._after_registration(occurred_on)
        _require_choice(kind, APPLICATION_KINDS, "申请类型", "application kind")
        scope = _require_text(scope, "申请认证的范围（001 §4.2.2 e）", "the scope applied for (001 §4.2.2 e)", "001 §4.2.2 e")
        _require(
            isinstance(headcount, int) and headcount > 0,
            "004 §16.2",
            f"员工人数必须为正整数（用于核算审核人日，004 §16.2），实际为 {headcount}。",
            f"Headcount must be a positive whole number (it sets the audit man-days, 004 §16.2); got {headcount}.",
        )
        _require(
            bool(sites),
            "001 §8.1 b",
            "至少需要一个场所（名称和地址，001 §8.1 b）。",
            "At least one site (name and address, 001 §8.1 b) is required.",
        )
        open_app = self.open_application
        _require(
            open_app is None,
            "ledger: one application at a time",
            f"申请 {open_app['id'] if open_app else ''} 尚在处理中；请先完成它（评审、决定）再提交新申请。",
            f"Application {open_app['id'] if open_app else ''} is still in progress; conclude it (review, decision) before submitting another.",
        )
        status = self.certificate_status
        if kind == "initial":
            _require(
                status not in ("valid", "suspended"),
                "001 §6.1",
                f"该组织持有{'有效' if status == 'valid' else '暂停'}证书；证书期满前请申请再认证（recertification），而非初次认证。",
                f"The client holds a {'valid' if status == 'valid' else 'suspended'} certificate; apply for recertification, not initial certification.",
            )
        elif kind in ("recertification", "upgrade"):
            _require(
                status == "valid",
                "001 §6.1" if kind == "recertification" else "004 §6.9.3",
                f"{APPLICATION_KINDS[kind][0]}需要一张有效证书；当前证书状态：{status or '无证书'}。",
                f"A {APPLICATION_KINDS[kind][1]} needs a valid certificate; current certificate status: {status or 'none'}.",
            )
            held = self.certificate["scheme_id"] if self.certificate else None
            _require(
                scheme_id == held,
                "001 §6.1",
                f"{APPLICATION_KINDS[kind][0]}沿用现有证书的认证方案 {held}，不能改为 {scheme_id}；换方案请在证书终止后按初次认证申请。",
                f"A {APPLICATION_KINDS[kind][1]} keeps the certificate's scheme {held}, not {scheme_id}; for another scheme, "
                "apply for initial certification once this certificate has ended.",
            )
        elif kind == "transfer":
            _require(
                any(t["status"] == "requested" for t in self.transfers.values()),
                "001 §10.2",
                "认证转换申请需先记录转换请求（transfer request）。",
                "A transfer application needs a recorded transfer request first.",
            )
        clean_sites = []
        for i, site in enumerate(sites, 1):
            site_name = (site.get("name") or "").strip()
            site_address = (site.get("address") or "").strip()
            _require(
                bool(site_name and site_address),
                "001 §8.1 b",
                f"第 {i} 个场所缺少名称或地址（001 §8.1 b）。",
                f"Site {i} lacks a name or an address (001 §8.1 b).",
            )
            clean_sites.append({"name": site_name, "address": site_address})
        application_id = f"AP{len(self.applications) + 1}"
        self._application_submitted(
            application_id=application_id, scheme_id=scheme_id, scope=scope, sites=clean_sites,
            headcount=headcount, kind=kind, evidence=evidence, actor=actor, occurred_on=occurred_on,
        )
        return application_id

    @event("ApplicationSubmitted")
    def _application_submitted(
        self, application_id: str, scheme_id: str, scope: str, sites: list[dict[str, str]],
        headcount: int, kind: str, evidence: str, actor: str, occurred_on: date,
    ) -> None:
        self.applications[application_id] = {
            "id": application_id, "scheme_id": scheme_id, "scope": scope, "sites": sites,
            "headcount": headcount, "kind": kind, "evidence": evidence, "status": "submitted",
            "submitted_on": occurred_on, "actor": actor, "reviewed_on": None, "reviewed_by": None,
            "review_reason": None, "concluded": None, "refusal_notified_on": None,
        }

    def review_application(
        self, *, application_id: str, accepted: bool, reason: str, actor: str, occurred_on: date
    ) -> None:
        app = self._get(self.applications, application_id, "申请", "application")
        _require(
            app["status"] == "submitted",
            "001 §4.2.1",
            f"申请 {application_id} 已评审（{app['status']}），不能再次评审。",
            f"Application {application_id} has already been reviewed ({app['status']}).",
        )
        _not_before(occurred_on, app["submitted_on"], "申请提交日期", "the application date")
        if not accepted:
            reason = _require_text(reason, "不予受理的理由（004 §5.1.4 2）", "the reason for refusal (004 §5.1.4 2)", "004 §5.1.4")
        self._application_reviewed(
            application_id=application_id, accepted=accepted, reason=(reason or "").strip(),
            actor=actor, occurred_on=occurred_on,
        )

    @event("ApplicationReviewed")
    def _application_reviewed(self, application_id: str, accepted: bool, reason: str, actor: str, occurred_on: date) -> None:
        app = self.applications[application_id]
        app["status"] = "accepted" if accepted else "refused"
        app["reviewed_on"] = occurred_on
        app["reviewed_by"] = actor
        app["review_reason"] = reason

    def notify_refusal(self, *, application_id: str, actor: str, occurred_on: date) -> None:
        """The written notice of a refused application was sent (001 §4.2.1: within 5 days)."""
        app = self._get(self.applications, application_id, "申请", "application")
        _require(app["status"] == "refused", "001 §4.2.1", f"申请 {application_id} 未被拒绝受理，无需发出不予受理通知。", f"Application {application_id} was not refused; there is no refusal to notify.")
        _require(
            not app.get("refusal_notified_on"),
            "001 §4.2.1",
            f"申请 {application_id} 的不予受理通知已于 {app.get('refusal_notified_on')} 发出。",
            f"The refusal of application {application_id} was notified on {app.get('refusal_notified_on')}.",
        )
        _not_before(occurred_on, app["reviewed_on"], "评审日期", "the review date")
        self._refusal_notified(application_id=application_id, actor=actor, occurred_on=occurred_on)

    @event("RefusalNotified")
    def _refusal_notified(self, application_id: str, actor: str, occurred_on: date) -> None:
        self.applications[application_id]["refusal_notified_on"] = occurred_on

    def sign_contract(self, *, contract_no: str, actor: str, occurred_on: date) -> None:
        app = self.open_application
        _require(
            app is not None and app["status"] == "accepted",
            "001 §4.2.2",
            "只有受理的申请才能签订认证合同；请先评审并受理申请。",
            "A certification contract follows an accepted application; review and accept the application first.",
        )
        assert app is not None
        _require(
            not any(c["application_id"] == app["id"] for c in self.contracts.values()),
            "001 §4.2.2",
            f"申请 {app['id']} 已签订合同。",
            f"Application {app['id']} already has a contract.",
        )
        contract_no = _require_text(contract_no, "合同编号", "the contract number")
        _not_before(occurred_on, app["reviewed_on"], "受理日期", "the acceptance date")
        self._contract_signed(contract_no=contract_no, application_id=app["id"], actor=actor, occurred_on=occurred_on)

    @event("ContractSigned")
    def _contract_signed(self, contract_no: str, application_id: str, actor: str, occurred_on: date) -> None:
        self.contracts[contract_no] = {"no": contract_no, "application_id": application_id, "signed_on": occurred_on, "actor": actor}

    def request_transfer(
        self, *, from_body: str, certificate_no: str, certificate_status: str, reason: str,
        actor: str, occurred_on: date,
    ) -> str:
        self._after_registration(occurred_on)
        from_body = _require_text(from_body, "原发证机构", "the issuing body")
        certificate_no = _require_text(certificate_no, "原证书编号", "the certificate number")
        reason = _require_text(reason, "转换原因（001 §10.2）", "the reason for the transfer (001 §10.2)", "001 §10.2")
        _require(
            certificate_status == "valid",
            "001 §10.3",
            f"转换仅限于现行有效认证证书（001 §10.3）；证书 {certificate_no} 的状态为“{certificate_status}”，"
            "被暂停、正在接受暂停或撤销处理以及已失效的证书不得接受转换申请。",
            f"Only a currently valid certificate can be transferred (001 §10.3); certificate {certificate_no} is "
            f"'{certificate_status}': suspended, under suspension or withdrawal, or expired certificates are refused.",
        )
        transfer_id = f"T{len(self.transfers) + 1}"
        self._transfer_requested(
            transfer_id=transfer_id, from_body=from_body, certificate_no=certificate_no,
            certificate_status=certificate_status, reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return transfer_id

    @event("TransferRequested")
    def _transfer_requested(
        self, transfer_id: str, from_body: str, certificate_no: str, certificate_status: str,
        reason: str, actor: str, occurred_on: date,
    ) -> None:
        self.transfers[transfer_id] = {
            "id": transfer_id, "from_body": from_body, "certificate_no": certificate_no,
            "certificate_status": certificate_status, "reason": reason, "status": "requested",
            "on": occurred_on, "actor": actor,
        }

    # ------------------------------------------------------------------ audits

    def plan_audit(
        self, *, kind: str, team: list[str], leader: str, man_days: Decimal, sites: list[str],
        start_on: date, actor: str, occurred_on: date, calculation: dict[str, Any] | None = None,
    ) -> str:
        _require_choice(kind, AUDIT_KINDS, "审核类型", "audit kind")
        members = [m.strip() for m in team if m and m.strip()]
        _require(bool(members), "001 §4.3.2", "审核组至少需要一名审核员（001 §4.3.2，004 §5.2.2）。", "An audit team needs at least one auditor (001 §4.3.2, 004 §5.2.2).")
        _require(len(set(members)) == len(members), "001 §4.3.2", "审核组成员重复。", "The audit team lists someone twice.")
        leader = (leader or members[0]).strip()
        _require(leader in members, "004 §5.2.2", f"组长 {leader} 必须是审核组成员。", f"The team leader {leader} must be a team member.")
        _require(
            man_days > 0,
            "004 §16.2",
            f"审核人日必须大于 0（004 §16.2），实际为 {man_days}。",
            f"Audit man-days must be greater than 0 (004 §16.2); got {man_days}.",
        )
        self._after_registration(occurred_on)
        _not_before(start_on, occurred_on, "审核策划日期", "the date the audit is planned")
        app = self.open_application
        status = self.certificate_status
        if kind in ("stage1", "stage2", "transfer"):
            _require(
                app is not None and any(c["application_id"] == app["id"] for c in self.contracts.values()),
                "001 §4.2.2",
                "初次认证或转换审核需在受理申请并签订认证合同之后策划。",
                "An initial or transfer audit is planned after the application is accepted and the contract signed.",
            )
            assert app is not None
            _not_before(occurred_on, app["reviewed_on"], "受理日期", "the acceptance date")
            if kind == "stage2":
                stage1 = [a for a in self.audits.values() if a["kind"] == "stage1" and a["status"] == "completed" and a["application_id"] == app["id"]]
                _require(
                    bool(stage1),
                    "004 §5.3",
                    "第二阶段审核需在第一阶段（文件评价）完成后策划。",
                    "A stage 2 audit follows a completed stage 1 (document review).",
                )
                _not_before(occurred_on, stage1[-1]["completed_on"], "第一阶段完成日期", "the completion of stage 1")
        elif kind in ("surveillance", "unscheduled"):
            _require(
                status in ("valid", "suspended"),
                "001 §5.1",
                f"监督审核只针对持有证书的组织；当前证书状态：{status or '无证书'}。",
                f"Surveillance is for certified clients; current certificate status: {status or 'none'}.",
            )
            self._current("valid", "suspended", occurred_on=occurred_on)
        elif kind == "recertification":
            _require(
                app is not None and app["kind"] == "recertification" and app["status"] == "accepted",
                "001 §6.1",
                "再认证审核需先受理再认证申请。",
                "A recertification audit needs an accepted recertification application.",
            )
            assert app is not None
            _not_before(occurred_on, app["reviewed_on"], "受理日期", "the acceptance date")
        application_id = app["id"] if app is not None and kind not in ("surveillance", "unscheduled") else None
        if application_id is not None:
            same = [a["id"] for a in self.audits.values() if a["application_id"] == application_id and a["kind"] == kind]
            _require(
                not same,
                "001 §4.4.1",
                f"申请 {application_id} 已有{AUDIT_KINDS[kind][0]} {', '.join(same)}；一项申请只进行一次该类审核，结论不通过时须重新申请。",
                f"Application {application_id} already has a {AUDIT_KINDS[kind][1]} ({', '.join(same)}); an application has one "
                "audit of each kind, and a new application follows a negative outcome.",
            )
        audit_id = f"A{len(self.audits) + 1}"
        self._audit_planned(
            audit_id=audit_id, kind=kind, application_id=application_id, team=members, leader=leader,
            man_days=man_days, sites=list(sites), start_on=start_on, calculation=calculation or {},
            actor=actor, occurred_on=occurred_on,
        )
        return audit_id

    class AuditPlanned(Aggregate.Event):
        """An audit was planned.

        Version 2 records the team leader and the planning calculation (004 §16.2 man-days, 004 §11
        multi-site sample); version 1 events, written before the planning calculators existed, had
        neither and are upcast on load: the leader is the first team member, the calculation empty.
        """

        class_version = 2
        audit_id: str
        kind: str
        application_id: str | None
        team: list[str]
        leader: str
        man_days: Decimal
        sites: list[str]
        start_on: date
        calculation: dict[str, Any]
        actor: str
        occurred_on: date

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("leader", (state.get("team") or [""])[0])
            state.setdefault("calculation", {})

    @event(AuditPlanned)
    def _audit_planned(
        self, audit_id: str, kind: str, application_id: str | None, team: list[str], leader: str,
        man_days: Decimal, sites: list[str], start_on: date, calculation: dict[str, Any],
        actor: str, occurred_on: date,
    ) -> None:
        self.audits[audit_id] = {
            "id": audit_id, "kind": kind, "application_id": application_id, "team": team,
            "leader": leader, "man_days": man_days, "sites": sites, "start_on": start_on,
            "calculation": calculation, "status": "planned", "planned_on": occurred_on,
            "completed_on": None, "conclusion": None, "actor": actor,
        }
        self.exclusions[audit_id] = {}

    def complete_audit(self, *, audit_id: str, conclusion: str, actor: str, occurred_on: date) -> None:
        audit = self._get(self.audits, audit_id, "审核", "audit")
        _require(audit["status"] == "planned", "001 §4.4.5", f"审核 {audit_id} 已完成。", f"Audit {audit_id} is already completed.")
        _not_before(occurred_on, audit["start_on"], "审核开始日期", "the audit's start date")
        conclusion = _require_text(conclusion, "审核结论（001 §4.4.5.2 h）", "the audit conclusion (001 §4.4.5.2 h)", "001 §4.4.5.2")
        self._audit_completed(audit_id=audit_id, conclusion=conclusion, actor=actor, occurred_on=occurred_on)

    @event("AuditCompleted")
    def _audit_completed(self, audit_id: str, conclusion: str, actor: str, occurred_on: date) -> None:
        audit = self.audits[audit_id]
        audit["status"] = "completed"
        audit["completed_on"] = occurred_on
        audit["conclusion"] = conclusion

    # ------------------------------------------------------------------ scores and exclusions

    def _open_audit(self, audit_id: str) -> dict[str, Any]:
        audit = self._get(self.audits, audit_id, "审核", "audit")
        if audit["status"] != "planned":  # checked on every score entry: messages formatted only when refused
            raise RuleViolation(
                "ledger: no score on a closed audit",
                f"审核 {audit_id} 已于 {audit['completed_on']} 完成并关闭，不能再录入评分或删减；如需更改已录入的分数，请录入更正（correct）。",
                f"Audit {audit_id} was completed on {audit['completed_on']} and is closed to new scores or exclusions; "
                "to change an entered score, record a correction.",
            )
        if audit["kind"] not in DECIDABLE_AUDIT_KINDS:
            raise RuleViolation(
                "004 §5.3",
                f"审核 {audit_id} 是{AUDIT_KINDS[audit['kind']][0]}（文件评价），不评分；请在第二阶段审核中评分。",
                f"Audit {audit_id} is a {AUDIT_KINDS[audit['kind']][1]} (document review) and takes no scores; score the stage 2 audit.",
            )
        return audit

    def _undecided(self, audit_id: str) -> None:
        decided = [d["id"] for d in self.decisions.values() if d["audit_id"] == audit_id]
        _require(
            not decided,
            "ledger: decided scores stand",
            f"审核 {audit_id} 的评分已用于认证决定 {', '.join(decided)}；决定后的分数不能更改，如有异议请走申诉程序。",
            f"The scores of audit {audit_id} carried decision {', '.join(decided)}; they cannot change after the decision; use an appeal.",
        )

    def enter_score(self, *, audit_id: str, item: str, facet: str | None, value: dict[str, Any], actor: str, occurred_on: date) -> str:
        audit = self._open_audit(audit_id)
        _not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
        if item in self.exclusions[audit_id]:  # the checks of this, the commonest command, format only when refused
            raise RuleViolation(
                "001 附录A 评分 b)",
                f"指标 {item} 已在审核 {audit_id} 中删减（理由：{self.exclusions[audit_id][item].get('reason')}），不能评分。",
                f"Item {item} is excluded in audit {audit_id} (reason: {self.exclusions[audit_id][item].get('reason')}) and cannot be scored.",
            )
        for e in self.entries.values():  # effective_entries(audit_id), without building the list
            if e["item"] == item and e["facet"] == facet and e["audit_id"] == audit_id and e["superseded_by"] is None:
                facet_zh = f"（{facet}）" if facet else ""
                raise RuleViolation(
                    "ledger: one score per item",
                    f"指标 {item}{facet_zh} 在审核 {audit_id} 中已有评分 {e['id']}（{e['actor']}，{e['on']}）；"
                    f"如需更改，请对 {e['id']} 录入更正并说明理由。",
                    f"Item {item}{f' ({facet})' if facet else ''} already has score {e['id']} in audit {audit_id} "
                    f"({e['actor']}, {e['on']}); to change it, record a correction of {e['id']} with a reason.",
                )
        entry_id = f"S{len(self.entries) + 1}"
        self.trigger_event(self.ScoreEntered, entry_id=entry_id, audit_id=audit_id, item=item, facet=facet, value=value,
                           actor=actor, occurred_on=occurred_on)
        return entry_id

    class ScoreEntered(Aggregate.Event):
        """A score was entered for an item of an audit.

        The commonest event by far (four in five of a body's events), so it is written out as a
        class with its own ``apply`` instead of an ``@event`` method: the library's decorator
        filters the arguments by signature three times per event, which was a tenth of an import's
        time. Same name, same fields, so the same topic and stored form as before."""

        entry_id: str
        audit_id: str
        item: str
        facet: str | None
        value: dict[str, Any]
        actor: str
        occurred_on: date

        def apply(self, aggregate: "Client") -> None:  # type: ignore[override]
            aggregate.entries[self.entry_id] = {
                "id": self.entry_id, "audit_id": self.audit_id, "item": self.item, "facet": self.facet,
                "value": self.value, "actor": self.actor, "on": self.occurred_on, "corrects": None, "reason": None,
                "superseded_by": None,
            }

    def entry(self, entry_id: str) -> dict[str, Any]:
        return self._get(self.entries, entry_id, "评分记录", "score entry")

    def correct_score(self, *, entry_id: str, value: dict[str, Any], reason: str, actor: str, occurred_on: date) -> str:
        old = self.entry(entry_id)
        _require(
            old["superseded_by"] is None,
            "ledger: correct the current entry",
            f"评分 {entry_id} 已被 {old['superseded_by']} 更正；请更正当前有效的记录 {old['superseded_by']}。",
            f"Score {entry_id} was already corrected by {old['superseded_by']}; correct the current entry {old['superseded_by']}.",
        )
        self._undecided(old["audit_id"])
        reason = _require_text(reason, "更正理由", "the reason for the correction", "ledger: corrections carry a reason")
        _not_before(occurred_on, old["on"], f"被更正记录 {entry_id} 的日期", f"the date of entry {entry_id}")
        new_id = f"S{len(self.entries) + 1}"
        self._score_corrected(
            entry_id=new_id, corrects=entry_id, audit_id=old["audit_id"], item=old["item"], facet=old["facet"],
            value=value, reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return new_id

    @event("ScoreCorrected")
    def _score_corrected(
        self, entry_id: str, corrects: str, audit_id: str, item: str, facet: str | None,
        value: dict[str, Any], reason: str, actor: str, occurred_on: date,
    ) -> None:
        self.entries[corrects]["superseded_by"] = entry_id
        self.entries[entry_id] = {
            "id": entry_id, "audit_id": audit_id, "item": item, "facet": facet, "value": value,
            "actor": actor, "on": occurred_on, "corrects": corrects, "reason": reason, "superseded_by": None,
        }

    def exclude_item(self, *, audit_id: str, item: str, reason: str, actor: str, occurred_on: date) -> None:
        audit = self._open_audit(audit_id)
        _not_before(occurred_on, audit["planned_on"], "审核策划日期", "the audit's planning date")
        reason = _require_text(reason, "删减理由（001 附录A 评分 b）", "the reason for the exclusion (001 Appendix A b)", "001 附录A 评分 b)")
        _require(
            item not in self.exclusions[audit_id],
            "001 附录A 评分 b)",
            f"指标 {item} 在审核 {audit_id} 中已删减。",
            f"Item {item} is already excluded in audit {audit_id}.",
        )
        scored = [e["id"] for e in self.effective_entries(audit_id) if e["item"] == item]
        _require(
            not scored,
            "001 附录A 评分 b)",
            f"指标 {item} 在审核 {audit_id} 中已有评分 {', '.join(scored)}，不能再删减。",
            f"Item {item} already has scores {', '.join(scored)} in audit {audit_id} and cannot be excluded.",
        )
        self._item_excluded(audit_id=audit_id, item=item, reason=reason, actor=actor, occurred_on=occurred_on)

    @event("ItemExcluded")
    def _item_excluded(self, audit_id: str, item: str, reason: str, actor: str, occurred_on: date) -> None:
        self.exclusions[audit_id][item] = {"item": item, "reason": reason, "actor": actor, "on": occurred_on}

    # ------------------------------------------------------------------ nonconformities

    def raise_nonconformity(
        self, *, audit_id: str, severity: str, clause: str, description: str, actor: str, occurred_on: date
    ) -> str:
        audit = self._get(self.audits, audit_id, "审核", "audit")
        _require_choice(severity, NC_SEVERITIES, "不符合项类别", "nonconformity severity")
        self._undecided(audit_id)
        clause = _require_text(clause, "不符合的条款", "the clause not met", "001 §4.4.5.2 g")
        description = _require_text(description, "不符合事实描述", "a description of the nonconformity", "001 §4.4.5.2 g")
        _not_before(occurred_on, audit["start_on"], "审核开始日期", "the audit's start date")
        nc_id = f"NC{len(self.nonconformities) + 1}"
        self._nonconformity_raised(
            nc_id=nc_id, audit_id=audit_id, severity=severity, clause=clause, description=description,
            actor=actor, occurred_on=occurred_on,
        )
        return nc_id

    @event("NonconformityRaised")
    def _nonconformity_raised(self, nc_id: str, audit_id: str, severity: str, clause: str, description: str, actor: str, occurred_on: date) -> None:
        self.nonconformities[nc_id] = {
            "id": nc_id, "audit_id": audit_id, "severity": severity, "clause": clause,
            "description": description, "status": "open", "raised_on": occurred_on, "actor": actor,
            "correction": None, "corrective_action": None, "responded_on": None,
            "closed_on": None, "closed_by": None, "verification": None,
        }

    def submit_correction(self, *, nc_id: str, correction: str, corrective_action: str, actor: str, occurred_on: date) -> None:
        nc = self._get(self.nonconformities, nc_id, "不符合项", "nonconformity")
        _require(nc["status"] != "closed", "001 §4.5", f"不符合项 {nc_id} 已关闭。", f"Nonconformity {nc_id} is already closed.")
        correction = _require_text(correction, "纠正（001 §4.5.1）", "the correction (001 §4.5.1)", "001 §4.5.1")
        corrective_action = _require_text(corrective_action, "纠正措施及原因分析（001 §4.5.1）", "the corrective action and cause analysis (001 §4.5.1)", "001 §4.5.1")
        _not_before(occurred_on, nc["raised_on"], "不符合项开具日期", "the date the nonconformity was raised")
        self._correction_submitted(nc_id=nc_id, correction=correction, corrective_action=corrective_action, actor=actor, occurred_on=occurred_on)

    @event("CorrectionSubmitted")
    def _correction_submitted(self, nc_id: str, correction: str, corrective_action: str, actor: str, occurred_on: date) -> None:
        nc = self.nonconformities[nc_id]
        nc["correction"] = correction
        nc["corrective_action"] = corrective_action
        nc["responded_on"] = occurred_on
        nc["status"] = "responded"

    def verify_nonconformity(self, *, nc_id: str, verification: str, actor: str, occurred_on: date) -> None:
        nc = self._get(self.nonconformities, nc_id, "不符合项", "nonconformity")
        _require(nc["status"] != "closed", "001 §4.5.2", f"不符合项 {nc_id} 已于 {nc['closed_on']} 验证关闭。", f"Nonconformity {nc_id} was verified and closed on {nc['closed_on']}.")
        _require(
            nc["status"] == "responded",
            "001 §4.5.2",
            f"不符合项 {nc_id} 尚未提交纠正和纠正措施，无法验证；请先录入纠正（correction）。",
            f"Nonconformity {nc_id} has no correction and corrective action to verify yet; record them first.",
        )
        verification = _require_text(verification, "验证结论（001 §4.5.2）", "the verification finding (001 §4.5.2)", "001 §4.5.2")
        _not_before(occurred_on, nc["responded_on"], "纠正提交日期", "the date the correction was submitted")
        self._nonconformity_closed(nc_id=nc_id, verification=verification, actor=actor, occurred_on=occurred_on)

    @event("NonconformityClosed")
    def _nonconformity_closed(self, nc_id: str, verification: str, actor: str, occurred_on: date) -> None:
        nc = self.nonconformities[nc_id]
        nc["status"] = "closed"
        nc["closed_on"] = occurred_on
        nc["closed_by"] = actor
        nc["verification"] = verification

    # ------------------------------------------------------------------ decision and certificate

    def check_decidable(self, *, audit_id: str, decider: str, occurred_on: date) -> dict[str, Any]:
        """All rules of the client's history that a certification decision on this audit must meet.

        Public so the application can check before it spends time scoring; ``decide`` checks again.
        """
        audit = self._get(self.audits, audit_id, "审核", "audit")
        _require(
            audit["kind"] in DECIDABLE_AUDIT_KINDS,
            "004 §5.3",
            f"审核 {audit_id} 是第一阶段（文件评价），不能据此作出认证决定。",
            f"Audit {audit_id} is stage 1 (document review) and cannot carry a certification decision.",
        )
        _require(
            audit["status"] == "completed",
            "001 §4.6.1",
            f"审核 {audit_id} 尚未完成（审核报告），不能作出认证决定；请先完成审核。",
            f"Audit {audit_id} is not completed (no audit report); complete it before deciding.",
        )
        _not_before(occurred_on, audit["completed_on"], "审核完成日期", "the audit's completion date")
        decider = (decider or "").strip()
        _require(bool(decider), "001 §4.6", "必须指明认证决定人员。", "The decider must be named.")
        if audit["application_id"]:
            app = self.applications[audit["application_id"]]
            _require(
                not app.get("concluded"),
                "001 §4.6",
                f"申请 {app['id']} 已有结论（{'已发证' if app.get('concluded') == 'certified' else '未通过'}），不能再作认证决定。",
                f"Application {app['id']} is already concluded ({app.get('concluded')}); no further decision is made on it.",
            )
            others = [a for a in self.audits.values() if a["application_id"] == audit["application_id"] and a["id"] != audit_id]
            for other in others:
                _require(
                    decider not in other["team"],
                    "001 §4.6.2",
                    f"{decider} 是该申请审核 {other['id']}（{AUDIT_KINDS[other['kind']][0]}）的审核组成员，不得参与认证决定（001 §4.6.2）。",
                    f"{decider} was on the team of audit {other['id']} ({AUDIT_KINDS[other['kind']][1]}) of this application and may "
                    "not take part in its certification decision (001 §4.6.2).",
                )
        _require(
            decider not in audit["team"],
            "001 §4.6.2",
            f"{decider} 是审核 {audit_id} 的审核组成员，不得参与该审核项目的认证决定（001 §4.6.2）；请由审核组以外的人员决定。",
            f"{decider} was on the team of audit {audit_id} and may not take part in its certification decision "
            "(001 §4.6.2); a person outside the audit team must decide.",
        )
        already = [d["id"] for d in self.decisions.values() if d["audit_id"] == audit_id]
        _require(
            not already,
            "ledger: one decision per audit",
            f"审核 {audit_id} 已有认证决定 {', '.join(already)}；如有异议请走申诉程序。",
            f"Audit {audit_id} already carries decision {', '.join(already)}; to contest it, lodge an appeal.",
        )
        ncs = [n for n in self.nonconformities.values() if n["audit_id"] == audit_id]
        major_open = [n["id"] for n in ncs if n["severity"] == "major" and n["status"] != "closed"]
        _require(
            not major_open,
            "001 §4.6.3 b",
            f"严重不符合项 {', '.join(major_open)} 的纠正和纠正措施尚未验证有效（001 §4.6.3 b）；请先验证关闭。",
            f"Major nonconformities {', '.join(major_open)} have no verified correction and corrective action "
            "(001 §4.6.3 b); verify and close them first.",
        )
        minor_open = [n["id"] for n in ncs if n["severity"] == "minor" and n["status"] == "open"]
        _require(
            not minor_open,
            "001 §4.6.3 c",
            f"一般不符合项 {', '.join(minor_open)} 尚无纠正和纠正措施计划（001 §4.6.3 c）；请先录入并接受计划。",
            f"Minor nonconformities {', '.join(minor_open)} have no accepted plan of correction and corrective "
            "action (001 §4.6.3 c); record it first.",
        )
        return audit

    def decide(
        self, *, audit_id: str, decider: str, scheme_id: str, scheme_version: str, score: Decimal,
        max_score: Decimal, percent: Decimal | None, grade: str | None, granted: bool, reason: str,
        evaluation: dict[str, Any], actor: str, occurred_on: date,
    ) -> str:
        audit = self.check_decidable(audit_id=audit_id, decider=decider, occurred_on=occurred_on)
        _require(
            not granted or grade is not None,
            "001 附录A 评分结果",
            "得分未达到任何等级，不能作出通过认证的决定。",
            "The score reaches no grade: certification cannot be granted.",
        )
        reason = _require_text(reason, "决定理由", "the reason for the decision", "001 §4.6.4")
        decision_id = f"D{len(self.decisions) + 1}"
        self._decided(
            decision_id=decision_id, audit_id=audit_id, application_id=audit["application_id"],
            decider=decider.strip(), scheme_id=scheme_id, scheme_version=scheme_version, score=score,
            max_score=max_score, percent=percent, grade=grade, granted=granted, reason=reason,
            evaluation=evaluation, actor=actor, occurred_on=occurred_on,
        )
        return decision_id

    @event("CertificationDecided")
    def _decided(
        self, decision_id: str, audit_id: str, application_id: str | None, decider: str, scheme_id: str,
        scheme_version: str, score: Decimal, max_score: Decimal, percent: Decimal | None,
        grade: str | None, granted: bool, reason: str, evaluation: dict[str, Any], actor: str, occurred_on: date,
    ) -> None:
        self.decisions[decision_id] = {
            "id": decision_id, "audit_id": audit_id, "application_id": application_id, "decider": decider,
            "scheme_id": scheme_id, "scheme_version": scheme_version, "score": score, "max_score": max_score,
            "percent": percent, "grade": grade, "granted": granted, "reason": reason,
            "evaluation": evaluation, "on": occurred_on, "actor": actor, "certificate_no": None,
        }
        if application_id and not granted:
            self.applications[application_id]["concluded"] = "not_granted"
        cert = self.certificate
        if granted and cert is not None and cert["status"] in ("valid", "suspended") and application_id is None:
            # A surveillance decision re-grades the certificate in force (004 §6.9.2, §6.7).
            cert["grade"] = grade
            cert["decision_id"] = decision_id

    def issue_certificate(
        self, *, decision_id: str, number: str, valid_from: date, valid_until: date, standard: str,
        actor: str, occurred_on: date,
    ) -> None:
        decision = self._get(self.decisions, decision_id, "认证决定", "certification decision")
        _require(
            decision["granted"],
            "001 §4.6.4",
            f"认证决定 {decision_id} 为不通过，不能颁发证书（001 §4.6.4、§4.6.5）。",
            f"Decision {decision_id} did not grant certification; no certificate can be issued (001 §4.6.4, §4.6.5).",
        )
        _require(
            decision["application_id"] is not None,
            "001 §5.8",
            f"认证决定 {decision_id} 是监督决定，保持现有证书，不另发证书。",
            f"Decision {decision_id} is a surveillance decision: it maintains the current certificate and issues none.",
        )
        _require(
            decision["certificate_no"] is None,
            "ledger: one certificate per decision",
            f"认证决定 {decision_id} 已颁发证书 {decision['certificate_no']}。",
            f"Decision {decision_id} already has certificate {decision['certificate_no']}.",
        )
        _require(
            number not in self.certificates,
            "001 §8.1 d",
            f"证书编号 {number} 已被使用。",
            f"Certificate number {number} is already used.",
        )
        _not_before(occurred_on, decision["on"], "认证决定日期", "the decision date")
        _require(
            valid_from >= decision["on"],
            "001 §8.2",
            f"证书有效期起始日 {valid_from} 早于认证决定日期 {decision['on']}；证书不能在决定之前生效。",
            f"The validity cannot start ({valid_from}) before the decision ({decision['on']}).",
        )
        _require(
            valid_until > valid_from,
            "001 §8.2",
            "证书有效期的截止日期必须晚于起始日期。",
            "A certificate's validity must end after it starts.",
        )
        standard = _require_text(standard, "符合标准的表述（001 §8.1 c）", "the standard and version (001 §8.1 c)", "001 §8.1 c")
        app = self.applications[decision["application_id"]]
        previous = self.certificate
        original_issue_on = occurred_on
        if app["kind"] in ("recertification", "upgrade") and previous is not None and previous["status"] == "valid":
            original_issue_on = previous["original_issue_on"]
        self._certificate_issued(
            number=number, decision_id=decision_id, grade=decision["grade"], scheme_id=decision["scheme_id"],
            scheme_version=decision["scheme_version"], scope=app["scope"], sites=app["sites"],
            standard=standard, valid_from=valid_from, valid_until=valid_until,
            original_issue_on=original_issue_on, replaces=previous["number"] if previous and previous["status"] == "valid" else None,
            actor=actor, occurred_on=occurred_on,
        )

    @event("CertificateIssued")
    def _certificate_issued(
        self, number: str, decision_id: str, grade: str | None, scheme_id: str, scheme_version: str,
        scope: str, sites: list[dict[str, str]], standard: str, valid_from: date, valid_until: date,
        original_issue_on: date, replaces: str | None, actor: str, occurred_on: date,
    ) -> None:
        if replaces:
            self.certificates[replaces]["status"] = "replaced"
            self.certificates[replaces]["status_changed_on"] = occurred_on
        self.certificates[number] = {
            "number": number, "decision_id": decision_id, "grade": grade, "scheme_id": scheme_id,
            "scheme_version": scheme_version, "scope": scope, "sites": sites, "standard": standard,
            "issued_on": occurred_on, "valid_from": valid_from, "valid_until": valid_until,
            "original_issue_on": original_issue_on, "status": "valid", "status_changed_on": occurred_on,
            "reported_on": None, "report_reference": None, "suspension_id": None,
        }
        self.current_certificate = number
        decision = self.decisions[decision_id]
        decision["certificate_no"] = number
        if decision["application_id"]:
            self.applications[decision["application_id"]]["concluded"] = "certified"

    def _current(self, *statuses: str, occurred_on: date) -> dict[str, Any]:
        """The current certificate, if its status allows the action, dated no earlier than the
        certificate's issue and last status change."""
        cert = self.certificate
        _require(cert is not None, "001 §8", "该组织没有证书。", "The client has no certificate.")
        assert cert is not None
        _not_before(occurred_on, cert["issued_on"], f"证书 {cert['number']} 的签发日期", f"the issue date of certificate {cert['number']}")
        if cert.get("suspension_id"):
            suspension = self.suspensions[cert["suspension_id"]]
            _not_before(occurred_on, max(suspension["start"], suspension["on"]), "暂停的记录日期", "the date the suspension was recorded")
        if statuses and cert["status"] not in statuses:
            allowed_zh = "、".join(word(CERTIFICATE_STATUSES, s) for s in statuses)
            allowed_en = ", ".join(word(CERTIFICATE_STATUSES, s, "en") for s in statuses)
            raise RuleViolation(
                "ledger: certificate status",
                f"证书 {cert['number']} 当前状态为“{word(CERTIFICATE_STATUSES, cert['status'])}”，此操作只适用于状态为“{allowed_zh}”的证书。",
                f"Certificate {cert['number']} is {word(CERTIFICATE_STATUSES, cert['status'], 'en')}; this action applies only to a certificate that is {allowed_en}.",
            )
        return cert

    def report_to_regulator(self, *, reference: str, actor: str, occurred_on: date) -> None:
        cert = self._current(occurred_on=occurred_on)
        _require(
            cert["reported_on"] is None,
            "001 §4.6.6",
            f"证书 {cert['number']} 已于 {cert['reported_on']} 报送认监委。",
            f"Certificate {cert['number']} was reported to the CNCA on {cert['reported_on']}.",
        )
        _not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
        self._reported(number=cert["number"], reference=(reference or "").strip(), actor=actor, occurred_on=occurred_on)

    @event("ReportedToRegulator")
    def _reported(self, number: str, reference: str, actor: str, occurred_on: date) -> None:
        self.certificates[number]["reported_on"] = occurred_on
        self.certificates[number]["report_reference"] = reference

    def suspend(
        self, *, reason_code: str, reason: str, start: date, until: date | None, actor: str, occurred_on: date
    ) -> str:
        cert = self._current("valid", occurred_on=occurred_on)
        reason = _require_text(reason, "暂停的事实和理由（001 §7.2.3）", "the facts and reason for the suspension (001 §7.2.3)", "001 §7.2.3")
        _not_before(start, cert["issued_on"], "证书签发日期", "the issue date")
        _require(
            start <= occurred_on and start <= cert["valid_until"],
            "001 §7.2.3",
            f"暂停起始日 {start} 不能晚于记录日期 {occurred_on}，也不能晚于证书有效期截止日 {cert['valid_until']}。",
            f"A suspension cannot start ({start}) after the date it is recorded ({occurred_on}) or after the certificate's "
            f"validity ends ({cert['valid_until']}).",
        )
        if until is not None:
            _require(until > start, "001 §7.2.3", "暂停期限必须晚于起始日期。", "The end of the suspension must be after its start.")
        suspension_id = f"SU{len(self.suspensions) + 1}"
        self._suspended(
            suspension_id=suspension_id, number=cert["number"], reason_code=reason_code, reason=reason,
            start=start, until=until, actor=actor, occurred_on=occurred_on,
        )
        return suspension_id

    @event("CertificateSuspended")
    def _suspended(self, suspension_id: str, number: str, reason_code: str, reason: str, start: date, until: date | None, actor: str, occurred_on: date) -> None:
        self.suspensions[suspension_id] = {
            "id": suspension_id, "number": number, "reason_code": reason_code, "reason": reason,
            "start": start, "until": until, "actor": actor, "on": occurred_on, "restored_on": None,
        }
        cert = self.certificates[number]
        cert["status"] = "suspended"
        cert["status_changed_on"] = start
        cert["suspension_id"] = suspension_id

    def restore(self, *, reason: str, actor: str, occurred_on: date) -> None:
        cert = self._current("suspended", occurred_on=occurred_on)
        suspension = self.suspensions[cert["suspension_id"]]
        reason = _require_text(reason, "恢复理由：暂停原因已消除的核实结论（004 §8.2）", "the verified clearance of the cause (004 §8.2)", "004 §8.2")
        _not_before(occurred_on, suspension["start"], "暂停起始日期", "the start of the suspension")
        self._restored(number=cert["number"], suspension_id=suspension["id"], reason=reason, actor=actor, occurred_on=occurred_on)

    @event("CertificateRestored")
    def _restored(self, number: str, suspension_id: str, reason: str, actor: str, occurred_on: date) -> None:
        self.suspensions[suspension_id]["restored_on"] = occurred_on
        cert = self.certificates[number]
        cert["status"] = "valid"
        cert["status_changed_on"] = occurred_on
        cert["suspension_id"] = None

    def withdraw(self, *, reason_code: str, reason: str, actor: str, occurred_on: date) -> str:
        cert = self._current("valid", "suspended", occurred_on=occurred_on)
        reason = _require_text(reason, "撤销的事实和理由（001 §7.3）", "the facts and reason for the withdrawal (001 §7.3)", "001 §7.3.1")
        _not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
        withdrawal_id = f"W{len(self.withdrawals) + 1}"
        self._withdrawn(withdrawal_id=withdrawal_id, number=cert["number"], reason_code=reason_code, reason=reason, actor=actor, occurred_on=occurred_on)
        return withdrawal_id

    @event("CertificateWithdrawn")
    def _withdrawn(self, withdrawal_id: str, number: str, reason_code: str, reason: str, actor: str, occurred_on: date) -> None:
        self.withdrawals[withdrawal_id] = {"id": withdrawal_id, "number": number, "reason_code": reason_code, "reason": reason, "actor": actor, "on": occurred_on}
        cert = self.certificates[number]
        cert["status"] = "withdrawn"
        cert["status_changed_on"] = occurred_on

    def cancel(self, *, reason: str, actor: str, occurred_on: date) -> None:
        cert = self._current("valid", "suspended", occurred_on=occurred_on)
        reason = _require_text(reason, "注销理由（获证组织的申请）", "the reason (the client's request)", "001 §7.1")
        _not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
        self._cancelled(number=cert["number"], reason=reason, actor=actor, occurred_on=occurred_on)

    @event("CertificateCancelled")
    def _cancelled(self, number: str, reason: str, actor: str, occurred_on: date) -> None:
        cert = self.certificates[number]
        cert["status"] = "cancelled"
        cert["status_changed_on"] = occurred_on
        cert["cancel_reason"] = reason

    def expire(self, *, actor: str, occurred_on: date) -> None:
        cert = self._current("valid", "suspended", occurred_on=occurred_on)
        _require(
            occurred_on > cert["valid_until"],
            "001 §8.2",
            f"证书 {cert['number']} 有效期至 {cert['valid_until']}，{occurred_on} 尚未过期。",
            f"Certificate {cert['number']} is valid until {cert['valid_until']}; it has not expired on {occurred_on}.",
        )
        self._expired(number=cert["number"], actor=actor, occurred_on=occurred_on)

    @event("CertificateExpired")
    def _expired(self, number: str, actor: str, occurred_on: date) -> None:
        cert = self.certificates[number]
        cert["status"] = "expired"
        cert["status_changed_on"] = occurred_on

    def change_scope(
        self, *, kind: str, scope: str, sites: list[dict[str, str]] | None, reason: str, actor: str, occurred_on: date
    ) -> str:
        _require_choice(kind, SCOPE_CHANGE_KINDS, "范围变更类型", "scope change kind")
        cert = self._current("valid", occurred_on=occurred_on)
        scope = _require_text(scope, "变更后的认证范围", "the new scope")
        reason = _require_text(reason, "范围变更理由", "the reason for the scope change", "001 §7.1")
        _require(
            scope != cert["scope"] or (sites is not None and sites != cert["sites"]),
            "ledger: a change changes something",
            "新的认证范围与现有范围相同。",
            "The new scope is the same as the current one.",
        )
        _not_before(occurred_on, cert["issued_on"], "证书签发日期", "the issue date")
        change_id = f"SC{len(self.scope_changes) + 1}"
        self._scope_changed(
            change_id=change_id, number=cert["number"], kind=kind, old_scope=cert["scope"], scope=scope,
            sites=sites if sites is not None else cert["sites"], reason=reason, actor=actor, occurred_on=occurred_on,
        )
        return change_id

    @event("ScopeChanged")
    def _scope_changed(
        self, change_id: str, number: str, kind: str, old_scope: str, scope: str,
        sites: list[dict[str, str]], reason: str, actor: str, occurred_on: date,
    ) -> None:
        self.scope_changes[change_id] = {"id": change_id, "number": number, "kind": kind, "old_scope": old_scope, "scope": scope, "reason": reason, "actor": actor, "on": occurred_on}
        cert = self.certificates[number]
        cert["scope"] = scope
        cert["sites"] = sites

    # ------------------------------------------------------------------ notified changes, complaints, appeals

    def notify_change(self, *, kind: str, changed_on: date, description: str, actor: str, occurred_on: date) -> str:
        _require_choice(kind, CHANGE_KINDS, "变更类型", "change kind")
        description = _require_text(description, "变更内容", "a description of the change", "004 §15")
        _require(
            changed_on <= occurred_on,
            "004 §15",
            f"变更发生日期 {changed_on} 晚于通报日期 {occurred_on}；请核对日期。",
            f"The change date {changed_on} is after the date it was notified {occurred_on}; check the dates.",
        )
        self._after_registration(occurred_on)
        change_id = f"N{len(self.changes) + 1}"
        self._change_notified(change_id=change_id, kind=kind, changed_on=changed_on, description=description, actor=actor, occurred_on=occurred_on)
        return change_id

    @event("ChangeNotified")
    def _change_notified(self, change_id: str, kind: str, changed_on: date, description: str, actor: str, occurred_on: date) -> None:
        self.changes[change_id] = {"id": change_id, "kind": kind, "changed_on": changed_on, "notified_on": occurred_on, "description": description, "actor": actor}

    def receive_complaint(self, *, complainant: str, subject: str, actor: str, occurred_on: date) -> str:
        complainant = _require_text(complainant, "投诉人", "the complainant", "004 §14.2.1")
        subject = _require_text(subject, "投诉内容", "what the complaint is about", "004 §14.2.1")
        self._after_registration(occurred_on)
        complaint_id = f"C{len(self.complaints) + 1}"
        self._complaint_received(complaint_id=complaint_id, complainant=complainant, subject=subject, actor=actor, occurred_on=occurred_on)
        return complaint_id

    @event("ComplaintReceived")
    def _complaint_received(self, complaint_id: str, complainant: str, subject: str, actor: str, occurred_on: date) -> None:
        self.complaints[complaint_id] = {"id": complaint_id, "complainant": complainant, "subject": subject, "received_on": occurred_on, "actor": actor, "status": "open", "result": None, "resolved_on": None, "resolved_by": None}

    def resolve_complaint(self, *, complaint_id: str, result: str, actor: str, occurred_on: date) -> None:
        complaint = self._get(self.complaints, complaint_id, "投诉", "complaint")
        _require(complaint["status"] == "open", "004 §14.2.3", f"投诉 {complaint_id} 已于 {complaint['resolved_on']} 处理完毕。", f"Complaint {complaint_id} was resolved on {complaint['resolved_on']}.")
        result = _require_text(result, "处理结果（书面通知内容）", "the written result", "004 §14.2.3.1")
        _not_before(occurred_on, complaint["received_on"], "投诉收到日期", "the date the complaint was received")
        self._complaint_resolved(complaint_id=complaint_id, result=result, actor=actor, occurred_on=occurred_on)

    @event("ComplaintResolved")
    def _complaint_resolved(self, complaint_id: str, result: str, actor: str, occurred_on: date) -> None:
        complaint = self.complaints[complaint_id]
        complaint["status"] = "resolved"
        complaint["result"] = result
        complaint["resolved_on"] = occurred_on
        complaint["resolved_by"] = actor

    def lodge_appeal(self, *, against: str, grounds: str, actor: str, occurred_on: date, late_override: str = "") -> str:
        appealable = self.appealable
        if against not in appealable:
            known = ", ".join(f"{k}（{v['kind']}，{v['on']}）" for k, v in appealable.items()) or "—"
            raise NotFound(
                "004 §14.1.1",
                f"{self.name} 没有可申诉的决定 {against}；可申诉的决定：{known}。",
                f"{self.name} has no appealable decision {against}; appealable decisions: {known}.",
            )
        pending = [a["id"] for a in self.appeals.values() if a["against"] == against and a["status"] not in ("decided", "refused")]
        _require(
            not pending,
            "004 §14.1",
            f"针对 {against} 的申诉 {', '.join(pending)} 尚未结案；请在该申诉中补充理由，而非重复提出。",
            f"Appeal {', '.join(pending)} against {against} is still open; add to it rather than lodging another.",
        )
        grounds = _require_text(grounds, "申诉理由（书面）", "the written grounds of the appeal", "004 §14.1.1")
        _not_before(occurred_on, appealable[against]["on"], f"被申诉决定 {against} 的日期", f"the date of decision {against}")
        appeal_id = f"AL{len(self.appeals) + 1}"
        self._appeal_lodged(appeal_id=appeal_id, against=against, grounds=grounds, late_override=late_override, actor=actor, occurred_on=occurred_on)
        return appeal_id

    @event("AppealLodged")
    def _appeal_lodged(self, appeal_id: str, against: str, grounds: str, late_override: str, actor: str, occurred_on: date) -> None:
        self.appeals[appeal_id] = {
            "id": appeal_id, "against": against, "grounds": grounds, "late_override": late_override,
            "lodged_on": occurred_on, "actor": actor, "status": "lodged", "admitted": None,
            "admission_reason": None, "admitted_on": None, "hearing_on": None, "notice_given_on": None,
            "panel": [], "outcome": None, "result": None, "decided_on": None, "deciders": [],
        }

    def admit_appeal(self, *, appeal_id: str, accepted: bool, reason: str, actor: str, occurred_on: date) -> None:
        appeal = self._get(self.appeals, appeal_id, "申诉", "appeal")
        _require(appeal["status"] == "lodged", "004 §14.1.2", f"申诉 {appeal_id} 已作出受理决定。", f"Appeal {appeal_id} already has an admission decision.")
        if not accepted:
            reason = _require_text(reason, "不予受理申诉的理由", "the reason for refusing the appeal", "004 §14.1.2")
        _not_before(occurred_on, appeal["lodged_on"], "申诉提出日期", "the date the appeal was lodged")
        self._appeal_admitted(appeal_id=appeal_id, accepted=accepted, reason=(reason or "").strip(), actor=actor, occurred_on=occurred_on)

    @event("AppealAdmitted")
    def _appeal_admitted(self, appeal_id: str, accepted: bool, reason: str, actor: str, occurred_on: date) -> None:
        appeal = self.appeals[appeal_id]
        appeal["status"] = "accepted" if accepted else "refused"
        appeal["admitted"] = accepted
        appeal["admission_reason"] = reason
        appeal["admitted_on"] = occurred_on

    def _check_uninvolved(self, appeal: dict[str, Any], people: list[str], role_zh: str, role_en: str) -> None:
        involved = self._involved_in(self.appealable[appeal["against"]]) & set(people)
        _require(
            not involved,
            "004 §14.1.3 (6)",
            f"{'、'.join(sorted(involved))} 参与了被申诉的决定 {appeal['against']}，不能作为申诉的{role_zh}（004 §14.1.3 (6)）。",
            f"{', '.join(sorted(involved))} took part in the decision appealed ({appeal['against']}) and may not act as {role_en} of the appeal (004 §14.1.3 (6)).",
        )

    def hear_appeal(self, *, appeal_id: str, hearing_on: date, notice_given_on: date, panel: list[str], actor: str, occurred_on: date) -> None:
        appeal = self._get(self.appeals, appeal_id, "申诉", "appeal")
        _require(
            appeal["status"] == "accepted",
            "004 §14.1.3",
            f"申诉 {appeal_id} 的状态为 {appeal['status']}；只有已受理的申诉才能召开听证会议。",
            f"Appeal {appeal_id} is {appeal['status']}; only an accepted appeal is heard.",
        )
        members = [p.strip() for p in panel if p and p.strip()]
        _require(bool(members), "004 §14.1.3 (4)", "请列出参加听证的人员。", "Name the people on the hearing panel.")
        self._check_uninvolved(appeal, members, "听证人员", "a panel member")
        _require(
            notice_given_on <= hearing_on,
            "004 §14.1.3 (2)",
            "通知日期不能晚于会议日期。",
            "The notice cannot be given after the hearing.",
        )
        _not_before(notice_given_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
        _not_before(occurred_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
        self._appeal_heard(appeal_id=appeal_id, hearing_on=hearing_on, notice_given_on=notice_given_on, panel=members, actor=actor, occurred_on=occurred_on)

    @event("AppealHeard")
    def _appeal_heard(self, appeal_id: str, hearing_on: date, notice_given_on: date, panel: list[str], actor: str, occurred_on: date) -> None:
        appeal = self.appeals[appeal_id]
        appeal["status"] = "heard"
        appeal["hearing_on"] = hearing_on
        appeal["notice_given_on"] = notice_given_on
        appeal["panel"] = panel

    def decide_appeal(self, *, appeal_id: str, outcome: str, result: str, deciders: list[str], actor: str, occurred_on: date) -> None:
        appeal = self._get(self.appeals, appeal_id, "申诉", "appeal")
        _require(
            appeal["status"] in ("accepted", "heard"),
            "004 §14.1.3",
            f"申诉 {appeal_id} 的状态为 {appeal['status']}；只有已受理的申诉才能作出裁定。",
            f"Appeal {appeal_id} is {appeal['status']}; only an accepted appeal can be decided.",
        )
        _require_choice(outcome, APPEAL_OUTCOMES, "申诉裁定结果", "appeal outcome")
        members = [p.strip() for p in deciders if p and p.strip()]
        _require(bool(members), "004 §14.1.3 (4)", "请列出作出裁定的人员。", "Name the people who decided the appeal.")
        self._check_uninvolved(appeal, members, "裁定人员", "a decider")
        result = _require_text(result, "书面处理结果（001 §11）", "the written result (001 §11)", "001 §11")
        _not_before(occurred_on, appeal["admitted_on"], "申诉受理日期", "the date the appeal was accepted")
        self._appeal_decided(appeal_id=appeal_id, outcome=outcome, result=result, deciders=members, actor=actor, occurred_on=occurred_on)

    @event("AppealDecided")
    def _appeal_decided(self, appeal_id: str, outcome: str, result: str, deciders: list[str], actor: str, occurred_on: date) -> None:
        appeal = self.appeals[appeal_id]
        appeal["status"] = "decided"
        appeal["outcome"] = outcome
        appeal["result"] = result
        appeal["deciders"] = deciders
        appeal["decided_on"] = occurred_on
