"""SQLite writers that wait in the kernel for the write turn (D52, ledger/store/sqlite_turn.py): a
``flock`` on ``LEDGER-write`` around every save's write transaction. A write waits while another
process holds the turn (seen in /proc/locks as a blocked lock, not by timing) and goes on when it
is let go; past the busy timeout it is refused clearly with nothing written; where the lock file
cannot be made the ledger writes as before. Real processes throughout."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import root
from tests.integration.test_client_cache import ROOT, another_process_receives, complainants
from tests.integration.test_crash_safety import certledger_command
from tests.integration.test_ledger_persistence import USCC, apply

HOLDER = "import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\nfcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\nsys.stdin.read()\n"


@pytest.fixture
def ledger(sqlite_url):
    from ledger.bootstrap import bootstrap

    app = bootstrap(sqlite_url)
    apply(app)
    yield app
    app.close()


def hold_the_turn(db: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, f"{db}-write"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def let_go(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    assert holder.wait(timeout=60) == 0


def blocked_on(path: str) -> bool:
    """Whether some process waits for a lock on ``path`` (a "->" line of /proc/locks naming its inode)."""
    inode = os.stat(path).st_ino
    lines = Path("/proc/locks").read_text().splitlines()
    return any("->" in line and line.split()[-3].endswith(f":{inode}") for line in lines)


def test_a_write_waits_in_the_kernel_for_the_turn_and_goes_on_when_it_is_let_go(ledger, sqlite_url):
    before = ledger.event_count()
    holder = hold_the_turn(sqlite_url)
    try:
        writer = subprocess.Popen([*certledger_command(), "--db", sqlite_url, "--actor", "admin", "complaint", "receive", "--client", USCC,
                                   "--complainant", "等待者", "--subject", "服务", "--on", "2026-01-06"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120  # a bound on the test, not a figure it measures
        while not blocked_on(f"{sqlite_url}-write"):
            assert writer.poll() is None, writer.stderr.read()
            assert time.monotonic() < deadline, "the writer never waited for the turn"
            time.sleep(0.05)
        assert ledger.event_count() == before  # waiting: nothing written while the turn is held
    finally:
        let_go(holder)
    assert writer.wait(timeout=120) == 0, writer.stderr.read()
    assert ledger.event_count() == before + 1 and complainants(ledger) == ["等待者"]


def test_a_write_that_cannot_have_the_turn_within_the_busy_timeout_is_refused_clearly(ledger, sqlite_url, monkeypatch):
    before = ledger.event_count()
    monkeypatch.setenv("CERTLEDGER_SQLITE_BUSY_TIMEOUT", "1")
    holder = hold_the_turn(sqlite_url)
    try:
        r = CliRunner().invoke(root, ["--lang", "en", "--db", sqlite_url, "--actor", "admin", "complaint", "receive", "--client", USCC,
                                      "--complainant", "顾客", "--subject", "服务", "--on", "2026-01-06"])
    finally:
        let_go(holder)
    assert r.exit_code == 1 and "ledger: database busy" in r.stderr and "Traceback" not in r.output, r.output
    assert ledger.event_count() == before  # nothing written
    another_process_receives(sqlite_url, "之后")  # the turn let go: writes go on
    assert complainants(ledger) == ["之后"]


def test_where_the_lock_file_cannot_be_made_the_ledger_writes_as_before(ledger, sqlite_url):
    os.remove(f"{sqlite_url}-write")  # made by the first write
    os.mkdir(f"{sqlite_url}-write")  # a folder where the lock file would be: it cannot be opened
    another_process_receives(sqlite_url, "另一进程")
    ledger.receive_complaint(client=USCC, complainant="本进程", subject="服务", actor="admin", on=date(2026, 1, 6))
    assert complainants(ledger) == ["另一进程", "本进程"]


INTERRUPTED_WAITER = """
import signal, sys
from ledger.store.sqlite_turn import write_turn
def stop(signum, frame):
    raise KeyboardInterrupt
signal.signal(signal.SIGALRM, stop)
signal.setitimer(signal.ITIMER_REAL, 0.5)
try:
    with write_turn(sys.argv[1], 600):
        print("took it", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
sys.stdin.read()  # the process lives on, as an import stopped by a signal does while it cleans up
"""
TAKER = "import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR)\nfcntl.flock(fd, fcntl.LOCK_EX)\nprint('took it', flush=True)\n"


def test_a_wait_for_the_turn_interrupted_by_a_signal_leaves_no_turn_held_behind(ledger, sqlite_url):
    holder = hold_the_turn(sqlite_url)
    waiter = subprocess.Popen([sys.executable, "-c", INTERRUPTED_WAITER, sqlite_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert waiter.stdout.readline().strip() == "interrupted", waiter.stderr.read()
        let_go(holder)  # the waiter's helper thread gets the lock now: it must let go of it at once
        taker = subprocess.run([sys.executable, "-c", TAKER, f"{sqlite_url}-write"], capture_output=True, text=True, timeout=60)
        assert taker.stdout.strip() == "took it", taker.stderr
    finally:
        waiter.stdin.close()
        waiter.wait(timeout=60)
