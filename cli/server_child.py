"""One command in a fork of the command server (D58): made into the client's process as far as a
process can be made into another (its folder, environment, umask, standard streams, arguments,
resource limits and scheduling priority; its groups are the server's, which the server compared),
then ``cli.main.main()`` runs exactly as the console script runs it, and the process ends as the
interpreter would end it (the exit code of ``SystemExit``, threads joined, ``atexit`` functions, the
streams flushed). Standard library only."""

from __future__ import annotations

import os
import signal
import sys
import time


def reset_signals() -> None:
    """The interpreter's own handlers instead of the server's, and no wakeup fd (the server's pipe):
    called first in the fork, while the forwarded signals are still blocked (the server blocks them
    around ``fork``), so that one sent meanwhile waits for ``run`` instead of being lost or read by
    the server as a request to stop."""
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD, signal.SIGUSR1):
        signal.signal(s, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.set_wakeup_fd(-1)


def take_limits(priority: int, limits: list[tuple[int, int, int]]) -> None:
    """The client's resource limits and scheduling priority (the server checked before taking the
    command that none is above what it may set)."""
    import resource

    for res, soft, hard in limits:
        if resource.getrlimit(res) != (soft, hard):
            resource.setrlimit(res, (soft, hard))
    if os.getpriority(os.PRIO_PROCESS, 0) != priority:
        os.setpriority(os.PRIO_PROCESS, 0, priority)


def become_client(fds: list[int], env: dict[bytes, bytes], umask: int, argv: list[str], path0: str) -> None:
    """Take the client's fds 0, 1, 2 and its folder (``fds[3]``), environment, umask, arguments and
    first path entry. The standard streams are made anew over them (``fresh_streams``)."""
    os.setpgid(0, 0)  # its own process group: the signals the client forwards reach its workers too
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
    os.fchdir(fds[3])
    for fd in fds:
        if fd > 2:
            os.close(fd)
    environ = os.environb
    environ.clear()
    environ.update(env)
    time.tzset()
    os.umask(umask)
    sys.argv = argv
    if sys.path:
        sys.path[0] = path0
    fresh_streams()


def fresh_streams() -> None:
    """New ``sys.stdin``, ``sys.stdout``, ``sys.stderr`` over the client's fds 0, 1, 2, made as the
    interpreter makes them at start: the server's own were made over /dev/null and remember what
    they found then (a file object keeps whether its fd could seek: ``import -`` from a pipe would
    be taken for a file). Encodings and errors are the server's, which the client's equal (the
    fingerprint); standard output is line-buffered on a terminal only, standard error always, both
    unbuffered as the server's are when PYTHONUNBUFFERED is set (the same in both, compared)."""
    import io

    unbuffered = sys.__stdout__ is not None and isinstance(getattr(sys.__stdout__, "buffer", None), io.FileIO)
    made = []
    for fd, name, old in ((0, "<stdin>", sys.__stdin__), (1, "<stdout>", sys.__stdout__), (2, "<stderr>", sys.__stderr__)):
        if old is None:
            made.append(None)
            continue
        raw = io.FileIO(fd, "rb" if fd == 0 else "wb", closefd=False)
        raw.name = name  # type: ignore[misc]
        if fd == 0:
            buffer: io.RawIOBase | io.BufferedIOBase = io.BufferedReader(raw)
        elif unbuffered:
            buffer = raw
        else:
            buffer = io.BufferedWriter(raw)
        line = False if unbuffered or fd == 0 else (True if fd == 2 else raw.isatty())
        text = io.TextIOWrapper(buffer, encoding=old.encoding, errors=old.errors, newline="\n", line_buffering=line,
                                write_through=unbuffered and fd != 0)
        text.mode = "r" if fd == 0 else "w"  # type: ignore[misc]
        made.append(text)
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made  # type: ignore[misc]


def _exit_code(e: SystemExit) -> int:
    """What the interpreter makes of an uncaught ``SystemExit``."""
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def run(mask: set[int] | None = None) -> None:
    """Run the command and end the process (never returns). ``mask``: the signal mask to restore
    (the server's, before it blocked the forwarded signals for the fork): a signal forwarded while
    the fork was being made is delivered here, as to a direct start at its first instruction."""
    interrupted = False
    try:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        from cli.main import main

        main()
        code = 0
    except SystemExit as e:
        code = _exit_code(e)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        code, interrupted = 1, True
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()  # type: ignore[attr-defined]
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        sys.excepthook(*sys.exc_info())
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception as e:  # a closed pipe: as the interpreter reports it, exit 120
            try:
                os.write(2, f"Exception ignored in: {stream!r}\n{type(e).__name__}: {e}\n".encode())
            except OSError:
                pass
            code = code or 120
    if interrupted:  # as the interpreter ends on an uncaught KeyboardInterrupt: by SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)
