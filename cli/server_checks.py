"""What the command server (D58) compares before it takes a command, beyond the code and the
environment: the client's groups, resource limits and scheduling priority (cli/launch.py
``credentials``), and the folders of ``sys.path`` (a library installed, upgraded or removed, a
virtual environment made again at the same path). Standard library only."""

from __future__ import annotations

import os
import resource
import sys


def parse_credentials(field: bytes) -> tuple[int, int, int, list[int], list[tuple[int, int, int]]]:
    """(priority, egid, gid, groups, [(resource, soft, hard)...]) from the launcher's field; raises
    ValueError on anything else."""
    priority, egid, gid, groups, limits = field.decode("ascii").split(";")
    return (int(priority), int(egid), int(gid), sorted(int(g) for g in groups.split(",") if g),
            [tuple(int(x) for x in item.split(":")) for item in limits.split(",") if item])  # type: ignore[misc]


def _above(theirs: int, mine: int) -> bool:
    """Whether the limit ``theirs`` is above ``mine`` (RLIM_INFINITY is above every number)."""
    if mine == resource.RLIM_INFINITY:
        return False
    return theirs == resource.RLIM_INFINITY or theirs > mine


def credentials_problem(field: bytes) -> str | None:
    """Why a command with these credentials cannot run in a fork of this process as it would
    directly (None when it can): other groups (a fork cannot take them without privilege), a hard
    limit above the server's (it cannot be raised), a priority above the server's (a lower nice
    value, which needs privilege), or a resource this server does not know."""
    priority, egid, gid, groups, limits = parse_credentials(field)
    if egid != os.getegid() or gid != os.getgid() or groups != sorted(set(os.getgroups())):
        return "the client's groups differ from the server's"
    for res, soft, hard in limits:
        try:
            _mine_soft, mine_hard = resource.getrlimit(res)
        except (ValueError, OSError):
            return f"the resource limit {res} is unknown to the server"
        if (_above(hard, mine_hard) and os.geteuid() != 0) or _above(soft, hard):
            return f"the client's resource limit {_name(res)} is above the server's (it cannot be raised)"
    if priority < os.getpriority(os.PRIO_PROCESS, 0) and os.geteuid() != 0:
        return "the client's scheduling priority is above the server's (its nice value is lower)"
    return None


def _name(res: int) -> str:
    names = sorted(n for n in dir(resource) if n.startswith("RLIMIT_") and getattr(resource, n) == res)
    return names[0] if names else str(res)


def path_folders() -> list[str]:
    """The folders of ``sys.path`` that exist (site-packages changes at every install, upgrade or
    removal of a library; a virtual environment made again has new inodes)."""
    return [p for p in dict.fromkeys(os.path.abspath(p) for p in sys.path if p) if os.path.isdir(p)]


def own_cpu() -> float:
    """This process's CPU time, user and system, without its children's (microseconds, where
    ``os.times`` counts clock ticks of 10 ms)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
