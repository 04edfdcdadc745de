"""The client aggregate on its own: no database, no rulebook files. Each rule that needs only the
client's history is refused with the rule named, and a refused command records nothing."""

from datetime import date
from decimal import Decimal

import pytest

from aggregates.client import Client
from aggregates.errors import NotFound, RuleViolation

D = date
USCC = "91330100716105852F"
SITE = [{"name": "总部", "address": "杭州市余杭区文一西路969号"}]


def registered() -> Client:
    c = Client.register(uscc=USCC, name="阿里巴巴（中国）有限公司", address="杭州市余杭区文一西路969号", actor="admin", occurred_on=D(2026, 1, 5))
    return c


def contracted() -> Client:
    c = registered()
    ap = c.submit_application(scheme_id="zgc-ru015", scope="企业质量信用管理", sites=SITE, headcount=120, kind="initial", actor="admin", occurred_on=D(2026, 1, 5))
    c.review_application(application_id=ap, accepted=True, reason="", actor="admin", occurred_on=D(2026, 1, 6))
    c.sign_contract(contract_no="HT-2026-001", actor="admin", occurred_on=D(2026, 1, 7))
    return c


def audited() -> tuple[Client, str]:
    c = contracted()
    a1 = c.plan_audit(kind="stage1", team=["王芳"], leader="", man_days=Decimal("0.5"), sites=[], start_on=D(2026, 1, 12), actor="admin", occurred_on=D(2026, 1, 8))
    c.complete_audit(audit_id=a1, conclusion="文件符合", actor="王芳", occurred_on=D(2026, 1, 12))
    a2 = c.plan_audit(kind="stage2", team=["王芳", "李强"], leader="王芳", man_days=Decimal("3"), sites=["总部"], start_on=D(2026, 1, 20), actor="admin", occurred_on=D(2026, 1, 13))
    c.enter_score(audit_id=a2, item="1", facet=None, value={"percent": Decimal("80")}, actor="王芳", occurred_on=D(2026, 1, 20))
    return c, a2


def decided(granted: bool = True) -> tuple[Client, str]:
    c, a2 = audited()
    c.complete_audit(audit_id=a2, conclusion="推荐认证", actor="王芳", occurred_on=D(2026, 1, 22))
    d = c.decide(audit_id=a2, decider="赵敏", scheme_id="zgc-ru015", scheme_version="A/0", score=Decimal("850"), max_score=Decimal("1000"),
                 percent=Decimal("85"), grade="A" if granted else None, granted=granted, reason="审核报告充分", evaluation={}, actor="admin", occurred_on=D(2026, 2, 1))
    return c, d


def certified() -> Client:
    c, d = decided()
    c.issue_certificate(decision_id=d, number="CL-1", valid_from=D(2026, 2, 3), valid_until=D(2029, 2, 2), standard="GB/T 31863-2015", actor="admin", occurred_on=D(2026, 2, 3))
    return c


def refused_without_events(c: Client, rule: str, fn, *args, **kwargs) -> RuleViolation:
    before = len(c.pending_events)
    with pytest.raises(RuleViolation) as e:
        fn(*args, **kwargs)
    assert e.value.rule == rule, e.value.message_en
    assert len(c.pending_events) == before, "a refused command must record nothing"
    return e.value


def test_a_full_initial_certification_records_one_event_per_action():
    c = certified()
    names = [type(e).__name__ for e in c.pending_events]
    assert names == ["Registered", "ApplicationSubmitted", "ApplicationReviewed", "ContractSigned", "AuditPlanned", "AuditCompleted",
                     "AuditPlanned", "ScoreEntered", "AuditCompleted", "CertificationDecided", "CertificateIssued"]
    assert c.stage == "valid" and c.certificate_status == "valid"
    assert all(e.actor and e.occurred_on for e in c.pending_events[1:])


