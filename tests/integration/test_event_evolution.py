"""Events carry a class version; an event stored in an older shape still loads through its upcaster."""

from datetime import date, datetime, timezone
from decimal import Decimal

from eventsourcing.persistence import StoredEvent

from aggregates.client import Client
from aggregates.uscc import client_id_for
from tests.integration.test_ledger_persistence import USCC, apply


def test_an_audit_planned_event_of_version_1_loads_with_leader_and_an_empty_calculation(app):
    apply(app)
    app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
    app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
    version = app.client(USCC).version
    # The shape written before planning calculations were recorded: no leader, no calculation,
    # and no class_version field (the library reads an absent class_version as 1).
    old_state = {
        "originator_topic": "aggregates.client:Client", "timestamp": datetime(2026, 1, 8, 2, 0, tzinfo=timezone.utc),
        "audit_id": "A1", "kind": "stage1", "application_id": "AP1", "team": ["王芳", "李强"],
        "man_days": Decimal("0.5"), "sites": [], "start_on": date(2026, 1, 12), "actor": "admin", "occurred_on": date(2026, 1, 8),
    }
    old_state.pop("originator_topic")
    stored = StoredEvent(
        originator_id=client_id_for(USCC), originator_version=version + 1,
        topic="aggregates.client:Client.AuditPlanned", state=app.mapper.transcoder.encode(old_state),
    )
    app.recorder.insert_events([stored])
    client = app.client(USCC)
    audit = client.audits["A1"]
    assert audit["leader"] == "王芳" and audit["calculation"] == {} and audit["team"] == ["王芳", "李强"]
    assert audit["method"] == "FS01" and audit["team_ids"] == []  # and on to version 3: on-site, no identity numbers
    # and the client goes on from there
    app.complete_audit(client=USCC, audit="A1", conclusion="文件符合", actor="王芳", on=date(2026, 1, 12))
    assert app.client(USCC).audits["A1"]["status"] == "completed"


def test_an_audit_planned_event_of_version_2_loads_as_an_on_site_audit_without_identity_numbers(app):
    apply(app)
    app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
    app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
    version = app.client(USCC).version
    v2 = {  # the shape of version 2 (before issue 15 item 6): leader and calculation, no method, no team_ids
        "timestamp": datetime(2026, 1, 8, 2, 0, tzinfo=timezone.utc), "audit_id": "A1", "kind": "stage1", "application_id": "AP1",
        "team": ["王芳"], "leader": "王芳", "man_days": Decimal("0.5"), "sites": [], "start_on": date(2026, 1, 12),
        "calculation": {"calculated_man_days": Decimal("0.5")}, "actor": "admin", "occurred_on": date(2026, 1, 8), "class_version": 2,
    }
    app.recorder.insert_events([StoredEvent(originator_id=client_id_for(USCC), originator_version=version + 1,
                                            topic="aggregates.client:Client.AuditPlanned", state=app.mapper.transcoder.encode(v2))])
    audit = app.client(USCC).audits["A1"]
    assert audit["method"] == "FS01" and audit["team_ids"] == [] and audit["calculation"] == {"calculated_man_days": Decimal("0.5")}


def test_new_audit_planned_events_are_stored_as_version_3_with_the_calculation_and_the_method(app):
    apply(app)
    app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
    app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
    app.plan_audit(client=USCC, kind="stage1", member=["王芳"], start=date(2026, 1, 12), actor="admin", on=date(2026, 1, 8))
    stored = app.recorder.select_events(client_id_for(USCC))[-1]
    state = app.mapper.transcoder.decode(stored.state)
    assert stored.topic.endswith("Client.AuditPlanned") and state["class_version"] == 3
    # zgc-ru015 is under 001: its stage 1 is the document review, 0 man-days (001 §4.4.2, D63), off-site (001 §4.4.1, D67)
    assert state["calculation"]["calculated_man_days"] == Decimal(0) and state["method"] == "offsite" and state["team_ids"] == []
    assert Client.AuditPlanned.class_version == 3


def test_planned_man_days_that_differ_from_the_calculation_need_a_reason(app):
    import pytest

    from aggregates.errors import RuleViolation

    apply(app)  # 120 people, one site: 3 days for stage 2
    app.review_application(client=USCC, application="AP1", accept=True, actor="admin", on=date(2026, 1, 6))
    app.sign_contract(client=USCC, contract_no="HT-1", actor="admin", on=date(2026, 1, 7))
    app.plan_audit(client=USCC, kind="stage1", member=["王芳"], start=date(2026, 1, 12), actor="admin", on=date(2026, 1, 8))
    app.complete_audit(client=USCC, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 1, 12))
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.plan_audit(client=USCC, kind="stage2", member=["王芳"], man_days=Decimal(2), start=date(2026, 1, 20), actor="admin", on=date(2026, 1, 13))
    assert e.value.rule == "001 §4.3.1.2"
    assert app.event_count() == before
    app.plan_audit(client=USCC, kind="stage2", member=["王芳"], man_days=Decimal(2), man_days_reason="组织结构简单，经技术委员会批准",
                   start=date(2026, 1, 20), actor="admin", on=date(2026, 1, 13))
    calc = app.client(USCC).audits["A2"]["calculation"]
    assert calc["calculated_man_days"] == Decimal(3) and calc["overridden"] and calc["override_reason"]
    assert app.client(USCC).audits["A2"]["sites"] == ["总部"]
