"""What the second user trial of the people register found (issue 15, trial 12: new items 1, 2 and 4;
trial 6 item 5), mended and held on SQLite and PostgreSQL: ``verify`` replays the register's
authority (a register event written by raw SQL by someone who could not record it is a finding);
a key's first day or a revocation's day cannot void an act already signed; a changed public key is
reported as an altered key, not as altered signed events; ``people signing --off`` needs a reason,
recorded and shown."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from cli.main import root
from ledger.trail import make_checkpoint
from ledger.trail.keys import init_key
from ledger.trail.note import Signer
from ledger.trail.service import verify_trail
from tests.integration.test_people import ZGC, _audited, _contracted, _staff
from tests.owner import Owner
from tests.refusals import refused

KEY_RULE = "电子签名法 §13"


def _events_of(owner: Owner, oid) -> list[tuple[int, int, str, bytes]]:
    return [(pos, ver, topic, bytes(state)) for pos, o, ver, topic, state in
            owner.sql("SELECT POS, originator_id, originator_version, topic, state FROM EVENTS ORDER BY POS")
            if str(o).replace("-", "") == oid.hex]


def _insert(owner: Owner, oid, version: int, topic: str, state: bytes) -> None:
    ident = str(oid) if not owner.sqlite else oid.hex
    if owner.sqlite:  # the ledger's SQLite store keeps the id as text (as eventsourcing writes it)
        stored = owner.sql("SELECT originator_id FROM EVENTS LIMIT 1")[0][0]
        ident = str(oid) if "-" in str(stored) else oid.hex
    owner.sql("INSERT INTO EVENTS (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
              (ident, version, topic, state))


def _authority(report):
    return [f for f in report.findings if f.kind == "authority"]


# ------------------------------------------------------------------ new item 1: the register's authority, replayed


def test_verify_reports_a_staff_members_raw_grant_of_administrator_to_themself(app, db_url):
    _staff(app)
    body = Signer.generate("某认证机构")
    make_checkpoint(app, body)
    assert verify_trail(app, body.verifier).ok  # the register written by the ledger: every event by someone who could
    owner = Owner(app, db_url)
    wang = app.find_person("王芳").id
    rows = _events_of(owner, wang)
    granted = next(r for r in rows if r[2].endswith("Person.RolesGranted"))
    state = granted[3].replace("张伟".encode(), "王芳".encode())
    for old in (b'"auditor"', b'"lead_auditor"'):
        state = state.replace(old, b'"administrator"', 1) if old == b'"auditor"' else state.replace(old, b'"decider"', 1)
    _insert(owner, wang, rows[-1][1] + 1, granted[2], state)  # as 王芳's own login would (psql, trial 12)
    report = verify_trail(app, body.verifier)
    found = _authority(report)
    assert len(found) == 1 and not report.ok and report.altered
    f = found[0]
    assert f.version == rows[-1][1] + 1 and f.client == str(wang)
    assert "王芳" in f.message_zh and "RolesGranted" in f.message_en and "recorded by 王芳" in f.message_en
    assert "administrator" in f.message_en  # the rule: the register is written by an administrator
    r = CliRunner().invoke(root, ["--db", db_url, "verify", "--public-key", body.verifier.encode()])
    assert r.exit_code == 1 and "Traceback" not in r.output and "由 王芳 记录" in r.stderr


def test_verify_reports_a_register_event_by_an_unregistered_actor_and_keeps_own_keys(app, db_url, tmp_path):
    _staff(app)
    body = Signer.generate("某认证机构")
    # a person's own key is their own act: no finding
    files = init_key(tmp_path / "li.key", "李强")
    app.add_person_key(person="李强", public_key=str(files.public), actor="李强", on=date(2026, 1, 6))
    make_checkpoint(app, body)
    owner = Owner(app, db_url)
    sun = app.find_person("孙丽").id
    rows = _events_of(owner, sun)
    training = next(r for r in _events_of(owner, app.find_person("王芳").id) if r[2].endswith("Person.TrainingRecorded"))
    state = training[3].replace("张伟".encode(), "外人".encode())
    _insert(owner, sun, rows[-1][1] + 1, training[2], state)
    report = verify_trail(app, body.verifier)
    found = _authority(report)
    assert len(found) == 1 and "外人" in found[0].message_zh and "not in the body's register" in found[0].message_en


# ------------------------------------------------------------------ new item 2: no voiding of signed acts afterwards


@pytest.fixture
def signed(app, tmp_path):
    _staff(app)
    zhao = init_key(tmp_path / "zhao.key", "赵敏")
    kid = app.add_person_key(person="赵敏", public_key=str(zhao.public), actor="张伟", on=date(2026, 1, 5))["id"]
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="赵敏", on=date(2026, 3, 20), sign_key=str(zhao.private))
    return {"kid": kid, "zhao": zhao, "tmp": tmp_path}


def test_a_signer_cannot_void_their_signed_decision_by_a_backdated_key_or_revocation(app, signed):
    new = init_key(signed["tmp"] / "zhao2.key", "赵敏")
    e = refused(app, lambda: app.add_person_key(person="赵敏", public_key=str(new.public), valid_from=date(2026, 3, 20),
                                                actor="赵敏", on=date(2026, 3, 21)), KEY_RULE)
    assert "2026-03-20" in e.message_en and "after the fact" in e.message_en
    e = refused(app, lambda: app.revoke_person_key(person="赵敏", key_id=signed["kid"], reason="x", revoked_on=date(2025, 12, 10),
                                                   actor="赵敏", on=date(2026, 3, 21)), KEY_RULE)
    assert "2026-03-20" in e.message_zh
    # after the latest signed act: accepted, and the signature still verifies
    app.add_person_key(person="赵敏", public_key=str(new.public), valid_from=date(2026, 3, 21), actor="赵敏", on=date(2026, 3, 21))
    app.revoke_person_key(person="赵敏", key_id=signed["kid"], reason="轮换", revoked_on=date(2026, 3, 22), actor="赵敏",
                          on=date(2026, 3, 22))
    from ledger.signing_verify import check_signatures

    assert check_signatures(app).findings == []


# ------------------------------------------------------------------ trial 6 item 5: an altered key is named as such


def test_a_changed_public_key_is_reported_as_the_altered_key(app, db_url, signed):
    import base64

    owner = Owner(app, db_url)
    zhao = app.find_person("赵敏").id
    added = next(r for r in _events_of(owner, zhao) if r[2].endswith("Person.KeyAdded"))
    other = init_key(signed["tmp"] / "other.key", "x")
    from ledger.signing import read_public_key

    old_b64 = app.find_person("赵敏").keys[0]["public_key"]
    new_b64 = base64.b64encode(read_public_key(str(other.public))).decode()
    owner.drop_triggers()
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (added[3].replace(old_b64.encode(), new_b64.encode()), added[0]))
    from ledger.bootstrap import bootstrap
    from ledger.signing_verify import check_signatures

    fresh = bootstrap(db_url)  # a new process: the register read from the stored events
    try:
        found = check_signatures(fresh).findings
    finally:
        fresh.close()
    assert len(found) == 1
    assert f"the registered key {signed['kid']} was altered" in found[0].message_en and "altered after signing" not in found[0].message_en
    assert f"登记的密钥 {signed['kid']} 被改动" in found[0].message_zh


# ------------------------------------------------------------------ new item 4: signing off needs a reason


def test_signing_off_needs_a_reason_recorded_and_shown(app, db_url):
    _staff(app)
    app.set_signing_policy(required_from=date(2026, 3, 1), actor="张伟", on=date(2026, 3, 1))
    for blank in (None, "  "):
        e = refused(app, lambda r=blank: app.set_signing_policy(off=True, reason=r, actor="张伟", on=date(2026, 3, 2)), KEY_RULE)
        assert "--reason" in e.message_en
    out = app.set_signing_policy(off=True, reason="系统维护", actor="张伟", on=date(2026, 3, 2))
    assert out["reason"] == "系统维护"
    history = app.find_person("张伟").signing_history
    assert [x["reason"] for x in history] == ["", "系统维护"] and history[1]["required_from"] is None
    r = CliRunner().invoke(root, ["--db", db_url, "people", "show", "张伟"])
    assert r.exit_code == 0 and "停止要求签名（理由：系统维护）" in r.output and "自 2026-03-01 起要求签名" in r.output
    r = CliRunner().invoke(root, ["--db", db_url, "people", "signing", "--off", "--actor", "张伟"])
    assert r.exit_code == 1 and "Traceback" not in r.output and "--reason" in r.stderr


def test_verify_bundle_names_a_changed_public_key_as_the_altered_key(app, signed):
    import base64
    import json
    import shutil

    from ledger.bundle import export_bundle, layout, verify_bundle
    from ledger.signing import read_public_key
    from ledger.trail.keys import load_signer, load_verifier
    from tests.integration.test_bundle_signers import explain_text

    tmp = signed["tmp"]
    init_key(tmp / "keys" / "signing.key", "test.body")
    make_checkpoint(app, load_signer(tmp / "keys" / "signing.key"))
    verifier = load_verifier(None, tmp / "keys" / "signing.key")
    export_bundle(app, tmp / "b", verifier, [ZGC], explain_text, signer=load_signer(tmp / "keys" / "signing.key"))
    assert verify_bundle(tmp / "b", verifier).ok
    old_b64 = app.find_person("赵敏").keys[0]["public_key"]
    new_b64 = base64.b64encode(read_public_key(str(init_key(tmp / "other.key", "x").public))).decode()
    shutil.copytree(tmp / "b", tmp / "forged")
    lines = (tmp / "forged" / layout.EVENTS).read_bytes().splitlines(keepends=True)
    lines = [x.replace(old_b64.encode(), new_b64.encode()) if json.loads(x)["type"].endswith("Person.KeyAdded") else x for x in lines]
    (tmp / "forged" / layout.EVENTS).write_bytes(b"".join(lines))
    report = verify_bundle(tmp / "forged", verifier)
    found = [p for p in report.problems if p.what == "signature"]
    assert found and f"the registered key {signed['kid']} was altered" in found[0].message_en
    assert not any("altered after signing" in p.message_en for p in found)