def test_replaying_the_events_rebuilds_the_same_state():
    c = certified()
    copy = None
    for e in c.pending_events:
        copy = e.mutate(copy)
    assert copy.__dict__.keys() == c.__dict__.keys()
    assert copy.certificates == c.certificates and copy.entries == c.entries and copy.stage == c.stage


def test_no_certificate_without_a_positive_decision():
    c, d = decided(granted=False)
    e = refused_without_events(c, "001 §4.6.4", c.issue_certificate, decision_id=d, number="CL-1", valid_from=D(2026, 2, 3),
                               valid_until=D(2029, 2, 2), standard="x", actor="admin", occurred_on=D(2026, 2, 3))
    assert "不通过" in e.message_zh
    assert c.stage == "not_granted"


def test_no_decision_by_a_member_of_the_audit_team():
    c, a2 = audited()
    c.complete_audit(audit_id=a2, conclusion="推荐", actor="王芳", occurred_on=D(2026, 1, 22))
    e = refused_without_events(c, "001 §4.6.2", c.decide, audit_id=a2, decider="李强", scheme_id="s", scheme_version="1", score=Decimal(1),
                               max_score=Decimal(1), percent=None, grade="A", granted=True, reason="r", evaluation={}, actor="admin", occurred_on=D(2026, 2, 1))
    assert "李强" in e.message_zh and "4.6.2" in e.message_en


def test_no_decision_before_the_audit_is_completed():
    c, a2 = audited()
    refused_without_events(c, "001 §4.6.1", c.check_decidable, audit_id=a2, decider="赵敏", occurred_on=D(2026, 2, 1))


def test_no_decision_while_a_major_nonconformity_is_not_verified():
    c, a2 = audited()
    nc = c.raise_nonconformity(audit_id=a2, severity="major", clause="附录A 质量安全事故记录", description="无应急预案", actor="王芳", occurred_on=D(2026, 1, 21))
    c.complete_audit(audit_id=a2, conclusion="推荐", actor="王芳", occurred_on=D(2026, 1, 22))
    refused_without_events(c, "001 §4.6.3 b", c.check_decidable, audit_id=a2, decider="赵敏", occurred_on=D(2026, 2, 1))
    c.submit_correction(nc_id=nc, correction="制定预案", corrective_action="建立应急管理制度", actor="admin", occurred_on=D(2026, 1, 25))
    refused_without_events(c, "001 §4.6.3 b", c.check_decidable, audit_id=a2, decider="赵敏", occurred_on=D(2026, 2, 1))
    c.verify_nonconformity(nc_id=nc, verification="预案已发布并演练", actor="王芳", occurred_on=D(2026, 1, 28))
    c.check_decidable(audit_id=a2, decider="赵敏", occurred_on=D(2026, 2, 1))


def test_a_minor_nonconformity_needs_an_accepted_plan_before_the_decision():
    c, a2 = audited()
    nc = c.raise_nonconformity(audit_id=a2, severity="minor", clause="5.1", description="培训记录不全", actor="王芳", occurred_on=D(2026, 1, 21))
    c.complete_audit(audit_id=a2, conclusion="推荐", actor="王芳", occurred_on=D(2026, 1, 22))
    refused_without_events(c, "001 §4.6.3 c", c.check_decidable, audit_id=a2, decider="赵敏", occurred_on=D(2026, 2, 1))
    c.submit_correction(nc_id=nc, correction="补齐记录", corrective_action="修订培训程序", actor="admin", occurred_on=D(2026, 1, 25))
    c.check_decidable(audit_id=a2, decider="赵敏", occurred_on=D(2026, 2, 1))


def test_no_score_on_a_closed_audit():
    c, a2 = audited()
    c.complete_audit(audit_id=a2, conclusion="推荐", actor="王芳", occurred_on=D(2026, 1, 22))
    e = refused_without_events(c, "ledger: no score on a closed audit", c.enter_score, audit_id=a2, item="2", facet=None,
                               value={"percent": 50}, actor="王芳", occurred_on=D(2026, 1, 23))
    assert "已于 2026-01-22 完成" in e.message_zh


