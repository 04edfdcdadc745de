"""Fixtures shared by the suites: a ledger on a SQLite file and one on PostgreSQL.

PostgreSQL tests use the server named by CERTLEDGER_TEST_PG_URL (set by .ci/run). They skip only
when that variable is unset, and fail when it is set and the server cannot be reached. Each test
gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("CERTLEDGER_TEST_PG_URL", "").strip()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's ledger, actor or language by accident."""
    for name in ("CERTLEDGER_DB", "CERTLEDGER_ACTOR", "CERTLEDGER_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def pg_schema_url() -> tuple[str, str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}schema={schema}", schema


def drop_pg_schema(schema: str) -> None:
    import psycopg
    from psycopg import sql

    from ledger.config import resolve_database

    pg = resolve_database(PG_URL).pg
    with psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"] or None,
                         password=pg["password"] or None, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return str(tmp_path / "ledger.sqlite")


@pytest.fixture
def pg_url():
    if not PG_URL:
        pytest.skip("CERTLEDGER_TEST_PG_URL is not set")
    url, schema = pg_schema_url()
    yield url
    drop_pg_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:
    """The same test against a SQLite file and against PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def app(db_url):
    from ledger.bootstrap import bootstrap

    ledger = bootstrap(db_url)
    yield ledger
    from projections import dispose

    dispose(ledger)
    ledger.close()
