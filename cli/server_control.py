"""Start, stop and ask the command server (D58) from ``certledger server start|stop|status``
(cli/server.py); the server itself is cli/command_server.py."""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
import time

from cli import launch
from cli.command_server import ensure_folder, paths


def ask_status(path: str) -> dict | None:
    """The running server's own account of itself, or None."""
    sock, _why = launch.connect(path, timeout=5.0)
    if sock is None:
        return None
    with sock:
        body = b"STATUS"
        sock.sendall(struct.pack("!I", len(body)) + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    try:
        return json.loads(data)
    except ValueError:
        return None


def start(directory: str | None = None) -> tuple[str, object]:
    """Start the server for this interpreter and code, unless one runs: (outcome, detail), the
    outcome one of "started" (detail: pid), "running" (pid, None when not known), "folder" (why the
    folder may not be used: Chinese, English), "failed" (the server's error or its log's path). The
    folder must be this user's and private (made 0700 when missing)."""
    import subprocess

    where = paths(directory)
    problem = ensure_folder(where["folder"])
    if problem:
        return "folder", problem
    running = ask_status(where["socket"])
    if running is not None:
        return "running", int(running["pid"])
    r, w = os.pipe()
    try:
        code = "from cli.command_server import main; main()"
        proc = subprocess.Popen([sys.executable, "-c", code, where["folder"], sys.path[0], str(w)], cwd="/",
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                pass_fds=(w,), start_new_session=True)
    finally:
        os.close(w)
    with os.fdopen(r) as ready:
        answer = ready.readline().strip()  # the server's line, or "" when it died before saying it
    proc.wait()
    if answer.startswith("ok "):
        return "started", int(answer[3:])
    if answer == "running":
        return "running", None
    return "failed", answer[6:] if answer.startswith("error ") else where["log"]


def stop(directory: str | None = None, wait: bool = False, listening_wait: float = 10.0) -> tuple[str, int, list[int]]:
    """Ask the server to stop (SIGTERM): it stops listening at once and exits when its running
    commands have ended. ("none", 0, []) when none runs; ("stopped", pid, []) once its process is
    gone; ("stopping", pid, the commands still running) once it stopped listening (without
    ``wait``); ("running", pid, pids) when it still listens after ``listening_wait`` seconds. With
    ``wait``, waits for the process to be gone however long its commands take."""
    where = paths(directory)
    running = ask_status(where["socket"])
    if running is None:
        return "none", 0, []
    pid = int(running["pid"])
    try:
        ino = os.stat(where["socket"]).st_ino
    except OSError:
        ino = -1
    os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + listening_wait
    while True:
        if gone(pid):
            return "stopped", pid, []
        left = [p for p in running.get("running_pids", []) if not gone(p)]
        if not wait:
            try:
                listening = os.stat(where["socket"]).st_ino == ino
            except OSError:
                listening = False
            if not listening and left:
                return "stopping", pid, left
            if time.monotonic() >= end:
                return "running", pid, left
        time.sleep(0.02)


def gone(pid: int) -> bool:
    """Whether the process has ended (a zombie that nobody has reaped yet has ended too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