def test_a_second_score_for_the_same_item_needs_a_correction():
    c, a2 = audited()
    e = refused_without_events(c, "ledger: one score per item", c.enter_score, audit_id=a2, item="1", facet=None,
                               value={"percent": 90}, actor="李强", occurred_on=D(2026, 1, 21))
    assert "S1" in e.message_en
    # the same item for another facet (respondent, business line) is a different entry
    c.enter_score(audit_id=a2, item="1", facet="line-2", value={"percent": 70}, actor="李强", occurred_on=D(2026, 1, 21))


def test_a_correction_must_reference_an_existing_current_entry():
    c, a2 = audited()
    refused_without_events(c, "ledger: reference exists", c.correct_score, entry_id="S99", value={"percent": 1}, reason="typo", actor="王芳", occurred_on=D(2026, 1, 21))
    s2 = c.correct_score(entry_id="S1", value={"percent": 85}, reason="复核后调整", actor="王芳", occurred_on=D(2026, 1, 21))
    assert [e["value"] for e in c.effective_entries(a2)] == [{"percent": 85}]
    e = refused_without_events(c, "ledger: correct the current entry", c.correct_score, entry_id="S1", value={"percent": 2},
                               reason="again", actor="王芳", occurred_on=D(2026, 1, 21))
    assert s2 in e.message_en
    refused_without_events(c, "ledger: corrections carry a reason", c.correct_score, entry_id=s2, value={"percent": 2},
                           reason=" ", actor="王芳", occurred_on=D(2026, 1, 21))


def test_no_correction_after_the_decision():
    c, _ = decided()
    e = refused_without_events(c, "ledger: decided scores stand", c.correct_score, entry_id="S1", value={"percent": 99},
                               reason="late", actor="王芳", occurred_on=D(2026, 2, 2))
    assert "的评分已用于认证决定" in e.message_zh and e.message_en.startswith("The scores of audit")


def test_no_nonconformity_after_the_decision_and_the_refusal_says_so():
    c, _ = decided()
    audit = next(iter(c.decisions.values()))["audit_id"]
    e = refused_without_events(c, "ledger: decided scores stand", c.raise_nonconformity, audit_id=audit, severity="minor",
                               clause="A.8", description="记录不全", actor="王芳", occurred_on=D(2026, 2, 2))
    assert "的评分和不符合项已用于认证决定" in e.message_zh and e.message_en.startswith("The scores and nonconformities of audit")


def test_an_excluded_item_cannot_be_scored_and_a_scored_one_cannot_be_excluded():
    c, a2 = audited()
    c.exclude_item(audit_id=a2, item="14", reason="无出口业务", actor="王芳", occurred_on=D(2026, 1, 20))
    refused_without_events(c, "001 附录A 评分 b)", c.enter_score, audit_id=a2, item="14", facet=None, value={}, actor="王芳", occurred_on=D(2026, 1, 20))
    refused_without_events(c, "001 附录A 评分 b)", c.exclude_item, audit_id=a2, item="1", reason="x", actor="王芳", occurred_on=D(2026, 1, 20))


def test_no_restore_of_a_certificate_that_is_not_suspended():
    c = certified()
    e = refused_without_events(c, "ledger: certificate status", c.restore, reason="已整改", actor="admin", occurred_on=D(2026, 3, 1))
    assert "有效" in e.message_zh and "Active" in e.message_en


