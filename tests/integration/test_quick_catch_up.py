"""The catch-up after a write on SQLite with the driver alone (projections.quick, D41): the same
rows as the general path's rebuild, taken by ``execute`` after a write, and not taken (nothing
written, the general path runs) whenever the read models are not in the state it handles. A write
command in a fresh process then imports neither SQLAlchemy nor structlog nor the holidays package."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

ADMIN = "张伟"


def dump(path: str) -> dict[str, list[tuple]]:
    """Every read-model table's rows, sorted (the tracking rows without their time)."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm_%'")]
        out = {}
        for name in sorted(names):
            sql = "SELECT name, position, fingerprint FROM rm_tracking" if name == "rm_tracking" else f'SELECT * FROM "{name}"'
            out[name] = sorted(conn.execute(sql).fetchall(), key=repr)
        return out
    finally:
        conn.close()


def positions(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, position FROM rm_tracking").fetchall())
    finally:
        conn.close()


@pytest.fixture
def ledger(sqlite_url):
    from ledger.bootstrap import bootstrap
    from projections import dispose

    app = bootstrap(sqlite_url)
    app.update_read_models()  # the read models exist, at the first event
    yield app
    dispose(app)
    app.close()


def test_the_driver_alone_stores_exactly_what_a_rebuild_stores(ledger, sqlite_url):
    from ledger.demo import play
    from projections.quick import after_write

    play(ledger, to_the_end=True)  # the demo's whole year: people, the body, every area's events
    last = ledger.recorder.max_notification_id()
    assert 300 < last < 1000
    assert after_write(ledger) is True
    assert set(positions(sqlite_url).values()) == {last}
    quick = dump(sqlite_url)
    assert len(quick) == 8 and all(quick.values())  # every read model's table filled, not just the trail
    ledger.rebuild_read_models()
    assert dump(sqlite_url) == quick


def test_a_write_command_catches_up_without_the_general_path(ledger, sqlite_url, monkeypatch):
    from projections import runner

    def general(*args, **kwargs):
        raise AssertionError("the general catch-up ran")

    ledger.execute("application submit", {"client": "91330100716105852F", "name": "杭州某科技有限公司", "address": "杭州市西湖区",
                                          "scheme": "zgc-ru015", "scope": "企业质量信用管理", "site": ["总部=杭州市西湖区"],
                                          "headcount": "30"}, actor=ADMIN)
    monkeypatch.setattr(runner, "catch_up", general)
    ledger.execute("complaint receive", {"client": "91330100716105852F", "complainant": "顾客", "subject": "交货延迟"}, actor=ADMIN)
    last = ledger.recorder.max_notification_id()
    assert set(positions(sqlite_url).values()) == {last}
    conn = sqlite3.connect(sqlite_url)
    assert conn.execute("SELECT events FROM rm_client_summaries").fetchone() == (last,)
    assert conn.execute("SELECT type FROM rm_audit_trail WHERE position = ?", (last,)).fetchone() == ("ComplaintReceived",)
    conn.close()


def _one_more_event(app) -> None:
    app.receive_complaint(client="91330100716105852F", complainant="顾客", subject="交货延迟", actor=ADMIN, on=date(2026, 3, 9))


@pytest.mark.parametrize("damage", ["fingerprint", "table", "positions"])
def test_read_models_it_does_not_handle_are_left_to_the_general_path_untouched(ledger, sqlite_url, damage):
    from projections.quick import after_write

    ledger.submit_application(client="91330100716105852F", name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                              scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                              actor=ADMIN, on=date(2026, 3, 2))
    ledger.update_read_models()
    _one_more_event(ledger)
    conn = sqlite3.connect(sqlite_url)
    if damage == "fingerprint":  # the code that shapes the rows changed: a rebuild is due
        conn.execute("UPDATE rm_tracking SET fingerprint = 'old' WHERE name = 'deadlines'")
    elif damage == "table":
        conn.execute("DROP TABLE rm_open_nonconformities")
    else:  # one read model behind the others (a rebuild of it alone, say)
        conn.execute("UPDATE rm_tracking SET position = 1 WHERE name = 'register'")
    conn.commit()
    conn.close()
    before = dump(sqlite_url)
    assert after_write(ledger) is False
    assert dump(sqlite_url) == before  # nothing written
    ledger.update_read_models(after_write=True)  # the general path mends it
    assert set(positions(sqlite_url).values()) == {ledger.recorder.max_notification_id()}


def test_a_catch_up_already_running_is_left_the_events(ledger, sqlite_url):
    from ledger.store.sqlite import SqliteBackend
    from projections.quick import after_write

    ledger.submit_application(client="91330100716105852F", name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                              scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                              actor=ADMIN, on=date(2026, 3, 2))
    before = positions(sqlite_url)
    with SqliteBackend.from_env(ledger.env).catch_up_turn() as mine:  # another process's catch-up holds the turn
        assert mine
        assert after_write(ledger) is True
    assert positions(sqlite_url) == before


def test_a_write_command_imports_neither_sqlalchemy_nor_structlog_nor_holidays(tmp_path):
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    app.submit_application(client="91330100716105852F", name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                           scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                           actor=ADMIN, on=date(2026, 3, 2))
    app.update_read_models()
    app.close()
    code = ("import sys\nsys.argv=['certledger','--db'," + repr(db) + ",'complaint','receive','--client','91330100716105852F',"
            "'--complainant','顾客','--subject','交货延迟']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sqlalchemy','structlog','holidays') if m in sys.modules))")
    env = {**os.environ, "CERTLEDGER_ACTOR": ADMIN, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CERTLEDGER_LOG_LEVEL", None)
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120) for _ in range(2)]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
        assert "投诉已记录" in proc.stdout
    assert runs[1].stdout.strip().splitlines()[-1] == "[]"  # the first run read the holidays package once, for the cache
    conn = sqlite3.connect(db)
    last = conn.execute("SELECT max(rowid) FROM stored_events").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM rm_audit_trail WHERE type = 'ComplaintReceived'").fetchone() == (2,)
    conn.close()
    assert set(positions(db).values()) == {last}  # every read model current after each write
