"""The command server (D58), in the manner of Mercurial's ``chg``: a daemon that has imported what the
commands import, listening on a Unix socket in a private folder; each command runs in a fresh fork of
it (cli/server_child.py), so a command's state is a new process's. The client is the console script
(cli/launch.py); ``certledger server start|stop|status`` (cli/server.py) drive it.

What the server holds against a command that would not run as a direct start would:
- the code: the (mtime, size, inode) of every module file of this project it has loaded and of the
  rule files and their folders are taken at start and again before every command; on a change it
  declines the command (the client runs it directly), stops listening and exits once its running
  commands have ended;
- the environment: the variables that anything read while the server imported (recorded as they
  were read), every ``PYTHON*`` variable and the locale's must equal the client's, or the command is
  declined; the interpreter's flags, path and stream encodings likewise (cli/launch.py fingerprint);
- the terminal: a fork is not in the terminal's session and cannot run a pager there, so a command
  that may page (it has ``--no-pager``) with standard output on a terminal is declined;
- the user: a client of another uid is refused (SO_PEERCRED), the folder is 0700 and this user's;
  a client in other groups, or with a resource limit or priority the fork could not take, is
  declined (cli/server_checks.py); the command's process takes the client's limits and priority.

Nothing is connected or opened before a fork: the server only imports (and saves the dataclass
cache its imports added to, once). Signals the client forwards
go to the command's process group; a client that goes away gets its command SIGTERM, then SIGKILL
after ``GRACE`` seconds. One connection never holds up another: each is read as it becomes
readable, and one that says nothing for ``REQUEST_IDLE`` seconds is dropped. The server wakes every
``WAKE`` seconds and exits when its socket was removed or replaced, or when it was idle for
``$CERTLEDGER_SERVER_IDLE`` seconds (8 hours by default)."""

from __future__ import annotations

import errno
import fcntl
import importlib
import json
import os
import pkgutil
import selectors
import signal
import socket
import struct
import sys
import time

from cli import launch, server_checks

PACKAGES = ("aggregates", "ledger", "projections", "cli")
# Imported by the commands inside functions (found with -X importtime on a write, show, explain,
# history, due and verify); the modules of PACKAGES are all imported.
LAZY = ("sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql", "zoneinfo", "psycopg", "sqlite3",
        "_sha1", "_sha256", "_sha2")  # the last three: aggregates/digests.py's, loaded at the first digest (D68)
RULE_FILES = ("rules/schemes/*.toml", "rules/schemes/procedures/*.toml", "rules/calendars/*.toml", "rules/reports/*.toml",
              "documents/*.html")
ALWAYS_COMPARED = ("LC_ALL", "LC_CTYPE", "LANG", "LANGUAGE", "LC_MESSAGES", "TZ")
GRACE = 10.0  # seconds between the SIGTERM and the SIGKILL of a command whose client went away
REQUEST_IDLE = 5.0  # seconds a connection may stay silent before its request is complete
WAKE = 30.0  # seconds between the server's looks at its socket and its idle time
IDLE = 8 * 3600.0  # seconds without a command after which the server exits ($CERTLEDGER_SERVER_IDLE)
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def paths(directory: str | None = None) -> dict[str, str]:
    d = directory or launch.folder()
    stem = os.path.join(d, f"server-{launch.key()}")
    return {"folder": d, "socket": stem + ".sock", "lock": stem + ".lock", "log": stem + ".log"}


def ensure_folder(path: str) -> tuple[str, str] | None:
    """Make the folder (0700) if missing; why it may not be used (Chinese, English), or None."""
    if not os.path.isabs(path):  # refused (launch.folder_problem), never made relative to this folder
        return launch.folder_problem(path)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as e:
        return f"{path}：{e.strerror}", f"{path}: {e.strerror}"
    return launch.folder_problem(path)


