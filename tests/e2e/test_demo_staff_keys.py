"""The demo's staff keys and what it says of its signatures (trial 12, items 8 and 13): the private keys
are kept beside the ledger (``<ledger>.staff-keys/``, 0700, each private key 0600) or inside the printed
temporary folder, never in a stray /tmp folder; the demo says where they are and how to sign with one, so
a user carrying on the demo's ledger can record an act that must be signed; it counts the acts signed and
the signatures (co-signatures included) as verify does, and prints the verify command with its key."""

import json
import re
import stat
import tempfile

import pytest
from click.testing import CliRunner

from cli.main import root


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo-keys")
    r = CliRunner().invoke(root, ["demo", "--db", str(base / "d.sqlite")])
    assert r.exit_code == 0, r.output
    return base, r.stdout


def test_the_keys_are_beside_the_ledger_private_and_named(played):
    base, out = played
    folder = base / "d.sqlite.staff-keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    private = sorted(folder.glob("*.key"))
    assert {p.stem for p in private} >= {"张伟", "赵敏", "钱七", "孙丽", "周强", "王芳"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in private)
    assert f"{folder}/" in out and f"--actor 赵敏 --sign-key {folder}/赵敏.key" in out


def test_a_user_carrying_on_signs_with_a_staff_key_and_the_printed_verify_command_verifies(played):
    base, out = played
    db, folder = base / "d.sqlite", base / "d.sqlite.staff-keys"
    hz = "91330100716105852F"
    act = ["--db", str(db), "certificate", "suspend", "--client", hz, "--reason-code", "7.2.1f", "--reason", "组织主动请求暂停",
           "--months", "3", "--actor", "张伟"]
    unsigned = CliRunner().invoke(root, act)
    assert unsigned.exit_code == 1 and "--sign-key" in unsigned.output  # the policy holds: signing is required
    signed = CliRunner().invoke(root, [*act, "--sign-key", str(folder / "张伟.key")])
    assert signed.exit_code == 0, signed.output
    verify = re.search(r"^\s*certledger --db (\S+) verify --public-key (\S+)$", out, re.MULTILINE)
    assert verify and verify.group(1) == str(db)
    v = CliRunner().invoke(root, ["--db", verify.group(1), "verify", "--public-key", verify.group(2), "--json"])
    assert v.exit_code == 0, v.output
    report = json.loads(v.stdout)
    assert report["verified"] and report["findings"] == []
    # what the demo said it signed, with the one signature added since
    m = re.search(r"(\d+) 项行为已签名，共 (\d+) 个签名（[^）]*含副署", out)
    assert m, out
    acts, signatures = int(m.group(1)), int(m.group(2))
    assert signatures > acts and report["signatures_checked"] == signatures + 1


def test_the_json_summary_names_the_keys_and_counts_signatures_as_verify_does(tmp_path):
    r = CliRunner().invoke(root, ["demo", "--db", str(tmp_path / "j.sqlite"), "--json"])
    assert r.exit_code == 0, r.output
    staff = json.loads(r.stdout)["staff"]
    assert staff["keys"]["folder"] == str(tmp_path / "j.sqlite.staff-keys")
    assert staff["keys"]["files"]["赵敏"] == str(tmp_path / "j.sqlite.staff-keys" / "赵敏.key")
    v = CliRunner().invoke(root, ["--db", str(tmp_path / "j.sqlite"), "verify", "--public-key",
                                  json.loads(r.stdout)["audit_trail"]["public_key"], "--json"])
    assert json.loads(v.stdout)["signatures_checked"] == staff["signatures"] > staff["signed_acts"]


def test_the_temporary_demo_keeps_its_keys_in_its_own_printed_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    r = CliRunner().invoke(root, ["demo"])
    assert r.exit_code == 0, r.output
    made = [p for p in tmp_path.iterdir() if p.name.startswith("certledger-demo")]
    assert len(made) == 1 and made[0].name.startswith("certledger-demo-")  # no stray staff-keys folder beside it
    keys = made[0] / "ledger.sqlite.staff-keys"
    assert (keys / "赵敏.key").exists() and f"{keys}/" in r.stdout and str(made[0] / "ledger.sqlite") in r.stdout


def test_a_keys_folder_in_the_way_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "k.sqlite.staff-keys").mkdir()
    r = CliRunner().invoke(root, ["demo", "--db", str(tmp_path / "k.sqlite")])
    assert r.exit_code == 2 and "k.sqlite.staff-keys" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "k.sqlite").exists() and not (tmp_path / "k-trail").exists()
    assert list((tmp_path / "k.sqlite.staff-keys").iterdir()) == []  # nothing written into it either
