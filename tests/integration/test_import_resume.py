"""Imports that can be run again (issue 18 item 2), on SQLite and PostgreSQL: a `certledger import`
killed with SIGKILL part way (in one process, and in worker processes) and run again applies every
line exactly once; a finished import run again writes nothing; refused lines fixed in the file are
applied on the next run and nothing else is; a chunk refused because a concurrent writer changed one
of its clients is run again line by line, so that only a line in genuine conflict fails; a given
line_id is one line in the whole ledger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from ledger.importer import import_file, run_import, run_import_in_workers
from ledger.synthetic import dumps, generate
from tests.integration.test_crash_safety import stored_events

ROOT = Path(__file__).resolve().parents[2]
N_CLIENTS = 12


def workload(n_clients: int = N_CLIENTS, seed: int = 3) -> list[bytes]:
    return [dumps(x).encode() + b"\n" for x in generate(n_clients, seed)]


from tests.integration.test_parallel_import import events_by_client  # noqa: E402,F401 - one way to list them


def kinds(app) -> Counter:
    """How many events of each type the ledger holds (applications, complaints...)."""
    return Counter(type(ev).__qualname__ for _, ev in stored_events(app))


def reference(tmp_path: Path, data: list[bytes]) -> dict:
    """Each client's events when the file is imported once, whole, into a fresh ledger."""
    from ledger.bootstrap import bootstrap

    ref = bootstrap(str(tmp_path / "reference.sqlite"))
    report = run_import(ref, data, actor="导入员")
    assert report.ok and report.written == len(data)
    out = events_by_client(ref)
    assert sum(map(len, out.values())) == ref.event_count()
    ref.close()
    return out


def open_ledger(url: str):
    from ledger.bootstrap import bootstrap

    return bootstrap(url)


def cli_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTLEDGER_")}
    env.update({"CERTLEDGER_DB": url, "CERTLEDGER_ACTOR": "导入员", "PYTHONPATH": str(ROOT)}, **extra)
    return env


def certledger(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=ROOT, capture_output=True, timeout=600)


def kill_part_way(file: Path, url: str, env: dict[str, str], at_least: int, total: int) -> int:
    """Start `certledger import FILE`, wait until ``at_least`` events are committed, SIGKILL it;
    returns how many events it had saved (some, not all)."""
    app = open_ledger(url)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cli.main", "import", str(file)], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while (app.recorder.max_notification_id() or 0) < at_least:
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        time.sleep(0.5)  # worker processes die with their parent (PR_SET_PDEATHSIG)
        saved = len(stored_events(app))
    finally:
        app.close()
    assert 0 < saved < total, f"killed after {saved} of {total} events: not part way"
    return saved


def applied_lines(app) -> int:
    return app.recorder.applied_count()


# ------------------------------------------------------------------------------ killed and run again

