"""``certledger init``: the one command that makes a new ledger (D57; ``demo`` makes its own demo
ledger). Every other command opens a ledger that is there already."""

from __future__ import annotations

import click

from cli.output import common_options, emit, settings


@click.command()
@common_options
def init() -> None:
    """Make a new, empty ledger where --db (or CERTLEDGER_DB, or the default file) says: a SQLite
    file, its folder made if missing (an empty file becomes a ledger), or a PostgreSQL schema, made
    if missing. A ledger already there is left as it is; another program's file is refused."""
    from ledger.bootstrap import create
    from ledger.config import resolve_database

    s = settings()
    database = resolve_database(s.db)
    app, created = create(database=database)
    app.close()
    where = database.display()
    emit({"ledger": where, "created": created}, lambda t: t.t(
        f"已创建新账本：{where}" if created else f"{where} 已是 certledger 账本；没有改动。",
        f"Created a new ledger: {where}" if created else f"{where} is a certledger ledger already; nothing was changed."))
