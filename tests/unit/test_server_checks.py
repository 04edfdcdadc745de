"""What the command server compares before it takes a command (cli/server_checks.py, D58): the
launcher's credentials of this very process are accepted; other groups, an unknown resource, a
hard limit above the server's (unless root) and a higher priority (unless root) are declined."""

from __future__ import annotations

import os
import resource

from cli import launch, server_checks


def _field(priority=None, egid=None, gid=None, groups=None, limits=None) -> bytes:
    p, e, g, gs, ls = launch.credentials().decode().split(";")
    return ";".join(str(x) if x is not None else y for x, y in
                    ((priority, p), (egid, e), (gid, g), (groups, gs), (limits, ls))).encode()


def test_this_processs_own_credentials_are_taken():
    field = launch.credentials()
    assert server_checks.credentials_problem(field) is None
    priority, egid, gid, groups, limits = server_checks.parse_credentials(field)
    assert (priority, egid, gid) == (os.getpriority(os.PRIO_PROCESS, 0), os.getegid(), os.getgid())
    assert (resource.RLIMIT_FSIZE, *resource.getrlimit(resource.RLIMIT_FSIZE)) in limits


def test_other_groups_or_an_unknown_resource_are_declined():
    other = ",".join(str(g) for g in sorted({*os.getgroups(), 4242}))
    assert server_checks.credentials_problem(_field(groups=other)) == "the client's groups differ from the server's"
    assert server_checks.credentials_problem(_field(egid=os.getegid() + 1)) == "the client's groups differ from the server's"
    assert "unknown to the server" in server_checks.credentials_problem(_field(limits="999:1:1"))


def test_a_limit_or_priority_above_the_servers_is_declined_unless_root():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    above = _field(limits=f"{resource.RLIMIT_NOFILE}:{soft}:{hard + 1}")
    higher = _field(priority=os.getpriority(os.PRIO_PROCESS, 0) - 1)
    lower = _field(limits=f"{resource.RLIMIT_NOFILE}:{min(soft, 64)}:{min(hard, 64)}")
    assert server_checks.credentials_problem(lower) is None
    if os.geteuid() == 0:  # root may raise both
        assert server_checks.credentials_problem(above) is None and server_checks.credentials_problem(higher) is None
    else:
        assert "RLIMIT_NOFILE is above the server's" in server_checks.credentials_problem(above)
        assert "scheduling priority is above" in server_checks.credentials_problem(higher)
