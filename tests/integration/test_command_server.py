"""The command server (D58, issue 18 item 1): real commands through the real console script, with a
server started in a private folder of the test, give the same standard output, standard error and
exit code as the same commands run directly; changed code makes the server step aside; a folder that
is not private is refused; a client's signals reach its command and a killed client's command ends;
``stop`` leaves no process. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import pty
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cli import command_server, launch, server_control
from tests.conftest import drop_pg_schema, pg_schema_url, PG_URL

HANGZHOU = "91330100716105852F"
EXE = shutil.which("certledger") or str(Path(sys.executable).with_name("certledger"))
WRITE = ["complaint", "receive", "--client", HANGZHOU, "--complainant", "顾客", "--subject", "交货延迟"]


@pytest.fixture
def folder():
    """The server's folder: short (a socket's path has at most 107 bytes), private, removed after."""
    path = tempfile.mkdtemp(prefix="cl-srv-")
    os.chmod(path, 0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def env(folder):
    e = {**os.environ, "CERTLEDGER_SERVER_DIR": folder, "CERTLEDGER_ACTOR": "张伟"}
    e.pop("CERTLEDGER_SERVER", None)
    return e


def run(env, args, cwd=None, server=True, **kw):
    e = env if server else {**env, "CERTLEDGER_SERVER": "off"}
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([EXE, *args], env=e, cwd=cwd, capture_output=True, timeout=120, **kw)


def status(env) -> dict:
    out = run(env, ["server", "status", "--json"])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def served(env) -> int:
    """The server's count of commands it ran; a server that stopped fails with its log (it stops
    when a module file of the project changes: another edit of the working tree during the test)."""
    state = status(env)
    assert state["running"], Path(state["log"]).read_text() if Path(state["log"]).exists() else "no log"
    return state["commands_served"]


def alive(pid: int) -> bool:
    return not server_control.gone(pid)


@pytest.fixture
def server(env):
    """A started server; always stopped after, and its process gone."""
    out = run(env, ["server", "start"])
    assert out.returncode == 0, out.stderr.decode()
    pid = status(env)["pid"]
    assert alive(pid)
    try:
        yield pid
    finally:
        run(env, ["server", "stop"])
        deadline = time.monotonic() + 30
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):  # pragma: no cover (a failure of stop: do not leave it behind)
            os.kill(pid, signal.SIGKILL)
            pytest.fail("server stop left the server running")


MOMENT = re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)?")


def same(a: subprocess.CompletedProcess, b: subprocess.CompletedProcess) -> None:
    """Byte for byte, but for the moments events were recorded at: the two ledgers' writes were
    recorded a few seconds apart (the history prints them)."""
    def plain(p: subprocess.CompletedProcess) -> tuple:
        return p.returncode, MOMENT.sub(b"<moment>", p.stdout), MOMENT.sub(b"<moment>", p.stderr)

    assert plain(a) == plain(b)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    """The demo ledger, played once for the module (direct)."""
    folder = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "CERTLEDGER_SERVER": "off", "XDG_DATA_HOME": str(folder / "xdg")}
    for name in ("CERTLEDGER_DB", "CERTLEDGER_ACTOR", "CERTLEDGER_LANG"):
        env.pop(name, None)
    out = subprocess.run([EXE, "demo", "--db", "demo.sqlite"], env=env, cwd=folder, capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr.decode()
    return folder


@pytest.fixture
def demo_pair(tmp_path, demo_folder) -> tuple[Path, Path]:
    """Two identical copies of the demo ledger (one for the direct runs, one for the server's), each
    in a folder of its own reached by the same relative --db, so that a write's output compares too."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(demo_folder, a)
    shutil.copytree(demo_folder, b)
    return a, b


COMMANDS = [
    ["--db", "demo.sqlite", *WRITE],
    ["--db", "demo.sqlite", "--json", "--lang", "en", *WRITE],
    ["--db", "demo.sqlite", "show", HANGZHOU],
    ["--db", "demo.sqlite", "explain", HANGZHOU],
    ["--db", "demo.sqlite", "history", HANGZHOU],
    ["--db", "demo.sqlite", "due"],
    ["--db", "demo.sqlite", "complaint", "receive", "--client", HANGZHOU[:-1] + "X", "--complainant", "a", "--subject", "b"],
    ["--db", "demo.sqlite", "--json", "complaint", "receive", "--client", HANGZHOU[:-1] + "X", "--complainant", "a", "--subject", "b"],
    ["--db", "demo.sqlite", "decide", "--client", HANGZHOU, "--date", "2020-01-01"],
    ["--db", "demo.sqlite", "--json", "decide", "--client", HANGZHOU, "--date", "2020-01-01"],
    ["--db", "missing/nowhere.sqlite", "show", HANGZHOU],
    ["--version"],
]


def test_commands_through_the_server_print_what_a_direct_start_prints(tmp_path, env, server, demo_pair):
    a, b = demo_pair
    before = served(env)
    codes = set()
    for args in COMMANDS:
        direct = run(env, args, cwd=a, server=False)
        through = run(env, args, cwd=b)
        same(direct, through)
        codes.add(direct.returncode)
    assert codes == {0, 1, 2}  # successes, refusals (exit 1) and usage errors (exit 2) alike
    assert served(env) == before + len(COMMANDS)  # every one was the server's
    refusal = json.loads(run(env, COMMANDS[7], cwd=b).stdout)
    assert refusal["refused"] is True and refusal["exit_code"] == 1


def test_standard_input_umask_folder_and_environment_are_the_clients(tmp_path, env, server, demo_pair):
    a, b = demo_pair
    line = json.dumps({"command": "complaint receive", "client": HANGZHOU, "complainant": "顾客", "subject": "交货延迟"}) + "\n"
    english = {**env, "CERTLEDGER_LANG": "en"}
    direct = run(english, ["--db", "demo.sqlite", "import", "-"], cwd=a, input=line.encode(), stdin=None, server=False)
    through = run(english, ["--db", "demo.sqlite", "import", "-"], cwd=b, input=line.encode(), stdin=None)
    assert direct.returncode == 0, direct.stderr.decode()
    same(direct, through)
    assert served(env) == 1
    for mask, mode in ((0o077, 0o600), (0o022, 0o644)):  # the new ledger's file is made with the client's umask
        made = tmp_path / f"made-{mode:o}"
        made.mkdir()
        out = run(env, ["init", "--db", "new.sqlite"], cwd=made, preexec_fn=lambda m=mask: os.umask(m))
        assert out.returncode == 0, out.stderr.decode()
        assert (made / "new.sqlite").stat().st_mode & 0o777 == mode
    assert served(env) == 3


def test_changed_code_makes_the_server_step_aside_and_exit(tmp_path, env, server, demo_pair):
    a, _ = demo_pair
    first = run(env, ["--db", "demo.sqlite", "show", HANGZHOU], cwd=a)
    assert first.returncode == 0 and served(env) == 1
    module = Path(launch.__file__)  # a module file the server has loaded
    st = module.stat()
    os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    try:
        second = run(env, ["--db", "demo.sqlite", "show", HANGZHOU], cwd=a)
        same(first, second)  # run directly, as before
        deadline = time.monotonic() + 10
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(server)
        assert status(env)["running"] is False
        log = Path(status(env)["log"]).read_text()
        assert f"changed since the server started: {module}" in log
    finally:
        os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_folder_others_may_write_is_refused(env, folder):
    os.chmod(folder, 0o770)
    out = run(env, ["server", "start"])
    assert out.returncode == 1 and out.stdout == b""
    assert "权限为 0700" in out.stderr.decode() and "server: private folder" in out.stderr.decode()
    assert not list(Path(folder).glob("*.sock"))
    assert status(env)["folder_problem"].endswith("须为 0700）")
    english = json.loads(run(env, ["--lang", "en", "server", "status", "--json"]).stdout)
    assert english["folder_problem"].endswith("it must be 0700)") and english["running"] is False


def test_a_folder_that_turns_public_is_not_used(env, folder, server, demo_pair):
    a, _ = demo_pair
    os.chmod(folder, 0o755)
    try:
        out = run(env, ["--db", "demo.sqlite", "show", HANGZHOU], cwd=a)
        assert out.returncode == 0 and HANGZHOU.encode() in out.stdout  # run directly
    finally:
        os.chmod(folder, 0o700)
    assert served(env) == 0


def test_output_to_a_terminal_that_may_page_runs_directly(tmp_path, env, server, demo_pair):
    a, _ = demo_pair
    primary, secondary = pty.openpty()
    try:
        for extra, count in (([], 0), (["--no-pager"], 1)):
            out = subprocess.run([EXE, "--db", "demo.sqlite", "explain", HANGZHOU, *extra], env={**env, "PAGER": "cat"}, cwd=a,
                                 stdin=subprocess.DEVNULL, stdout=secondary, stderr=subprocess.PIPE, timeout=120)
            assert out.returncode == 0, out.stderr
            assert served(env) == count
        assert "may page its output on a terminal" in status(env)["declined_last"][-1]
    finally:
        os.close(primary)
        os.close(secondary)


def _start_demo(env, cwd) -> subprocess.Popen:
    proc = subprocess.Popen([EXE, "demo", "--db", "new.sqlite"], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not status(env)["running_pids"] and time.monotonic() < deadline:
        time.sleep(0.02)
    pids = status(env)["running_pids"]
    assert pids, "the demo did not start in the server"
    return proc


def test_ctrl_c_on_the_client_reaches_the_command(tmp_path, env, server):
    proc = _start_demo(env, tmp_path)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and b"Aborted!" in err  # click's answer to Ctrl-C, as in a direct start
    assert status(env)["commands_running"] == 0


def test_a_killed_client_does_not_leave_its_command_running(tmp_path, env, server):
    proc = _start_demo(env, tmp_path)
    [child] = status(env)["running_pids"]
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + command_server.GRACE + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
    assert status(env)["commands_running"] == 0
    assert "its client went away; SIGTERM" in Path(status(env)["log"]).read_text()


def test_stop_leaves_no_process(env):
    started = run(env, ["server", "start", "--json"])
    assert started.returncode == 0
    pid = status(env)["pid"]
    assert json.loads(started.stdout)["pid"] == pid
    again = run(env, ["--lang", "en", "server", "start"])
    assert again.returncode == 0 and again.stdout.decode() == f"Command server already running (pid {pid})\n"
    out = run(env, ["server", "stop", "--json"])
    assert out.returncode == 0 and json.loads(out.stdout) == {"stopped": True, "pid": pid}  # an int, as in start --json
    assert not alive(pid)
    assert status(env)["running"] is False
    assert run(env, ["server", "stop"]).stdout.decode() == "没有正在运行的命令服务器\n"


APPLY = ["application", "submit", "--client", HANGZHOU, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scheme", "zgc-ru015", "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--headcount", "30", "--on", "2026-03-02"]


@pytest.mark.postgres
def test_writes_through_the_server_on_postgresql(tmp_path, env, server):
    if not PG_URL:
        pytest.skip("CERTLEDGER_TEST_PG_URL is not set")
    url, schema = pg_schema_url()
    try:
        made = run(env, ["--db", url, "init"], cwd=tmp_path)
        assert made.returncode == 0, made.stderr.decode()
        write = run(env, ["--db", url, "--json", *APPLY], cwd=tmp_path)
        assert write.returncode == 0, write.stderr.decode()
        assert json.loads(write.stdout)["command"] == "application submit"
        again = run(env, ["--db", url, "--json", *APPLY], cwd=tmp_path)  # a refusal as JSON: applied already
        assert again.returncode == 1 and json.loads(again.stdout)["refused"] is True
        assert served(env) == 3
        for args in (["--db", url, "show", HANGZHOU], ["--db", url, "--lang", "en", "history", HANGZHOU], ["--db", url, "--json", *APPLY],
                     ["--db", url, "due"], ["--db", url, "--json", "decide", "--client", HANGZHOU, "--date", "x"]):
            same(run(env, args, cwd=tmp_path, server=False), run(env, args, cwd=tmp_path))
        assert served(env) == 8
    finally:
        drop_pg_schema(schema)


def test_the_server_preloads_what_a_write_imports(env, demo_pair):
    a, _ = demo_pair
    code = ("import atexit, sys\n"
            "atexit.register(lambda: open('modules', 'w').write('\\n'.join(sys.modules)))\n"
            "sys.argv = ['certledger', '--db', 'demo.sqlite', *sys.argv[1:]]\n"
            "from cli.main import main\n"
            "main()\n")
    out = subprocess.run([sys.executable, "-c", code, *WRITE], env=env, cwd=a, capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    wrote = set((a / "modules").read_text().split())
    assert "ledger.app" in wrote
    pre = subprocess.run([sys.executable, "-c", "import sys; from cli.command_server import preload; preload(); print('\\n'.join(sys.modules))"],
                         env=env, capture_output=True, timeout=120, check=True)
    missing = sorted(m for m in wrote - set(pre.stdout.decode().split()) if not m.startswith("__"))
    assert missing == []


def test_the_default_folder_is_the_cache_folders(monkeypatch):
    from ledger.rules.cache_dir import cache_dir

    for name in ("CERTLEDGER_SERVER_DIR", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert launch.folder() == str(cache_dir() / "server")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/1000")
    assert launch.folder() == "/run/user/1000/certledger"


# --- the mends of the review (issue 18, item 1; D58) ------------------------------------------------------

SCRIPT_PYTHON = Path(EXE).read_text().splitlines()[0].removeprefix("#!").strip()  # the console script's interpreter path
RAW_CLIENT = """
import os, signal, struct, sys
from cli import launch
sock, why = launch.connect()
assert sock is not None, why
cwd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
launch._send(sock, launch._fields(sys.argv[2:]), [0, 1, 2, cwd])
sock.settimeout(None)
assert launch._recv_exact(sock, 1) == b"S", "declined"
sock.send(bytes([signal.SIGINT]))  # at once, as the launcher forwards a Ctrl-C it held
while (kind := launch._recv_exact(sock, 1)) == b"P":
    launch._recv_exact(sock, 4)
assert kind == b"X"
open(sys.argv[1], "w").write("%d" % struct.unpack("!i", launch._recv_exact(sock, 4))[0])
"""


def test_a_ctrl_c_forwarded_as_the_command_is_taken_interrupts_it_and_not_the_server(tmp_path, env, server):
    """The server blocks the forwarded signals around its fork: the fork takes them with its own
    handlers (never the server's, nor its wakeup pipe), so each ends the command as a direct Ctrl-C
    does (click's "Aborted!" and exit 1, or death by SIGINT before click runs) and the server stays."""
    for i in range(20):
        said = tmp_path / f"status-{i}"
        out = subprocess.run([SCRIPT_PYTHON, "-c", RAW_CLIENT, str(said), EXE, "demo", "--db", f"new-{i}.sqlite"], env=env, cwd=tmp_path,
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        assert out.returncode == 0, out.stderr.decode()
        st = int(said.read_text())
        by_sigint = os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGINT
        aborted = os.WIFEXITED(st) and os.WEXITSTATUS(st) == 1 and b"Aborted!" in out.stderr
        assert by_sigint or aborted, (i, st, out.stderr.decode()[-500:])
    assert alive(server) and served(env) == 20
    assert "asked to stop" not in Path(status(env)["log"]).read_text()


def _limited(fsize: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))


def test_the_command_takes_the_clients_resource_limits(env, server, demo_pair):
    a, b = demo_pair
    args = ["--db", "demo.sqlite", *WRITE]
    direct = run(env, args, cwd=a, server=False, preexec_fn=_limited(4096))
    through = run(env, args, cwd=b, preexec_fn=_limited(4096))
    assert direct.returncode == 1 and "disk I/O error" in direct.stderr.decode()  # the ledger cannot grow
    same(direct, through)
    assert served(env) == 1
    out = run(env, ["--version"], preexec_fn=lambda: os.setpriority(os.PRIO_PROCESS, 0, 5))
    assert out.returncode == 0 and served(env) == 2  # a lower priority (nice 5) is taken, so served


def test_a_client_in_other_groups_runs_directly(env, server):
    if os.geteuid() != 0:
        pytest.skip("changing a process's groups needs root")
    out = run(env, ["--version"], preexec_fn=lambda: os.setgroups([*os.getgroups(), 4242]))
    assert out.returncode == 0 and out.stdout.startswith(b"certledger")
    assert served(env) == 0 and status(env)["declined_last"] == ["the client's groups differ from the server's"]


def test_a_served_command_does_not_write_the_dataclass_cache_again(tmp_path, env):
    """The server writes what its preload added to the dataclass cache (D49) once; a served command
    adds nothing, so writes nothing (it wrote the whole 1 MB file at each command before)."""
    e = {**env, "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc")}
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    where = subprocess.run([sys.executable, "-c", "from ledger.dataclass_code import cache_path; print(cache_path())"],
                           env=e, capture_output=True, text=True, check=True).stdout.strip()
    cache = Path(where)
    assert str(tmp_path / "pyc") in where and not cache.exists()
    assert run(e, ["server", "start"]).returncode == 0
    pid = status(e)["pid"]
    try:
        assert cache.exists()  # written by the server, once
        before = cache.stat().st_mtime_ns
        time.sleep(0.01)
        out = run(e, ["--db", "missing/nowhere.sqlite", "show", HANGZHOU])
        assert out.returncode == 1 and served(e) == 1
        assert cache.stat().st_mtime_ns == before
    finally:
        run(e, ["server", "stop", "--wait"])
    assert not alive(pid)


def test_a_log_that_cannot_be_written_does_not_end_the_server(env):
    """The server's log under a file size limit of 0 bytes: every line fails (EFBIG)."""
    assert run(env, ["server", "start"], preexec_fn=_limited(0)).returncode == 0
    state = status(env)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:  # a request that is not one: logged
            raw.connect(state["socket"])
            raw.recv(200)
            raw.sendall(struct.pack("!I", 5) + b"hello")
            assert raw.recv(10) == b""  # the server closed it
        out = run(env, ["--version"], preexec_fn=_limited(0))
        assert out.returncode == 0 and served(env) == 1
        assert Path(state["log"]).stat().st_size == 0
    finally:
        run(env, ["server", "stop", "--wait"])
    assert not alive(state["pid"])


def test_a_silent_connection_does_not_hold_up_other_commands(env, server):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
        raw.connect(status(env)["socket"])
        assert raw.recv(200).startswith(launch.PROTOCOL)  # greeted, then says nothing
        start = time.monotonic()
        out = run(env, ["--version"])
        # not a speed test: the server used to wait 5 s for this connection's request before
        # accepting the next one; a bound far above a served start shows it no longer waits
        assert out.returncode == 0 and time.monotonic() - start < command_server.REQUEST_IDLE - 2
        assert served(env) == 1
        raw.settimeout(command_server.REQUEST_IDLE + 10)
        assert raw.recv(10) == b""  # dropped once silent for REQUEST_IDLE seconds
    assert "dropped" in Path(status(env)["log"]).read_text()


def test_a_killed_server_leaves_the_client_waiting_for_its_command(tmp_path, env, server):
    proc = _start_demo(env, tmp_path)
    [child] = status(env)["running_pids"]
    os.kill(server, signal.SIGKILL)
    out, err = proc.communicate(timeout=300)
    assert not alive(child)  # the client said so only once the command had ended
    assert proc.returncode == 1
    assert f"the command (pid {child}) has now ended, its outcome unknown: check `certledger history`" in err.decode()


def test_a_changed_folder_of_the_path_makes_the_server_step_aside_and_exit(tmp_path, env):
    """A library installed, upgraded or removed changes its site-packages folder: a folder of
    ``sys.path`` (here one added by PYTHONPATH) that changes is a changed installation."""
    scratch = tmp_path / "libs"
    scratch.mkdir()
    e = {**env, "PYTHONPATH": str(scratch)}
    assert run(e, ["server", "start"]).returncode == 0
    pid = status(e)["pid"]
    try:
        assert run(e, ["--version"]).returncode == 0 and served(e) == 1
        (scratch / "newlib.py").write_text("")
        out = run(e, ["--version"])
        assert out.returncode == 0 and out.stdout.startswith(b"certledger")  # run directly
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid)
        assert f"changed since the server started: {scratch}" in Path(status(e)["log"]).read_text()
    finally:
        run(e, ["server", "stop"])


@pytest.mark.parametrize("how", ["idle", "socket removed"])
def test_an_idle_server_or_one_whose_socket_is_gone_exits(env, how):
    """The server wakes every ``WAKE`` seconds, or as often as its idle time when shorter: with 3 s,
    a socket removed at once is seen at the first wake (looked at before the idle time)."""
    e = {**env, "CERTLEDGER_SERVER_IDLE": "2" if how == "idle" else "3"}
    assert run(e, ["server", "start"]).returncode == 0
    state = status(e)
    if how == "socket removed":
        os.unlink(state["socket"])
    deadline = time.monotonic() + 15
    while alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(state["pid"])
    expected = "idle for 2 s" if how == "idle" else "its socket was removed or replaced"
    assert expected in Path(state["log"]).read_text()


def test_a_relative_server_folder_is_refused(tmp_path, env):
    e = {**env, "CERTLEDGER_SERVER_DIR": "srv"}
    out = run(e, ["--lang", "en", "server", "start"], cwd=tmp_path)
    assert out.returncode == 1 and "CERTLEDGER_SERVER_DIR (srv) is not an absolute path" in out.stderr.decode()
    assert not (tmp_path / "srv").exists()
    assert run(e, ["--version"], cwd=tmp_path).returncode == 0  # commands run directly


def test_stop_while_a_command_runs_reports_it_and_the_command_ends_well(tmp_path, env, server):
    proc = _start_demo(env, tmp_path)
    [child] = status(env)["running_pids"]
    out = run(env, ["server", "stop", "--json"])
    assert out.returncode == 0, out.stderr.decode()
    assert json.loads(out.stdout) == {"stopped": True, "pid": server, "running_pids": [child]}
    assert status(env)["running"] is False  # no longer listening
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()  # the command went on to its end
    deadline = time.monotonic() + 10
    while alive(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(server)


def test_a_server_started_with_python_m_serves_the_console_script(tmp_path, env):
    """The server is keyed on the code's folder; ``sys.path[0]`` (the current folder under
    ``python -m``, the script's folder for the console script) is the client's, set in the fork."""
    out = subprocess.run([SCRIPT_PYTHON, "-m", "cli.main", "server", "start", "--json"], env=env, cwd=tmp_path,
                         capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    pid = json.loads(out.stdout)["pid"]
    try:
        assert run(env, ["--version"]).returncode == 0 and served(env) == 1
    finally:
        run(env, ["server", "stop", "--wait"])
    assert not alive(pid)


def test_a_server_out_of_fds_pauses_accepting_and_serves_again(env):
    """``accept`` failing with EMFILE (the server's fds all taken by silent connections) pauses
    accepting instead of spinning on a listener that stays readable; once those are dropped, the
    server serves again."""
    fds = 40

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (fds, fds))

    assert run(env, ["server", "start"], preexec_fn=limit).returncode == 0
    state = status(env)
    held = []
    try:
        for _ in range(fds + 10):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.5)
            try:
                s.connect(state["socket"])
            except OSError:
                s.close()
                break
            held.append(s)
        log = Path(state["log"])
        deadline = time.monotonic() + 10
        while "cannot accept a connection" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "cannot accept a connection (Too many open files); not accepting for 1 s" in log.read_text()
        for s in held:
            s.close()
        held = []
        out = run(env, ["--version"], preexec_fn=limit)
        assert out.returncode == 0 and served(env) == 1
    finally:
        for s in held:
            s.close()
        run(env, ["server", "stop", "--wait"])
    assert not alive(state["pid"])
