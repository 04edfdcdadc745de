"""The rule files as parsed, remembered between commands (ledger/rules/toml_cache.py, D49): the data
is what tomllib gives, dates and times included; a changed file is parsed again; a damaged cache is
ignored and replaced; a file that cannot be parsed is refused as before."""

from __future__ import annotations

import math
import tomllib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from ledger.rules import toml_cache
from ledger.rules.procedures import PROCEDURE_DIR
from ledger.rules.scoring.catalogue import SCHEME_DIR

EVERY_TYPE = """
title = "方案"
points = 12.5
count = 3
big = 1e300
inf = inf
yes = true
off = 2026-10-01
at = 2026-10-01T08:30:00+08:00
utc = 2026-10-01T00:00:00Z
local = 2026-10-01T08:30:00.123456
clock = 08:30:00.5
days = [2026-10-01, 2026-10-02]
mixed = [[1, 2], ["a", 2026-01-01]]

[[parts]]
id = "A"
from = 2025-01-01
[[parts.items]]
until = 2026-12-31
nested = { on = 2024-02-29, note = "x" }
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(toml_cache, "_entries", None)
    monkeypatch.setattr(toml_cache, "_dirty", False)
    monkeypatch.setattr(toml_cache, "_path", None)
    yield tmp_path / "cache" / "certledger"
    toml_cache.save()  # to this test's folder, not the user's


@pytest.fixture
def parses(monkeypatch):
    """How many files tomllib parsed."""
    count = []
    original = tomllib.load
    monkeypatch.setattr(tomllib, "load", lambda fh, **kw: count.append(1) or original(fh, **kw))
    return count


def _fresh_process(monkeypatch):
    toml_cache.save()  # what the process's exit does
    monkeypatch.setattr(toml_cache, "_entries", None)  # as a new command would start: from the file


def test_every_toml_type_comes_back_as_tomllib_gives_it(cache, tmp_path, parses, monkeypatch):
    path = tmp_path / "every.toml"
    path.write_text(EVERY_TYPE, encoding="utf-8")
    expected = tomllib.loads(EVERY_TYPE)
    assert toml_cache.load(path) == expected and len(parses) == 1
    _fresh_process(monkeypatch)
    again = toml_cache.load(path)
    assert len(parses) == 1  # from the cache's file
    assert math.isinf(again.pop("inf")) and math.isinf(expected.pop("inf"))
    assert again == expected
    assert type(again["at"]) is datetime and again["at"].utcoffset() == timedelta(hours=8)
    assert again["utc"].tzinfo == timezone.utc and again["local"].tzinfo is None
    assert type(again["off"]) is date and again["clock"] == time(8, 30, 0, 500000)
    assert again["parts"][0]["items"][0]["nested"]["on"] == date(2024, 2, 29)
    again["days"].append("mutated")  # each load gives data of its own
    assert toml_cache.load(path)["days"] == [date(2026, 10, 1), date(2026, 10, 2)]


def test_the_shipped_rule_files_come_back_equal(cache, parses, monkeypatch):
    files = sorted(SCHEME_DIR.glob("*.toml")) + sorted(PROCEDURE_DIR.glob("*.toml"))
    assert len(files) >= 7
    first = [toml_cache.load(p) for p in files]
    _fresh_process(monkeypatch)
    assert [toml_cache.load(p) for p in files] == first == [tomllib.loads(p.read_text(encoding="utf-8")) for p in files]
    assert len(parses) == len(files)


def test_a_changed_file_is_parsed_again(cache, tmp_path, parses, monkeypatch):
    path = tmp_path / "rule.toml"
    path.write_text('grade = "A"\n', encoding="utf-8")
    assert toml_cache.load(path) == {"grade": "A"}
    path.write_text('grade = "B"\n', encoding="utf-8")  # the same size
    _fresh_process(monkeypatch)
    assert toml_cache.load(path) == {"grade": "B"}
    assert len(parses) == 2


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "empty"])
def test_a_damaged_cache_is_ignored_and_replaced(cache, tmp_path, parses, monkeypatch, damage):
    path = tmp_path / "rule.toml"
    path.write_text(EVERY_TYPE, encoding="utf-8")
    expected = toml_cache.load(path)
    toml_cache.save()
    (cached,) = cache.iterdir()
    data = cached.read_bytes()
    cached.write_bytes({"truncated": data[:-40], "flipped": data[:-40] + bytes([data[-40] ^ 1]) + data[-39:],
                        "foreign": b"\x80\x04not ours" + data[10:], "empty": b""}[damage])
    _fresh_process(monkeypatch)
    assert toml_cache.load(path).keys() == expected.keys()
    assert len(parses) == 2
    _fresh_process(monkeypatch)
    toml_cache.load(path)
    assert len(parses) == 2  # written whole again at the exit


def test_a_file_that_is_not_toml_is_refused_as_before_and_not_kept(cache, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("grade = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        toml_cache.load(path)
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ValueError):  # not UTF-8
        toml_cache.load(path)
    with pytest.raises(FileNotFoundError):
        toml_cache.load(tmp_path / "missing.toml")
    toml_cache.save()
    assert not cache.exists()


def test_at_most_cap_files_are_kept_and_an_unwritable_folder_is_no_error(cache, tmp_path, monkeypatch, parses):
    monkeypatch.setattr(toml_cache, "CAP", 2)
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.toml")
        paths[-1].write_text(f"n = {i}\n", encoding="utf-8")
        toml_cache.load(paths[-1])
    toml_cache.save()
    assert list(toml_cache._read(toml_cache._file())) == [str(p) for p in paths[1:]]  # the last ones parsed
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # a file where the folder would be
    _fresh_process(monkeypatch)
    assert toml_cache.load(paths[0]) == {"n": 0}
    assert Path(blocked).is_file()


def test_the_cache_is_private_and_one_others_may_have_changed_is_ignored(cache, tmp_path, parses, monkeypatch):
    """It feeds rule data (grade bands, deadlines) and only a CRC guards it: its folder is made 0700
    and its file 0600; a file writable by others, or not this user's, reads as absent (parsed again)."""
    import os
    import stat

    old = os.umask(0o022)  # the usual umask: the modes below are the cache's own, not the umask's
    try:
        path = tmp_path / "rule.toml"
        path.write_text('grade = "A"\n', encoding="utf-8")
        toml_cache.load(path)
        _fresh_process(monkeypatch)
    finally:
        os.umask(old)
    (cached,) = cache.iterdir()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert toml_cache.load(path) == {"grade": "A"} and len(parses) == 1  # from the cache
    for mode in (0o620, 0o602):  # group or others may write it
        cached.chmod(mode)
        monkeypatch.setattr(toml_cache, "_entries", None)
        assert toml_cache.load(path) == {"grade": "A"}
    assert len(parses) == 3
    if os.geteuid() == 0:  # another user's file (only root can make one here)
        cached.chmod(0o600)
        os.chown(cached, 65534, -1)
        monkeypatch.setattr(toml_cache, "_entries", None)
        assert toml_cache.load(path) == {"grade": "A"} and len(parses) == 4
    _fresh_process(monkeypatch)  # replaced: this user's again, 0600
    assert cached.stat().st_uid == os.geteuid() and stat.S_IMODE(cached.stat().st_mode) == 0o600


def test_a_fifo_or_a_folder_at_the_caches_path_reads_as_absent_without_waiting(tmp_path):
    """A FIFO put where a cache file belongs would block a plain ``open`` for reading until a writer
    came (every command hung: user trial); it reads as no cache, at once, as a folder does."""
    import os

    from ledger.rules import marshal_file

    fifo = tmp_path / "cache.marshal"
    os.mkfifo(fifo)
    assert marshal_file.read(fifo, b"h") is None
    assert marshal_file.read(fifo, b"h", private=True) is None
    folder = tmp_path / "folder.marshal"
    folder.mkdir()
    assert marshal_file.read(folder, b"h") is None
    good = tmp_path / "good.marshal"
    assert marshal_file.write(good, b"h", {"a": 1})
    assert marshal_file.read(good, b"h") == {"a": 1}