class _Recorder(type(os.environ)):  # type: ignore[misc]
    """``os.environ`` that remembers the names read (while the server imports)."""

    names: set[str]

    def __getitem__(self, k: str) -> str:
        self.names.add(k)
        return super().__getitem__(k)

    def __contains__(self, k: object) -> bool:
        self.names.add(str(k))
        return super().__contains__(k)

    def get(self, k: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.names.add(k)
        return super().get(k, default)


def preload() -> set[str]:
    """Import what the commands import, the dataclass cache first (D49); the environment variables
    read meanwhile."""
    real = os.environ
    recorder = _Recorder(real._data, real.encodekey, real.decodekey, real.encodevalue, real.decodevalue)  # type: ignore[attr-defined]
    recorder.names = set()
    os.environ = recorder  # type: ignore[assignment]
    try:
        from ledger import dataclass_code

        dataclass_code.install()
        importlib.import_module("cli.main")
        for package in PACKAGES:
            top = importlib.import_module(package)
            for info in pkgutil.walk_packages(top.__path__, package + "."):
                importlib.import_module(info.name)
        for name in LAZY:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    finally:
        os.environ = real
    return recorder.names


def settle_caches() -> None:
    """Write what the preload added to the dataclass cache (D49) once, here, and clear the caches'
    counts of new entries, so that a command's process, which saves them at its exit, writes only
    what it added itself (as a direct start does), not the server's 1 MB again at every command."""
    from ledger import dataclass_code

    dataclass_code.settle_before_forks()


def watched() -> list[str]:
    """The module files of this project that are loaded, the rule files and their folders."""
    import glob

    roots = tuple(os.path.join(launch.CODE, p) + os.sep for p in PACKAGES)
    files = sorted({m.__file__ for m in list(sys.modules.values())
                    if isinstance(getattr(m, "__file__", None), str) and m.__file__.startswith(roots)})
    ledger_dir = os.path.join(launch.CODE, "ledger")
    for pattern in RULE_FILES:
        found = sorted(glob.glob(os.path.join(ledger_dir, pattern)))
        files += found + [os.path.dirname(os.path.join(ledger_dir, pattern))]
    return files


def stamps(files: list[str]) -> list[tuple[int, int, int] | None]:
    out: list[tuple[int, int, int] | None] = []
    for f in files:
        try:
            st = os.stat(f)
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append(None)
    return out


def paging_commands() -> frozenset[str]:
    """The commands that may page their output: those with a ``--no-pager`` option in their tree."""
    from cli.registry import EXTRA, GROUP_EXTRA

    def pages(cmd: object) -> bool:
        if any(getattr(p, "name", None) == "no_pager" for p in getattr(cmd, "params", ())):
            return True
        return any(pages(c) for c in getattr(cmd, "commands", {}).values())

    names = {n for n, (module, attr, _) in EXTRA.items() if pages(getattr(importlib.import_module(module), attr))}
    for group, subs in GROUP_EXTRA.items():
        if any(pages(getattr(importlib.import_module(m), a)) for m, a in subs.values()):
            names.add(group)
    return frozenset(names)


def _log(message: str) -> None:
    """One line in the server's log; a log that cannot be written (a full disk, a file size limit)
    loses the line, never the server."""
    try:
        os.write(2, f"{time.strftime('%Y-%m-%dT%H:%M:%S')} [{os.getpid()}] {message}\n".encode("utf-8", "replace"))
    except OSError:
        pass


def idle_limit() -> float:
    """``$CERTLEDGER_SERVER_IDLE`` (seconds; 0: never), else ``IDLE``."""
    given = os.environ.get("CERTLEDGER_SERVER_IDLE", "").strip()
    if not given:
        return IDLE
    try:
        value = float(given)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"CERTLEDGER_SERVER_IDLE must be a number of seconds (0: never), not {given!r}")
    return value


