"""What the database says when it cannot serve: unreachable, busy beyond the wait, or holding events
that do not replay. Refusals like any other (``RuleViolation``): the CLI prints them and exits 1."""

from __future__ import annotations

from typing import Any

from aggregates.errors import RuleViolation


class DatabaseUnavailable(RuleViolation):
    """The database could not be opened or reached."""


def lock_wait_exceeded(e: BaseException | None) -> bool:
    """A database error saying a lock was not obtained in time (SQLite "database is locked", a
    PostgreSQL lock timeout), from the event store or the read models, without importing either."""
    for _ in range(10):  # the exception and what it was raised from
        if e is None:
            return False
        module = type(e).__module__ or ""
        text = str(e).lower()
        if module.startswith(("eventsourcing", "sqlalchemy", "sqlite3", "psycopg")) and (
                "database is locked" in text or "lock timeout" in text or "could not obtain lock" in text):
            return True
        e = e.__cause__ or e.__context__
    return False


def database_busy() -> DatabaseUnavailable:
    return DatabaseUnavailable(
        "ledger: database busy",
        "账本数据库被另一个进程（例如重建读模型或大批导入）占用，超过了等待时限；本次操作没有完成，请稍后重试"
        "（SQLite 的等待时限可用 CERTLEDGER_SQLITE_BUSY_TIMEOUT 设置，默认 30 秒）。",
        "The ledger database is held by another process (a rebuild or a large import, say) for longer than this "
        "command waits; it was not done: try again shortly (SQLite's wait: CERTLEDGER_SQLITE_BUSY_TIMEOUT, "
        "default 30 s).",
    )


def inconsistent_history(client_id: Any, error: Exception) -> RuleViolation:
    """A client's stored events do not replay (a version missing, repeated or forged): the event
    store was altered or damaged behind the ledger's back."""
    return RuleViolation(
        "001 §12 audit trail",
        f"客户 {client_id} 的事件序列无法重放（{error}）：账本存储已被改动或损坏。请运行 certledger verify 查明改动的位置。",
        f"The events of client {client_id} do not replay ({error}): the event store was altered or damaged. "
        "Run certledger verify to find where.",
    )
