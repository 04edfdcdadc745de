"""A panel co-signs on the command line (issue 15, item 4): ``appeal decide --sign-key`` by one member,
``certledger sign`` by the other with their own key, ``history`` showing both signatures, refusals
with exit 1, the clause, no traceback and nothing written, and ``verify`` naming the act whose
required signature the table's owner deleted with ``sqlite3``."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from click.testing import CliRunner

from cli.main import root
from tests.e2e.test_signatures_cli import _count
from tests.integration.test_people import HZX, _audited, _contracted, _staff
from tests.integration.test_signature_panels import ZHOU


def _ledger(tmp_path):
    from ledger.bootstrap import bootstrap
    from ledger.trail.keys import init_key

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    on = {"actor": "张伟", "on": date(2026, 1, 5)}
    _staff(app)
    app.register_person(name="周涛", number=ZHOU, joined_on=date(2021, 1, 1), **on)
    app.grant_roles(person="周涛", role=["case_handler"], **on)
    app.grant_roles(person="王芳", role=["administrator"], **on)
    keys = {}
    for name, tag in (("孙丽", "sun"), ("周涛", "zhou"), ("赵敏", "zhao")):
        files = init_key(tmp_path / f"{tag}.key", tag)
        app.add_person_key(person=name, public_key=str(files.public), **on)
        keys[tag] = str(files.private)
    _contracted(app, HZX, "hzx-mr0118", lines=["51.2"])
    _audited(app, HZX, "hzx-mr0118")
    app.set_signing_policy(required_from=date(2026, 3, 12), actor="王芳", on=date(2026, 3, 11))
    app.decide(client=HZX, audit="A2", decider="赵敏", reason="r", actor="赵敏", on=date(2026, 3, 12), sign_key=keys["zhao"])
    app.lodge_appeal(client=HZX, against="D1", grounds="评分偏低", actor="张伟", on=date(2026, 3, 16))
    app.admit_appeal(client=HZX, appeal="AL1", accept=True, actor="张伟", on=date(2026, 3, 18))
    app.close()
    return db, keys


def test_a_panel_signs_on_the_command_line_and_verify_names_a_deleted_signature(tmp_path):
    db, keys = _ledger(tmp_path)

    def run(*args, actor="张伟"):
        return CliRunner().invoke(root, ["--db", db, "--actor", actor, "--lang", "en", *args], catch_exceptions=False)

    r = run("appeal", "decide", "--client", HZX, "--appeal", "AL1", "--outcome", "dismissed", "--result", "维持原决定",
            "--decider", "孙丽", "--decider", "周涛", "--on", "2026-04-03", "--sign-key", keys["sun"], "--json", actor="孙丽")
    assert r.exit_code == 0, r.stderr
    history = json.loads(run("history", HZX, "--json").stdout)
    rows = history["events"] if isinstance(history, dict) else history
    act = next(e["version"] for e in rows if e["type"] == "AppealDecided")

    body_key = str(tmp_path / "body.key")
    assert run("keys", "init", "--key", body_key).exit_code == 0
    assert run("checkpoint", "--key", body_key).exit_code == 0
    r = run("verify", "--key", body_key)
    assert r.exit_code == 0 and "周涛 has not" in r.stdout + r.stderr and f"sign --client {HZX} --act {act}" in r.stdout + r.stderr
    assert "Awaiting co-signature: 1" in r.stdout and "altered" not in r.stdout + r.stderr  # work in progress (D48c)

    before = _count(db)
    for key, words, actor in ((keys["zhao"], "belongs to 赵敏", "周涛"), (keys["sun"], "孙丽 has signed this act", "孙丽"),
                              (keys["zhou"], "cannot record", "张伟")):  # a clerk cannot co-sign with 周涛's key (D46)
        r = run("sign", "--client", HZX, "--act", str(act), "--sign-key", key, "--on", "2026-04-03", actor=actor)
        assert r.exit_code == 1 and words in r.stderr and "电子签名法 §13" in r.stderr and "Traceback" not in r.stderr
    assert _count(db) == before

    r = CliRunner().invoke(root, ["--db", db, "--actor", "周涛", "--lang", "en", "sign", "--client", HZX, "--act", str(act),
                                  "--sign-key", keys["zhou"], "--on", "2026-04-03"], catch_exceptions=False)
    assert r.exit_code == 0 and "Co-signature recorded" in r.stdout, r.stderr
    r = run("history", HZX)
    assert "signed by 孙丽" in r.stdout and "signed by 周涛" in r.stdout
    assert run("checkpoint", "--key", body_key).exit_code == 0
    r = run("verify", "--key", body_key)
    assert r.exit_code == 0 and "Verified" in r.stdout, r.stdout + r.stderr  # the panel's act is complete

    # the owner deletes the decision's signature: verify names the act
    conn = sqlite3.connect(db)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    decided = conn.execute("SELECT originator_version FROM stored_events WHERE topic LIKE '%Client.CertificationDecided'").fetchone()[0]
    conn.execute("DELETE FROM stored_events WHERE topic LIKE '%Client.ActSigned' AND CAST(state AS TEXT) LIKE '%\"command\":\"decide\"%'")
    conn.commit()
    conn.close()
    r = run("verify", "--key", body_key)
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert f"The act 'decide' on client {HZX} at version {decided}" in r.stdout + r.stderr
    assert "requires a signature (policy from 2026-03-12) and has none" in r.stdout + r.stderr
