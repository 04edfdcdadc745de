"""Everyday commands timed as a user runs them (issue 13, item 1): a write command (one complaint
recorded), ``show`` and ``explain`` on the demo ledger, each a fresh ``certledger`` process, beside
the baseline ``python -c "import click"`` measured in the same run, alternating so that the machine's
load falls on all alike. Prints the medians and their ratios to the baseline.

    python -m bench.everyday [--runs 15]

The issue's targets: a write within 3x, ``show`` within 1.5x, ``explain`` within 3x of the baseline.

Every process, the baseline's too, keeps its compiled bytecode (``__pycache__``, under a folder of
the run: ``PYTHONPYCACHEPREFIX``) as an installed package does: an environment with
``PYTHONDONTWRITEBYTECODE`` set recompiles every module of certledger at every start (about 0.5 s of
a write command here), which no installation does. ``--no-bytecode`` measures that way instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HANGZHOU = "91330100716105852F"


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
    subprocess.run([exe, "demo", "--db", db], env=env, capture_output=True, check=True)
    commands = {
        "baseline: python -c 'import click'": [sys.executable, "-c", "import click"],
        "write: complaint receive": [exe, "--db", db, "complaint", "receive", "--client", HANGZHOU, "--complainant", "顾客",
                                     "--subject", "交货延迟"],
        "show": [exe, "--db", db, "show", HANGZHOU],
        "explain": [exe, "--db", db, "explain", HANGZHOU],
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for name, cmd in commands.items():  # one warm-up each (page cache, read models caught up)
        _time(cmd, env)
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(_time(cmd, env))
    baseline = times["baseline: python -c 'import click'"]
    base, base_cpu = statistics.median(t for t, _ in baseline), statistics.median(c for _, c in baseline)
    print(f"{runs} runs each, alternating, bytecode {'compiled at every start' if args.no_bytecode else 'kept'}; "
          "medians (ratio to the baseline), wall time and CPU time:")
    for name, values in times.items():
        median, cpu = statistics.median(t for t, _ in values), statistics.median(c for _, c in values)
        print(f"  {name:<40} {median * 1000:7.0f} ms ({median / base:4.1f}x)   CPU {cpu * 1000:5.0f} ms ({cpu / base_cpu:4.1f}x)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
