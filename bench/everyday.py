"""Everyday commands timed as a user runs them (issue 13, item 1): a write command (one complaint
recorded), ``show`` and ``explain`` on the demo ledger, each a fresh ``certledger`` process, beside
the baseline ``python -c "import click"`` measured in the same run, alternating so that the machine's
load falls on all alike. Prints the medians and their ratios to the baseline.

    python -m bench.everyday [--runs 15]

The issue's targets: a write within 3x, ``show`` within 1.5x, ``explain`` within 3x of the baseline.

The same three commands are also timed through a command server (``certledger server start``, D58)
started for the run in a folder of its own, alternating with the direct starts in the same rounds;
the server is stopped at the end. ``--no-server`` leaves them out.

Every process, the baseline's too, keeps its compiled bytecode (``__pycache__``, under a folder of
the run: ``PYTHONPYCACHEPREFIX``) as an installed package does: an environment with
``PYTHONDONTWRITEBYTECODE`` set recompiles every module of certledger at every start (about 0.5 s of
a write command here), which no installation does. ``--no-bytecode`` measures that way instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HANGZHOU = "91330100716105852F"


def _server_state(exe: str, env: dict[str, str]) -> dict:
    """``certledger server status --json`` (run as a command: the benchmark imports nothing of the
    command line); {} when no server runs."""
    out = subprocess.run([exe, "server", "status", "--json"], env=env, capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else {}


def _served_cpu(exe: str, env: dict[str, str]) -> float:
    """The CPU time the server has spent so far: the commands it ran (their processes are its
    children, not the client's, so ``wait4`` of the client does not count them) and its own (the
    request read and checked, the fork). Between two readings its own share also holds the answer
    to one ``status`` request, a fraction of a millisecond."""
    state = _server_state(exe, env)
    return float(state.get("commands_cpu_seconds", 0.0)) + float(state.get("server_cpu_seconds", 0.0))


def _time(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and the process's own CPU time (user + system, from ``wait4``): on a machine shared
    with other work the CPU time moves less with the load."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.decode()[-400:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-bytecode", action="store_true", help="compile every module at every start (PYTHONDONTWRITEBYTECODE)")
    parser.add_argument("--no-server", action="store_true", help="time the direct starts only, not through a command server")
    args = parser.parse_args()
    runs = args.runs
    exe = shutil.which("certledger") or str(Path(sys.executable).with_name("certledger"))
    folder = Path(tempfile.mkdtemp(prefix="certledger-everyday-"))
    db = str(folder / "demo.sqlite")
    env = {**os.environ, "CERTLEDGER_ACTOR": "张伟"}
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["CERTLEDGER_SERVER"] = "off"  # the direct starts
    subprocess.run([exe, "demo", "--db", db], env=env, capture_output=True, check=True)
    commands = {
        "baseline: python -c 'import click'": [sys.executable, "-c", "import click"],
        "write: complaint receive": [exe, "--db", db, "complaint", "receive", "--client", HANGZHOU, "--complainant", "顾客",
                                     "--subject", "交货延迟"],
        "show": [exe, "--db", db, "show", HANGZHOU],
        "explain": [exe, "--db", db, "explain", HANGZHOU],
    }
    envs = {name: env for name in commands}
    served_names: set[str] = set()  # the commands run through the server
    served_env = {**env, "CERTLEDGER_SERVER_DIR": str(folder / "server")}
    served_env.pop("CERTLEDGER_SERVER")
    if not args.no_server:
        os.mkdir(folder / "server", 0o700)
        started = subprocess.run([exe, "server", "start"], env=served_env, capture_output=True)
        if started.returncode != 0:
            raise SystemExit(f"the command server did not start: {started.stderr.decode()}")
        for name in ("write: complaint receive", "show", "explain"):
            commands[f"{name} (server)"] = commands[name]
            envs[f"{name} (server)"] = served_env
            served_names.add(f"{name} (server)")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    try:
        for name, cmd in commands.items():  # one warm-up each (page cache, read models caught up)
            _time(cmd, envs[name])
        server_cpu = _served_cpu(exe, served_env) if served_names else 0.0
        for _ in range(runs):
            for name, cmd in commands.items():
                elapsed, cpu = _time(cmd, envs[name])
                if name in served_names:  # the server's share since the last reading: this command's
                    before, server_cpu = server_cpu, _served_cpu(exe, served_env)
                    cpu += server_cpu - before
                times[name].append((elapsed, cpu))
        if served_names:
            served = _server_state(exe, served_env).get("commands_served", 0)
            if served != (runs + 1) * 3:  # the code changed during the run: the server stepped aside
                print(f"the server ran {served} of the {(runs + 1) * 3} commands sent to it (the others ran directly: "
                      "its code or the installation changed during the run); its rows are left out")
                for name in served_names:
                    del times[name]
                served_names.clear()
    finally:
        if not args.no_server:
            subprocess.run([exe, "server", "stop"], env=served_env, capture_output=True)
    baseline = times["baseline: python -c 'import click'"]
    base, base_cpu = statistics.median(t for t, _ in baseline), statistics.median(c for _, c in baseline)
    print(f"{runs} runs each, alternating, bytecode {'compiled at every start' if args.no_bytecode else 'kept'}; "
          "medians (ratio to the baseline), wall time and CPU time:")
    for name, values in times.items():
        median, cpu = statistics.median(t for t, _ in values), statistics.median(c for _, c in values)
        print(f"  {name:<40} {median * 1000:7.0f} ms ({median / base:4.1f}x)   CPU {cpu * 1000:5.0f} ms ({cpu / base_cpu:4.1f}x)")
    if served_names:
        print("  (server): through a command server started for the run (D58); its CPU time is the client's, the command's "
              "process's and the server's own")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
