"""Complete signatures (issue 15, item 4), on SQLite and PostgreSQL: a panel's act is signed by every
member it names (the first with the act, the others with ``certledger sign``), each co-signing
refusal writes nothing, and ``verify`` names an act the policy required signed that lacks a
signature — still missing a co-signature, or with its ``ActSigned`` row deleted by the table's owner."""

from datetime import date

import pytest

from ledger.signing import RULE
from ledger.signing_verify import check_signatures
from ledger.trail.keys import init_key
from tests.integration.test_people import (
    HZX,
    _audited,
    _contracted,
    _staff,
    resident_id,
)
from tests.owner import Owner
from tests.refusals import refused

ZHOU = resident_id("33010619880808001")  # 周涛, a second case handler


def _key(tmp_path, name):
    files = init_key(tmp_path / f"{name}.key", name)
    return str(files.private), str(files.public)


@pytest.fixture
def panel(app, tmp_path):
    """The staff of test_people and 周涛 (case handlers 孙丽 and 周涛, decider 赵敏, each with a key), a
    client certified by a signed decision, an appeal against it admitted, and the body requiring
    every act signed from 2026-03-01 (set by 王芳, administrator)."""
    _staff(app)
    on = {"actor": "张伟", "on": date(2026, 1, 5)}
    app.register_person(name="周涛", number=ZHOU, joined_on=date(2021, 1, 1), **on)
    app.grant_roles(person="周涛", role=["case_handler"], **on)
    app.grant_roles(person="王芳", role=["administrator"], **on)
    keys = {}
    for name, tag in (("孙丽", "sun"), ("周涛", "zhou"), ("赵敏", "zhao")):
        keys[tag], pub = _key(tmp_path, tag)
        app.add_person_key(person=name, public_key=pub, **on)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    _audited(app, HZX, "hzx-mr0118")
    app.set_signing_policy(required_from=date(2026, 3, 12), act=["decide", "appeal decide"], actor="王芳", on=date(2026, 3, 11))
    app.decide(client=HZX, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 12), sign_key=keys["zhao"])
    app.lodge_appeal(client=HZX, against="D1", grounds="评分偏低", actor="张伟", on=date(2026, 3, 16))
    app.admit_appeal(client=HZX, appeal="AL1", accept=True, decider=["孙丽"], actor="张伟", on=date(2026, 3, 18))
    return keys


def _version(app, uscc, event):
    c = app.client(uscc)
    return next(v for v, e in enumerate(app.events.get(c.id), 1) if type(e).__name__ == event)


def test_every_member_of_an_appeal_panel_signs(app, panel, tmp_path):
    app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持原决定", decider=["孙丽", "周涛"], actor="孙丽",
                      on=date(2026, 4, 3), sign_key=panel["sun"])
    v = _version(app, HZX, "AppealDecided")
    report = check_signatures(app)
    assert report.checked == 2 and len(report.findings) == 1
    f = report.findings[0]
    assert f.kind == "cosign" and f.client == HZX and f.version == v  # awaiting co-signature, not altered (D48c)
    assert "'appeal decide'" in f.message_en and "周涛 has not" in f.message_en and f"sign --client {HZX} --act {v}" in f.message_en
    assert "孙丽 has not" not in f.message_en

    cosign = {"client": HZX, "act": v, "actor": "周涛", "on": date(2026, 4, 3)}
    e = refused(app, lambda: app.cosign_act(**{**cosign, "actor": "孙丽"}, sign_key=panel["sun"]), RULE)
    assert "孙丽 has signed this act" in e.message_en
    e = refused(app, lambda: app.cosign_act(**cosign, sign_key=panel["zhao"]), RULE)
    assert "belongs to 赵敏" in e.message_en and "孙丽" in e.message_en
    e = refused(app, lambda: app.cosign_act(**cosign, sign_key=None), RULE)
    assert "--sign-key" in e.message_en
    e = refused(app, lambda: app.cosign_act(**{**cosign, "act": 1}, sign_key=panel["zhou"]), RULE)
    assert "is not an act that is signed" in e.message_en
    e = refused(app, lambda: app.cosign_act(**{**cosign, "act": _version(app, HZX, "CertificationDecided")}, sign_key=panel["zhou"]), RULE)
    assert "takes no co-signature" in e.message_en
    e = refused(app, lambda: app.cosign_act(**{**cosign, "on": date(2026, 4, 2)}, sign_key=panel["zhou"]), RULE)
    assert "before the act's business date" in e.message_en

    result = app.cosign_act(**cosign, sign_key=panel["zhou"])
    assert result["signer"] == "周涛" and result["missing"] == []
    report = check_signatures(app)
    assert report.checked == 3 and report.findings == []


