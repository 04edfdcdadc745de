"""The ``certledger`` console script: hand the command to a running command server, or run it here.

A command server (``certledger server start``, cli/command_server.py, D58) has already imported what
the commands import; each command it is given runs in a fresh fork of it, in this process's folder,
environment, umask, standard streams, resource limits and priority. This launcher imports only
os, socket, sys, array, struct, signal and resource (a few milliseconds; select when the server is
lost), so that a command through the server pays neither the import of
the eventsourcing library nor the definition of the events' dataclasses. When no server's socket
is there (no server started: the usual direct start), it imports none of socket, struct and signal
(about 2 ms that a direct start would not otherwise spend: D65).

Whenever the server cannot be used (none started, a stale or refused socket, a folder that is not
this user's, a server that declines: changed code, a different interpreter or environment, other
groups, a resource limit it could not give the command, output that would go through a pager), the
command runs here, directly, as it always did: nothing is
printed and nothing changes for a user who never starts a server. Once the server has taken the
command (its ``S`` reply), it is never run a second time here, whatever happens next: the client
waits for the server's answer without a time limit once its request is sent, and a server lost
while the command runs leaves the client waiting for the command's process itself to end.
"""

from __future__ import annotations

import os
import sys

PROTOCOL = b"certledger-server 2"
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")  # names: the signal module is imported only for a server
ROOT_OPTIONS_WITH_VALUE = ("--db", "--actor", "--lang")
CODE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the folder that holds cli/, ledger/...


def key() -> str:
    """The server's name for this interpreter and this copy of the code (FNV-1a, 64 bits): two
    virtual environments, two checkouts or two Python versions never share a server."""
    h = 0xCBF29CE484222325
    for b in f"{os.path.realpath(sys.executable)}\0{sys.prefix}\0{CODE}\0{sys.version}".encode("utf-8", "surrogateescape"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def folder() -> str:
    """Where the server's socket, lock and log live: ``$CERTLEDGER_SERVER_DIR``, else
    ``$XDG_RUNTIME_DIR/certledger``, else ``server`` in the user's cache folder (the folder of
    ledger/rules/cache_dir.py, which this launcher may not import: the test holds the two together)."""
    given = os.environ.get("CERTLEDGER_SERVER_DIR")
    if given:
        return given  # a relative one is refused (folder_problem): it would name a folder per current folder
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "certledger")
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "certledger", "server")


def socket_path() -> str:
    return os.path.join(folder(), f"server-{key()}.sock")


def folder_problem(path: str) -> tuple[str, str] | None:
    """Why the folder may not hold this user's server, in Chinese and in English (None when it may):
    it must be a folder (not a link) of this user that nobody else may use (0700 when this code
    makes it)."""
    import stat

    if not os.path.isabs(path):
        return (f"CERTLEDGER_SERVER_DIR（{path}）不是绝对路径", f"CERTLEDGER_SERVER_DIR ({path}) is not an absolute path")
    try:
        st = os.lstat(path)
    except OSError as e:
        return f"{path}：{e.strerror}", f"{path}: {e.strerror}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} 不是文件夹", f"{path} is not a folder"
    if st.st_uid != os.geteuid():
        return f"{path} 属于另一个用户（uid {st.st_uid}）", f"{path} belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o077:
        mode = f"{st.st_mode & 0o777:o}"
        return (f"{path} 其他用户可以读写（权限 {mode}；须为 0700）",
                f"{path} may be read or written by others (mode {mode}; it must be 0700)")
    return None


def command_word(argv: list[str]) -> str | None:
    """The command named on the line (the first word that is neither a root option nor its value)."""
    skip = False
    for word in argv[1:]:
        if skip:
            skip = False
        elif word in ROOT_OPTIONS_WITH_VALUE:
            skip = True
        elif word == "--":
            return None
        elif not word.startswith("-"):
            return word
    return None


def fingerprint() -> bytes:
    """What must be the same in this process and the server for a command to run alike in both.
    ``sys.path[0]`` (the console script's folder, or the current one under ``python -m``) is not
    compared but sent, and set in the command's process: the key already holds the code's folder."""
    streams = tuple((s.encoding, s.errors) if s is not None else None for s in (sys.stdin, sys.stdout, sys.stderr))
    return repr((tuple(sys.flags), sys.path[1:], sys.pycache_prefix, sys.warnoptions, sys._xoptions, sys.executable,
                 streams)).encode("utf-8", "surrogateescape")


def connect(path: str | None = None, timeout: float = 5.0):  # -> tuple[socket.socket | None, str]
    """A connection to this user's server that has greeted us, or (None, why not)."""
    import socket
    import struct

    path = path or socket_path()
    problem = folder_problem(os.path.dirname(path))
    if problem:
        return None, problem[1]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
        if uid != os.geteuid():
            raise OSError(f"the server's process (pid {pid}) belongs to uid {uid}")
        hello = b""
        while not hello.endswith(b"\n") and len(hello) < 200:
            chunk = sock.recv(200)
            if not chunk:
                break
            hello += chunk
        if not hello.startswith(PROTOCOL + b" " + key().encode() + b" "):
            raise OSError("the socket's server is not this version's")
    except OSError as e:
        sock.close()
        return None, str(e) or type(e).__name__
    return sock, ""


