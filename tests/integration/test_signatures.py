"""Who acted, provably (issue 15, item 4), through the application on SQLite and PostgreSQL: personal
keys by events (add, rotate, revoke as of a date), acts signed over their canonical statement, each
refusal before the act (nothing written), the body's signing requirement, and ``verify`` finding a
signature broken by an edit of the signed event."""

from datetime import date

import pytest

from tests.refusals import refused
from ledger.signing import RULE
from ledger.signing_verify import check_signatures
from ledger.trail.keys import init_key
from tests.integration.test_people import HZX, ZGC, _audited, _contracted, _staff  # noqa: F401

SIGN = RULE


def _refused(app, fn, rule=SIGN):
    return refused(app, fn, rule)


def _key(tmp_path, name):
    files = init_key(tmp_path / f"{name}.key", name)
    return str(files.private), str(files.public)


@pytest.fixture
def body(app, tmp_path):
    """The staff of test_people, 赵敏 (decider) with a key valid from 2026-01-05, a client audited."""
    _staff(app)
    zhao, zhao_pub = _key(tmp_path, "zhao")
    added = app.add_person_key(person="赵敏", public_key=zhao_pub, actor="张伟", on=date(2026, 1, 5))
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    return {"zhao": zhao, "zhao_pub": zhao_pub, "zhao_id": added["id"], "tmp": tmp_path}


def test_a_signed_decision_verifies_and_names_signer_role_and_meaning(app, body):
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    c = app.client(ZGC)
    decision_version = next(v for v, e in enumerate(app.events.get(c.id), 1) if type(e).__name__ == "CertificationDecided")
    sig = c.signature_of(decision_version)
    assert sig["signer_name"] == "赵敏" and sig["role"] == "decider" and sig["key_id"] == body["zhao_id"]
    assert sig["meaning_en"] == "I decide to grant certification." and "授予认证" in sig["meaning_zh"]
    report = check_signatures(app)
    assert report.checked == 1 and report.findings == []


def test_refusals_before_the_act(app, body, tmp_path):
    other, other_pub = _key(tmp_path, "other")
    e = _refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20),
                                         sign_key=other))
    assert "not registered" in e.message_en and "people key add" in e.message_en
    # a registered key of someone who is not the decider
    app.add_person_key(person="王芳", public_key=other_pub, actor="张伟", on=date(2026, 1, 5))
    e = _refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20),
                                         sign_key=other))
    assert "belongs to 王芳" in e.message_en
    # the actor signs a certificate act: 李强 holds neither decider nor administrator
    li, li_pub = _key(tmp_path, "li")
    app.add_person_key(person="李强", public_key=li_pub, actor="张伟", on=date(2026, 1, 5))
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    e = _refused(app, lambda: app.issue_certificate(client=ZGC, decision="D1", actor="李强", on=date(2026, 3, 21), sign_key=li))
    assert "does not hold the role" in e.message_en and "people grant" in e.message_en
    # a key that is no private key at all
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    bad.chmod(0o600)
    _refused(app, lambda: app.issue_certificate(client=ZGC, decision="D1", actor="赵敏", on=date(2026, 3, 21), sign_key=str(bad)))
    # the same key registered to two people is refused
    _refused(app, lambda: app.add_person_key(person="李强", public_key=body["zhao_pub"], actor="张伟", on=date(2026, 1, 6)),
             rule="电子签名法 §13")


def test_rotation_and_revocation_as_of_the_act_day(app, body, tmp_path):
    new, new_pub = _key(tmp_path, "zhao2")
    app.add_person_key(person="赵敏", public_key=new_pub, valid_from=date(2026, 3, 15), actor="张伟", on=date(2026, 3, 1))
    # not yet valid before its first day
    e = _refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 14),
                                         sign_key=new))
    assert "valid only from 2026-03-15" in e.message_en
    # on 2026-03-20 the new key is the valid one: the old key is superseded
    e = _refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20),
                                         sign_key=body["zhao"]))
    assert "superseded" in e.message_en
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=new)
    # revoked from 2026-03-25: it signs nothing more, whatever the act's day
    app.revoke_person_key(person="赵敏", key_id=app.person("赵敏").keys[1]["key_id"], reason="丢失", revoked_on=date(2026, 3, 25),
                          actor="张伟", on=date(2026, 3, 25))
    e = _refused(app, lambda: app.issue_certificate(client=ZGC, decision="D1", actor="赵敏", on=date(2026, 3, 21), sign_key=new))
    assert "revoked" in e.message_en
    # the signature made before the revocation, on an act dated before it, still verifies
    assert check_signatures(app).findings == []


def test_the_body_requires_signing_from_a_day(app, body):
    app.grant_roles(person="王芳", role=["administrator"], actor="张伟", on=date(2026, 1, 5))
    _refused(app, lambda: app.set_signing_policy(required_from=date(2026, 3, 1), actor="李强", on=date(2026, 3, 1)), rule="电子签名法 §13")
    app.set_signing_policy(required_from=date(2026, 3, 1), act=["decide", "certificate issue"], actor="王芳", on=date(2026, 3, 1))
    e = _refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20)))
    assert "--sign-key" in e.message_en
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    app.set_signing_policy(off=True, reason="试行结束", actor="王芳", on=date(2026, 3, 21))
    app.issue_certificate(client=ZGC, decision="D1", actor="赵敏", on=date(2026, 3, 21))
    c = app.client(ZGC)
    issued = next(v for v, e in enumerate(app.events.get(c.id), 1) if type(e).__name__ == "CertificateIssued")
    assert c.signature_of(issued) is None


