"""The garbage collector's tuning for bulk work (ledger.store.collector, docs/decisions.md D16): in force
during an import, undone after it (also when the import is refused), and resting on a fact checked
here: an import leaves no cyclic garbage for the rare full collections to find."""

from __future__ import annotations

import gc

import pytest

from ledger.synthetic import dumps, generate
from ledger.store import collector
from ledger.importer import run_import


def lines(n_clients: int) -> list[bytes]:
    return [dumps(x).encode() for x in generate(n_clients, 5)]


def test_the_tuning_is_in_force_inside_and_undone_after():
    before = gc.get_threshold()
    assert before != collector.THRESHOLD
    with collector.few_full_collections():
        assert gc.get_threshold() == collector.THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_undone_when_the_work_raises():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector.few_full_collections():
        raise RuntimeError("the work failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_an_import_runs_tuned_and_leaves_the_collector_as_it_was(app):
    seen: list[tuple[tuple[int, int, int], int]] = []
    before = gc.get_threshold()
    report = run_import(app, lines(3), actor="导入", on_saved=lambda recordings: seen.append((gc.get_threshold(), gc.get_freeze_count())))
    assert report.ok and seen
    assert all(threshold == collector.THRESHOLD and frozen > 0 for threshold, frozen in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_an_atomic_import_refused_leaves_the_collector_as_it_was(app):
    before = gc.get_threshold()
    report = run_import(app, [*lines(2), b'{"command": "no such command"}'], actor="导入", atomic=True)
    assert not report.ok and report.written == 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


PROBE = """
import gc, json, sys
from ledger.bootstrap import bootstrap
from ledger.importer import run_import
from tests.integration.test_collector import lines

app = bootstrap(sys.argv[1])
work = lines(20)
work[5:5] = [b'{"command": "score enter", "client": "91110108001000000X", "audit": "A1"}', b"{not json"]
gc.collect()
gc.disable()
try:
    report = run_import(app, work, actor="导入")
    found = gc.collect()
finally:
    gc.enable()
print(json.dumps({"written": report.written, "errors": len(report.errors), "found": found}))
"""


def test_an_import_leaves_no_cyclic_garbage(db_url):
    """The premise of the tuning: with full collections rare, garbage in reference cycles would
    stay in memory until one runs. An import of 20 clients' stories (some 1,000 lines, refused
    lines among them) with the collector off: a full collection afterwards finds (next to) nothing.
    Measured in a fresh interpreter: what earlier tests in this process left (caches, engines
    released late) is not the import's."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", PROBE, db_url], capture_output=True, text=True, cwd=root, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["written"] > 900 and result["errors"] >= 2
    found = result["found"]
    assert found < 50, f"an import left {found} objects in reference cycles"
