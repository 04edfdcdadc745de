"""A body's own scheme and procedure, added as files under CERTLEDGER_SCHEMES, drive the ledger's
rules: its reason codes are the ones accepted, and its lapse reason the one named."""

from __future__ import annotations

import pytest

from aggregates.errors import RuleViolation
from ledger.rules import procedures
from tests.unit.test_procedure_files import _body_folder


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    procedures._catalogue.cache_clear()
    yield
    procedures._catalogue.cache_clear()


def test_a_body_scheme_and_procedure_drive_a_suspension_through_the_ledger(tmp_path, monkeypatch):
    """End to end: certify a client under the body's own scheme, then suspend it with the body's own
    reason code; 001's codes are refused for it."""
    from datetime import date

    from ledger.bootstrap import bootstrap
    from ledger.rules.scoring import catalogue

    monkeypatch.setenv(procedures.ENV_SCHEMES, str(_body_folder(tmp_path)))
    catalogue._default.cache_clear()
    app = bootstrap(str(tmp_path / "ledger.sqlite"))
    try:
        from ledger.synthetic import score_sheet

        uscc, on = "91330100716105852F", date(2026, 1, 5)
        app.submit_application(client=uscc, name="某某科技有限公司", address="杭州市", scheme="body-credit", scope="企业质量信用管理",
                               site=[{"name": "总部", "address": "杭州市"}], headcount=50, actor="张伟", on=on)
        app.review_application(client=uscc, application="AP1", accept=True, actor="张伟", on=on)
        app.sign_contract(client=uscc, contract_no="HT-1", actor="张伟", on=on)
        app.plan_audit(client=uscc, kind="stage1", member=["王芳"], start=on, actor="张伟", on=on)
        app.complete_audit(client=uscc, audit="A1", conclusion="符合", actor="王芳", on=on)
        app.plan_audit(client=uscc, kind="stage2", member=["王芳"], start=date(2026, 1, 6), actor="张伟", on=on)
        for item, facet, value in score_sheet(app.audit_scheme(app.client(uscc), "A2"), 0.95, 1):
            app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor="王芳", on=date(2026, 1, 6))
        app.complete_audit(client=uscc, audit="A2", conclusion="推荐", actor="王芳", on=date(2026, 1, 7))
        assert app.decide(client=uscc, audit="A2", decider="赵敏", reason="符合", actor="张伟", on=date(2026, 1, 8))["granted"]
        app.issue_certificate(client=uscc, decision="D1", actor="张伟", on=date(2026, 1, 9))
        with pytest.raises(RuleViolation) as e:
            app.suspend(client=uscc, reason_code="7.2.1a", reason="r", actor="张伟", on=date(2026, 2, 2))
        assert "B-S1" in e.value.message_en
        app.suspend(client=uscc, reason_code="B-S1", reason="监督不符合", months=1, actor="张伟", on=date(2026, 2, 2))
        with pytest.raises(RuleViolation) as e:
            app.restore(client=uscc, reason="已整改", actor="张伟", on=date(2026, 3, 3))  # the month ended 2026-03-02
        assert "B-W3" in e.value.message_en
    finally:
        app.close()
        catalogue._default.cache_clear()
