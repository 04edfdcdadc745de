"""The words users read in the people, keys and signing commands (issue 15, trial items 10-12): every
echo in Chinese by default and English with --lang en (no codes such as "revoked_on", "None" or
"auditor" in Chinese); refusals that give the right advice (the personal key's options, not the
checkpoint key's; an appeal's state in words with the command that comes next); a declared conflict
refused before a missing signature; suggested commands that can be pasted (names with spaces quoted)."""

from __future__ import annotations

import json
import shlex
from datetime import date

from click.testing import CliRunner

from cli.main import root
from tests.integration.test_people import ZGC, _audited, _contracted, _staff

SMITH = "P1234567"  # John Smith's passport


def _ledger(tmp_path, *, audited: bool = True) -> str:
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    _staff(app)
    if audited:
        _contracted(app, ZGC, "zgc-ru015")
        _audited(app, ZGC, "zgc-ru015")
    app.close()
    return db


def _count(db: str) -> int:
    from ledger.bootstrap import bootstrap

    app = bootstrap(db)
    try:
        return app.event_count()
    finally:
        app.close()


def _runner(db: str):
    def run(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False, env=env)

    return run


def _refused(run, db: str, *args: str, env: dict[str, str] | None = None):
    """Run a command that must be refused: exit 1, no traceback, nothing written; returns its stderr."""
    before = _count(db)
    r = run(*args, env=env)
    assert r.exit_code == 1, (r.exit_code, r.stdout, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr
    assert _count(db) == before
    return r.stderr


def test_people_and_signing_echoes_read_in_words(tmp_path):
    db = _ledger(tmp_path, audited=False)
    run = _runner(db)
    r = run("people", "register", "--name", "John Smith", "--number", SMITH, "--document", "passport", "--on", "2026-01-05")
    assert r.exit_code == 0 and "名称" not in r.stdout  # the head names the person; no second "名称：John Smith"
    r = run("people", "grant", "--person", "John Smith", "--role", "auditor", "--role", "decider", "--on", "2026-01-05")
    assert r.exit_code == 0 and "角色已授予：John Smith → 审核员、认证决定人员" in r.stdout
    assert "auditor" not in r.stdout and "decider" not in r.stdout
    r = run("people", "withdraw-role", "--person", "John Smith", "--role", "decider", "--reason", "调岗", "--on", "2026-01-06", "--lang", "en")
    assert r.exit_code == 0 and "Roles withdrawn: John Smith → certification decider" in r.stdout

    key = str(tmp_path / "zhao.key")
    assert run("people", "key", "init", "--out", key, "--name", "赵敏").exit_code == 0
    r = run("people", "key", "add", "--person", "赵敏", "--public-key", key + ".pub", "--on", "2026-01-05", "--json")
    kid = json.loads(r.stdout)["result"]["id"]
    r = run("people", "key", "revoke", "--person", "赵敏", "--key-id", kid, "--reason", "遗失", "--on", "2026-01-07")
    assert r.exit_code == 0 and f"签名密钥已吊销：赵敏 → {kid}" in r.stdout and "吊销日期：2026-01-07" in r.stdout
    assert "revoked_on" not in r.stdout
    r = run("people", "show", "赵敏", "--lang", "en")
    assert f"Signing key: {kid}  from 2026-01-05  revoked from 2026-01-07" in r.stdout

    r = run("people", "signing", "--required-from", "2026-03-01", "--act", "decide", "--act", "certificate issue", "--on", "2026-03-01")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == ["签名要求已记录", "  要求个人签名：是", "  自此日起须签名：2026-03-01", "  须签名的行为：认证决定、颁发证书"]
    for code in ("None", "required_from", "acts", "decide", "certificate issue"):
        assert code not in r.stdout, code
    r = run("people", "signing", "--off", "--reason", "trial over", "--on", "2026-03-02", "--lang", "en")
    assert r.exit_code == 0 and r.stdout.splitlines() == ["Signing requirement recorded", "  signatures required: no", "  reason: trial over"]
    r = run("people", "signing", "--required-from", "2026-03-03", "--act", "complaint admit", "--on", "2026-03-03", "--lang", "en")
    assert "acts to be signed: complaint admission" in r.stdout and "None" not in r.stdout
    # JSON keeps the codes for programs
    r = run("people", "signing", "--required-from", "2026-03-04", "--act", "decide", "--on", "2026-03-04", "--json")
    assert json.loads(r.stdout)["result"]["acts"] == ["decide"]


def test_key_refusals_give_the_personal_keys_advice(tmp_path):
    db = _ledger(tmp_path)
    run = _runner(db)
    missing = str(tmp_path / "nonexist.key")
    err = _refused(run, db, "decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20",
                   "--sign-key", missing)
    assert "people key init" in err and "--sign-key" in err and "CERTLEDGER_SIGN_KEY" in err
    assert "keys init" not in err.replace("people key init", "") and "--key " not in err and "CERTLEDGER_KEY" not in err
    err = _refused(run, db, "decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20",
                   "--lang", "en", env={"CERTLEDGER_SIGN_KEY": missing})
    assert "people key init" in err and "--sign-key" in err and "checkpoint" not in err

    key = tmp_path / "zhao.key"
    assert run("people", "key", "init", "--out", str(key)).exit_code == 0
    before = key.read_bytes(), (tmp_path / "zhao.key.pub").read_bytes()
    for existing in (str(key), str(tmp_path / "other.key")):
        if existing.endswith("other.key"):  # only the .pub is there: refused as well
            (tmp_path / "other.key.pub").write_text("x\n")
        r = run("people", "key", "init", "--out", existing)
        assert r.exit_code == 1 and "Traceback" not in r.stderr
        assert "检查点" not in r.stderr and "--key" not in r.stderr and "--out" in r.stderr and "people key add" in r.stderr, r.stderr
    assert (key.read_bytes(), (tmp_path / "zhao.key.pub").read_bytes()) == before and not (tmp_path / "other.key").exists()
    r = run("people", "key", "init", "--out", str(key), "--lang", "en")
    assert r.exit_code == 1 and "checkpoint" not in r.stderr and "already exists" in r.stderr


def test_a_declared_conflict_is_refused_before_a_missing_or_wrong_signature(tmp_path):
    db = _ledger(tmp_path)
    run = _runner(db)
    assert run("people", "register", "--name", "John Smith", "--number", SMITH, "--document", "passport", "--on", "2026-01-05").exit_code == 0
    assert run("people", "grant", "--person", "John Smith", "--role", "decider", "--on", "2026-01-05").exit_code == 0
    assert run("people", "declare", "--person", "John Smith", "--client", ZGC, "--kind", "financial", "--detail", "持股",
               "--on", "2026-03-01").exit_code == 0
    assert run("people", "signing", "--required-from", "2026-03-01", "--on", "2026-03-01").exit_code == 0
    decide = ("decide", "--client", ZGC, "--audit", "A2", "--decider", "John Smith", "--reason", "符合", "--on", "2026-03-20")

    # unsigned: the conflict first (004 §4.2 d) 5)), not the signature
    err = _refused(run, db, *decide)
    assert "004 §4.2 d) 5)" in err and "电子签名法" not in err
    # the fix it suggests pastes into a shell as it is: the name quoted
    hint = err.split("请更新：", 1)[1].split("。", 1)[0]
    assert hint == f"people declare --person 'John Smith' --client {ZGC} --kind none"
    assert shlex.split(hint)[:3] == ["people", "declare", "--person"] and shlex.split(hint)[3] == "John Smith"
    # with a key that is not his: still the conflict first
    other = str(tmp_path / "other.key")
    assert run("people", "key", "init", "--out", other).exit_code == 0
    err = _refused(run, db, *decide, "--sign-key", other, "--lang", "en")
    assert "004 §4.2 d) 5)" in err and "not registered" not in err and "people declare --person 'John Smith'" in err
    # a missing key file: the conflict first as well
    err = _refused(run, db, *decide, "--sign-key", str(tmp_path / "none.key"))
    assert "004 §4.2 d) 5)" in err and "找不到签名私钥" not in err

    # the client's own checks come first too (a decision on an audit that does not exist)
    err = _refused(run, db, "decide", "--client", ZGC, "--audit", "A9", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20")
    assert "A9" in err and "电子签名法" not in err
    # a decider with no conflict, unsigned: the signature refusal, its act in words
    err = _refused(run, db, "decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20")
    assert "要求认证决定（decide）由签名人以个人密钥签名" in err and "--sign-key" in err
    # the pasted hint works: the declaration made current, then the act goes on to the signature
    args = shlex.split(hint)
    assert run(*args, "--on", "2026-03-02").exit_code == 0
    err = _refused(run, db, *decide)
    assert "电子签名法" in err and "004 §4.2" not in err


def test_the_refused_act_leaves_a_session_clean(tmp_path):
    """The act's checks run on a copy of the client when the signature is refused: in an import session
    (clients kept in memory) the refused line leaves nothing behind, and the next line sees the client
    as it was."""
    from ledger.bootstrap import bootstrap

    db = _ledger(tmp_path)
    app = bootstrap(db)
    app.set_signing_policy(required_from=date(2026, 3, 1), act=["decide"], actor="张伟", on=date(2026, 3, 1))
    app.close()
    lines = tmp_path / "lines.jsonl"
    lines.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"command": "decide", "client": ZGC, "audit": "A2", "decider": "赵敏", "reason": "符合", "on": "2026-03-20", "actor": "张伟"},
        {"command": "complaint receive", "client": ZGC, "complainant": "某消费者", "subject": "服务质量", "on": "2026-03-21", "actor": "张伟"},
    )) + "\n")
    before = _count(db)
    r = CliRunner().invoke(root, ["--db", db, "--actor", "张伟", "import", str(lines)], catch_exceptions=False)
    assert r.exit_code == 1 and "Traceback" not in r.output and ":1:" in r.output and "电子签名法" in r.output, r.output
    app = bootstrap(db)
    try:  # the second line only: the complaint, and no decision carried along with it
        client = app.client(ZGC)
        assert app.event_count() == before + 1 and list(client.complaints) == ["C1"] and not client.decisions
    finally:
        app.close()


