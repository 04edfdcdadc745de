"""What the calendar takes from the holidays package, remembered in a file per installed package
(ledger/rules/holidays_cache.py, D41): the same days as the package gives, read back without it,
and a damaged or unwritable file costs only the time to compute again."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ledger.rules import calendar as calendar_module
from ledger.rules import holidays_cache


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(holidays_cache, "_cache", None)
    monkeypatch.setattr(holidays_cache, "_path", None)
    return tmp_path / "certledger"


def fresh_process(monkeypatch):
    monkeypatch.setattr(holidays_cache, "_cache", None)
    monkeypatch.setattr(holidays_cache, "_path", None)


def test_the_days_are_the_packages_and_are_read_back_without_it(cache_home, monkeypatch):
    computed = calendar_module._package_year_computed(2025)
    assert calendar_module._package_year(2025) == computed
    assert date(2025, 10, 1) in computed[0] and date(2025, 9, 28) in computed[1]  # National Day; a make-up Sunday
    [file] = cache_home.glob("holidays-*.json")
    assert json.loads(file.read_text())["year 2025"][0][0] == "2025-01-01"

    fresh_process(monkeypatch)

    def no_package(year):
        raise AssertionError("the package was asked again")

    monkeypatch.setattr(calendar_module, "_package_year_computed", no_package)
    assert calendar_module._package_year(2025) == computed
    assert calendar_module.Calendar().is_working_day(date(2025, 9, 28))


def test_the_last_published_year_is_remembered_as_the_package_says(cache_home, monkeypatch):
    calendar_module.last_published_year.cache_clear()
    try:
        assert calendar_module.last_published_year() == calendar_module._last_published_year()
        fresh_process(monkeypatch)
        calendar_module.last_published_year.cache_clear()
        monkeypatch.setattr(calendar_module, "_last_published_year", lambda: 1999)
        assert calendar_module.last_published_year() >= 2026  # from the file, not recomputed
    finally:
        calendar_module.last_published_year.cache_clear()


def test_a_damaged_file_is_computed_again_and_rewritten(cache_home, monkeypatch):
    calendar_module._package_year(2024)
    [file] = cache_home.glob("holidays-*.json")
    file.write_text("{not json")
    fresh_process(monkeypatch)
    assert calendar_module._package_year(2024) == calendar_module._package_year_computed(2024)
    assert "year 2024" in json.loads(file.read_text())


def test_an_unwritable_cache_folder_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder would be
    fresh_process(monkeypatch)
    assert calendar_module._package_year(2023) == calendar_module._package_year_computed(2023)


def test_the_file_is_another_for_a_copied_over_data_file_or_another_version(tmp_path, monkeypatch):
    """The key names the package's version (read as text: ``version.py``, else its dist-info folder)
    and each data file's inode and change time beside its size and modification time: a copy tool
    that keeps those two gives another file, not the old days."""
    import importlib.util
    import os
    from types import SimpleNamespace

    root = tmp_path / "site" / "holidays"
    (root / "countries").mkdir(parents=True)
    for name in ("__init__.py", "version.py", "countries/china.py"):
        (root / name).write_text("from importlib.metadata import version\n__version__ = version('holidays')\n")
    (tmp_path / "site" / "holidays-0.90.dist-info").mkdir()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: SimpleNamespace(submodule_search_locations=[str(root)]))
    first = holidays_cache._package_key()
    assert first is not None and holidays_cache._package_key() == first
    assert holidays_cache._version(root) == "holidays-0.90.dist-info"

    china = root / "countries" / "china.py"
    st = china.stat()
    china.write_text(china.read_text().replace("version", "VERSION", 1))  # the same size
    os.utime(china, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same modification time
    second = holidays_cache._package_key()
    assert second != first

    (tmp_path / "site" / "holidays-0.90.dist-info").rename(tmp_path / "site" / "holidays-0.91.dist-info")
    third = holidays_cache._package_key()
    assert third not in (first, second)

    (root / "version.py").write_text('__version__ = "0.92"\n')
    assert holidays_cache._version(root) == "0.92" and holidays_cache._package_key() not in (first, second, third)