class Server:
    def __init__(self, where: dict[str, str], env_names: set[str], before: dict[str, tuple[int, int, int] | None]) -> None:
        """``before``: the stamps of the project's files taken before the imports, so that a file
        changed while the server imported it counts as changed."""
        self.where = where
        self.files = watched() + server_checks.path_folders()
        now = stamps(self.files)
        self.stamps = [before.get(f, stamp) for f, stamp in zip(self.files, now)]
        self.env = {k: os.environ.get(k) for k in sorted(env_names | set(ALWAYS_COMPARED))}
        self.paging = paging_commands()
        self.fingerprint = launch.fingerprint()
        self.started = time.time()
        self.served = 0
        self.cpu = 0.0  # the CPU time (user and system) of the commands that have ended
        self.declined: list[str] = []
        self.children: dict[int, dict] = {}  # pid -> {"conn", "pidfd", "kill_at"}
        self.requests: dict[socket.socket, dict] = {}  # connections whose request is not whole yet
        self.stopping = ""
        self.idle = idle_limit()
        self.last_active = time.monotonic()
        self.wake = min(WAKE, self.idle) if self.idle else WAKE
        self.next_wake = self.last_active + self.wake
        self.accept_paused = 0.0  # accepting paused until then (no fd left for a connection)
        self.sel = selectors.DefaultSelector()
        self.listener: socket.socket | None = None
        self.lock_fd = -1
        self.wake_r, self.wake_w = os.pipe()

    # --- declining -------------------------------------------------------------------------------------
    def stale(self) -> str | None:
        for f, old, new in zip(self.files, self.stamps, stamps(self.files)):
            if old != new:
                return f"changed since the server started: {f}"
        return None

    def decline_reason(self, fingerprint: bytes, env: dict[bytes, bytes], argv: list[str], fds: list[int], creds: bytes) -> str | None:
        stale = self.stale()
        if stale:
            return stale
        if fingerprint != self.fingerprint:
            return "the interpreter's flags, path or stream encodings differ from the server's"
        problem = server_checks.credentials_problem(creds)
        if problem:
            return problem
        for k, v in self.env.items():
            theirs = env.get(os.fsencode(k))
            if (theirs.decode("utf-8", "surrogateescape") if theirs is not None else None) != v:
                return f"the environment variable {k} differs from the server's (read when it started)"
        mine = {k: v for k, v in os.environb.items() if k.startswith(b"PYTHON")}
        if mine != {k: v for k, v in env.items() if k.startswith(b"PYTHON")}:
            return "the PYTHON* environment differs from the server's"
        word = launch.command_word(argv)
        if word in self.paging and os.isatty(fds[1]) and "--no-pager" not in argv and "--json" not in argv:
            return f"'{word}' may page its output on a terminal, which a server's process cannot do"
        return None

    # --- the loop --------------------------------------------------------------------------------------
    def listen(self) -> None:
        path = self.where["socket"]
        try:
            os.unlink(path)  # a stale socket: the lock is ours, so no server uses it
        except FileNotFoundError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(path)
        finally:
            os.umask(old)
        sock.listen(64)
        sock.setblocking(False)
        self.listener = sock
        self.socket_ino = os.stat(path).st_ino
        self.sel.register(sock, selectors.EVENT_READ, ("accept", None))
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, lambda *_: None)
        self.sel.register(self.wake_r, selectors.EVENT_READ, ("signal", None))

    def stop_listening(self, why: str) -> None:
        if self.listener is None:
            return
        self.stopping = why
        _log(f"stopping: {why}")
        if not self.accept_paused:  # (while paused it is not registered)
            self.sel.unregister(self.listener)
        try:
            if os.stat(self.where["socket"]).st_ino == self.socket_ino:
                os.unlink(self.where["socket"])
        except OSError:
            pass
        self.listener.close()
        self.listener = None
        if self.lock_fd >= 0:  # a new server may start while the running commands end
            os.close(self.lock_fd)
            self.lock_fd = -1

    def loop(self) -> None:
        while self.listener is not None or self.children:
            now = time.monotonic()
            deadlines = [c["kill_at"] for c in self.children.values() if c["kill_at"]]
            deadlines += [r["deadline"] for r in self.requests.values()] + [self.next_wake]
            if self.accept_paused:
                deadlines.append(self.accept_paused)
            if any(c["pidfd"] is None for c in self.children.values()):
                deadlines.append(now + 0.1)  # a command without a pidfd: its end is looked for
            for key, _ in self.sel.select(max(0.0, min(deadlines) - now)):
                what, ref = key.data
                try:
                    if what == "accept":
                        self.accept()
                    elif what == "signal":
                        os.read(self.wake_r, 512)
                        self.stop_listening("asked to stop (a signal)")
                    elif what == "request":
                        self.from_request(ref)
                    elif what == "client":
                        self.from_client(ref)
                    elif what == "ended":
                        self.ended(ref)
                except Exception as e:  # one event's failure is logged; the others are served
                    _log(f"an event ({what}) failed: {e!r}")
            try:
                self.timers()
            except Exception as e:
                _log(f"the server's timers failed: {e!r}")
        _log("stopped")

    def timers(self) -> None:
        now = time.monotonic()
        for pid, c in list(self.children.items()):
            if c["kill_at"] and now >= c["kill_at"]:
                _log(f"command {pid}: its client went away; SIGKILL after {GRACE:.0f} s")
                self._signal(pid, signal.SIGKILL)
                c["kill_at"] = 0.0
            if c["pidfd"] is None and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                self.ended(pid)
        for conn, r in list(self.requests.items()):
            if now >= r["deadline"]:
                _log(f"a connection said nothing whole for {REQUEST_IDLE:.0f} s; dropped")
                self.drop(conn)
        if self.accept_paused and now >= self.accept_paused and self.listener is not None:
            self.accept_paused = 0.0
            self.sel.register(self.listener, selectors.EVENT_READ, ("accept", None))
        if now >= self.next_wake:
            self.next_wake = now + self.wake
            if self.listener is not None:
                try:
                    moved = os.stat(self.where["socket"]).st_ino != self.socket_ino
                except OSError:
                    moved = True
                if moved:
                    self.stop_listening("its socket was removed or replaced")
                elif self.idle and not self.children and now - self.last_active >= self.idle:
                    self.stop_listening(f"idle for {self.idle:.0f} s (CERTLEDGER_SERVER_IDLE)")

    def _signal(self, pid: int, sig: int) -> None:
        try:
            os.killpg(pid, sig)
        except OSError:
            try:
                os.kill(pid, sig)
            except OSError:
                pass

    def from_client(self, pid: int) -> None:
        c = self.children[pid]
        try:
            data = c["conn"].recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            for sig in data:
                if sig in FORWARDED:
                    self._signal(pid, sig)
            return
        _log(f"command {pid}: its client went away; SIGTERM")  # killed or its connection lost
        self.sel.unregister(c["conn"])
        c["conn"].close()
        c["conn"] = None
        self._signal(pid, signal.SIGTERM)
        c["kill_at"] = time.monotonic() + GRACE

    def ended(self, pid: int) -> None:
        c = self.children.pop(pid)
        self.last_active = time.monotonic()
        _, status, usage = os.wait4(pid, 0)
        self.cpu += usage.ru_utime + usage.ru_stime
        if c["pidfd"] is not None:
            self.sel.unregister(c["pidfd"])
            os.close(c["pidfd"])
        if c["conn"] is not None:
            self.sel.unregister(c["conn"])
            try:
                c["conn"].sendall(b"X" + struct.pack("!i", status))
            except OSError:
                pass
            c["conn"].close()

    def accept(self) -> None:
        try:
            conn, _ = self.listener.accept()  # type: ignore[union-attr]
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        except OSError as e:  # no fd left (EMFILE...): stop accepting a while instead of spinning on it
            if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM) and self.listener is not None:
                _log(f"cannot accept a connection ({e.strerror}); not accepting for 1 s")
                self.sel.unregister(self.listener)
                self.accept_paused = time.monotonic() + 1.0
            return
        try:
            conn.setblocking(False)
            _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
            if uid != os.geteuid():
                _log(f"refused a client of uid {uid}")
                conn.close()
                return
            conn.sendall(launch.PROTOCOL + b" " + launch.key().encode() + b" %d\n" % os.getpid())
        except OSError as e:
            _log(f"a client's connection failed before its request: {e!r}")
            conn.close()
            return
        self.requests[conn] = {"data": b"", "fds": [], "deadline": time.monotonic() + REQUEST_IDLE}
        self.sel.register(conn, selectors.EVENT_READ, ("request", conn))

    def drop(self, conn: socket.socket) -> None:
        """Close a connection whose request is not whole, and the fds it sent."""
        r = self.requests.pop(conn)
        self.sel.unregister(conn)
        for fd in r["fds"]:
            os.close(fd)
        conn.close()

    def from_request(self, conn: socket.socket) -> None:
        """Read what a connection sent (it is readable); once its request is whole, answer it."""
        r = self.requests[conn]
        try:
            msg, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 8)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            msg, fds = b"", []
        r["fds"] += fds
        if not msg:  # a greeting only (a client that looked for the server), or a client gone
            self.drop(conn)
            return
        r["data"] += msg
        r["deadline"] = time.monotonic() + REQUEST_IDLE
        data = r["data"]
        if len(data) < 4 or len(data) < 4 + struct.unpack("!I", data[:4])[0]:
            if len(data) > 1 << 26:
                self.drop(conn)
            return
        del self.requests[conn]
        self.sel.unregister(conn)
        try:
            if not self.request(conn, data[4:4 + struct.unpack("!I", data[:4])[0]], r["fds"]):
                conn.close()
        except (OSError, ValueError, UnicodeError) as e:
            _log(f"a client's request failed before its command started: {e!r}")
            conn.close()
        finally:
            for fd in r["fds"]:
                os.close(fd)

    def request(self, conn: socket.socket, body: bytes, fds: list[int]) -> bool:
        """Answer a client's whole request; True when a command was taken (its connection is then
        the command's), False when the connection may be closed."""
        fields = body.split(b"\0")
        if fields[0] == b"STATUS":
            conn.setblocking(True)
            conn.settimeout(5.0)
            conn.sendall(json.dumps(self.status()).encode())
            return False
        if fields[0] != b"RUN" or len(fds) != 4:
            raise ValueError("not a command")
        fingerprint, umask, creds, path0, argc = fields[1], int(fields[2]), fields[3], os.fsdecode(fields[4]), int(fields[5])
        argv = [os.fsdecode(a) for a in fields[6:6 + argc]]
        env = dict(item.split(b"=", 1) for item in fields[6 + argc:] if b"=" in item)
        reason = self.decline_reason(fingerprint, env, argv, fds, creds)
        if reason:
            self.declined = (self.declined + [reason])[-5:]
            conn.sendall(b"D" + reason.encode())
            if reason.startswith("changed since"):
                self.stop_listening(reason)
            return False
        priority, _egid, _gid, _groups, limits = server_checks.parse_credentials(creds)
        conn.sendall(b"S")  # taken: from here the client never runs it itself
        self.fork(conn, fds, env, umask, argv, (priority, limits, path0))
        return True

    def fork(self, conn: socket.socket, fds: list[int], env: dict[bytes, bytes], umask: int, argv: list[str], more: tuple) -> None:
        from cli import server_child

        self.last_active = time.monotonic()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)  # a signal for the fork waits until it is ready
        try:
            pid = os.fork()
        except OSError as e:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.write(fds[2], f"certledger: the command server could not start the command: {e}\n".encode())
            conn.sendall(b"X" + struct.pack("!i", 1 << 8))
            conn.close()
            return
        if pid == 0:
            try:
                server_child.reset_signals()
                inherited = ({key.fd for key in self.sel.get_map().values()} | {fd for r in self.requests.values() for fd in r["fds"]}
                             | {self.wake_w, self.lock_fd, conn.fileno(), self.listener.fileno() if self.listener else -1})
                self.sel.close()
                for fd in inherited:
                    if fd >= 0:
                        os.close(fd)
                priority, limits, path0 = more
                server_child.take_limits(priority, limits)
                server_child.become_client(fds, env, umask, argv, path0)
            except BaseException as e:
                try:
                    os.write(2, f"certledger: the command server could not start the command: {e!r}\n".encode())
                finally:
                    os._exit(1)
            server_child.run(mask)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            os.setpgid(pid, pid)  # at once, so that a signal forwarded now reaches its group (the child does it too)
        except OSError:
            pass
        self.served += 1
        try:
            pidfd: int | None = os.pidfd_open(pid)
        except OSError as e:  # its end is then looked for with waitid (timers)
            _log(f"command {pid}: no pidfd ({e.strerror}); its end is polled")
            pidfd = None
        self.children[pid] = {"conn": conn, "pidfd": pidfd, "kill_at": 0.0}
        self.sel.register(conn, selectors.EVENT_READ, ("client", pid))
        if pidfd is not None:
            self.sel.register(pidfd, selectors.EVENT_READ, ("ended", pid))
        try:
            conn.sendall(b"P" + struct.pack("!i", pid))
        except OSError:
            pass  # the client is gone: its connection's end is read in the loop

    def status(self) -> dict:
        return {"pid": os.getpid(), "socket": self.where["socket"], "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
                "commands_served": self.served, "commands_running": len(self.children), "running_pids": sorted(self.children),
                "commands_cpu_seconds": round(self.cpu, 6), "server_cpu_seconds": round(server_checks.own_cpu(), 6),
                "modules_loaded": len(sys.modules),
                "files_watched": len(self.files), "declined_last": self.declined, "stopping": self.stopping or None}


