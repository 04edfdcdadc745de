"""A field's label is its event's where the name means something else there (ledger/words.py
EVENT_FIELDS): AppealEffectGiven's status is the certificate's, ActSigned's role the signer's, not
every event's. History reads them per event, in both languages."""

from datetime import date

from ledger.history_text import described
from ledger.words import EVENT_FIELDS, FIELDS, field_word
from tests.integration.test_vocabulary import annotated_fields, event_classes


def test_each_event_label_names_a_field_its_event_has_and_differs_from_the_generic_one():
    classes = event_classes()
    for (event, key), (zh, en) in EVENT_FIELDS.items():
        assert event in classes and key in annotated_fields(classes[event]), (event, key)
        assert zh and en and FIELDS[key] != (zh, en), (event, key)


def test_status_is_the_certificates_only_where_it_is():
    assert field_word("status") == "状态" and field_word("status", "en") == "status"
    assert field_word("status", "zh", "AppealEffectGiven") == "证书状态"
    assert field_word("status", "en", "AppealEffectGiven") == "certificate status"
    assert field_word("role", "zh", "ActSigned") == "签名人身份" and field_word("role", "zh", "AuditPlanned") == "组内身份"
    assert field_word("no_such_field", "zh", "ActSigned") == "no_such_field"


def row(event_type, **fields):
    return {"type": event_type, "fields": fields, "version": 1, "occurred_on": date(2026, 3, 2), "recorded_at": None, "actor": "张伟"}


def test_history_labels_fields_by_their_event():
    rows = [row("AppealEffectGiven", appeal_id="AP1", kind="suspension", status="valid", number="C1"),
            row("ActSigned", command="decide", role="decider", signer_name="王芳"),
            row("ActAnnotated", command="decide", evidence=["评审记录.pdf"], note="见附件"),
            row("ApplicationSubmitted", application_id="AP1", evidence=["营业执照"]),
            row("ChangeFollowedUp", change_id="CH1", kind="audit", ref="A3"),
            row("ChangeAssessed", change_id="CH1", conclusion="需非例行监督", outcomes=["unscheduled"]),
            row("AuditCompleted", audit_id="A1", conclusion="符合")]
    zh = [dict(r["details"]) for r in described(rows, "zh")]
    assert zh[0]["证书状态"] == "有效" and "状态" not in zh[0]
    assert zh[1]["签名人身份"] == "认证决定人员" and "组内身份" not in zh[1]
    assert zh[2]["证据"] == "评审记录.pdf" and zh[3]["收到的文件"] == "营业执照"
    assert zh[4]["后续措施编号"] == "A3"
    assert zh[5]["评审意见"] == "需非例行监督" and "审核结论" not in zh[5] and zh[6]["审核结论"] == "符合"
    en = [dict(r["details"]) for r in described(rows, "en")]
    assert en[0]["certificate status"] == "Active" and en[1]["signer's role"] == "certification decider"
    assert en[5]["conclusion of the assessment"] == "需非例行监督" and en[6]["conclusion"] == "符合"