def test_suspend_restore_withdraw_cycle():
    c = certified()
    su = c.suspend(reason_code="7.2.1f", reason="主动请求暂停", start=D(2026, 3, 1), until=D(2026, 9, 1), actor="admin", occurred_on=D(2026, 3, 1))
    assert c.certificate_status == "suspended" and su == "SU1"
    refused_without_events(c, "ledger: certificate status", c.suspend, reason_code="7.2.1f", reason="again", start=D(2026, 3, 2), until=None, actor="admin", occurred_on=D(2026, 3, 2))
    c.restore(reason="原因已消除", actor="admin", occurred_on=D(2026, 4, 1))
    assert c.certificate_status == "valid"
    c.withdraw(reason_code="7.3.1a", reason="营业执照被吊销", actor="admin", occurred_on=D(2026, 5, 1))
    assert c.stage == "withdrawn"
    refused_without_events(c, "ledger: certificate status", c.cancel, reason="x", actor="admin", occurred_on=D(2026, 5, 2))


def test_expiry_only_after_the_validity_ends():
    c = certified()
    refused_without_events(c, "001 §8.2", c.expire, actor="admin", occurred_on=D(2029, 2, 2))
    c.expire(actor="admin", occurred_on=D(2029, 2, 3))
    assert c.certificate_status == "expired"


def test_transfer_only_of_a_valid_certificate():
    c = registered()
    e = refused_without_events(c, "001 §10.3", c.request_transfer, from_body="某认证公司", certificate_no="X-1", certificate_status="suspended",
                               reason="服务地域", actor="admin", occurred_on=D(2026, 1, 6))
    assert "10.3" in e.message_en
    assert c.request_transfer(from_body="某认证公司", certificate_no="X-1", certificate_status="valid", reason="服务地域", actor="admin", occurred_on=D(2026, 1, 6)) == "T1"


def test_contract_needs_an_accepted_application_and_refusal_needs_a_reason():
    c = registered()
    ap = c.submit_application(scheme_id="zgc-ru015", scope="s", sites=SITE, headcount=10, kind="initial", actor="a", occurred_on=D(2026, 1, 5))
    refused_without_events(c, "001 §4.2.2", c.sign_contract, contract_no="K", actor="a", occurred_on=D(2026, 1, 6))
    refused_without_events(c, "004 §5.1.4", c.review_application, application_id=ap, accepted=False, reason="", actor="a", occurred_on=D(2026, 1, 6))
    c.review_application(application_id=ap, accepted=False, reason="被列入严重违法企业名单", actor="a", occurred_on=D(2026, 1, 6))
    assert c.stage == "refused"
    # a refused applicant may apply again; the refusal itself is appealable
    assert ap in c.appealable


def test_initial_application_refused_while_a_certificate_is_valid():
    c = certified()
    refused_without_events(c, "001 §6.1", c.submit_application, scheme_id="zgc-ru015", scope="s", sites=SITE, headcount=10,
                           kind="initial", actor="a", occurred_on=D(2026, 3, 1))


def test_business_dates_stay_in_order():
    c = registered()
    refused_without_events(c, "ledger: business dates in order", c.notify_change, kind="address", changed_on=D(2025, 12, 1),
                           description="迁址", actor="a", occurred_on=D(2025, 12, 20))


def test_stage2_needs_a_completed_stage1():
    c = contracted()
    refused_without_events(c, "004 §5.3", c.plan_audit, kind="stage2", team=["王芳"], leader="", man_days=Decimal(2), sites=[],
                           start_on=D(2026, 1, 20), actor="a", occurred_on=D(2026, 1, 10))


