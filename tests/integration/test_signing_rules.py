"""Three signing rules the user trial broke (issue 15, item 4; trial 6, items 3, 6 and 8; D46), on SQLite
and PostgreSQL:

1. the signing requirement cannot be dodged by backdating: an act recorded on or after required_from
   must be signed whatever its --on, refused unsigned at the act and named by verify when its signature
   is deleted; acts genuinely recorded before the requirement stay valid unsigned (ledger/signing_rule.py);
2. the person who records a signed act is its signer: a clerk holding the decider's key is refused, and
   so is a clerk co-signing with a panel member's key;
3. history, explain and the bundle's report check a signature before showing it: a decision altered
   after signing shows "签名无法验证", not the signer's word.
"""

from datetime import date, timedelta

import pytest

from ledger import clock
from ledger.people_actor import RULE as PEOPLE_RULE
from ledger.signing import RULE
from ledger.signing_complete import POLICY, Completeness
from ledger.signing_rule import recorded_day, signature_required
from ledger.signing_verify import check_signatures
from ledger.trail.keys import init_key
from tests.integration.test_people import HZX, ZGC, _audited, _contracted, _staff
from tests.integration.test_signature_panels import _version, panel  # noqa: F401
from tests.owner import Owner
from tests.refusals import refused

DECIDED = "aggregates.client:Client.CertificationDecided"
ACT_SIGNED = "aggregates.client:Client.ActSigned"


@pytest.fixture
def body(app, tmp_path):
    """The staff of test_people (王芳 also administrator), 赵敏's key, ZGC audited by 2026-03-11."""
    _staff(app)
    app.grant_roles(person="王芳", role=["administrator"], actor="张伟", on=date(2026, 1, 5))
    files = init_key(tmp_path / "zhao.key", "zhao")
    app.add_person_key(person="赵敏", public_key=str(files.public), actor="张伟", on=date(2026, 1, 5))
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    return {"zhao": str(files.private)}


# ------------------------------------------------------------------ 1. backdating


def test_a_backdated_act_recorded_after_the_requirement_must_be_signed(app, body, db_url):
    app.set_signing_policy(required_from=date(2026, 3, 15), act=["decide"], actor="王芳", on=date(2026, 3, 15))
    # dated 2026-03-12, before required_from, but recorded today (after it): refused unsigned, nothing written
    e = refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 12)), RULE)
    assert "from 2026-03-15" in e.message_en and "business date 2026-03-12 is before that day" in e.message_en
    assert "--sign-key" in e.message_en and "业务日期 2026-03-12 虽早于该日" in e.message_zh
    # a clerk recording it unsigned is refused the same way
    refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="张伟", on=date(2026, 3, 12)), RULE)

    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 12), sign_key=body["zhao"])
    decided = _version(app, ZGC, "CertificationDecided")
    assert check_signatures(app).findings == []

    # the owner deletes its signature: verify names the backdated act as required and unsigned
    owner = Owner(app, db_url)
    owner.drop_triggers()
    owner.sql("DELETE FROM EVENTS WHERE topic = ?", (ACT_SIGNED,))
    found = check_signatures(app).findings
    assert len(found) == 1, [f.message_en for f in found]
    f = found[0]
    assert f.kind == "signature" and f.client == ZGC and f.version == decided
    assert f"(2026-03-12, recorded {clock.today()}) requires a signature (policy from 2026-03-15) and has none" in f.message_en
    assert f"业务日期 2026-03-12，记录于 {clock.today()}" in f.message_zh


def test_acts_recorded_before_the_requirement_stay_valid_unsigned(app, body):
    # recorded before the policy in the log, though dated after its required_from
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="张伟", on=date(2026, 3, 20))
    app.set_signing_policy(required_from=date(2026, 3, 1), actor="王芳", on=date(2026, 3, 21))
    assert check_signatures(app).findings == []
    # a requirement announced ahead (from a day after today): an act dated and recorded before it goes in unsigned
    app.set_signing_policy(required_from=clock.today() + timedelta(days=10), actor="王芳", on=clock.today())
    app.issue_certificate(client=ZGC, decision="D1", actor="张伟", on=date(2026, 3, 22))
    assert app.client(ZGC).signature_of(_version(app, ZGC, "CertificateIssued")) is None
    assert check_signatures(app).findings == []


