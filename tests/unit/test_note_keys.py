"""Key names and key files (issue 16, item 7): any name the C2SP signed-note format allows —
Chinese included — makes a key that round-trips and signs notes that open; a name it does not
allow is refused before anything is written; and writing a key never leaves a partial or empty
key file, whatever fails."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest

from aggregates.errors import RuleViolation
from ledger.trail import keys as k
from ledger.trail.note import (
    Checkpoint,
    NoteError,
    Signer,
    key_id,
    key_name_problem,
    open_checkpoint,
    open_note,
    parse_signer,
    parse_verifier,
    sign_note,
    valid_key_name,
)

CHINESE = "中国质量认证中心"
VALID = [CHINESE, "cert.example.cn", "认证机构/审核-2026", "Ünïcødé", "名\u200b字", "a=b", "x" * 300, "\u00e9\u0301"]
# empty; ASCII spaces and line breaks; Unicode spaces (NBSP, ideographic, line separator, NEL); '+';
# a lone surrogate (what Python makes of non-UTF-8 bytes on the command line); a control character
INVALID = ["", "a b", "a\tb", "a\nb", "a\rb", " lead", "trail ", "中国\u3000认证", "a\u00a0b", "a\u2028b",
           "a\u0085b", "a+b", "+", "中国+认证", "a\udcffb", "a\x01b"]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


# ----------------------------------------------------------------------------------- the name rule


@pytest.mark.parametrize("name", VALID)
def test_a_name_the_c2sp_rule_allows_is_valid(name):
    assert valid_key_name(name) and key_name_problem(name) is None


@pytest.mark.parametrize("name", INVALID)
def test_a_name_the_c2sp_rule_forbids_is_invalid(name):
    assert not valid_key_name(name)
    zh, en = key_name_problem(name)
    assert zh and en


def test_the_key_id_hashes_the_utf8_bytes_of_the_name():
    pub = bytes(range(32))
    expected = hashlib.sha256(CHINESE.encode("utf-8") + b"\n\x01" + pub).digest()[:4]
    assert key_id(CHINESE, pub) == expected


# ------------------------------------------------------------------------------ keys in memory


@pytest.mark.parametrize("name", VALID)
def test_a_key_with_any_valid_name_round_trips_and_signs(name):
    signer = Signer.generate(name)
    assert parse_signer(signer.encode()) == signer
    verifier = parse_verifier(signer.verifier.encode())
    assert verifier == signer.verifier
    shown_name, kid, b64 = signer.verifier.encode().split("+", 2)  # base64 may contain '+' too
    raw = base64.b64decode(b64)
    assert shown_name == name and raw[0] == 1 and kid == key_id(name, raw[1:]).hex()
    text = "example.org/log\n1\n" + base64.b64encode(bytes(32)).decode() + "\n"
    assert open_note(sign_note(text, signer), verifier) == text


@pytest.mark.parametrize("name", INVALID)
def test_no_key_is_generated_under_an_invalid_name(name):
    with pytest.raises(NoteError, match="C2SP"):
        Signer.generate(name)


# ---------------------------------------------------------------------------------- key files


def test_a_chinese_key_file_round_trips_and_its_checkpoint_opens(tmp_path):
    path = tmp_path / "keys" / "signing.key"
    files = k.init_key(path, CHINESE)
    assert files.verifier.name == CHINESE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text(encoding="utf-8").startswith(f"PRIVATE+KEY+{CHINESE}+{files.verifier.key_id.hex()}+")
    signer = k.load_signer(path)
    verifier = k.load_verifier(str(files.public))
    assert signer.verifier == verifier == files.verifier == k.load_verifier(key=path)
    assert k.load_verifier(files.public.read_text(encoding="utf-8").strip()) == verifier
    note = Checkpoint("example.org/log", 3, bytes(32)).sign(signer)
    assert f"\u2014 {CHINESE} " in note
    assert open_checkpoint(note, verifier).size == 3
    assert files_in(tmp_path / "keys") == ["signing.key", "signing.key.pub"]  # no temporary file left


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_name_is_refused_before_anything_is_written(tmp_path, name):
    with pytest.raises(RuleViolation) as e:
        k.init_key(tmp_path / "keys" / "signing.key", name)
    assert e.value.rule == k.RULE
    assert "C2SP signed-note" in e.value.message_en and "'+'" in e.value.message_en
    assert "C2SP signed-note" in e.value.message_zh
    assert not (tmp_path / "keys").exists()


def test_an_existing_key_is_never_overwritten(tmp_path):
    path = tmp_path / "signing.key"
    k.init_key(path, CHINESE)
    before = path.read_bytes(), Path(str(path) + ".pub").read_bytes()
    with pytest.raises(RuleViolation, match="已存在"):
        k.init_key(path, "other")
    assert (path.read_bytes(), Path(str(path) + ".pub").read_bytes()) == before
    assert files_in(tmp_path) == ["signing.key", "signing.key.pub"]


def test_a_public_key_left_alone_is_never_overwritten_and_no_private_key_is_made(tmp_path):
    path = tmp_path / "signing.key"
    Path(str(path) + ".pub").write_text("someone else's\n", encoding="utf-8")
    with pytest.raises(RuleViolation, match="已存在"):
        k.init_key(path, CHINESE)
    assert files_in(tmp_path) == ["signing.key.pub"]
    assert Path(str(path) + ".pub").read_text(encoding="utf-8") == "someone else's\n"


def _fail_on(monkeypatch, target: str, call: int):
    """Make the ``call``-th call of os.<target> raise OSError (ENOSPC), as a full disk would."""
    real = getattr(os, target)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == call:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(os, target, flaky)
    return calls


@pytest.mark.parametrize(("target", "call"), [
    ("write", 1),   # writing the private key
    ("fsync", 1),   # flushing the private key
    ("link", 1),    # putting the private key in place
    ("write", 2),   # writing the public key, after the private key is in place
    ("fsync", 3),   # flushing the public key (2 is the folder after the private key)
    ("link", 2),    # putting the public key in place
])
def test_a_failure_while_writing_leaves_no_key_file(tmp_path, monkeypatch, target, call):
    path = tmp_path / "keys" / "signing.key"
    (tmp_path / "keys").mkdir()
    calls = _fail_on(monkeypatch, target, call)
    with pytest.raises(RuleViolation) as e:
        k.init_key(path, CHINESE)
    assert len(calls) >= call
    assert "No space left on device" in e.value.message_en and "No key file was left behind" in e.value.message_en
    assert files_in(tmp_path / "keys") == []  # neither key, nor an empty one, nor a temporary file
    monkeypatch.undo()
    k.init_key(path, CHINESE)  # and the next attempt succeeds
    assert files_in(tmp_path / "keys") == ["signing.key", "signing.key.pub"]


def test_an_interrupt_while_writing_the_public_key_removes_the_private_key(tmp_path, monkeypatch):
    path = tmp_path / "signing.key"
    real = os.link

    def link(src, dst, *a, **kw):
        if str(dst).endswith(".pub"):
            raise KeyboardInterrupt
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(KeyboardInterrupt):
        k.init_key(path, CHINESE)
    assert files_in(tmp_path) == []


def test_without_hard_links_the_key_is_renamed_into_place_but_never_over_a_key(tmp_path, monkeypatch):
    def no_links(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")  # what FAT file systems answer

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "signing.key"
    files = k.init_key(path, CHINESE)
    assert k.load_signer(path).verifier == files.verifier == k.load_verifier(key=path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert files_in(tmp_path) == ["signing.key", "signing.key.pub"]
    before = path.read_bytes()
    with pytest.raises(RuleViolation, match="已存在"):
        k.init_key(path, "other")
    with pytest.raises(FileExistsError):  # a key that appears between the check and the write
        k._write_new(path, b"another key\n", 0o600)
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["signing.key", "signing.key.pub"]
