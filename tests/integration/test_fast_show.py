"""``show`` answered from a current summaries read model with the database driver alone
(projections.fastread), on SQLite and PostgreSQL: the same summary as the general path, and no
answer (so the general path catches up) whenever the read model is not current."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from aggregates.errors import NotFound
from ledger.config import resolve_database

USCC = "91330100716105852F"
OTHER = "91110108551385082Q"
ADMIN = "张伟"


def submit(app, uscc: str) -> None:
    app.submit_application(client=uscc, name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                           scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                           actor=ADMIN, on=date(2026, 3, 2))


def test_a_current_read_model_answers_show_exactly_as_the_general_path(app, db_url):
    from projections import queries, read_models
    from projections.fastread import current_summary

    submit(app, USCC)
    general = queries.client_summary(read_models(app), USCC)
    assert current_summary(resolve_database(db_url), USCC) == general
    assert general["uscc"] == USCC and general["events"] == 2


def test_events_not_yet_applied_send_show_to_the_general_path(app, db_url):
    from projections import catch_up
    from projections.fastread import current_summary

    submit(app, USCC)
    catch_up(app)
    app.review_application(client=USCC, application="AP1", accept=True, reason="资料齐全", actor=ADMIN, on=date(2026, 3, 4))
    assert current_summary(resolve_database(db_url), USCC) is None  # one event beyond the read model
    catch_up(app)
    assert current_summary(resolve_database(db_url), USCC)["events"] == 3


def test_a_client_missing_from_a_current_read_model_is_not_in_the_ledger(app, db_url):
    from projections import catch_up
    from projections.fastread import current_summary

    submit(app, USCC)
    catch_up(app)
    with pytest.raises(NotFound, match="91110108551385082Q"):
        current_summary(resolve_database(db_url), OTHER)


def test_a_read_model_of_another_schema_or_none_at_all_is_not_trusted(app, db_url):
    from sqlalchemy import update

    from projections import catch_up, engine_for
    from projections.fastread import current_summary
    from projections.tables import tracking

    submit(app, USCC)
    assert current_summary(resolve_database(db_url), USCC) is None  # no read models yet
    catch_up(app)
    with engine_for(app).begin() as conn:
        conn.execute(update(tracking).where(tracking.c.name == "summaries").values(fingerprint="an older schema"))
    assert current_summary(resolve_database(db_url), USCC) is None


def test_a_missing_ledger_file_is_left_to_the_general_path(tmp_path):
    from projections.fastread import current_summary

    assert current_summary(resolve_database(str(tmp_path / "nowhere.sqlite")), USCC) is None
    assert not (tmp_path / "nowhere.sqlite").exists()


def test_show_of_a_current_client_imports_neither_sqlalchemy_nor_eventsourcing(tmp_path, db_url):
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    ledger = bootstrap(db_url)
    submit(ledger, USCC)
    catch_up(ledger)
    dispose(ledger)
    ledger.close()
    code = ("import sys\nsys.argv=['certledger','show','" + USCC + "','--json']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('eventsourcing','sqlalchemy','structlog') if m in sys.modules))")
    env = {**os.environ, "CERTLEDGER_DB": db_url}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    *shown, modules = proc.stdout.strip().splitlines()
    assert modules == "[]"
    assert f'"uscc": "{USCC}"' in "\n".join(shown)


def test_the_event_table_it_reads_is_the_one_the_library_writes(app, db_url):
    from ledger.store import backend_for
    from ledger.store.postgres import EVENTS as POSTGRES_EVENTS
    from ledger.store.sqlite import EVENTS as SQLITE_EVENTS

    postgres = db_url.startswith("postgresql")
    assert app.recorder.events_table_name == (POSTGRES_EVENTS if postgres else SQLITE_EVENTS)
    assert backend_for(app.env).events_table == app.recorder.events_table_name


# What show's own road leaves out (D50): the listings' commands, options and pager (cli.reads,
# cli.finding, projections.finding, shutil); on SQLite also its backend's module and the audit
# trail's classes, zoneinfo (today at UTC+8) and decimal, and it defines no dataclass at all (whose
# compiled-code cache, D49, would be read whole for it). PostgreSQL's driver imports the standard
# modules itself.
LEFT_OUT = ("cli.reads", "cli.finding", "projections.finding", "ledger.commands", "ledger.app")
LEFT_OUT_ON_SQLITE = ("shutil", "zoneinfo", "decimal", "ledger.store.sqlite", "ledger.store.trail")


def test_show_on_its_own_road_imports_only_what_it_renders(tmp_path, db_url):
    from ledger.bootstrap import bootstrap
    from projections import catch_up, dispose

    ledger = bootstrap(db_url)
    submit(ledger, USCC)
    catch_up(ledger)
    dispose(ledger)
    ledger.close()
    sqlite = not db_url.startswith("postgresql")
    watched = LEFT_OUT + (LEFT_OUT_ON_SQLITE if sqlite else ())
    code = ("import sys, dataclasses\nmade = []\noriginal = dataclasses._process_class\n"
            "def process(cls, *args, **kwargs):\n    made.append(cls.__qualname__)\n    return original(cls, *args, **kwargs)\n"
            "dataclasses._process_class = process\n"
            "sys.argv=['certledger','--db'," + repr(db_url) + ",'show','" + USCC + "']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in " + repr(watched) + " if m in sys.modules))\nprint(made)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    *shown, modules, dataclasses_made = proc.stdout.strip().splitlines()
    assert shown[0] == f"杭州某科技有限公司  ({USCC})"
    assert modules == "[]"
    if sqlite:
        assert dataclasses_made == "[]"