def test_an_appeals_state_is_said_in_words_with_the_next_command(tmp_path):
    db = _ledger(tmp_path)
    run = _runner(db)
    assert run("decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20").exit_code == 0
    assert run("appeal", "lodge", "--client", ZGC, "--against", "D1", "--grounds", "不服", "--on", "2026-03-25").exit_code == 0
    decide = ("appeal", "decide", "--client", ZGC, "--appeal", "AL1", "--outcome", "dismissed", "--result", "维持", "--decider", "孙丽",
              "--on", "2026-03-26")
    err = _refused(run, db, *decide)
    assert "申诉 AL1 尚未作出受理决定" in err and f"certledger appeal admit --client {ZGC} --appeal AL1 --accept" in err
    assert "lodged" not in err and "状态为" not in err
    err = _refused(run, db, *decide, "--lang", "en")
    assert "Appeal AL1 has no admission decision yet" in err and "appeal admit" in err
    err = _refused(run, db, "appeal", "extend", "--client", ZGC, "--appeal", "AL1", "--until", "2026-06-30", "--approved-by", "张伟",
                   "--reason", "x", "--on", "2026-03-26")
    assert "尚未作出受理决定" in err and "lodged" not in err
    # the involvement refusal names what to do (王芳 led the audit D1 rests on)
    assert run("people", "grant", "--person", "王芳", "--role", "case_handler", "--on", "2026-03-26").exit_code == 0
    err = _refused(run, db, "appeal", "admit", "--client", ZGC, "--appeal", "AL1", "--refuse", "--reason", "无新证据",
                   "--decider", "王芳", "--on", "2026-03-26")
    assert "参与了被申诉的决定 D1" in err and "请以 --decider 另选" in err
    assert run("appeal", "admit", "--client", ZGC, "--appeal", "AL1", "--refuse", "--reason", "无新证据", "--decider", "孙丽",
               "--on", "2026-03-26").exit_code == 0
    err = _refused(run, db, "appeal", "hear", "--client", ZGC, "--appeal", "AL1", "--hearing-on", "2026-04-03", "--notice-on",
                   "2026-04-01", "--panel", "孙丽", "--on", "2026-04-03")
    assert "申诉 AL1 已不予受理，申诉处理已结束" in err and "refused" not in err


