"""Trial 12 mends of signing (issue 15; decision D48c in docs/decisions.md), on SQLite and PostgreSQL:

- a panel's act signed by one member and not yet by the other is *awaiting co-signature* (work in
  progress), listed apart by ``verify``, not "the audit trail was altered"; a required signature
  that is missing altogether stays a failure (tests/integration/test_signature_panels.py);
- ``certificate print`` over a decision whose signature does not verify (the decision altered with
  raw SQL) is refused, with no file and nothing written;
- ``audit complete`` signed by someone who is not the team leader, with the evaluation incomplete,
  is refused for the incomplete evaluation first (the act's own checks before the signature, D44);
- verify words a person's event as a person's, with the event type in words, and a key that was
  not valid as words, not a code.
"""

from datetime import date

import pytest

from ledger.signing import RULE as SIGNING
from ledger.trail.keys import init_key
from tests.integration.test_people import HZX, ZGC, _audited, _contracted, _staff
from tests.integration.test_signatures import auditors_keyed
from tests.integration.test_signature_panels import _version, panel  # noqa: F401 - the panel fixture
from tests.owner import Owner
from tests.refusals import refused


def _key(tmp_path, name):
    files = init_key(tmp_path / f"{name}.key", name)
    return str(files.private), str(files.public)


def _body_key(tmp_path):
    from ledger.trail.keys import load_signer, load_verifier

    key = tmp_path / "keys" / "signing.key"
    init_key(key, "test.body")
    return load_signer(key), load_verifier(None, key)



def _decided_signed(app, tmp_path):
    """ZGC audited and decided (D1) by 赵敏, signed with her key."""
    _staff(app)
    zhao, zhao_pub = _key(tmp_path, "zhao")
    app.add_person_key(person="赵敏", public_key=zhao_pub, actor="张伟", on=date(2026, 1, 5))
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="赵敏", on=date(2026, 3, 20), sign_key=zhao)

def test_an_act_awaiting_co_signature_is_listed_not_an_alteration(app, panel, tmp_path):  # noqa: F811
    from ledger.trail import make_checkpoint, verify_trail

    app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持原决定", decider=["孙丽", "周涛"], actor="孙丽",
                      on=date(2026, 4, 3), sign_key=panel["sun"])
    v = _version(app, HZX, "AppealDecided")
    signer, verifier = _body_key(tmp_path)
    make_checkpoint(app, signer)
    report = verify_trail(app, verifier)
    assert report.ok and not report.altered and report.findings == []
    assert [(f.kind, f.client, f.version) for f in report.pending] == [("cosign", HZX, v)]
    f = report.pending[0]
    assert "周涛 has not yet" in f.message_en and "尚缺 周涛 的签名" in f.message_zh and f.recorded_on
    assert report.to_dict()["awaiting_cosignature"][0]["version"] == v and report.to_dict()["verified"] is True

    app.cosign_act(client=HZX, act=v, actor="周涛", on=date(2026, 4, 3), sign_key=panel["zhou"])
    make_checkpoint(app, signer)
    report = verify_trail(app, verifier)
    assert report.ok and report.pending == []


def test_a_certificate_is_not_printed_over_a_decision_whose_signature_fails(app, db_url, tmp_path):
    from ledger.bootstrap import bootstrap
    from ledger.documents.certificate import print_certificate
    from ledger.trail.note import Signer

    _decided_signed(app, tmp_path)
    app.issue_certificate(client=ZGC, decision="D1", actor="张伟", on=date(2026, 3, 21))
    body = Signer.generate("某认证机构")
    printed = print_certificate(app, ZGC, out=str(tmp_path / "ok.pdf"), as_of=None, number=None, signer=body, body="某机构", actor="张伟")
    assert printed["print"]  # the intact decision prints

    owner = Owner(app, db_url)
    owner.drop_triggers()
    pos, state = owner.sql("SELECT POS, state FROM EVENTS WHERE topic = ?", ("aggregates.client:Client.CertificationDecided",))[0]
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (bytes(state).replace("赵敏".encode(), "钱七".encode()), pos))
    again = bootstrap(db_url)
    try:
        out = tmp_path / "bad.pdf"
        e = refused(again, lambda: print_certificate(again, ZGC, out=str(out), as_of=None, number=None, signer=body, body="某机构",
                                                     actor="张伟"), SIGNING)
        assert "does not verify" in e.message_en and "certledger verify" in e.message_en and "D1" in e.message_en
        assert "无法验证" in e.message_zh and "未打印、未记录" in e.message_zh
        assert not out.exists() and not list(tmp_path.glob(".bad.pdf.*"))
    finally:
        again.close()


