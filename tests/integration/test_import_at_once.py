"""Imports run at once, interrupted or copied (issue 18 item 2, a user trial's mends; D56), on SQLite
and PostgreSQL with real processes: two imports of one file at once take turns (the second waits,
then skips what the first applied; no traceback, no hang, no event out of the file's order); SIGINT
or SIGTERM stops an import and its workers with a clear message, no leak warning, and running it
again continues; an identical copy of an imported file under another name continues that import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.integration.test_import_resume import (
    ROOT, applied_lines, certledger, cli_env, events_by_client, open_ledger, reference, workload,
)

WAITING = b"Another import of the same source is running"


class Running:
    """`certledger import` in a process of its own, its stderr read as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cli.main", *args], env=env, cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = b""
        self.out = b""
        self._readers = [threading.Thread(target=self._read, args=(name,), daemon=True) for name in ("err", "out")]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str) -> None:
        stream = self.proc.stderr if name == "err" else self.proc.stdout
        while chunk := stream.read1(4096):
            setattr(self, name, getattr(self, name) + chunk)

    def wait_for(self, text: bytes, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.err:
            assert self.proc.poll() is None, f"ended first: {self.err.decode()[-3000:]}"
            assert time.monotonic() < deadline, self.err.decode()[-3000:]
            time.sleep(0.02)

    def finish(self, timeout: float = 300) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # its workers die with it (PR_SET_PDEATHSIG)
            self.proc.wait()
            raise AssertionError(f"the import did not exit within {timeout} s: {self.err.decode()[-3000:]}") from None
        for reader in self._readers:
            reader.join(timeout=10)
        return code


def prepared(url: str) -> None:
    """The ledger and its read models exist before the imports start (two processes creating a new
    ledger's tables at once: tests/integration/test_first_creation.py)."""
    from projections import catch_up

    app = open_ledger(url)
    catch_up(app)
    app.close()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_two_imports_of_one_file_at_once_take_turns(db_url, tmp_path, workers):
    from ledger.store.import_turn import import_turn

    data = workload(8)
    expected = reference(tmp_path, data)
    file = tmp_path / "batch.jsonl"
    file.write_bytes(b"".join(data))
    env = cli_env(db_url, CERTLEDGER_IMPORT_CHUNK="25", CERTLEDGER_IMPORT_WORKERS=workers)
    prepared(db_url)
    app = open_ledger(db_url)
    try:
        # the test holds the file's turn until both imports wait for it: then they start together
        with import_turn(app, file.name):
            runs = [Running(["import", str(file), "--json", "--lang", "en"], env) for _ in range(2)]
            for run in runs:
                run.wait_for(WAITING)
        codes = [run.finish() for run in runs]
    finally:
        app.close()
    assert all(b"Traceback" not in run.err for run in runs), [run.err.decode()[-3000:] for run in runs]
    assert codes == [0, 0], [run.err.decode()[-3000:] for run in runs]
    summaries = sorted((json.loads(run.out) for run in runs), key=lambda s: s["written"])
    # one applied every line; the other waited for it, then skipped them all
    assert [(s["written"], s["skipped"], s["failed"]) for s in summaries] == [(0, len(data), 0), (len(data), 0, 0)]
    app = open_ledger(db_url)
    try:
        assert events_by_client(app) == expected and applied_lines(app) == len(data)  # each once, in the file's order
    finally:
        app.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_import_in_workers_stopped_by_a_signal_says_so_and_continues_when_run_again(db_url, tmp_path, signum):
    data = workload(40, seed=5)
    expected = reference(tmp_path, data)
    total = sum(map(len, expected.values()))
    file = tmp_path / "batch.jsonl"
    file.write_bytes(b"".join(data))
    env = cli_env(db_url, CERTLEDGER_IMPORT_CHUNK="20", CERTLEDGER_IMPORT_WORKERS="2")
    prepared(db_url)
    app = open_ledger(db_url)
    try:
        run = Running(["import", str(file), "--lang", "en"], env)
        deadline = time.monotonic() + 300
        while (app.recorder.max_notification_id() or 0) < total // 10:
            assert run.proc.poll() is None, "the import ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(run.proc.pid, signum)
        code = run.finish(timeout=60)  # no hang
    finally:
        app.close()
    err = run.err.decode()
    assert code == 1, err
    assert "Traceback" not in err and "leaked" not in err and "Aborted" not in err, err
    assert "The import was interrupted" in err and "Run the same command again to continue" in err, err
    assert "lines of this source are applied in the ledger" in err, err
    time.sleep(0.5)
    again = certledger(["import", str(file), "--json"], env)
    assert again.returncode == 0, again.stderr.decode()
    summary = json.loads(again.stdout)
    if summary["skipped"] == len(data):
        pytest.skip("the import had finished before the signal arrived")
    assert summary["written"] + summary["skipped"] == len(data) and summary["failed"] == 0
    app = open_ledger(db_url)
    try:
        assert events_by_client(app) == expected and applied_lines(app) == len(data)
    finally:
        app.close()


def test_an_identical_copy_under_another_name_continues_that_import(db_url, tmp_path):
    data = workload(6)
    first = tmp_path / "batch.jsonl"
    first.write_bytes(b"".join(data))
    env = cli_env(db_url)
    assert certledger(["init"], env).returncode == 0  # a new ledger is made by init (D57)
    run = certledger(["import", str(first), "--json"], env)
    assert run.returncode == 0, run.stderr.decode()
    copy = tmp_path / "elsewhere" / "renamed.jsonl"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    again = certledger(["import", str(copy), "--json", "--lang", "en"], env)
    assert again.returncode == 0, again.stderr.decode()
    summary = json.loads(again.stdout)
    assert (summary["written"], summary["skipped"], summary["failed"]) == (0, len(data), 0)
    assert (summary["source"], summary["source_how"]) == ("batch.jsonl", "same content")
    # the copy is recorded under its own name: run again, it is "the same file"
    third = json.loads(certledger(["import", str(copy), "--json"], env).stdout)
    assert (third["written"], third["source"], third["source_how"]) == (0, "batch.jsonl", "same file")
    app = open_ledger(db_url)
    try:
        assert applied_lines(app) == len(data)
    finally:
        app.close()


def test_two_imports_of_a_source_in_one_process_take_turns_and_ending_another_keeps_the_turn(sqlite_url):
    """The SQLite import turn is a POSIX record lock, which belongs to the process: threads of one
    process take turns on a source beside it, and ending one turn (closing a descriptor on the file)
    never drops another's (ledger/store/import_turn.py)."""
    from ledger.store.import_turn import import_turn

    prepared(sqlite_url)
    app = open_ledger(sqlite_url)
    told, inside, second = threading.Event(), threading.Event(), threading.Event()

    def other_thread() -> None:
        with import_turn(app, "a.jsonl", on_wait=told.set):
            second.set()

    try:
        with import_turn(app, "a.jsonl"):
            thread = threading.Thread(target=other_thread)
            thread.start()
            assert told.wait(60)  # the second import of the source waits for the first
            assert not second.is_set()
            with import_turn(app, "b.jsonl"):  # another source: its own byte, taken at once
                inside.set()
            probe = subprocess.run([sys.executable, "-c", PROBE, f"{sqlite_url}-import", "a.jsonl"], capture_output=True, text=True,
                                   timeout=60)
            assert probe.stdout.strip() == "held", probe.stderr  # "a.jsonl" is still held once "b.jsonl" ended
        thread.join(60)
        assert second.is_set() and inside.is_set()
    finally:
        app.close()


PROBE = ("import fcntl, os, sys, zlib\nfd = os.open(sys.argv[1], os.O_RDWR)\ntry:\n"
         "    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, zlib.crc32(sys.argv[2].encode()) & 0x3FFFFFFF)\n"
         "    print('free')\nexcept OSError:\n    print('held')\n")
SECOND_STOP = """
import os, signal, sys, time
from ledger.bootstrap import bootstrap
from ledger.import_signals import stoppable
from aggregates.errors import RuleViolation
app = bootstrap(sys.argv[1], existing=True)
count = app.recorder.applied_count
def counted(source):
    os.kill(os.getpid(), signal.SIGTERM)  # a second stop, then a Ctrl-C, during the cleanup
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.1)
    return count(source)
app.recorder.applied_count = counted
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # what was there before the import: put back after it
try:
    with stoppable(app, "s.jsonl"):
        os.kill(os.getpid(), signal.SIGTERM)
        while True:
            time.sleep(0.01)
except RuleViolation as e:
    print(e.rule)
print(signal.getsignal(signal.SIGTERM) == signal.SIG_IGN, signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def test_a_second_stop_during_the_cleanup_is_ignored_and_the_handlers_are_put_back(sqlite_url):
    prepared(sqlite_url)
    proc = subprocess.run([sys.executable, "-c", SECOND_STOP, sqlite_url], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.stdout.split("\n")[:2] == ["ledger: import interrupted", "True True"], (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr


SPAWNED = """
import multiprocessing, signal
from ledger.import_signals import sigint_ignored

def report(q):
    q.put(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)

if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    with sigint_ignored():
        p = ctx.Process(target=report, args=(q,))
        p.start()
    print(q.get(timeout=60), signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    p.join()
"""


def test_import_workers_start_with_ctrl_c_ignored_and_the_importer_handles_it_again_after(tmp_path):
    script = tmp_path / "spawned.py"
    script.write_text(SPAWNED)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.strip() == "True True", (proc.stdout, proc.stderr)
