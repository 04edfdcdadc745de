"""The read models' fingerprints remembered with their files' sizes, modification times, inodes and
change times (projections/catalogue.py, D41): the same value as hashing the files, given back without reading
them while none changed, and computed again as soon as one does."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from projections import catalogue


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for top in ("aggregates", "ledger", "projections"):
        shutil.copytree(catalogue.ROOT / top, tmp_path / "src" / top, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(catalogue, "ROOT", tmp_path / "src")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(catalogue, "_CACHE", None)
    catalogue._file_digest.cache_clear()
    return tmp_path / "src"


def no_hashing(monkeypatch):
    def refuse(*args):
        raise AssertionError("a file was hashed again")

    monkeypatch.setattr(catalogue, "_file_digest", refuse)
    monkeypatch.setattr(catalogue, "_CACHE", None)  # as a new process: the file is read back


def test_an_unchanged_tree_is_not_hashed_again_and_gives_the_same_fingerprint(tree, monkeypatch):
    first = {name: catalogue.fingerprint(name) for name in catalogue.NAMES}
    assert catalogue._cache_file().parent == tree.parent / "cache" / "certledger"
    stored = json.loads(catalogue._cache_file().read_text())
    assert {k.split("\0")[1] for k in stored} == set(catalogue.NAMES)
    no_hashing(monkeypatch)
    assert {name: catalogue.fingerprint(name) for name in catalogue.NAMES} == first


def test_a_changed_file_is_hashed_again(tree, monkeypatch):
    before = catalogue.fingerprint("deadlines")
    clients = catalogue.fingerprint("clients")
    path = tree / "ledger" / "rules" / "deadlines.py"
    assert path in catalogue.files("deadlines") and path not in catalogue.files("clients")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("def ", "def  ", 1), encoding="utf-8")  # one byte more
    monkeypatch.setattr(catalogue, "_CACHE", None)
    assert catalogue.fingerprint("deadlines") != before
    assert catalogue.fingerprint("clients") == clients  # not shaped by that file


def test_changed_content_with_the_same_size_and_time_is_hashed_again(tree, monkeypatch):
    """A copy tool (or an editor) that keeps a file's size and modification time cannot keep its
    change time: the remembered fingerprint is not given back (in this process or the next)."""
    before = catalogue.fingerprint("trail")
    path = tree / "projections" / "trail.py"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "index" in text
    path.write_text(text.replace("index", "INDEX", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old modification time back
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns) and after.st_ctime_ns != st.st_ctime_ns
    assert catalogue.fingerprint("trail") != before  # the same process: its digest is not reused either
    monkeypatch.setattr(catalogue, "_CACHE", None)
    catalogue._file_digest.cache_clear()
    assert catalogue.fingerprint("trail") != before  # a new process: the remembered value is not given back


def test_the_same_size_with_another_time_is_hashed_again(tree, monkeypatch):
    before = catalogue.fingerprint("trail")
    path = tree / "projections" / "trail.py"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("index", "INDEX", 1), encoding="utf-8")  # same size
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    monkeypatch.setattr(catalogue, "_CACHE", None)
    assert catalogue.fingerprint("trail") != before


def test_extra_inputs_are_part_of_the_key(tree):
    assert catalogue.fingerprint("deadlines", "holidays 2026") != catalogue.fingerprint("deadlines", "holidays 2027")


def test_each_source_folder_remembers_in_a_file_of_its_own(tree, monkeypatch):
    """Another copy of the code (a checkout, a test's tree) does not grow the file that show reads
    (D50): each folder's file holds its own read models alone."""
    catalogue.fingerprint("summaries")
    other = tree.parent / "other"
    shutil.copytree(tree, other)
    monkeypatch.setattr(catalogue, "ROOT", other)
    monkeypatch.setattr(catalogue, "_CACHE", None)
    catalogue.fingerprint("summaries")
    files = sorted((tree.parent / "cache" / "certledger").glob("fingerprints-*.json"))
    assert len(files) == 2
    assert sorted(k.split("\0")[0] for f in files for k in json.loads(f.read_text())) == sorted([str(tree), str(other)])


def _globbed(name: str) -> list:
    """The shaping files as ``Path.glob`` finds them, each pattern's sorted (the code before D54)."""
    found: dict = {}
    for pattern in (*catalogue.COMMON, *catalogue.SPECS[name].sources):
        for path in sorted(catalogue.ROOT.glob(pattern)):
            found[path] = None
    return list(found)


def _hashed(name: str, extra: str) -> str:
    """The fingerprint computed from scratch: name, version, each globbed file's name and digest, extra."""
    import hashlib

    spec = catalogue.SPECS[name]
    h = hashlib.sha256(f"{spec.name}\0{spec.version}\0".encode())
    for path in _globbed(name):
        h.update(str(path.relative_to(catalogue.ROOT)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    h.update(extra.encode())
    return h.hexdigest()


def test_all_in_one_pass_gives_what_globbing_and_hashing_each_gives(tree, monkeypatch):
    """``fingerprints`` lists each folder and stats each file once for all the read models (D54): the
    same files as ``Path.glob`` (a hidden file too) and the same values as hashing each from scratch,
    given back again, remembered, without hashing."""
    (tree / "aggregates" / ".hidden.py").write_text("x = 1\n", encoding="utf-8")
    (tree / "ledger" / "rules" / "deadlines_zz.py").write_text("y = 2\n", encoding="utf-8")
    for name in catalogue.NAMES:
        assert catalogue.files(name) == _globbed(name)
    assert tree / "aggregates" / ".hidden.py" in catalogue.files("trail")
    assert tree / "ledger" / "rules" / "deadlines_zz.py" in catalogue.files("deadlines")
    extras = {name: f"extra of {name}" for name in catalogue.NAMES}
    together = catalogue.fingerprints(extras)
    assert together == {name: _hashed(name, extra) for name, extra in extras.items()}
    no_hashing(monkeypatch)
    assert {name: catalogue.fingerprint(name, extra) for name, extra in extras.items()} == together
