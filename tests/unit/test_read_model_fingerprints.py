"""One staleness fingerprint per read model (projections/catalogue.py), over every file that shapes
its rows, the aggregate included: a change to the code that shapes a read model's rows changes its
fingerprint (so the next catch-up rebuilds it), and a change elsewhere does not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from projections import catalogue


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the product's source files that the catalogue reads instead of the real ones."""
    for top in ("aggregates", "ledger", "projections"):
        shutil.copytree(catalogue.ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # not the user's cache folder
    monkeypatch.setattr(catalogue, "_CACHE", None)
    catalogue._file_digest.cache_clear()
    yield tmp_path
    catalogue._file_digest.cache_clear()


def fingerprints() -> dict[str, str]:
    catalogue._file_digest.cache_clear()
    return {name: catalogue.fingerprint(name) for name in catalogue.NAMES}


def touch(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")


def test_every_read_model_is_shaped_by_the_aggregate_and_its_own_module():
    for name in catalogue.NAMES:
        files = {str(p.relative_to(catalogue.ROOT)) for p in catalogue.files(name)}
        assert {"aggregates/client.py", "aggregates/state.py", "projections/tables.py", "projections/db.py"} <= files, name
        assert any(f.startswith("projections/") and f not in {
            "projections/catalogue.py", "projections/tables.py", "projections/base.py", "projections/db.py",
            "projections/jsonish.py"} for f in files), name
        assert not any("/policy/" in f for f in files), name  # the checks never run on replay


@pytest.mark.parametrize("changed, expected", [
    ("aggregates/state.py", set(catalogue.NAMES)),           # Client.stage, say: every read model
    ("aggregates/client.py", set(catalogue.NAMES)),
    ("projections/tables.py", set(catalogue.NAMES)),
    ("projections/register.py", {"register"}),
    ("projections/summaries.py", {"summaries"}),
    ("ledger/rules/deadlines.py", {"deadlines"}),
    ("ledger/rules/schemes/procedures/004.toml", {"deadlines"}),
    ("ledger/rules/scoring/catalogue.py", {"grades", "summaries"}),  # grade names
    ("aggregates/policy/certificates.py", set()),            # checks only: no read model changes
    ("ledger/app.py", set()),
])
def test_a_change_to_a_file_that_shapes_rows_changes_exactly_the_fingerprints_it_shapes(tree, changed, expected):
    before = fingerprints()
    touch(tree / changed)
    after = fingerprints()
    assert {n for n in catalogue.NAMES if before[n] != after[n]} == expected


def test_show_checks_the_same_fingerprint_the_summaries_read_model_stores():
    from projections.fastread import summaries_fingerprint
    from projections.summaries import Summaries

    assert summaries_fingerprint() == Summaries().fingerprint() == catalogue.fingerprint("summaries")


def test_the_deadlines_fingerprint_also_holds_the_calendar_packages_last_published_year(monkeypatch):
    from ledger.rules import calendar
    from projections.deadlines import OpenDeadlines

    before = OpenDeadlines().fingerprint()
    monkeypatch.setattr(calendar, "last_published_year", lambda: 2099)
    assert OpenDeadlines().fingerprint() != before