def test_audit_complete_says_the_incomplete_evaluation_before_the_signer(app, tmp_path):
    wang, li = auditors_keyed(app, tmp_path)
    app.plan_audit(client=ZGC, kind="stage1", member=["王芳"], start=date(2026, 3, 5), actor="张伟", on=date(2026, 3, 4))
    app.complete_audit(client=ZGC, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 3, 5), sign_key=wang)
    app.plan_audit(client=ZGC, kind="stage2", member=["王芳", "李强"], start=date(2026, 3, 10), actor="张伟", on=date(2026, 3, 6))
    complete = {"client": ZGC, "audit": "A2", "conclusion": "推荐", "on": date(2026, 3, 11)}
    # scores missing and a signer who is not the leader: the evaluation first (D44)
    e = refused(app, lambda: app.complete_audit(**complete, actor="李强", sign_key=li), "001 §4.4.4.2, §4.4.5.2")
    assert "neither scored nor excluded" in e.message_en
    # the leader, scores still missing: the same refusal
    refused(app, lambda: app.complete_audit(**complete, actor="王芳", sign_key=wang), "001 §4.4.4.2, §4.4.5.2")
    from tests.integration.test_people import load_scheme, score_sheet

    for item, facet, value in score_sheet(load_scheme("zgc-ru015"), 0.86, seed=5):
        app.enter_score(client=ZGC, audit="A2", item=item, facet=facet, value=value, actor="李强", on=date(2026, 3, 10))
    # the evaluation whole: now the signer is what is wrong
    e = refused(app, lambda: app.complete_audit(**complete, actor="李强", sign_key=li), SIGNING)
    assert "team leader of audit A2 is 王芳" in e.message_en
    app.complete_audit(**complete, actor="王芳", sign_key=wang)


@pytest.fixture
def request_close():
    opened = []
    yield opened
    for a in opened:
        a.close()


def test_verify_words_a_person_and_a_key_in_words(app, db_url, tmp_path, request_close):
    """An edited person's event is named as the person's (not a client's) with its type in words;
    a key not valid on the act's day is said in words, not as a code."""
    from ledger.signing_verify import check_signatures
    from ledger.trail import make_checkpoint, verify_trail

    _decided_signed(app, tmp_path)
    signer, verifier = _body_key(tmp_path)
    make_checkpoint(app, signer)
    owner = Owner(app, db_url)
    owner.drop_triggers()
    # the key's validity moved past the decision: it was "not yet" valid on the act's day
    pos, state = owner.sql("SELECT POS, state FROM EVENTS WHERE topic = ?", ("aggregates.people:Person.KeyAdded",))[0]
    assert b'"valid_from"' in bytes(state)
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (bytes(state).replace(b"2026-01-05", b"2026-04-01"), pos))
    from ledger.bootstrap import bootstrap

    app = bootstrap(db_url)  # a fresh process reads the altered register
    request_close.append(app)
    found = check_signatures(app).findings
    assert len(found) == 1 and "not yet valid" in found[0].message_en and "尚未生效" in found[0].message_zh
    assert "not-yet" not in found[0].message_en + found[0].message_zh
    report = verify_trail(app, verifier)
    first = report.first
    assert first.kind == "changed" and first.position == pos
    assert "person 赵敏" in first.message_en and "signing key added" in first.message_en and "client" not in first.message_en
    assert "人员 赵敏" in first.message_zh and "登记签名公钥" in first.message_zh and "客户" not in first.message_zh


def test_a_bundle_lists_an_act_awaiting_co_signature_apart(app, panel, tmp_path):  # noqa: F811
    from ledger.bundle import export_bundle, verify_bundle
    from ledger.trail import make_checkpoint
    from tests.integration.test_bundle_signers import explain_text

    app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持原决定", decider=["孙丽", "周涛"], actor="孙丽",
                      on=date(2026, 4, 3), sign_key=panel["sun"])
    signer, verifier = _body_key(tmp_path)
    make_checkpoint(app, signer)
    export_bundle(app, tmp_path / "b", verifier, [HZX], explain_text, signer=signer)
    report = verify_bundle(tmp_path / "b", verifier)
    assert report.ok, [p.message_en for p in report.problems]
    assert [p.what for p in report.pending] == ["cosign"] and "周涛 has not yet" in report.pending[0].message_en
    assert report.to_dict()["awaiting_cosignature"][0]["what"] == "cosign"
