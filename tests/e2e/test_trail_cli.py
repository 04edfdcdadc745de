"""``certledger keys init``, ``checkpoint`` and ``verify`` as a user runs them: a key kept outside
the database, a checkpoint printed for publishing, and a verify that says exactly what did not
verify and never says "verified" when something did not."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import root
from ledger.bootstrap import bootstrap
from ledger.demo import play


@pytest.fixture
def ledger(tmp_path) -> str:
    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    play(app, today=date(2026, 11, 20))
    app.close()
    return db


@pytest.fixture
def key(tmp_path) -> str:
    return str(tmp_path / "keys" / "signing.key")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(root, ["--lang", "en", *args], input=input)


def assert_refused_cleanly(result, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    assert "Verified" not in result.stdout and '"verified": true' not in result.stdout
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.fixture
def checkpointed(ledger, key, tmp_path) -> Path:
    """keys init, then checkpoint: the note as published outside the database."""
    assert run("keys", "init", "--key", key).exit_code == 0
    r = run("--db", ledger, "checkpoint", "--key", key)
    assert r.exit_code == 0, r.stderr
    published = tmp_path / "published" / "checkpoint.txt"
    published.parent.mkdir()
    published.write_text(r.stdout, encoding="utf-8")
    return published


def test_keys_init_writes_an_owner_only_private_key_and_a_public_key(key):
    r = run("keys", "init", "--key", key, "--name", "cert.example.cn")
    assert r.exit_code == 0, r.stderr
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    public = Path(key + ".pub").read_text(encoding="ascii").strip()
    assert public.startswith("cert.example.cn+") and public in r.stdout
    assert Path(key).read_text(encoding="ascii").startswith("PRIVATE+KEY+cert.example.cn+")


def test_keys_init_never_overwrites_a_key(key):
    assert run("keys", "init", "--key", key).exit_code == 0
    before = Path(key).read_bytes()
    r = run("keys", "init", "--key", key)
    assert_refused_cleanly(r, "already exists")
    assert Path(key).read_bytes() == before


def test_a_chinese_key_name_makes_a_key_whose_checkpoints_verify(ledger, key, tmp_path):
    """C2SP signed-note allows any name without whitespace or '+': a body may sign as itself."""
    name = "中国质量认证中心"
    r = run("keys", "init", "--key", key, "--name", name)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    public = Path(key + ".pub").read_text(encoding="utf-8").strip()
    assert public.startswith(name + "+") and public in r.stdout
    assert Path(key).read_text(encoding="utf-8").startswith(f"PRIVATE+KEY+{name}+{public.split('+')[1]}+")
    c = run("--db", ledger, "checkpoint", "--key", key)
    assert c.exit_code == 0, c.output
    assert f"\n\n\u2014 {name} " in c.stdout
    (tmp_path / "checkpoint.txt").write_text(c.stdout, encoding="utf-8")
    for how in (key + ".pub", public):  # the .pub file, or its text as an inspector is given it
        v = run("--db", ledger, "verify", "--public-key", how, "--checkpoint", str(tmp_path / "checkpoint.txt"))
        assert v.exit_code == 0, v.output
        assert v.stdout.startswith("Verified: ")


@pytest.mark.parametrize("name", ["", "cert example", "cert\texample", "cert\nexample", "cert+example", "中国\u3000认证"])
def test_keys_init_refuses_a_name_c2sp_forbids_and_writes_nothing(key, name):
    r = run("keys", "init", "--key", key, "--name", name)
    assert_refused_cleanly(r, "Key name", "is invalid", "C2SP signed-note", "no whitespace", "'+'", "No file was written")
    assert not Path(key).parent.exists()


def test_keys_init_leaves_no_key_file_when_writing_fails(key, monkeypatch):
    real = os.link
    calls = []

    def failing_link(src, dst, *a, **kw):  # the public key cannot be put in place: the disk is full
        calls.append(dst)
        if str(dst).endswith(".pub"):
            raise OSError(28, "No space left on device")
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "link", failing_link)
    r = run("keys", "init", "--key", key, "--name", "中国质量认证中心")
    assert_refused_cleanly(r, "Cannot write key file", "No space left on device")
    assert len(calls) == 2
    assert os.listdir(Path(key).parent) == []  # the private key written first was removed again
    monkeypatch.undo()
    assert run("keys", "init", "--key", key).exit_code == 0


def test_checkpoint_prints_a_signed_note_of_the_whole_ledger(checkpointed, ledger):
    lines = checkpointed.read_text(encoding="utf-8").split("\n")
    events = sqlite3.connect(ledger).execute("SELECT count(*) FROM stored_events").fetchone()[0]
    assert lines[0].startswith("certledger/") and lines[1] == str(events)
    assert lines[3].startswith("heads 6 ") and lines[4].startswith("time ")  # every client's head; when it was signed
    assert lines[5] == "" and lines[6].startswith("\u2014 certledger ")


def test_verify_passes_on_an_untouched_ledger(checkpointed, ledger, key):
    r = run("--db", ledger, "verify", "--key", key)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Verified: ")


def test_events_left_uncovered_longer_than_allowed_fail_verify_with_their_own_exit_code(checkpointed, ledger, key, monkeypatch):
    import json
    import time

    r = run("--db", ledger, "--actor", "王敏", "complaint", "receive", "--client", "914403001922038216",
            "--complainant", "顾客 李某", "--subject", "证书信息有误")
    assert r.exit_code == 0, r.output
    time.sleep(0.3)
    fresh = run("--db", ledger, "verify", "--key", key)  # the default (2 days) allows it, and says so
    assert fresh.exit_code == 0 and "1 events recorded after the latest checkpoint" in fresh.stdout
    stale = run("--db", ledger, "verify", "--key", key, "--max-uncovered", "0.002m")
    assert stale.exit_code == 3, stale.output
    assert "Verified" not in stale.stdout and "no checkpoint over it" in stale.stderr and "certledger checkpoint" in stale.stderr
    monkeypatch.setenv("CERTLEDGER_MAX_UNCOVERED", "0.002m")
    as_json = run("--db", ledger, "--json", "verify", "--key", key)
    assert as_json.exit_code == 3
    body = json.loads(as_json.stdout)
    assert body["verified"] is False and body["uncovered_too_old"] is True and body["unsigned_events"] == 1
    monkeypatch.setenv("CERTLEDGER_MAX_UNCOVERED", "soon")
    bad = run("--db", ledger, "verify", "--key", key)
    assert bad.exit_code == 1 and "CERTLEDGER_MAX_UNCOVERED" in bad.stderr
    monkeypatch.delenv("CERTLEDGER_MAX_UNCOVERED")
    assert run("--db", ledger, "checkpoint", "--key", key).exit_code == 0
    covered = run("--db", ledger, "verify", "--key", key, "--max-uncovered", "0.002m")
    assert covered.exit_code == 0 and covered.stdout.startswith("Verified: ")


def test_verify_passes_with_a_checkpoint_kept_outside_the_database(checkpointed, ledger, key):
    r = run("--db", ledger, "verify", "--key", key, "--checkpoint", str(checkpointed), "--json")
    assert r.exit_code == 0, r.stderr
    assert '"verified": true' in r.stdout and '"checkpoints_checked": 2' in r.stdout


def test_an_inspector_verifies_with_the_public_key_alone(checkpointed, ledger, key):
    public = Path(key + ".pub").read_text(encoding="ascii").strip()
    os.remove(key)
    r = run("--db", ledger, "verify", "--public-key", public, "--checkpoint", str(checkpointed))
    assert r.exit_code == 0, r.stderr


def test_a_corrupt_checkpoint_file_is_refused(checkpointed, ledger, key):
    text = checkpointed.read_text(encoding="utf-8")
    checkpointed.write_text(text.replace("\n\n", "\n"), encoding="utf-8")
    assert_refused_cleanly(run("--db", ledger, "verify", "--key", key, "--checkpoint", str(checkpointed)),
                           "External checkpoint", "malformed")


def test_a_checkpoint_whose_tree_size_was_edited_is_refused(checkpointed, ledger, key):
    lines = checkpointed.read_text(encoding="utf-8").split("\n")
    lines[1] = str(int(lines[1]) - 1)
    checkpointed.write_text("\n".join(lines), encoding="utf-8")
    assert_refused_cleanly(run("--db", ledger, "verify", "--key", key, "--checkpoint", str(checkpointed)),
                           "does not verify")


def test_a_checkpoint_signed_by_another_key_is_refused(ledger, key, tmp_path, checkpointed):
    other_key = str(tmp_path / "other.key")
    assert run("keys", "init", "--key", other_key, "--name", "impostor").exit_code == 0
    refused = run("--db", ledger, "checkpoint", "--key", other_key)  # another key may not extend the body's trail
    assert_refused_cleanly(refused, "not signed by this key")
    note = checkpointed.read_text(encoding="utf-8")
    text = note[: note.index("\n\n") + 1]
    from ledger.trail.keys import load_signer
    from ledger.trail.note import sign_note

    (tmp_path / "forged.txt").write_text(sign_note(text, load_signer(other_key)), encoding="utf-8")
    assert_refused_cleanly(run("--db", ledger, "verify", "--key", key, "--checkpoint", str(tmp_path / "forged.txt")),
                           "not signed by the body's key", "impostor")


def test_a_checkpoint_of_another_ledger_is_refused(ledger, key, tmp_path, checkpointed):
    other_db = str(tmp_path / "another.sqlite")
    app = bootstrap(other_db)
    play(app, today=date(2026, 11, 20))
    app.close()
    foreign = run("--db", other_db, "checkpoint", "--key", key)
    assert foreign.exit_code == 0
    (tmp_path / "foreign.txt").write_text(foreign.stdout, encoding="utf-8")
    assert_refused_cleanly(run("--db", ledger, "verify", "--key", key, "--checkpoint", str(tmp_path / "foreign.txt")),
                           "another ledger")


@pytest.mark.parametrize("what", ["missing", "folder", "binary"])
def test_an_unreadable_checkpoint_file_is_refused(checkpointed, ledger, key, tmp_path, what):
    path = {"missing": tmp_path / "nowhere.txt", "folder": tmp_path, "binary": tmp_path / "random.bin"}[what]
    if what == "binary":
        path.write_bytes(bytes(range(256)))
    r = run("--db", ledger, "verify", "--key", key, "--checkpoint", str(path))
    assert_refused_cleanly(r, str(path))


def test_a_wrong_public_key_is_refused(checkpointed, ledger, key, tmp_path):
    other = str(tmp_path / "other.key")
    run("keys", "init", "--key", other)
    r = run("--db", ledger, "verify", "--public-key", other + ".pub")
    assert_refused_cleanly(r, "not signed by the body's key")


def test_verify_fails_and_names_the_event_when_the_owner_changed_one(checkpointed, ledger, key):
    conn = sqlite3.connect(ledger, isolation_level=None)
    conn.execute("DROP TRIGGER stored_events_append_only_update")
    conn.execute("UPDATE stored_events SET state = replace(state, '\"headcount\":', '\"headcount\":1') WHERE rowid = 2")
    conn.close()
    r = run("--db", ledger, "verify", "--key", key, "--checkpoint", str(checkpointed))
    assert_refused_cleanly(r, "the audit trail was altered", "position 2", "application submitted")  # the event type in words (trial 12)


def test_the_installed_command_verifies_in_a_subprocess(checkpointed, ledger, key):
    env = {**os.environ, "CERTLEDGER_DB": ledger, "CERTLEDGER_KEY": key, "CERTLEDGER_LANG": "en"}
    ok = subprocess.run([sys.executable, "-m", "cli.main", "verify", "--checkpoint", str(checkpointed)],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Verified: ")
    bad = subprocess.run([sys.executable, "-m", "cli.main", "verify", "--checkpoint", str(ledger)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "Verified" not in bad.stdout



def test_a_forged_event_after_the_last_checkpoint_breaks_the_version_sequence_and_is_reported(tmp_path):
    """Hashes cannot vouch for events recorded after the last checkpoint, but a client's versions
    must still run 1, 2, 3...: a forged row with a jumped version fails verify, and reads refuse
    with the rule instead of a traceback."""
    import sqlite3
    from datetime import date

    from click.testing import CliRunner

    from cli.main import root
    from ledger.bootstrap import bootstrap
    from ledger.demo import play

    db, key = str(tmp_path / "l.sqlite"), str(tmp_path / "body.key")
    app = bootstrap(db)
    play(app, today=date(2026, 11, 20))
    app.close()
    run = lambda *a: CliRunner().invoke(root, ["--db", db, "--lang", "en", *a])  # noqa: E731
    assert run("keys", "init", "--key", key).exit_code == 0
    assert run("checkpoint", "--key", key).exit_code == 0
    con = sqlite3.connect(db)
    con.execute("INSERT INTO stored_events(originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version + 1000, topic, state FROM stored_events "
                "WHERE rowid = (SELECT max(rowid) FROM stored_events)")
    con.commit()
    con.close()
    r = run("verify", "--key", key)
    assert r.exit_code == 1 and "not consecutive" in r.stderr and "Verified" not in r.stdout
    r = run("clients")
    assert r.exit_code == 1 and "certledger verify" in r.stderr and "Traceback" not in r.stderr


def test_a_checkpoint_file_with_an_extra_trailing_newline_still_reads():
    from ledger.trail.note import read_checkpoint_file
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("origin\n3\nAAAA\n\n— key sig\n\n\n")
    assert read_checkpoint_file(f.name).endswith("— key sig\n")
