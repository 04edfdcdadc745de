"""Which import a file is (ledger/import_sources.py, D42), through `certledger import` on SQLite and
PostgreSQL: two different files of the same name both apply fully, even the lines they share byte
for byte; the same file run again (from any folder) applies nothing; an edited or extended copy
continues its import; a file between the two is refused, writing nothing, until --source says
which import it is. (A killed import run again: tests/integration/test_import_resume.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_concurrency import register
from tests.integration.test_import_resume import applied_lines, certledger, cli_env, kinds, open_ledger

CLIENT = "91330100716105852F"
SHARED = b'{"command": "complaint receive", "client": "%s", "complainant": "\xe5\x85\xb1\xe5\x90\x8c", "subject": "same line", "on": "2026-11-02"}\n' % CLIENT.encode()


def complaint(tag: str) -> bytes:
    return (json.dumps({"command": "complaint receive", "client": CLIENT, "complainant": tag, "subject": "投诉", "on": "2026-11-02"},
                       ensure_ascii=False) + "\n").encode()


def write(path: Path, lines: list[bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(lines))
    return path


def run(file: Path, env: dict[str, str], *args: str) -> dict:
    done = certledger(["import", str(file), "--json", *args], env)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def complaints(url: str) -> int:
    app = open_ledger(url)
    try:
        return kinds(app)["Client.ComplaintReceived"]
    finally:
        app.close()


def ledger_with_client(url: str) -> None:
    app = open_ledger(url)
    try:
        register(app, CLIENT)
    finally:
        app.close()


def test_two_different_files_of_one_name_both_apply_fully_and_each_runs_again_as_itself(db_url, tmp_path):
    ledger_with_client(db_url)
    env = cli_env(db_url)
    a = write(tmp_path / "a" / "lines.jsonl", [complaint(f"a{i}") for i in range(30)] + [SHARED])
    b = write(tmp_path / "b" / "lines.jsonl", [SHARED] + [complaint(f"b{i}") for i in range(30)])

    first = run(a, env)
    assert (first["written"], first["skipped"], first["source"], first["source_how"]) == (31, 0, "lines.jsonl", "new name")
    second = run(b, env)  # the shared line too: it is this file's line, not the other's
    assert (second["written"], second["skipped"], second["failed"], second["source_how"]) == (31, 0, 0, "new import")
    assert second["source"].startswith("lines.jsonl@") and complaints(db_url) == 62

    # the same files again, from any folder: nothing applied
    assert (run(a, env)["skipped"], run(b, env)["skipped"]) == (31, 31)
    moved = write(tmp_path / "c" / "lines.jsonl", [b.read_bytes()])
    again = run(moved, env)
    assert (again["written"], again["skipped"], again["source"], again["source_how"]) == (0, 31, second["source"], "same file")

    # the second file edited (a blank line inserted, two lines appended): it continues its import
    write(b, [b"\n", b.read_bytes(), complaint("b30"), complaint("b31")])
    edited = run(b, env)
    assert (edited["written"], edited["skipped"], edited["source"], edited["source_how"]) == (2, 31, second["source"], "continued")
    assert complaints(db_url) == 64

    app = open_ledger(db_url)
    try:
        assert applied_lines(app) == 64
    finally:
        app.close()


def test_a_file_neither_the_same_nor_another_is_refused_until_the_source_is_given(db_url, tmp_path):
    ledger_with_client(db_url)
    env = cli_env(db_url)
    day1 = write(tmp_path / "mon" / "batch.jsonl", [complaint(f"m{i}") for i in range(20)])
    assert run(day1, env)["written"] == 20
    # a third of its lines are the first file's, byte for byte: an edited copy, or another batch?
    day2 = write(tmp_path / "tue" / "batch.jsonl", [complaint(f"m{i}") for i in range(7)] + [complaint(f"t{i}") for i in range(13)])
    before = complaints(db_url)
    refused = certledger(["import", str(day2), "--json", "--lang", "en"], env)
    assert refused.returncode == 1
    out = json.loads(refused.stdout.decode())  # with --json the refusal is one JSON object on stdout (docs/cli.md)
    assert out["rule"] == "ledger: import source" and "--source \"batch.jsonl\"" in out["message"] and out["exit_code"] == 1
    assert "Traceback" not in refused.stderr.decode()
    app = open_ledger(db_url)
    try:
        assert kinds(app)["Client.ComplaintReceived"] == before and applied_lines(app) == 20  # nothing written
        assert app.recorder.import_files("batch.jsonl") == app.recorder.import_files("batch.jsonl")[:1]  # nor recorded
    finally:
        app.close()

    # the operator says: the same import (the shared lines were applied by it)
    same = run(day2, env, "--source", "batch.jsonl")
    assert (same["written"], same["skipped"], same["source_how"]) == (13, 7, "given")
    # or, for a third file like it, another import
    day3 = write(tmp_path / "wed" / "batch.jsonl", [complaint(f"m{i}") for i in range(7)] + [complaint(f"w{i}") for i in range(13)])
    other = run(day3, env, "--source", "batch-wed")
    assert (other["written"], other["skipped"]) == (20, 0)
    assert complaints(db_url) == before + 33


def test_two_different_new_files_of_one_name_imported_at_once_both_apply_fully(db_url, tmp_path):
    import subprocess
    import sys

    from tests.integration.test_import_resume import ROOT

    ledger_with_client(db_url)
    env = cli_env(db_url)
    files = [write(tmp_path / d / "lines.jsonl", [SHARED] + [complaint(f"{d}{i}") for i in range(40)]) for d in ("x", "y")]
    procs = [subprocess.Popen([sys.executable, "-m", "cli.main", "import", str(f), "--json"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err.decode()[-2000:] for _, err in outs]
    summaries = [json.loads(out) for out, _ in outs]
    assert [s["written"] for s in summaries] == [41, 41]
    assert sorted(s["source_how"] for s in summaries) == ["new import", "new name"]
    assert complaints(db_url) == 82


def test_the_refusal_in_process_writes_nothing(db_url, tmp_path):
    import io

    from ledger.importer import import_file
    from tests.refusals import refused

    ledger_with_client(db_url)
    app = open_ledger(db_url)
    try:
        first = import_file(app, db_url, io.BytesIO(b"".join(complaint(f"m{i}") for i in range(8))), size=0, actor="导入员",
                            name="batch.jsonl")
        assert (first.written, first.source, first.source_how) == (8, "batch.jsonl", "new name")
        half = io.BytesIO(b"".join([complaint("m0"), complaint("m1"), *(complaint(f"t{i}") for i in range(6))]))  # 2 of 8: a quarter
        e = refused(app, lambda: import_file(app, db_url, half, size=0, actor="导入员", name="batch.jsonl"), "ledger: import source")
        assert "batch.jsonl" in e.message_en and applied_lines(app) == 8 and len(app.recorder.import_files("batch.jsonl")) == 1
    finally:
        app.close()
