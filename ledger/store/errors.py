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


# The application's environment key saying the database takes no writes ("standby": a PostgreSQL hot
# standby; set by the backend when it opens one, read by CertLedger.read_only).
READ_ONLY = "CERTLEDGER_READ_ONLY"


def read_only_database(e: BaseException | None) -> bool:
    """A database error saying it takes no writes: a PostgreSQL hot standby or read-only transaction
    (SQLSTATE 25006), a SQLite file or directory the process may not write."""
    for _ in range(10):
        if e is None:
            return False
        module = type(e).__module__ or ""
        text = str(e).lower()
        if module.startswith(("eventsourcing", "sqlalchemy", "sqlite3", "psycopg")) and (
                getattr(e, "sqlstate", None) == "25006" or "read-only transaction" in text
                or "readonly database" in text or "recovery is in progress" in text):
            return True
        e = e.__cause__ or e.__context__
    return False


def read_only_refusal(where: str = "", env: Any = None) -> DatabaseUnavailable:
    """The refusal of a write to a database that takes none; nothing was written. ``env`` (the
    application's environment) says which backend it is, so the message says what applies: a
    PostgreSQL hot standby, or a SQLite file or folder this user may not write (D57); without it,
    both."""
    reads_zh = "读取命令（show、explain、history、due、register、verify、export）可以在这里运行；"
    reads_en = "Read commands (show, explain, history, due, register, verify, export) work here; "
    module = (env or {}).get("PERSISTENCE_MODULE") or ""
    if module == "eventsourcing.sqlite":
        from ledger.store.reader import uri_path

        path = uri_path((env or {}).get("SQLITE_DBNAME") or "")
        folder = path.rsplit("/", 1)[0] if "/" in path else "."
        return DatabaseUnavailable(
            "ledger: read-only database",
            f"当前用户无权写入 SQLite 账本 {path}（写入需要该文件和它所在的文件夹 {folder} 都可写）。{reads_zh}"
            f"写入请以账本所有者的身份运行，或让当前用户可以写入该文件和文件夹（chmod u+w / g+w，必要时 chown 给写入者）。本次没有写入任何内容。",
            f"This user may not write the SQLite ledger {path} (a write needs both the file and its folder {folder} writable). "
            f"{reads_en}to write, run as the ledger's owner, or let this user write the file and the folder (chmod u+w or g+w, "
            "or chown them to the writer). Nothing was written.",
        )
    at = f"（{where}）" if where else ""
    at_en = f" ({where})" if where else ""
    if module == "eventsourcing.postgres":
        return DatabaseUnavailable(
            "ledger: read-only database",
            f"账本数据库{at}是 PostgreSQL 的只读热备库。{reads_zh}写入请连接主库（--db 指向主库）。本次没有写入任何内容。",
            f"The ledger database{at_en} is a read-only PostgreSQL hot standby. {reads_en}write to the primary (--db naming "
            "it). Nothing was written.",
        )
    return DatabaseUnavailable(
        "ledger: read-only database",
        f"账本数据库{at}只读：它是 PostgreSQL 的热备库，或当前用户无权写入该 SQLite 文件或其文件夹。{reads_zh}"
        "写入请连接主库（--db 指向主库）或有写权限的文件。本次没有写入任何内容。",
        f"The ledger database{at_en} takes no writes: it is a PostgreSQL hot standby, or this user may not write the SQLite "
        f"file or its folder. {reads_en}write to the primary (--db naming it) or a file you may write. Nothing was written.",
    )


def database_busy() -> DatabaseUnavailable:
    return DatabaseUnavailable(
        "ledger: database busy",
        "账本数据库被另一个进程（例如重建读模型或大批导入）占用，超过了等待时限；本次操作没有完成，请稍后重试"
        "（SQLite 的等待时限可用 CERTLEDGER_SQLITE_BUSY_TIMEOUT 设置，默认 30 秒）。",
        "The ledger database is held by another process (a rebuild or a large import, say) for longer than this "
        "command waits; it was not done: try again shortly (SQLite's wait: CERTLEDGER_SQLITE_BUSY_TIMEOUT, "
        "default 30 s).",
    )


def replay_failures() -> tuple[type[BaseException], ...]:
    """What replaying a client's stored events raises when the rows were altered or damaged: a row
    that does not decode (``DamagedHistory`` naming its version), a version missing, repeated or forged (the library's
    errors), or a decoded state that lacks or mistypes what the event applies."""
    from eventsourcing.domain import OriginatorIDError, OriginatorVersionError

    return (DamagedHistory, OriginatorVersionError, OriginatorIDError, AssertionError, AttributeError, KeyError,
            TypeError, ValueError, IndexError)


class DamagedHistory(RuleViolation):
    """A client's stored events do not replay: the event store was altered or damaged behind the
    ledger's back. Names the client (its USCC where known, else its id) and, where known, the event
    (version, position) and what is wrong with it (``why``: Chinese, English); ``naming`` gives the
    same refusal naming the client otherwise (a read model's catch-up knows only the id, the ledger
    finds the USCC) or with the event's position."""

    def __init__(self, client: Any, why: tuple[str, str], version: int | None = None, position: int | None = None) -> None:
        self.client, self.why, self.version, self.position = client, why, version, position
        if version is None:
            zh = f"客户 {client} 的事件序列无法重放（{why[0]}）"
            en = f"The events of client {client} do not replay ({why[1]})"
        else:
            zh = f"客户 {client} 的第 {version} 版事件" + (f"（位置 {position}）" if position else "") + f"无法重放（{why[0]}）"
            en = f"Event version {version}" + (f" (position {position})" if position else "") + f" of client {client} cannot be replayed ({why[1]})"
        super().__init__(
            "001 §12 audit trail",
            zh + "：账本存储已被改动或损坏。请运行 certledger verify 查明改动的位置。",
            en + ": the event store was altered or damaged. Run certledger verify to find where.",
        )

    def naming(self, client: Any = None, position: int | None = None) -> DamagedHistory:
        return DamagedHistory(self.client if client is None else client, self.why, self.version,
                              self.position if position is None else position)


def inconsistent_history(client: Any, error: BaseException, version: int | None = None,
                         position: int | None = None) -> DamagedHistory:
    """The refusal for a client whose events did not replay with ``error`` (at ``version`` and
    ``position`` where the caller knows them)."""
    from eventsourcing.domain import OriginatorIDError, OriginatorVersionError

    if isinstance(error, DamagedHistory):
        return error.naming(client, position)
    if isinstance(error, OriginatorVersionError):
        why = ("版本号不连续：有事件缺失、重复或被伪造", f"the versions are not consecutive, an event is missing, repeated or forged: {error}")
    elif isinstance(error, OriginatorIDError):
        why = ("有事件属于另一个客户", f"an event belongs to another client: {error}")
    else:
        why = (f"事件内容与其类型不符：{type(error).__name__}", f"an event's content does not fit its type: {type(error).__name__}: {error}")
    return DamagedHistory(client, why, version, position)