def test_the_one_rule_reads_the_day_an_event_was_recorded_in_beijing_time():
    """The verifier's side of the rule on the stored states: an act dated before required_from whose
    timestamp falls before that day (Beijing time) was not required; recorded on it, it was."""
    policy = {"required_from": {"_type_": "date_iso", "_data_": "2026-03-15"}, "acts": []}
    assert recorded_day({"_type_": "datetime_iso", "_data_": "2026-03-14T16:30:00+00:00"}) == date(2026, 3, 15)  # 00:30 in Beijing
    assert recorded_day("2026-03-14T15:59:59+00:00") == date(2026, 3, 14)
    assert signature_required(policy, "decide", date(2026, 3, 1), date(2026, 3, 14)) is None
    assert signature_required(policy, "decide", date(2026, 3, 1), date(2026, 3, 15)) == date(2026, 3, 15)
    assert signature_required(policy, "decide", date(2026, 3, 15), date(2026, 3, 1)) == date(2026, 3, 15)
    assert signature_required({**policy, "acts": ["certificate issue"]}, "decide", date(2026, 4, 1), date(2026, 4, 1)) is None
    assert signature_required({**policy, "required_from": None}, "decide", date(2026, 4, 1), date(2026, 4, 1)) is None
    assert signature_required(None, "decide", date(2026, 4, 1), date(2026, 4, 1)) is None

    def act(version, stamp):
        return {"occurred_on": {"_type_": "date_iso", "_data_": "2026-03-10"}, "timestamp": {"_type_": "datetime_iso", "_data_": stamp}}

    check = Completeness(lambda h: "C")
    check.add(1, "ab" * 16, 1, POLICY, policy)
    check.add(2, "cd" * 16, 5, DECIDED, act(5, "2026-03-14T15:00:00+00:00"))  # recorded 2026-03-14 23:00 in Beijing
    check.add(3, "cd" * 16, 9, DECIDED, act(9, "2026-03-14T16:00:00+00:00"))  # recorded 2026-03-15 00:00 in Beijing
    found = check.findings()
    assert [f.version for f in found] == [9] and "recorded 2026-03-15" in found[0].message_en


def test_a_person_who_left_cannot_sign_a_backdated_act(app, body):
    """A signature is made the day it is recorded: someone who has left cannot sign, even an act dated
    while they were still with the body (the act's own actor check is by its business date, D37)."""
    app.record_leaving(person="赵敏", left_on=date(2026, 3, 31), actor="张伟", on=date(2026, 4, 1))
    with app.session():  # in an import's session the actor check is by business date: the signature's own check refuses
        e = refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20),
                                            sign_key=body["zhao"]), RULE)
    assert "left the body on 2026-03-31" in e.message_en and "cannot sign" in e.message_en
    # outside a session (the command line's single write) the writer check refuses first (trial 12, item 3)
    e = refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20),
                                        sign_key=body["zhao"]), PEOPLE_RULE)
    assert "a write made today" in e.message_en


# ------------------------------------------------------------------ 2. the signer records the act


def test_a_clerk_holding_the_deciders_key_is_refused(app, body):
    e = refused(app, lambda: app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="张伟", on=date(2026, 3, 20),
                                        sign_key=body["zhao"]), RULE)
    assert "张伟 cannot record" in e.message_en and "--actor 赵敏" in e.message_en and "11.200(a)" in e.message_en
    assert "电子签名法 §13 (2)" in e.message_zh and "--actor 赵敏" in e.message_zh
    # the decider records it herself: signed and verified
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    sig = app.client(ZGC).signature_of(_version(app, ZGC, "CertificationDecided"))
    assert sig["signer_name"] == "赵敏"
    assert check_signatures(app).findings == []