@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_import_killed_part_way_and_run_again_applies_every_line_once(db_url, tmp_path, workers):
    data = workload()
    expected = reference(tmp_path, data)
    total = sum(map(len, expected.values()))
    file = tmp_path / "batch.jsonl"
    file.write_bytes(b"".join(data))
    env = cli_env(db_url, CERTLEDGER_IMPORT_CHUNK="40", CERTLEDGER_IMPORT_WORKERS=workers)
    kill_part_way(file, db_url, env, at_least=total // 5, total=total)

    again = certledger(["import", str(file), "--json"], env)  # run again, in as many workers (or one: below)
    assert again.returncode == 0, again.stderr.decode()
    summary = json.loads(again.stdout)
    assert summary["failed"] == 0 and summary["skipped"] > 0 and summary["written"] > 0
    assert summary["written"] + summary["skipped"] == summary["lines"] == len(data)

    app = open_ledger(db_url)
    try:
        assert events_by_client(app) == expected  # every line once: no duplicate, nothing missing
        assert kinds(app)["Client.ApplicationSubmitted"] == sum(b'"application submit"' in x for x in data)
        assert applied_lines(app) == len(data)
        from projections import read

        assert read.check_read_models(app).ok  # the read models agree with the events
    finally:
        app.close()

    third = certledger(["import", str(file), "--json"], cli_env(db_url, CERTLEDGER_IMPORT_WORKERS="1"))
    assert json.loads(third.stdout)["written"] == 0 and json.loads(third.stdout)["skipped"] == len(data)


def test_a_finished_import_run_again_writes_nothing(db_url, tmp_path):
    data = workload(6)
    app = open_ledger(db_url)
    try:
        first = import_file(app, db_url, list(data), size=0, actor="导入员", source="batch.jsonl")
        assert first.ok and first.written == len(data) and first.skipped == 0
        before = kinds(app)
        second = import_file(app, db_url, list(data), size=0, actor="导入员", source="batch.jsonl")
        assert (second.written, second.skipped, second.errors) == (0, len(data), [])
        in_workers = run_import_in_workers(db_url, list(data), actor="导入员", workers=2, source="batch.jsonl")
        assert (in_workers.written, in_workers.skipped, in_workers.errors) == (0, len(data), [])
        assert kinds(app) == before and applied_lines(app) == len(data)
        # another source is other lines: the same content is applied again (and refused by the rules here)
        other = import_file(app, db_url, list(data[:1]), size=0, actor="导入员", source="other.jsonl")
        assert other.written == 0 and other.skipped == 0 and other.errors[0].rule != "ledger: input format"
    finally:
        app.close()


def test_refused_lines_fixed_in_the_file_are_applied_on_the_next_run(db_url, tmp_path):
    data = workload(5)
    first_client = json.loads(data[0])["client"]
    second = next(i for i, x in enumerate(data) if json.loads(x)["client"] != first_client)
    broken = list(data)
    broken[0] = data[0].replace(b'"application submit"', b'"application submitt"')  # a typo: refused, and so every line of that client
    broken[second + 1] = data[second + 1].replace(b'"command"', b'"commande"')
    file = tmp_path / "batch.jsonl"
    file.write_bytes(b"".join(broken))
    env = cli_env(db_url)
    assert certledger(["init"], env).returncode == 0  # a new ledger is made by init (D57)

    run1 = certledger(["import", str(file)], env)
    assert run1.returncode == 1
    stderr = run1.stderr.decode()
    assert f"{file}:1: " in stderr and f"{file}:{second + 2}: " in stderr
    app = open_ledger(db_url)
    try:
        applied_first = applied_lines(app)
        assert 0 < applied_first < len(data)
        events_first = len(stored_events(app))
    finally:
        app.close()

    # fixed: the two lines corrected, a comment-free blank line and a new first line inserted above them
    fixed = [b"\n", *data]
    file.write_bytes(b"".join(fixed))
    run2 = certledger(["import", str(file), "--json"], env)
    assert run2.returncode == 0, run2.stderr.decode()
    summary = json.loads(run2.stdout)
    assert summary["skipped"] == applied_first and summary["written"] == len(data) - applied_first

    app = open_ledger(db_url)
    try:
        assert events_by_client(app) == reference(tmp_path, data)
        assert len(stored_events(app)) > events_first and applied_lines(app) == len(data)
    finally:
        app.close()


# ------------------------------------------------------------------------------ a concurrent writer

def refusals(app, monkeypatch) -> list[str]:
    """The rules of the saves refused during the import (the chunk the writer made conflict)."""
    from aggregates.errors import RuleViolation

    seen: list[str] = []
    real = app.flush

    def flush(**saved):
        try:
            return real(**saved)
        except RuleViolation as e:
            seen.append(e.rule)
            raise

    monkeypatch.setattr(app, "flush", flush)
    return seen


def _with_writer(data: list[bytes], at: int, write) -> list[bytes]:
    """The lines, with ``write()`` run by another connection just before line ``at`` is read: the
    import's session has run the earlier lines of its chunk and not saved them yet."""
    def lines():
        for i, raw in enumerate(data):
            if i == at:
                write()
            yield raw
    return lines()


def test_a_chunk_refused_by_a_concurrent_writer_is_run_again_line_by_line(db_url, tmp_path, monkeypatch):
    from aggregates.uscc import client_id_for

    monkeypatch.setattr("ledger.importer.AHEAD", 1)  # each line run as soon as it is read (the writer comes in between)
    data = workload(4)
    expected = reference(tmp_path, data)
    fields = json.loads(data[0])
    app = open_ledger(db_url)
    other = open_ledger(db_url)  # the concurrent writer: its own connections
    try:
        def complaint() -> None:  # the first client, loaded and changed by the import's unsaved chunk
            other.execute("complaint receive", {"client": fields["client"], "complainant": "顾客 李某", "subject": "发票开具延迟",
                                                "on": fields["on"]}, actor="客服")

        assert run_import(app, data[:3], actor="导入员", source="batch.jsonl").written == 3  # the client exists: saved
        refused = refusals(app, monkeypatch)
        report = run_import(app, _with_writer(data, 5, complaint), actor="导入员", source="batch.jsonl")
        assert refused == ["ledger: concurrent writes"]  # the chunk was refused once, then its lines saved one by one
        assert report.ok and report.skipped == 3  # lines 4 and 5 changed the client in the session when the writer came
        assert report.written == len(data) - 3  # no line lost to the refused chunk
        got = events_by_client(app)
        assert got.keys() == expected.keys()
        for cid, events in expected.items():  # every line's events once, and the other writer's complaint
            extra = Counter({"Client.ComplaintReceived": 1}) if cid == client_id_for(fields["client"]) else Counter()
            assert Counter(e[2] for e in got[cid]) == Counter(e[2] for e in events) + extra
        assert applied_lines(app) == len(data)
    finally:
        other.close()
        app.close()


def test_a_line_in_genuine_conflict_fails_alone_and_the_later_lines_apply(db_url, monkeypatch):
    monkeypatch.setattr("ledger.importer.AHEAD", 1)
    data = workload(4)
    second = next(i for i, x in enumerate(data) if json.loads(x)["client"] != json.loads(data[0])["client"])
    app = open_ledger(db_url)
    other = open_ledger(db_url)
    try:
        def same_application() -> None:  # the other writer records the very application the file's first line does
            fields = json.loads(data[0])
            other.execute(fields.pop("command"), fields, actor=fields.pop("actor"))

        refused = refusals(app, monkeypatch)
        report = run_import(app, _with_writer(data, second, same_application), actor="导入员", source="batch.jsonl")
        assert refused[0] == "ledger: concurrent writes"
        assert [e.line for e in report.errors] == [1]  # only that line: the client is registered already
        assert report.written == len(data) - 1
        assert kinds(app)["Client.ApplicationSubmitted"] == sum(b'"application submit"' in x for x in data)
        assert applied_lines(app) == len(data) - 1
    finally:
        other.close()
        app.close()


# ------------------------------------------------------------------------------ line_id

def test_a_given_line_id_is_one_line_in_the_whole_ledger(db_url):
    data = workload(2)
    first = json.loads(data[0])
    named = [json.dumps({**json.loads(x), "line_id": f"crm-{i}"}, ensure_ascii=False).encode() + b"\n" for i, x in enumerate(data)]
    app = open_ledger(db_url)
    try:
        r1 = import_file(app, db_url, named[:3], size=0, actor="导入员", source="monday.jsonl")
        assert r1.ok and r1.written == 3
        # another file with the same line_ids: applied lines are skipped, the rest applied
        r2 = import_file(app, db_url, named, size=0, actor="导入员", source="tuesday.jsonl")
        assert (r2.written, r2.skipped, r2.errors) == (len(data) - 3, 3, [])
        # the same line_id on other content is refused, naming where it was applied
        changed = json.dumps({**first, "name": "另一家公司", "line_id": "crm-0"}, ensure_ascii=False).encode()
        bad_ids = [json.dumps({**first, "line_id": v}, ensure_ascii=False).encode() for v in ("", "x" * 129, "a\u0007b", 7)]
        r3 = import_file(app, db_url, [changed, *bad_ids], size=0, actor="导入员", source="wednesday.jsonl")
        assert [e.line for e in r3.errors] == [1, 2, 3, 4, 5] and r3.written == 0
        assert r3.errors[0].rule == "ledger: import line identity" and "monday.jsonl line 1" in r3.errors[0].message_en
        assert all(e.rule == "ledger: input format" and "line_id" in e.message_en for e in r3.errors[1:])
        # two lines of one file with one line_id: the first applied, the second refused, naming the first
        complaint = {"command": "complaint receive", "client": first["client"], "complainant": "顾客 甲", "subject": "服务态度",
                     "on": first["on"], "line_id": "dup"}
        twice = [json.dumps(c, ensure_ascii=False).encode() for c in (complaint, {**complaint, "subject": "交付延迟"})]
        r4 = import_file(app, db_url, twice, size=0, actor="导入员", source="thursday.jsonl")
        assert r4.written == 1 and [(e.line, e.rule) for e in r4.errors] == [(2, "ledger: import line identity")]
        assert "thursday.jsonl line 1" in r4.errors[0].message_en
        assert applied_lines(app) == len(data) + 1
    finally:
        app.close()


# Two imports of one file at once: tests/integration/test_import_at_once.py (they take turns, D56;
# the test holds the turn until both wait, so it no longer depends on how their starts interleave).


# ------------------------------------------------------------------------------ lines that cannot be read

@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_line_that_cannot_be_read_fails_alone_with_file_and_line(db_url, tmp_path, workers):
    from ledger.import_lines import MAX_DEPTH, MAX_LINE_BYTES

    data = workload(1)
    client = json.loads(data[0])["client"]

    def complaint(subject: str) -> bytes:
        return b'{"command": "complaint receive", "client": "' + client.encode() + b'", "complainant": "x", "subject": ' + subject.encode() + b"}\n"

    lines = [
        b"\xef\xbb\xbf" + data[0],  # a byte-order mark at the start of the file: accepted
        complaint("[" * 100_000 + "]" * 100_000),  # nested beyond the interpreter's recursion limit
        complaint("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)),  # nested deeper than a command's fields go
        complaint('"' + "长" * (MAX_LINE_BYTES // 3 + 10) + '"'),  # over the length limit
        b'{"command": "application review", "client": "\xff\xfe", "application": "AP1"}\n',  # not UTF-8
        data[1],
    ]
    file = tmp_path / "input.jsonl"
    file.write_bytes(b"".join(lines))
    assert certledger(["init"], cli_env(db_url)).returncode == 0  # a new ledger is made by init (D57)
    run = certledger(["import", str(file), "--lang", "en"], cli_env(db_url, CERTLEDGER_IMPORT_WORKERS=workers))
    err = run.stderr.decode()
    assert run.returncode == 1 and "Traceback" not in err
    reported = sorted(int(x.split(":")[1]) for x in err.splitlines() if x.startswith(f"{file}:"))
    assert reported == [2, 3, 4, 5], err
    assert f"{file}:2: The JSON is nested more than {MAX_DEPTH} levels deep" in err
    assert f"{file}:3: The JSON is nested more than {MAX_DEPTH} levels deep" in err
    assert f"{file}:4: The line is " in err and f"over the limit of {MAX_LINE_BYTES} bytes" in err
    assert f"{file}:5: The line is not valid UTF-8 (byte 46)" in err
    app = open_ledger(db_url)
    try:
        got = kinds(app)
        assert got["Client.ApplicationSubmitted"] == 1 and got["Client.ApplicationReviewed"] == 1  # lines 1 and 6
        assert got["Client.ComplaintReceived"] == 0 and applied_lines(app) == 2
    finally:
        app.close()
