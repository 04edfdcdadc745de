"""Personal signatures on the command line (issue 15, item 4): ``people key init|add|revoke``,
``people signing``, ``decide --sign-key`` (and CERTLEDGER_SIGN_KEY), who signed in ``history`` and
``explain`` (unsigned acts shown as such), ``verify`` and ``verify-bundle`` checking every signature,
a decision altered in the SQLite file after signing reported as a broken signature naming the act,
and refusals with exit 1, the clause, no traceback and nothing written."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from click.testing import CliRunner

from cli.main import root
from tests.integration.test_people import ZGC, _audited, _contracted, _staff


def _ledger(tmp_path):
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    _staff(app)
    app.grant_roles(person="王芳", role=["administrator"], actor="张伟", on=date(2026, 1, 5))
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    app.close()
    return db


def _count(db):
    from ledger.bootstrap import bootstrap

    app = bootstrap(db)
    try:
        return app.event_count()
    finally:
        app.close()


def test_sign_show_verify_and_detect_an_altered_decision(tmp_path, monkeypatch):
    db = _ledger(tmp_path)

    def run(*args, env=None):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False, env=env)

    key = str(tmp_path / "zhao.key")
    r = run("people", "key", "init", "--out", key, "--name", "赵敏")
    assert r.exit_code == 0 and "zhao.key.pub" in r.stdout
    r = run("people", "key", "add", "--person", "赵敏", "--public-key", key + ".pub", "--on", "2026-01-05", "--json")
    assert r.exit_code == 0, r.stderr
    key_id = json.loads(r.stdout)["result"]["id"]

    # the body requires signed decisions from 2026-03-01: unsigned, refused naming --sign-key; nothing written
    assert run("people", "signing", "--required-from", "2026-03-01", "--act", "decide", "--actor", "王芳", "--on", "2026-03-01").exit_code == 0
    before = _count(db)
    r = run("decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20", "--lang", "en")
    assert r.exit_code == 1 and "--sign-key" in r.stderr and "电子签名法 §13" in r.stderr and "Traceback" not in r.stderr
    assert _count(db) == before
    # a key file that is not the decider's: refused with the clause
    other = str(tmp_path / "other.key")
    assert run("people", "key", "init", "--out", other).exit_code == 0
    r = run("decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20", "--sign-key", other)
    assert r.exit_code == 1 and "未在人员名册中登记" in r.stderr and "Traceback" not in r.stderr
    assert _count(db) == before

    # signed with the key named by CERTLEDGER_SIGN_KEY
    r = run("decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20",
            "--actor", "赵敏", env={"CERTLEDGER_SIGN_KEY": key})
    assert r.exit_code == 0, r.stderr
    # issued unsigned (the policy lists decisions only): shown as unsigned
    assert run("certificate", "issue", "--client", ZGC, "--decision", "D1", "--on", "2026-03-21").exit_code == 0
    hist = run("history", ZGC, "--no-pager", "--full").stdout
    assert f"赵敏（认证决定人员，密钥 {key_id}" in hist and "本人作出认证决定：授予认证。" in hist and "未签名（无个人签名）" in hist
    hist_en = run("history", ZGC, "--no-pager", "--lang", "en").stdout
    assert "signed by 赵敏 (certification decider" in hist_en and "I decide to grant certification." in hist_en
    assert "unsigned" in hist_en  # the stage 1 audit's completion, the certificate
    assert "I decide to grant certification." in run("explain", ZGC, "--lang", "en").stdout

    # verify: the trail and the signature; then the bundle offline
    body_key = str(tmp_path / "body.key")
    assert run("keys", "init", "--key", body_key).exit_code == 0
    assert run("checkpoint", "--key", body_key).exit_code == 0, "checkpoint"
    r = run("verify", "--key", body_key)
    assert r.exit_code == 0, r.stderr
    out = tmp_path / "bundle"
    r = run("export", ZGC, "--out", str(out), "--key", body_key)
    assert r.exit_code == 0, r.stderr
    assert (out / "signers.json").is_file()
    r = run("verify-bundle", str(out), "--public-key", body_key + ".pub", "--json")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["signatures_checked"] == 1

    # a decision altered in the database after signing (another decider's name): verify names a broken signature
    conn = sqlite3.connect(db)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    rowid, state = conn.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Client.CertificationDecided'").fetchone()
    conn.execute("UPDATE stored_events SET state=? WHERE rowid=?", (bytes(state).replace("赵敏".encode(), "钱七".encode()), rowid))
    conn.commit()
    conn.close()
    r = run("verify", "--key", body_key, "--lang", "en")
    assert r.exit_code == 1 and "The signature of 'decide'" in r.stderr and "altered after signing" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_a_bundle_whose_signed_decision_was_changed_fails_verify_bundle(tmp_path):
    """A tamperer who changes the decision's grade in events.jsonl and reseals the manifest: the
    Merkle proof fails, and so does the decider's signature."""
    from ledger.bundle import layout
    from tests.bundles import reseal

    db = _ledger(tmp_path)

    def run(*args):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False)

    key = str(tmp_path / "zhao.key")
    assert run("people", "key", "init", "--out", key).exit_code == 0
    assert run("people", "key", "add", "--person", "赵敏", "--public-key", key + ".pub", "--on", "2026-01-05").exit_code == 0
    assert run("decide", "--client", ZGC, "--audit", "A2", "--decider", "赵敏", "--reason", "符合", "--on", "2026-03-20",
               "--sign-key", key, "--actor", "赵敏").exit_code == 0
    body_key = str(tmp_path / "body.key")
    assert run("keys", "init", "--key", body_key).exit_code == 0
    assert run("checkpoint", "--key", body_key).exit_code == 0
    out = tmp_path / "bundle"
    assert run("export", ZGC, "--out", str(out), "--key", body_key).exit_code == 0
    lines = (out / layout.EVENTS).read_bytes().split(b"\n")
    i = next(n for n, line in enumerate(lines) if b"CertificationDecided" in line)
    obj = json.loads(lines[i])
    state = json.loads(obj["state"])
    state["grade"] = "AAA" if state.get("grade") != "AAA" else "A"
    obj["state"] = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    lines[i] = layout.canonical(obj)[:-1]
    (out / layout.EVENTS).write_bytes(b"\n".join(lines))
    reseal(out)
    r = run("verify-bundle", str(out), "--public-key", body_key + ".pub", "--lang", "en")
    assert r.exit_code == 1 and "The signature of 'decide'" in r.stderr and "Traceback" not in r.stderr, r.stderr
