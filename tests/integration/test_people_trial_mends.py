"""What the user trial of the people register found (issue 15, trial 6: items 4, 7, 9, 14, 15, 16, 18),
mended and held on SQLite and PostgreSQL: training checked at ``audit plan``; competence codes
validated, a second record saying what it replaces, and the 004 check matching a line's code; the
certificate PDF naming the decider and the decision's signer; ``verify`` reporting a person's altered
event instead of stopping; ``people list --role`` when nobody holds the role; the body's checkpoint
key refused as a personal key; one key id from ``people key init`` to ``people key revoke``."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

from click.testing import CliRunner
from pypdf import PdfReader

from cli.main import root
from ledger.documents.certificate import print_certificate
from ledger.trail import make_checkpoint
from ledger.trail.keys import init_key
from ledger.trail.note import Signer
from ledger.trail.service import verify_trail
from tests.integration.test_people import HZX, ZGC, _audited, _contracted, _staff, resident_id
from tests.owner import Owner
from tests.refusals import refused

ON = dict(actor="张伟", on=date(2026, 1, 5))
WU = resident_id("33010619860101003")  # 吴磊: an auditor with a CCAA registration and no training


def _wu(app):
    app.register_person(name="吴磊", number=WU, joined_on=date(2020, 3, 1), **ON)
    app.grant_roles(person="吴磊", role=["auditor", "lead_auditor"], **ON)
    app.record_ccaa(person="吴磊", number="2023-N1QMS-3003", category="auditor", valid_from=date(2025, 1, 1), valid_to=date(2027, 12, 31), **ON)
    app.record_competence(person="吴磊", scheme="hzx-mr0118", code=["51"], **ON)


def _plan(app, uscc, members, start=date(2026, 3, 5)):
    return lambda: app.plan_audit(client=uscc, kind="stage1", member=members, start=start, actor="张伟", on=date(2026, 3, 4))


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))


# ------------------------------------------------------------------ item 7: training at audit plan


def test_an_auditor_untrained_on_the_schemes_standard_is_refused_at_audit_plan(app):
    _staff(app)
    _wu(app)
    _contracted(app, ZGC, "zgc-ru015")
    e = refused(app, _plan(app, ZGC, ["吴磊"]), "001 §3.2")
    assert "people train --person 吴磊 --scheme zgc-ru015" in e.message_en and "2026-03-05" in e.message_zh
    # trained on another scheme only: still refused
    app.record_training(person="吴磊", scheme="hzx-mr0118", hours=Decimal("8"), evidence=["PX-1"], actor="张伟", on=date(2026, 3, 1))
    refused(app, _plan(app, ZGC, ["王芳", "吴磊"]), "001 §3.2")
    # trained on the scheme, but after the audit's first day: refused, saying when
    app.record_training(person="吴磊", scheme="zgc-ru015", hours=Decimal("8"), evidence=["PX-2"], trained_on=date(2026, 3, 6),
                        actor="张伟", on=date(2026, 3, 6))
    e = refused(app, _plan(app, ZGC, ["吴磊"]), "001 §3.2")
    assert "2026-03-06" in e.message_en
    # trained on or before the first day: planned
    assert _plan(app, ZGC, ["吴磊"], start=date(2026, 3, 9))() == "A1"


def test_under_004_the_training_clause_is_004s(app):
    _staff(app)
    _wu(app)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.1"])
    refused(app, _plan(app, HZX, ["吴磊"]), "004 §17.1 c)")
    app.record_training(person="吴磊", scheme="hzx-mr0118", hours=Decimal("8"), evidence=["PX-3"], trained_on=date(2026, 3, 1),
                        actor="张伟", on=date(2026, 3, 1))
    assert _plan(app, HZX, ["吴磊"])() == "A1"


# ------------------------------------------------------------------ item 15: competence codes


def test_competence_codes_are_codes_a_second_record_says_what_it_replaces_and_51_covers_51_1(app):
    _staff(app)
    e = refused(app, lambda: app.record_competence(person="李强", scheme="hzx-mr0118", code=["商业信誉评价"], **ON), "004 §5.1.4 4)")
    assert "29.09" in e.message_en and "商业信誉评价" in e.message_zh
    refused(app, lambda: app.record_competence(person="李强", scheme="hzx-mr0118", code=["51", "5x.1"], **ON), "004 §5.1.4 4)")
    first = app.record_competence(person="李强", scheme="hzx-mr0118", code=["52", "51.2"], **ON)
    assert first == {"id": "hzx-mr0118", "codes": ["52", "51.2"], "replaced": ["51"]}  # _staff recorded 51
    assert app.person("李强").competence == {"hzx-mr0118": ["52", "51.2"]}  # replaced, as the event always meant
    # the documented --code 51 covers a 51.1 line (王芳 holds 51, 李强 no longer does)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.1"])
    assert _plan(app, HZX, ["王芳"])() == "A1"


def test_a_line_starting_with_its_code_is_matched_and_one_without_a_code_says_how_to_declare_it(app):
    _staff(app)
    app.record_competence(person="王芳", scheme="hzx-mr0118", code=["29"], **ON)
    app.submit_application(client=HZX, name="某公司", address="某地", scheme="hzx-mr0118", scope="商业信誉评价：日用百货批发与零售",
                           site=[{"name": "总部", "address": "某地"}], headcount=30, actor="张伟", on=date(2026, 3, 2))
    app.review_application(client=HZX, application="AP1", accept=True, actor="张伟", on=date(2026, 3, 3))
    app.sign_contract(client=HZX, contract_no="K1", actor="张伟", on=date(2026, 3, 4))
    e = refused(app, _plan(app, HZX, ["王芳"]), "004 §5.2.2")  # the scope's one line carries no code
    assert "application lines" in e.message_en and "商业信誉评价：日用百货批发与零售" in e.message_zh
    app.declare_business_lines(client=HZX, application="AP1", line=["29.09 日用百货批发"], actor="张伟", on=date(2026, 3, 4))
    assert _plan(app, HZX, ["王芳"])() == "A1"  # 29 covers 29.09


# ------------------------------------------------------------------ item 16: the certificate PDF


def test_the_certificate_names_its_decider_and_the_decisions_signer(app, tmp_path):
    _staff(app)
    zhao = init_key(tmp_path / "zhao.key", "赵敏")
    kid = app.add_person_key(person="赵敏", public_key=str(zhao.public), **ON)["id"]
    body = Signer.generate("某认证机构")
    for uscc, scheme, lines in ((ZGC, "zgc-ru015", None), (HZX, "hzx-mr0118", ["51.1"])):
        _contracted(app, uscc, scheme, lines=lines)
        _audited(app, uscc, scheme)
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="赵敏", on=date(2026, 3, 20), sign_key=str(zhao.private))
    app.decide(client=HZX, audit="A2", decider="赵敏", reason="符合", actor="张伟", on=date(2026, 3, 20))
    for uscc in (ZGC, HZX):
        app.issue_certificate(client=uscc, decision="D1", actor="张伟", on=date(2026, 3, 21))
    signed, unsigned = tmp_path / "zgc.pdf", tmp_path / "hzx.pdf"
    print_certificate(app, ZGC, out=str(signed), as_of=None, number=None, signer=body, body="某认证机构", actor="张伟")
    print_certificate(app, HZX, out=str(unsigned), as_of=None, number=None, signer=body, body="某认证机构", actor="张伟")
    text = _text(signed)
    assert "认证决定：D1，2026-03-20，决定人赵敏" in text
    sig = app.client(ZGC).signature_of(next(v for v, e in enumerate(app.events.get(app.client(ZGC).id), 1)
                                            if type(e).__name__ == "CertificationDecided"))
    for shown in ("决定签名：赵敏（认证决定人员", f"密钥{kid}", sig["signed_at"], re.sub(r"\s+", "", sig["meaning_zh"])):
        assert shown in text, shown
    text = _text(unsigned)
    assert "决定人赵敏" in text and "决定签名：未签名（无个人签名）" in text


# ------------------------------------------------------------------ item 4: verify over an altered person's event


def test_verify_reports_a_persons_altered_event_and_goes_on(app, db_url, tmp_path):
    _staff(app)
    body = Signer.generate("某认证机构")
    make_checkpoint(app, body)
    owner = Owner(app, db_url)
    wang = app.find_person("王芳").id
    pos = next(p for p, oid, ver in owner.sql("SELECT POS, originator_id, originator_version FROM EVENTS ORDER BY POS")
               if str(oid).replace("-", "") == wang.hex and ver == 3)
    owner.drop_triggers()
    state = owner.row(pos)[3]
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (state[:-7], pos))  # no longer decodes
    report = verify_trail(app, body.verifier)
    people = [f for f in report.findings if f.message_en.startswith("Person ")]
    assert len(people) == 1 and people[0].kind == "malformed" and people[0].version == 3 and people[0].position == pos
    assert "王芳" in people[0].message_zh and "第 3 版" in people[0].message_zh and "altered" in people[0].message_en
    assert "客户" not in people[0].message_zh
    r = CliRunner().invoke(root, ["--db", db_url, "verify", "--public-key", body.verifier.encode()])
    assert r.exit_code == 1 and "Traceback" not in r.output and "请运行 certledger verify" not in r.output
    assert "人员 王芳" in r.stderr and "第 3 版事件" in r.stderr


def test_verify_reports_the_trials_text_edit_with_sqlite3(tmp_path):
    """The trial's exact edit: sqlite3's replace() leaves the state TEXT, which the mapper cannot decode."""
    import sqlite3

    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "l.sqlite")
    app = bootstrap(db)
    _staff(app)
    key = init_key(tmp_path / "sun.key", "孙丽")
    app.add_person_key(person="孙丽", public_key=str(key.public), **ON)
    body = Signer.generate("某认证机构")
    make_checkpoint(app, body)
    app.close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER stored_events_append_only_update")
    conn.execute("UPDATE stored_events SET state = replace(state, 'public_key', 'public_kex') WHERE topic LIKE '%Person.KeyAdded'")
    conn.close()
    r = CliRunner().invoke(root, ["--db", db, "--lang", "en", "verify", "--public-key", body.verifier.encode()])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "Person 孙丽" in r.stderr and "cannot be replayed" in r.stderr and "Run certledger verify" not in r.output


# ------------------------------------------------------------------ item 9: the body's key is no personal key


def test_the_bodys_checkpoint_key_is_refused_as_a_personal_key(app, tmp_path, monkeypatch):
    from ledger.trail.keys import load_signer

    _staff(app)
    body = init_key(tmp_path / "body.key", "certledger")
    make_checkpoint(app, load_signer(str(body.private)))
    # it signed the ledger's checkpoints: refused, nothing written
    e = refused(app, lambda: app.add_person_key(person="孙丽", public_key=str(body.public), **ON), "电子签名法 §13")
    assert "checkpoint key" in e.message_en and "people key init" in e.message_en and "孙丽" in e.message_zh
    # the body's key as configured (CERTLEDGER_KEY), though it signed nothing yet: refused too
    other = init_key(tmp_path / "body2.key", "certledger")
    monkeypatch.setenv("CERTLEDGER_KEY", str(other.private))
    refused(app, lambda: app.add_person_key(person="孙丽", public_key=str(other.public), **ON), "电子签名法 §13")
    # a personal key is accepted
    own = init_key(tmp_path / "sun.key", "孙丽")
    assert app.add_person_key(person="孙丽", public_key=str(own.public), **ON)["name"] == "孙丽"


# ------------------------------------------------------------------ items 14 and 18 on the command line


def test_people_list_by_a_role_nobody_holds_and_one_key_id_from_init_to_revoke(app, db_url, tmp_path):
    _staff(app)
    app.withdraw_roles(person="陈工", role=["technical_expert"], reason="调岗", **ON)

    def run(*args):
        return CliRunner().invoke(root, ["--db", db_url, "--actor", "张伟", *args], catch_exceptions=False)

    r = run("people", "list", "--role", "technical_expert")
    assert r.exit_code == 0 and "没有人具有角色“技术专家”" in r.stdout and "名册为空" not in r.stdout
    r = run("--lang", "en", "people", "list", "--role", "技术专家")
    assert r.exit_code == 0 and "No one holds the role technical expert" in r.stdout
    r = run("people", "list", "--role", "nobody")  # refused as every choice: the rule, the codes with their words
    assert r.exit_code == 1 and "ledger: vocabulary" in r.stderr and "technical_expert（技术专家）" in r.stderr and "Traceback" not in r.output
    assert "王芳" in run("people", "list", "--role", "Lead_Auditor").stdout  # case ignored
    assert "王芳" in run("people", "list", "--role", "组长").stdout  # a part of the word
    assert "王芳" in run("people", "list", "--role", "lead_auditor").stdout
    key = str(tmp_path / "zhao.key")
    r = run("people", "key", "init", "--out", key, "--name", "赵敏")
    shown = re.search(r"密钥编号：([0-9a-f]{16})", r.stdout)
    assert r.exit_code == 0 and shown
    r = run("people", "key", "add", "--person", "赵敏", "--public-key", key + ".pub", "--on", "2026-01-05", "--json")
    assert json.loads(r.stdout)["result"]["id"] == shown.group(1)
    r = run("people", "key", "revoke", "--person", "赵敏", "--key-id", shown.group(1), "--reason", "丢失", "--on", "2026-01-06")
    assert r.exit_code == 0, r.output


def test_a_lines_code_is_the_one_it_starts_with():
    from aggregates.policy.people import code_covers, line_code

    assert [line_code(x) for x in ("51.1", "29.09 日用百货批发", "29：批发", "商业信誉评价", "2024年 经营", "")] == \
        ["51.1", "29.09", "29", None, None, None]
    assert code_covers("29", "29.09 日用百货批发") and code_covers("29.09", "29.09 日用百货批发")
    assert not code_covers("29.1", "29.09 日用百货批发") and not code_covers("2", "29.09 日用百货批发")
    assert code_covers("商业信誉评价", "商业信誉评价")  # a record made before codes were checked still matches its line whole
