"""Everyday commands timed as a user runs them (issue 13, item 1): a write command (one complaint
recorded), ``show`` and ``explain`` on the demo ledger, each a fresh ``certledger`` process, beside
the baseline ``python -c "import click"`` measured in the same run, alternating so that the machine's
load falls on all alike. Prints the medians and their ratios to the baseline.

    python -m bench.everyday [--runs 15]

The issue's targets: a write within 3x, ``show`` within 1.5x, ``explain`` within 3x of the baseline.
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


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-400:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    exe = shutil.which("certledger") or str(Path(sys.executable).with_name("certledger"))
    folder = Path(tempfile.mkdtemp(prefix="certledger-everyday-"))
    db = str(folder / "demo.sqlite")
    env = {**os.environ, "CERTLEDGER_ACTOR": "张伟"}
    subprocess.run([exe, "demo", "--db", db], env=env, capture_output=True, check=True)
    commands = {
        "baseline: python -c 'import click'": [sys.executable, "-c", "import click"],
        "write: complaint receive": [exe, "--db", db, "complaint", "receive", "--client", HANGZHOU, "--complainant", "顾客",
                                     "--subject", "交货延迟"],
        "show": [exe, "--db", db, "show", HANGZHOU],
        "explain": [exe, "--db", db, "explain", HANGZHOU],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, cmd in commands.items():  # one warm-up each (page cache, read models caught up)
        _time(cmd, env)
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(_time(cmd, env))
    base = statistics.median(times["baseline: python -c 'import click'"])
    print(f"{runs} runs each, alternating; medians (ratio to the baseline):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<40} {median * 1000:7.0f} ms  ({median / base:4.1f}x)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
