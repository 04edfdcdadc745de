"""A PostgreSQL primary and its hot standby, started by a test on 127.0.0.1 and stopped after it.

The primary is a cluster of its own (``initdb`` in a temporary directory, on a free port, with
streaming replication allowed from 127.0.0.1); the standby is a base backup of it
(``pg_basebackup -R``: ``standby.signal`` and ``primary_conninfo`` written for it) started on
another free port. The machine's server on 5432 is not touched. PostgreSQL refuses to run as
root, so when the tests run as root the servers run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Iterator


def pg_bin() -> str | None:
    """The directory of the installed server's programs (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _run(cmd: list[str], **kw) -> None:
    subprocess.run(_as_server_user(cmd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def _wait_ready(bindir: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run([f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    raise TimeoutError(f"PostgreSQL on port {port} did not start")


@contextlib.contextmanager
def primary_and_standby() -> Iterator[tuple[str, str]]:
    """Yield (primary URL, standby URL) of database ``ledger``, owned by the ``postgres`` role."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server programs not found under /usr/lib/postgresql")
    root = tempfile.mkdtemp(prefix="certledger-standby-")
    os.chmod(root, 0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary, standby = os.path.join(root, "primary"), os.path.join(root, "standby")
    p1, p2 = _free_port(), _free_port()
    started: list[str] = []
    try:
        _run([f"{bindir}/initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        with open(os.path.join(primary, "pg_hba.conf"), "a") as f:
            f.write("host replication all 127.0.0.1/32 trust\n")
        opts = (f"-c port={p1} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c wal_level=replica -c max_wal_senders=4"
                " -c fsync=off -c synchronous_commit=off")  # a throwaway cluster: no durability wanted
        _run([f"{bindir}/pg_ctl", "-D", primary, "-o", opts, "-l", os.path.join(root, "primary.log"), "-w", "start"])
        started.append(primary)
        _wait_ready(bindir, p1)
        _run([f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres", "ledger"])
        _run([f"{bindir}/pg_basebackup", "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres", "-D", standby, "-R", "-X", "stream"])
        opts2 = f"-c port={p2} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c hot_standby=on"
        _run([f"{bindir}/pg_ctl", "-D", standby, "-o", opts2, "-l", os.path.join(root, "standby.log"), "-w", "start"])
        started.append(standby)
        _wait_ready(bindir, p2)
        yield (f"postgresql://postgres@127.0.0.1:{p1}/ledger", f"postgresql://postgres@127.0.0.1:{p2}/ledger")
    finally:
        for datadir in reversed(started):
            subprocess.run(_as_server_user([f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "-w", "stop"]),
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def wait_replayed(primary_url: str, standby_url: str, timeout: float = 30.0) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as conn:
        lsn = conn.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(standby_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]:
                return
            time.sleep(0.1)
    raise TimeoutError("the standby did not catch up with the primary")