def test_an_unsigned_act_takes_no_co_signature(app, panel):
    app.set_signing_policy(off=True, reason="试行结束", actor="王芳", on=date(2026, 4, 1))
    app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持原决定", decider=["孙丽", "周涛"], actor="张伟",
                      on=date(2026, 4, 3))
    v = _version(app, HZX, "AppealDecided")
    e = refused(app, lambda: app.cosign_act(client=HZX, act=v, actor="张伟", on=date(2026, 4, 3), sign_key=panel["zhou"]), RULE)
    assert "carries no signature" in e.message_en
    assert check_signatures(app).findings == []  # not required when it was recorded


@pytest.mark.parametrize("reseal", [False, True])
def test_verify_names_a_required_signature_deleted_by_the_owner(app, panel, db_url, tmp_path, reseal):
    """The owner deletes the decision's ActSigned row; with ``reseal`` also every stored checkpoint and
    leaf (what they can re-seal: nothing signed is left to compare with). Either way ``verify`` names
    the act that lost its required signature."""
    from ledger.trail import make_checkpoint, verify_trail
    from ledger.trail.keys import load_signer, load_verifier

    key = tmp_path / "keys" / "signing.key"
    init_key(key, "test.body")
    make_checkpoint(app, load_signer(key))
    decided = _version(app, HZX, "CertificationDecided")
    assert check_signatures(app).findings == []
    owner = Owner(app, db_url)
    owner.drop_triggers()
    owner.sql("DELETE FROM EVENTS WHERE topic = ?", ("aggregates.client:Client.ActSigned",))
    if reseal:
        for table in ("trail_attestations", "trail_checkpoints", "trail_leaves", "trail_heads"):
            owner.unprotect(table)
            owner.sql(f"DELETE FROM {owner.trail(table)}")
    found = [f for f in verify_trail(app, load_verifier(None, key)).findings if f.kind == "signature"]
    assert len(found) == 1
    f = found[0]
    assert f.client == HZX and f.version == decided
    assert f"The act 'decide' on client {HZX} at version {decided}" in f.message_en
    assert "requires a signature (policy from 2026-03-12) and has none" in f.message_en
    assert "须有签名人的个人签名" in f.message_zh


def test_acts_before_the_policy_or_outside_its_list_need_no_signature(app, panel):
    # certificate issue is not in the policy's list; the decision dated before required_from was not required
    app.issue_certificate(client=HZX, decision="D1", actor="赵敏", on=date(2026, 3, 13))
    assert check_signatures(app).findings == []


def test_an_import_decides_and_co_signs_in_one_file(app, panel):
    """The JSON Lines import takes ``sign`` lines: the panel's second member co-signs an act recorded
    earlier in the same file (not yet saved when the line runs); a co-signature by a non-member is
    refused by line and writes nothing."""
    import json

    from ledger.importer import run_import

    act = app.client(HZX).version + 1  # the AppealDecided the first line records
    lines = [json.dumps(x, ensure_ascii=False).encode() for x in (
        {"command": "appeal decide", "client": HZX, "appeal": "AL1", "outcome": "dismissed", "result": "维持原决定",
         "decider": ["孙丽", "周涛"], "on": "2026-04-03", "sign_key": panel["sun"], "actor": "孙丽"},
        {"command": "sign", "client": HZX, "act": act, "on": "2026-04-03", "sign_key": panel["zhao"]},
        {"command": "sign", "client": HZX, "act": act, "on": "2026-04-03", "sign_key": panel["zhou"], "actor": "周涛"},
    )]
    report = run_import(app, lines, actor="张伟")
    assert report.written == 2 and [x.line for x in report.errors] == [2]
    assert _version(app, HZX, "AppealDecided") == act
    report = check_signatures(app)
    assert report.checked == 3 and report.findings == []