def test_appeals_follow_their_steps_and_are_decided_by_uninvolved_people():
    c, d = decided()
    refused_without_events(c, "004 §14.1.1", c.lodge_appeal, against="D9", grounds="g", actor="a", occurred_on=D(2026, 2, 5))
    al = c.lodge_appeal(against=d, grounds="评分过低", actor="a", occurred_on=D(2026, 2, 5))
    refused_without_events(c, "004 §14.1.3", c.hear_appeal, appeal_id=al, hearing_on=D(2026, 3, 1), notice_given_on=D(2026, 2, 20), panel=["钱七"], actor="a", occurred_on=D(2026, 2, 20))
    c.admit_appeal(appeal_id=al, accepted=True, reason="", actor="a", occurred_on=D(2026, 2, 8))
    e = refused_without_events(c, "004 §14.1.3 (6)", c.hear_appeal, appeal_id=al, hearing_on=D(2026, 3, 1), notice_given_on=D(2026, 2, 20),
                               panel=["钱七", "王芳"], actor="a", occurred_on=D(2026, 2, 20))
    assert "王芳" in e.message_zh  # audit team member of the decision appealed
    refused_without_events(c, "004 §14.1.3 (6)", c.decide_appeal, appeal_id=al, outcome="dismissed", result="维持", deciders=["赵敏"], actor="a", occurred_on=D(2026, 3, 5))
    c.hear_appeal(appeal_id=al, hearing_on=D(2026, 3, 1), notice_given_on=D(2026, 2, 20), panel=["钱七"], actor="a", occurred_on=D(2026, 2, 20))
    c.decide_appeal(appeal_id=al, outcome="dismissed", result="维持原决定", deciders=["钱七", "孙八"], actor="a", occurred_on=D(2026, 3, 5))
    assert c.appeals[al]["status"] == "decided"


def test_complaints_open_and_resolve_once():
    c = certified()
    cid = c.receive_complaint(complainant="消费者张三", subject="售后不履行承诺", actor="a", occurred_on=D(2026, 3, 1))
    c.resolve_complaint(complaint_id=cid, result="已核实并要求整改", actor="a", occurred_on=D(2026, 3, 20))
    refused_without_events(c, "004 §14.2.3", c.resolve_complaint, complaint_id=cid, result="again", actor="a", occurred_on=D(2026, 3, 21))


def test_unknown_references_are_not_found_errors_listing_what_exists():
    c, _ = audited()
    with pytest.raises(NotFound) as e:
        c.complete_audit(audit_id="A9", conclusion="x", actor="a", occurred_on=D(2026, 1, 30))
    assert "A1, A2" in e.value.message_en


def test_scope_change_and_recertification_keep_the_original_issue_date():
    c = certified()
    c.change_scope(kind="reduce", scope="企业质量信用管理（仅总部）", sites=None, reason="分厂停产", actor="a", occurred_on=D(2026, 6, 1))
    assert c.certificate["scope"] == "企业质量信用管理（仅总部）" and "SC1" in c.appealable
    ap = c.submit_application(scheme_id="zgc-ru015", scope="企业质量信用管理", sites=SITE, headcount=120, kind="recertification", actor="a", occurred_on=D(2028, 10, 1))
    c.review_application(application_id=ap, accepted=True, reason="", actor="a", occurred_on=D(2028, 10, 2))
    a = c.plan_audit(kind="recertification", team=["周九"], leader="", man_days=Decimal(2), sites=[], start_on=D(2028, 11, 1), actor="a", occurred_on=D(2028, 10, 3))
    c.enter_score(audit_id=a, item="1", facet=None, value={"percent": 90}, actor="周九", occurred_on=D(2028, 11, 1))
    c.complete_audit(audit_id=a, conclusion="推荐再认证", actor="周九", occurred_on=D(2028, 11, 2))
    d = c.decide(audit_id=a, decider="赵敏", scheme_id="zgc-ru015", scheme_version="A/0", score=Decimal(900), max_score=Decimal(1000), percent=Decimal(90),
                 grade="AA", granted=True, reason="r", evaluation={}, actor="a", occurred_on=D(2028, 11, 10))
    c.issue_certificate(decision_id=d, number="CL-2", valid_from=D(2029, 2, 3), valid_until=D(2032, 2, 2), standard="GB/T 31863-2015", actor="a", occurred_on=D(2028, 11, 12))
    assert c.certificate["number"] == "CL-2" and c.certificate["original_issue_on"] == D(2026, 2, 3)
    assert c.certificates["CL-1"]["status"] == "replaced"