def credentials() -> bytes:
    """This process's scheduling priority, effective and real group, groups and every resource limit
    (``resource.RLIMIT_*``), as ``PRIORITY;EGID;GID;G1,G2...;RES:SOFT:HARD,...`` (-1: unlimited)."""
    import resource

    limits = []
    for res in sorted({getattr(resource, n) for n in dir(resource) if n.startswith("RLIMIT_")}):
        try:
            soft, hard = resource.getrlimit(res)
        except (ValueError, OSError):
            continue
        limits.append(f"{res}:{soft}:{hard}")
    groups = ",".join(str(g) for g in sorted(set(os.getgroups())))
    return f"{os.getpriority(os.PRIO_PROCESS, 0)};{os.getegid()};{os.getgid()};{groups};{','.join(limits)}".encode()


def _fields(argv: list[str]) -> list[bytes]:
    mask = os.umask(0o022)
    os.umask(mask)
    env = [k + b"=" + v for k, v in os.environb.items()]
    return [b"RUN", fingerprint(), b"%d" % mask, credentials(), os.fsencode(sys.path[0] if sys.path else ""),
            b"%d" % len(argv), *(os.fsencode(a) for a in argv), *env]


def _send(sock, fields: list[bytes], fds: list[int]) -> None:  # sock: a connected socket.socket
    import socket
    import struct

    body = b"\0".join(fields)
    message = struct.pack("!I", len(body)) + body
    sent = socket.send_fds(sock, [message], fds)
    if sent < len(message):
        sock.sendall(message[sent:])


def _recv_exact(sock, n: int) -> bytes:  # sock: a connected socket.socket
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def through_server(argv: list[str]) -> int | None:
    """Run the command in the server and return its wait status; None when it was not taken (run it
    here). Once taken, a lost server ends this process with a message and exit 1, never a rerun.
    A signal that arrives while the server has not answered yet is held: forwarded once the command
    is taken, raised here again (default action: the direct run never starts) when it is not."""
    path = socket_path()
    if not os.path.exists(path):  # no server started: run here without importing socket (D65)
        return None
    sock, _why = connect(path)
    if sock is None:
        return None
    import signal
    import struct

    pending: list[int] = []
    taken = False
    child = 0  # the command's pid, once the server has said it

    def forward(signum: int, _frame: object) -> None:
        if not taken:
            pending.append(signum)
            return
        try:
            sock.send(bytes([signum]))
        except OSError:  # the server is gone: signal the command's process group ourselves
            if child:
                try:
                    os.killpg(child, signum)
                except OSError:
                    pass

    previous = {s: signal.signal(s, forward) for s in (getattr(signal, name) for name in FORWARDED)}
    cwd = -1
    try:
        cwd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        _send(sock, _fields(argv), [0, 1, 2, cwd])
        sock.settimeout(None)  # sent: from here the server may take it at any moment, so wait for its answer
        taken = _recv_exact(sock, 1) == b"S"  # else declined ("D" and its reason): run here
    except (OSError, EOFError, ValueError):
        taken = False
    finally:
        if cwd >= 0:
            os.close(cwd)
    if not taken:
        sock.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in pending:
            signal.raise_signal(s)
        return None
    for s in pending:
        forward(s, None)
    pidfd = -1
    try:
        while True:
            kind = _recv_exact(sock, 1)
            if kind == b"P":  # the command's pid, sent right after the fork; its pidfd is taken while the
                (child,) = struct.unpack("!i", _recv_exact(sock, 4))  # server holds it unreaped
                try:
                    pidfd = os.pidfd_open(child)
                except OSError:
                    pidfd = -1
            elif kind == b"X":
                (status,) = struct.unpack("!i", _recv_exact(sock, 4))
                return status
            else:
                break
    except (OSError, EOFError):
        pass
    if pidfd >= 0:  # the server is gone but the command may still run: wait for its end before saying so
        import select

        select.select([pidfd], [], [])
        os.write(2, f"certledger: the command server ended before the command did; the command (pid {child}) has now "
                    "ended, its outcome unknown: check `certledger history` before running it again\n".encode())
    else:
        os.write(2, b"certledger: the command server ended before the command did; its outcome is unknown: check "
                    b"`certledger history` before running it again\n")
    return 1 << 8


def main() -> int | None:
    argv = list(sys.argv)
    if command_word(argv) != "server":
        from cli.startup_gc import pause

        pause()  # the collector while the application is imported (cli/startup_gc.py, D65)
    if os.environ.get("CERTLEDGER_SERVER", "").strip().lower() != "off" and command_word(argv) != "server":
        status = through_server(argv)
        if status is not None:
            if os.WIFSIGNALED(status):  # end as the command did: killed by the same signal
                import signal

                sig = os.WTERMSIG(status)
                signal.signal(sig, signal.SIG_DFL)
                os.kill(os.getpid(), sig)
                return 128 + sig
            return os.waitstatus_to_exitcode(status)
    from cli.main import main as direct

    return direct()