def auditors_keyed(app, tmp_path):
    """The staff of test_people, 王芳 and 李强 (both lead auditors) with their keys, ZGC contracted;
    returns their private key files."""
    _staff(app)
    wang, wang_pub = _key(tmp_path, "wang")
    li, li_pub = _key(tmp_path, "li")
    app.add_person_key(person="王芳", public_key=wang_pub, actor="张伟", on=date(2026, 1, 5))
    app.add_person_key(person="李强", public_key=li_pub, actor="张伟", on=date(2026, 1, 5))
    app.grant_roles(person="李强", role=["lead_auditor"], actor="张伟", on=date(2026, 1, 5))
    _contracted(app, ZGC, "zgc-ru015")
    return wang, li


def test_the_audit_leader_submits_signed(app, tmp_path):
    wang, li = auditors_keyed(app, tmp_path)
    app.plan_audit(client=ZGC, kind="stage1", member=["王芳", "李强"], start=date(2026, 3, 5), actor="张伟", on=date(2026, 3, 4))
    e = _refused(app, lambda: app.complete_audit(client=ZGC, audit="A1", conclusion="ok", actor="李强", on=date(2026, 3, 5), sign_key=li))
    assert "team leader" in e.message_en
    app.complete_audit(client=ZGC, audit="A1", conclusion="ok", actor="王芳", on=date(2026, 3, 5), sign_key=wang)
    assert check_signatures(app).checked == 1


def test_verify_reports_a_signed_event_altered_in_the_database(sqlite_url, tmp_path):
    import sqlite3

    from ledger.bootstrap import bootstrap as make_app

    app = make_app(sqlite_url)
    try:
        _staff(app)
        zhao, zhao_pub = _key(tmp_path, "zhao")
        app.add_person_key(person="赵敏", public_key=zhao_pub, actor="张伟", on=date(2026, 1, 5))
        _contracted(app, ZGC, "zgc-ru015")
        _audited(app, ZGC, "zgc-ru015")
        app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="赵敏", on=date(2026, 3, 20), sign_key=zhao)
        assert check_signatures(app).findings == []
    finally:
        app.close()
    path = sqlite_url.split("///", 1)[-1] if "///" in sqlite_url else sqlite_url
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER IF EXISTS stored_events_no_update")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    rowid, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Client.CertificationDecided'").fetchone()
    db.execute("UPDATE stored_events SET state=? WHERE rowid=?", (bytes(state).replace("赵敏".encode(), "钱七".encode()), rowid))
    db.commit()
    db.close()
    app = make_app(sqlite_url)
    try:
        report = check_signatures(app)
        assert len(report.findings) == 1
        f = report.findings[0]
        assert f.kind == "signature" and f.client == ZGC and "decide" in f.message_en and "does not verify" in f.message_en
    finally:
        app.close()


def test_an_import_registers_keys_and_signs_its_decisions(app, tmp_path):
    """The JSON Lines import takes the same lines: people key add, and decide with sign_key; a line
    signed with a key that is not the decider's is refused by line and writes nothing."""
    import json

    from ledger.importer import run_import

    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    zhao, zhao_pub = _key(tmp_path, "zhao")
    other, _ = _key(tmp_path, "other")
    lines = [json.dumps(x, ensure_ascii=False).encode() for x in (
        {"command": "people key add", "person": "赵敏", "public_key": open(zhao_pub).read().strip(), "on": "2026-01-05"},
        {"command": "decide", "client": ZGC, "audit": "A2", "decider": "赵敏", "reason": "r", "on": "2026-03-20", "sign_key": other},
        {"command": "decide", "client": ZGC, "audit": "A2", "decider": "赵敏", "reason": "r", "on": "2026-03-20", "sign_key": zhao,
         "actor": "赵敏"},
    )]
    report = run_import(app, lines, actor="张伟")
    assert report.written == 2 and [x.line for x in report.errors] == [2]
    assert check_signatures(app).checked == 1 and check_signatures(app).findings == []


def test_acts_before_signing_stay_valid_and_unsigned(app):
    """A ledger with no keys at all (every ledger before this issue): acts unsigned, nothing to check,
    history and explain say unsigned."""
    from ledger.history_text import render_history

    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="张伟", on=date(2026, 3, 20))
    assert check_signatures(app).checked == 0
    text = render_history(app.history(ZGC), "en")
    assert text.count("unsigned (no personal signature)") == 3  # two audits completed, one decision
    assert app.explain(ZGC)["decision"]["signature"]["signed"] is False


def test_the_bundle_report_says_who_signed(app, body):
    """The PDF's section on the certificate and its history lists each act with legal meaning with its
    signer and meaning, or unsigned; its grade explanation says who signed the decision."""
    from ledger.bundle.report import ClientSection
    from ledger.explain_text import render_explanation

    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    section = ClientSection.gather(app, ZGC, [], lambda d: render_explanation(d, "zh"))
    said = [line for line in section.certificate if line.startswith("签名 · ")]
    assert any("认证决定" in line and "赵敏（认证决定人员" in line and "授予认证" in line for line in said)
    assert sum("未签名" in line for line in said) == 2  # the two audits' completions
    assert "签名: 赵敏（认证决定人员" in section.explanation