def test_verify_says_an_unreadable_event_in_the_reports_language(app, db_url):
    """A stored state whose recorded time was edited away (with psql or sqlite3): ``verify`` in Chinese
    says why the event cannot be encoded in Chinese, in English with --lang en (trial item 12: the
    English fragment in a Chinese report on PostgreSQL)."""
    from ledger.trail import make_checkpoint
    from ledger.trail.note import Signer
    from tests.owner import Owner

    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    body = Signer.generate("某认证机构")
    make_checkpoint(app, body)
    owner = Owner(app, db_url)
    pos, state = next((p, bytes(s)) for p, t, s in owner.sql("SELECT POS, topic, state FROM EVENTS ORDER BY POS")
                      if t.endswith("ContractSigned"))
    owner.drop_triggers()
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (state.replace(b'"timestamp"', b'"timestamq"', 1), pos))
    r = CliRunner().invoke(root, ["--db", db_url, "verify", "--public-key", body.verifier.encode()])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"位置 {pos} 的事件无法编码：存储的事件内容中没有记录时间（timestamp._data_）" in r.stderr, r.stderr
    assert "the stored state" not in r.stderr and "recorded time" not in r.stderr
    r = CliRunner().invoke(root, ["--db", db_url, "verify", "--public-key", body.verifier.encode(), "--lang", "en"])
    assert r.exit_code == 1 and f"The event at position {pos} cannot be encoded: the stored state has no recorded time" in r.stderr


def test_history_says_the_signed_act_in_words(tmp_path):
    db = _ledger(tmp_path)
    run = _runner(db)
    key = str(tmp_path / "zhao.key")
    assert run("people", "key", "init", "--out", key).exit_code == 0
    assert run("people", "key", "add", "--person", "赵敏", "--public-key", key + ".pub", "--on", "2026-01-05").exit_code == 0
    r = run("decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20",
            "--sign-key", key, "--actor", "赵敏")
    assert r.exit_code == 0, r.stderr
    hist = run("history", ZGC, "--no-pager", "--full").stdout
    line = next(x for x in hist.splitlines() if "个人签名" in x and "所签事件" in x)
    assert "所签行为：认证决定；" in line and "签名人身份：认证决定人员" in line and "命令：" not in line and "组内身份" not in line
    hist = run("history", ZGC, "--no-pager", "--full", "--lang", "en").stdout
    assert "act signed: certification decision;" in hist and "signer's role: certification decider" in hist