def serve(directory: str, path0: str, ready_fd: int) -> None:
    """The daemon's body, in the process ``start`` launched (a new session): fork once more so that
    the server is no session leader and nobody's child, then preload, listen and say so on
    ``ready_fd`` ("ok PID" or "error MESSAGE")."""
    if os.fork():
        os._exit(0)
    where = paths(directory)
    ready = os.fdopen(ready_fd, "w")
    try:
        sys.path[0] = path0  # as the console script's own (its folder), which the clients' fingerprint holds
        os.chdir("/")
        null = os.open(os.devnull, os.O_RDWR)
        log = os.open(where["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        lock_fd = os.open(where["lock"], os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            ready.write("running\n")
            ready.close()
            os._exit(0)
        t0 = time.monotonic()
        tree = [os.path.join(d, f) for p in PACKAGES for d, _, fs in os.walk(os.path.join(launch.CODE, p)) for f in fs if f.endswith(".py")]
        before = dict(zip(tree, stamps(tree)))
        names = preload()
        settle_caches()
        server = Server(where, names, before)
        server.lock_fd = lock_fd
        import gc

        gc.collect()
        gc.freeze()  # the forks share the preloaded objects' pages instead of copying them when collecting
        server.listen()
        _log(f"serving on {where['socket']}: {len(sys.modules)} modules loaded in {time.monotonic() - t0:.2f} s, "
             f"{len(server.files)} files watched, {len(server.env)} environment variables compared")
    except BaseException as e:
        ready.write(f"error {e!r}\n")
        ready.close()
        os._exit(1)
    ready.write(f"ok {os.getpid()}\n")
    ready.close()
    try:
        server.loop()
    finally:
        os._exit(0)


def main() -> None:
    """``python -c`` entry of ``start``: serve(folder, the console script's path entry, ready fd)."""
    serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))
