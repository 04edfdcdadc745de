"""The stage machine walked (issue 9, "No dead ends"): every stage of a client's life and every
certificate status is reached through the application's commands, and from each there is a legal
next step that the ledger accepts, moving the client on. Where a step is refused, the refusal names
a command that would be accepted. On SQLite and PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aggregates.errors import RuleViolation
from ledger.demo import CLIENTS, _uscc
from ledger.rules.scoring import load_scheme
from ledger.synthetic import score_sheet

ADMIN = "张伟"


class Walk:
    """One client taken through its life, one step at a time, starting on ``day0``."""

    def __init__(self, app, uscc: str, day0: date) -> None:
        self.app, self.uscc, self.day = app, uscc, day0
        self.apps = 0
        self.seen: set[str] = set()  # every stage this client was found in

    def on(self, days: int = 1) -> date:
        self.day += timedelta(days=days)
        return self.day

    @property
    def stage(self) -> str:
        stage = self.app.client(self.uscc).stage
        self.seen.add(stage)
        return stage

    def apply(self, kind: str = "initial") -> str:
        self.apps += 1
        self.app.submit_application(client=self.uscc, name="某某科技有限公司", address="杭州市", scheme="zgc-ru015", scope="质量信用管理",
                                    site=[{"name": "总部", "address": "杭州市"}], headcount=30, kind=kind, actor=ADMIN, on=self.on())
        return f"AP{self.apps}"

    def accept(self, ap: str) -> None:
        self.app.review_application(client=self.uscc, application=ap, accept=True, actor=ADMIN, on=self.on())

    def contract(self) -> None:
        self.app.sign_contract(client=self.uscc, contract_no=f"HT-{self.apps}", actor=ADMIN, on=self.on())

    def audits(self) -> list[str]:
        return list(self.app.client(self.uscc).audits)

    def plan(self, kind: str, member: str = "王芳") -> str:
        self.app.plan_audit(client=self.uscc, kind=kind, member=[member], start=self.on(), actor=ADMIN, on=self.day)
        return self.audits()[-1]

    def score_all(self, audit: str, member: str = "王芳") -> None:
        for item, facet, value in score_sheet(load_scheme("zgc-ru015"), 0.95, seed=11):
            self.app.enter_score(client=self.uscc, audit=audit, item=item, facet=facet, value=value, actor=member, on=self.day)

    def complete(self, audit: str, member: str = "王芳") -> None:
        self.app.complete_audit(client=self.uscc, audit=audit, conclusion="审核完成", actor=member, on=self.on())

    def decide(self, audit: str, refuse: bool = False) -> str:
        return self.app.decide(client=self.uscc, audit=audit, decider="赵敏", reason="依审核报告", refuse=refuse, actor=ADMIN,
                               on=self.on())["decision"]

    def issue(self, decision: str) -> None:
        self.app.issue_certificate(client=self.uscc, decision=decision, actor=ADMIN, on=self.on())

    def to_audited(self) -> str:
        ap = self.apply()
        self.accept(ap)
        self.contract()
        a1 = self.plan("stage1")
        self.complete(a1)
        a2 = self.plan("stage2")
        self.score_all(a2)
        self.complete(a2)
        return a2

    def to_valid(self) -> None:
        self.issue(self.decide(self.to_audited()))


def walk(app, i: int, day0: date = date(2025, 3, 3)) -> Walk:
    return Walk(app, _uscc(CLIENTS[i].uscc), day0)


def the_way_in_applied_accepted_contracted_auditing_audited_decided_valid(app) -> Walk:
    w = walk(app, 0)
    ap = w.apply()
    assert w.stage == "applied"
    w.accept(ap)
    assert w.stage == "accepted"
    w.contract()
    assert w.stage == "contracted"
    a1 = w.plan("stage1")
    assert w.stage == "auditing"
    w.complete(a1)
    a2 = w.plan("stage2")
    w.score_all(a2)
    w.complete(a2)
    assert w.stage == "audited"
    decision = w.decide(a2)
    assert w.stage == "decided"
    w.issue(decision)
    assert w.stage == "valid"
    return w


def test_the_way_in_applied_accepted_contracted_auditing_audited_decided_valid(app):
    the_way_in_applied_accepted_contracted_auditing_audited_decided_valid(app)

def out_of_refused_and_not_granted_a_new_application(app) -> Walk:
    w = walk(app, 1)
    ap = w.apply()
    app.review_application(client=w.uscc, application=ap, refuse=True, reason="资料不全", actor=ADMIN, on=w.on())
    assert w.stage == "refused"
    w.accept(w.apply())  # refused is not the end: a new application
    assert w.stage == "accepted"
    w.contract()
    a1 = w.plan("stage1")
    w.complete(a1)
    a2 = w.plan("stage2")
    w.score_all(a2)
    w.complete(a2)
    w.decide(a2, refuse=True)
    assert w.stage == "not_granted"
    assert w.apply() == "AP3" and w.stage == "applied"  # nor is not granted
    return w


def test_out_of_refused_and_not_granted_a_new_application(app):
    out_of_refused_and_not_granted_a_new_application(app)

def out_of_an_audit_completed_unscored_reopen(app) -> Walk:
    """The dead end found: an audit completed with items unscored. Completing so is refused now;
    one recorded so before is reopened (audit reopen) and then decided."""
    w = walk(app, 2)
    ap = w.apply()
    w.accept(ap)
    w.contract()
    w.complete(w.plan("stage1"))
    a2 = w.plan("stage2")
    with pytest.raises(RuleViolation) as e:
        w.complete(a2)
    assert "score enter" in e.value.message_en
    legacy = app.client(w.uscc)
    legacy.complete_audit(audit_id=a2, conclusion="未评分即完成", actor="王芳", occurred_on=w.on())
    app.save(legacy)
    assert w.stage == "audited"
    with pytest.raises(RuleViolation) as e:
        w.decide(a2)
    assert "audit reopen" in e.value.message_en
    app.reopen_audit(client=w.uscc, audit=a2, reason="评分未录全", actor=ADMIN, on=w.on())
    assert w.stage == "auditing"
    w.score_all(a2)
    w.complete(a2)
    w.decide(a2)
    assert w.stage == "decided"
    return w


def test_out_of_an_audit_completed_unscored_reopen(app):
    out_of_an_audit_completed_unscored_reopen(app)

def out_of_suspended_restore_or_withdraw_and_out_of_withdrawn_a_new_application(app) -> Walk:
    w = walk(app, 3)
    w.to_valid()
    app.suspend(client=w.uscc, reason_code="7.2.1b", reason="未按期接受监督", months=3, actor=ADMIN, on=w.on())
    assert w.stage == "suspended"
    with pytest.raises(RuleViolation) as e:  # suspended twice: the refusal says what is accepted
        app.suspend(client=w.uscc, reason_code="7.2.1b", reason="x", months=3, actor=ADMIN, on=w.on())
    assert "certificate restore" in e.value.message_en
    app.restore(client=w.uscc, reason="已整改并经验证", actor=ADMIN, on=w.on(20))
    assert w.stage == "valid"
    app.suspend(client=w.uscc, reason_code="7.2.1b", reason="再次未按期接受监督", months=3, actor=ADMIN, on=w.on())
    app.withdraw(client=w.uscc, reason_code="7.3.1e", reason="暂停期满未整改", actor=ADMIN, on=w.on(10))
    assert w.stage == "withdrawn"
    # After a withdrawal, a surveillance or a restoration is refused, naming the road back.
    with pytest.raises(RuleViolation) as e:
        w.plan("surveillance")
    assert "application submit" in e.value.message_en
    with pytest.raises(RuleViolation) as e:
        app.restore(client=w.uscc, reason="x", actor=ADMIN, on=w.on())
    assert "application submit" in e.value.message_en
    w.accept(w.apply())
    assert w.stage == "accepted"
    return w


def test_out_of_suspended_restore_or_withdraw_and_out_of_withdrawn_a_new_application(app):
    out_of_suspended_restore_or_withdraw_and_out_of_withdrawn_a_new_application(app)

def out_of_cancelled_a_new_application(app) -> Walk:
    w = walk(app, 4)
    w.to_valid()
    app.cancel(client=w.uscc, reason="组织申请注销证书", actor=ADMIN, on=w.on())
    assert w.stage == "cancelled"
    w.accept(w.apply())
    assert w.stage == "accepted"
    return w


def test_out_of_cancelled_a_new_application(app):
    out_of_cancelled_a_new_application(app)

def out_of_expired_a_new_application(app) -> Walk:
    w = walk(app, 5, day0=date(2022, 3, 1))
    w.to_valid()
    cert = app.client(w.uscc).certificate
    app.expire(client=w.uscc, actor=ADMIN, on=cert["valid_until"] + timedelta(days=1))
    w.day = cert["valid_until"] + timedelta(days=1)
    assert w.stage == "expired"
    w.accept(w.apply())
    assert w.stage == "accepted"
    return w


def test_out_of_expired_a_new_application(app):
    out_of_expired_a_new_application(app)

def test_every_stage_and_certificate_status_is_walked(app):
    """The walks above, on one ledger (each with its own client), reach every stage the vocabulary
    names, each certificate status among them, as the clients were found at each step."""
    from aggregates.vocabulary import CERTIFICATE_STATUSES, STAGES

    seen: set[str] = set()
    for scenario in (the_way_in_applied_accepted_contracted_auditing_audited_decided_valid, out_of_refused_and_not_granted_a_new_application, out_of_an_audit_completed_unscored_reopen, out_of_suspended_restore_or_withdraw_and_out_of_withdrawn_a_new_application, out_of_cancelled_a_new_application, out_of_expired_a_new_application):
        seen |= scenario(app).seen
    unreachable = {"registered"}  # a client is registered by its first application, so never rests there
    assert seen == set(STAGES) - unreachable
    assert set(CERTIFICATE_STATUSES) <= seen

def test_a_certificate_past_its_validity_is_expired_in_clients_show_and_the_register_alike(app):
    """One derivation of a certificate's status for every view (issue 9): no `certificate expire`
    recorded, the validity over — clients, show and the register all say expired."""
    from projections import read

    w = walk(app, 0, day0=date(2022, 3, 1))
    w.to_valid()
    cert = app.client(w.uscc).certificate
    after = cert["valid_until"] + timedelta(days=1)
    app.update_read_models()
    [row] = [r for r in read.clients(app, today=after) if r["uscc"] == w.uscc]
    assert row["certificate_status"] == "expired" and row["stage"] == "expired"
    [recorded] = [r for r in read.clients(app) if r["uscc"] == w.uscc]
    assert recorded["certificate_status"] == "valid" and "certificate_valid_until" not in recorded
    assert read.summary(None, w.uscc, as_of=after, open_app=lambda: app)["certificate"]["status"] == "expired"
    [reg] = [r for r in read.register(app, today=after) if r["certificate_no"] == cert["number"]]
    assert reg["status"] == "expired" and reg["status_recorded"] == "valid"