def test_a_panel_act_and_its_co_signatures_are_recorded_by_their_signers(app, panel):  # noqa: F811
    decide = {"client": HZX, "appeal": "AL1", "outcome": "dismissed", "result": "维持原决定", "decider": ["孙丽", "周涛"],
              "on": date(2026, 4, 3)}
    e = refused(app, lambda: app.decide_appeal(**decide, actor="张伟", sign_key=panel["sun"]), RULE)
    assert "张伟 cannot record" in e.message_en and "--actor 孙丽" in e.message_en and "certledger sign" in e.message_en
    # a member recording with another member's key is refused too
    e = refused(app, lambda: app.decide_appeal(**decide, actor="周涛", sign_key=panel["sun"]), RULE)
    assert "周涛 cannot record" in e.message_en
    app.decide_appeal(**decide, actor="孙丽", sign_key=panel["sun"])
    v = _version(app, HZX, "AppealDecided")
    # the co-signature: not by a clerk holding 周涛's key; by 周涛
    cosign = {"client": HZX, "act": v, "on": date(2026, 4, 3), "sign_key": panel["zhou"]}
    e = refused(app, lambda: app.cosign_act(**cosign, actor="张伟"), RULE)
    assert "张伟 cannot record" in e.message_en and "--actor 周涛" in e.message_en
    app.cosign_act(**cosign, actor="周涛")
    assert check_signatures(app).findings == []


# ------------------------------------------------------------------ 3. a signature shown is checked


def _tamper_decider(app, db_url, old="赵敏", new="钱七"):
    owner = Owner(app, db_url)
    owner.drop_triggers()
    (position,) = owner.sql("SELECT POS FROM EVENTS WHERE topic = ?", (DECIDED,))[0]
    _, _, _, state = owner.row(position)
    assert old.encode() in state
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (state.replace(old.encode(), new.encode()), position))


def test_history_explain_and_the_report_do_not_present_a_broken_signature(app, body, db_url):
    from ledger.bundle.report import ClientSection
    from ledger.explain_text import render_explanation
    from ledger.history_text import render_history

    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    assert "signed by 赵敏" in render_history(app.history(ZGC), "en")
    assert app.explain(ZGC)["decision"]["signature"]["verified"] is True
    signed_row = next(r for r in app.history(ZGC) if r["type"] == "ActSigned")
    assert signed_row["signature"] == {"valid": True}

    _tamper_decider(app, db_url)  # another decider's name, as with sqlite3 or psql
    rows = app.history(ZGC)
    assert next(r for r in rows if r["type"] == "ActSigned")["signature"]["valid"] is False
    zh, en = render_history(rows, "zh"), render_history(rows, "en")
    decided = _version(app, ZGC, "CertificationDecided")
    lines = zh.splitlines()
    mark_zh = lines[next(i for i, line in enumerate(lines) if line.startswith(f"{decided:>4}  ")) + 1]  # the line under the decision
    assert mark_zh.strip().startswith("签名无法验证：签名后事件被改动（请运行 certledger verify）") and "本人作出认证决定" not in mark_zh
    assert "signature cannot be verified: the events were altered after signing (run certledger verify)" in en
    assert "signed by 赵敏" not in en
    signed_at = next(r for r in rows if r["type"] == "ActSigned")["version"]
    assert en.count("signature cannot be verified") == 2, en  # beside the decision and beside the signature event itself
    assert signed_at > decided
    said = app.explain(ZGC)["decision"]["signature"]
    assert said["signed"] is True and said["verified"] is False and "签名无法验证" in said["zh"]
    assert "签名无法验证" in render_explanation(app.explain(ZGC), "zh")
    section = ClientSection.gather(app, ZGC, [], lambda d: render_explanation(d, "zh"))
    lines = [line for line in section.certificate if line.startswith("签名 · ") and "认证决定" in line]
    assert lines and all("签名无法验证" in line and "授予认证" not in line for line in lines)
    # verify says the same, as the line tells the reader
    assert any("altered after signing" in f.message_en for f in check_signatures(app).findings)


def test_a_signature_whose_signer_left_the_register_is_not_shown_as_valid(app, body, db_url):
    """The signature row itself edited (another key id): shown as unverifiable with verify's reason."""
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 20), sign_key=body["zhao"])
    owner = Owner(app, db_url)
    owner.drop_triggers()
    (position,) = owner.sql("SELECT POS FROM EVENTS WHERE topic = ?", (ACT_SIGNED,))[0]
    _, _, _, state = owner.row(position)
    key_id = app.person("赵敏").keys[0]["key_id"]
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (state.replace(key_id.encode(), b"0" * 16), position))
    from ledger.history_text import render_history

    en = render_history(app.history(ZGC), "en")
    assert "signature cannot be verified: the key 0000000000000000 is not registered to the signer" in en, en
