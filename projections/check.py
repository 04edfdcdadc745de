"""Read models checked against the events (``certledger verify --read-models``).

A read model is a function of the events, so anyone who can write its tables can make ``show``,
``clients`` or the register say what the events do not, while the audit trail (which covers the
events only) still verifies. This check recomputes every read model's rows from the events, as a
rebuild would (``projections.bulk``: each client's events read in steps of ``CLIENTS_PER_STEP``
clients, each client replayed once in memory, each projection's ``build_rows``), and compares them
with the stored rows, table by table, keyed by each table's primary key. It writes nothing.

Everything is read in one snapshot (SQLite: one read transaction; PostgreSQL: REPEATABLE READ),
so a writer saving events meanwhile does not make rows appear to differ. Memory holds one step of
clients and their rows, and the set of the clients' USCCs (to find rows of clients that do not
exist).

Values are compared as what they mean, not as the driver returns them: dates as ISO text (SQLite
stores text, PostgreSQL returns ``date``), times as UTC instants, booleans as ``bool`` (SQLite
stores 0/1), JSON text parsed (the difference then names the path inside it, e.g.
``summary.certificate.grade``). Row order does not matter.

Each read model is compared at its tracking position (``rm_tracking``), which is the last event
once it is caught up: the rows a read would see before catching up must be what the events up to
that position give (a catch-up then replaces the rows of the clients that later events touch). A
position beyond the last event is a difference (the read model would never be caught up). Not
differences, but notes, because the next read repairs them from the events by itself: a read model
not built yet, one built by other code (its fingerprint is not the code's: it is rebuilt, and its
rows are not compared), one behind the last event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

from sqlalchemy import Boolean, Connection, Date, DateTime, Integer, Table

from ledger.store.errors import DamagedHistory
from projections import tables as t
from projections.base import Projection
from projections.bulk import CLIENTS_PER_STEP, clients_in, events_table, fetch_rows, replay_client
from projections.db import engine_for, schema_of, table_names
from projections.registry import select_projections
from projections.writer import tracked

PERSON_TOPIC = "aggregates.people:Person."  # a person's events (issue 15), beside the clients' in the log

KEEP = 1000  # differences kept in detail (the rest are counted)
SHOW = 60  # characters of a value shown in a message


@dataclass
class Difference:
    """One way the stored read models differ from what the events give. ``kind``: ``changed``
    (a row with different values), ``missing`` (a row the events give is not stored), ``extra`` (a
    stored row the events do not give), ``tracking`` (a position beyond the last event). As a note
    (``ReadModelCheck.notes``, which the next read repairs by itself): ``not built``, ``tracking``
    (a fingerprint not the code's), ``behind``."""

    kind: str
    projection: str
    table: str
    message_zh: str
    message_en: str
    key: dict[str, Any] | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)  # {"column", "stored", "expected"}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "projection": self.projection, "table": self.table, "key": self.key,
                "columns": self.columns, "message_zh": self.message_zh, "message_en": self.message_en}


@dataclass
class ReadModelCheck:
    """The result: ``differences`` (at most ``KEEP``, the first first), ``total`` of them."""

    last: int = 0
    clients: int = 0
    events: int = 0
    rows: int = 0  # rows the events give, compared
    checked: list[str] = field(default_factory=list)  # the read models checked, catalogue order
    differences: list[Difference] = field(default_factory=list)
    total: int = 0
    notes: list[Difference] = field(default_factory=list)  # not differences: the next read repairs them

    @property
    def ok(self) -> bool:
        return self.total == 0

    @property
    def first(self) -> Difference | None:
        return self.differences[0] if self.differences else None

    @property
    def projections(self) -> list[str]:
        """The read models that differ, in catalogue order."""
        named = {d.projection for d in self.differences}
        return [n for n in self.checked if n in named]

    @property
    def repair(self) -> str:
        """The command that repairs them: a rebuild of the ones that differ (all if most do)."""
        names = self.projections
        if not names or len(names) * 2 > len(self.checked) or len(self.differences) < self.total:
            return "certledger rebuild"
        return "certledger rebuild " + " ".join(f"--projection {n}" for n in names)

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.ok, "last_position": self.last, "clients": self.clients, "events": self.events,
                "rows": self.rows, "read_models": self.checked, "differences": self.total,
                "differing_read_models": self.projections, "repair": None if self.ok else self.repair,
                "first": self.first.to_dict() if self.first else None,
                "notes": [n.to_dict() for n in self.notes],
                "details": [d.to_dict() for d in self.differences]}


# ------------------------------------------------------------------------------ values


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOW else text[:SHOW - 1] + "…"


def _normal(type_: Any, value: Any) -> Any:
    """A stored or computed value as what it means (see the module's doc)."""
    if value is None:
        return None
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(value)
    if isinstance(type_, DateTime):
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                return value
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        return value
    if isinstance(type_, Date):
        if isinstance(value, datetime):
            return value.isoformat()
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(type_, Boolean) and value in (0, 1):
        return bool(value)
    if isinstance(type_, Integer) and not isinstance(value, bool):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def _parsed(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return True, json.loads(value)
        except ValueError:
            pass
    return False, value


def _first_path(a: Any, b: Any, path: str) -> tuple[str, Any, Any]:
    """Where two JSON values first differ: the path and the two values there."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b or a[k] != b[k]:
                if k not in a or k not in b:
                    return f"{path}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>")
                return _first_path(a[k], b[k], f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_path(x, y, f"{path}[{i}]")
    return path, a, b


def _column_differences(table: Table, stored: dict[str, Any], expected: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for column in table.columns:
        name = column.name
        a, b = stored.get(name), expected.get(name)
        if a == b:
            continue
        (ja, pa), (jb, pb) = _parsed(a), _parsed(b)
        if ja and jb:
            if pa == pb:
                continue
            path, a, b = _first_path(pa, pb, name)
            out.append({"column": path, "stored": a, "expected": b})
        else:
            out.append({"column": name, "stored": a, "expected": b})
    return out


# ------------------------------------------------------------------------------ the check


class _Checker:
    def __init__(self, app: Any, conn: Connection, projections: list[Projection], result: ReadModelCheck) -> None:
        self.app, self.conn, self.projections, self.result = app, conn, projections, result
        self.mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        quote = conn.dialect.identifier_preparer.quote
        schema = schema_of(conn)
        self.names = {tbl: (f"{quote(schema)}.{quote(tbl.name)}" if schema else quote(tbl.name)) for p in projections for tbl in p.tables}
        self.quote = quote
        self.owner = {tbl: p.name for p in projections for tbl in p.tables}
        self.seen: dict[Table, int] = {tbl: 0 for tbl in self.owner}
        self.usccs: set[str] = set()
        self.found: list[tuple[tuple[Any, ...], Difference]] = []
        self.order = {tbl: i for i, tbl in enumerate(self.owner)}

    # ----------------------------------------------------------------- reporting

    def add(self, diff: Difference, sort: tuple[Any, ...]) -> None:
        self.result.total += 1
        if len(self.found) < KEEP:
            self.found.append((sort, diff))

    def row_difference(self, table: Table, key: tuple[Any, ...], stored: dict[str, Any] | None,
                       expected: dict[str, Any] | None) -> None:
        pk = [c.name for c in table.primary_key.columns]
        key_dict = dict(zip(pk, key))
        label = ", ".join(f"{k}={v}" for k, v in key_dict.items())
        proj, name = self.owner[table], table.name
        if stored is None:
            kind, columns = "missing", []
            zh = f"读模型 {proj}（表 {name}）缺少一行：{label}；事件推算出这一行。"
            en = f"Read model {proj} (table {name}): row {label} is missing; the events give it."
        elif expected is None:
            kind, columns = "extra", []
            zh = f"读模型 {proj}（表 {name}）多出一行：{label}；事件推算不出这一行。"
            en = f"Read model {proj} (table {name}): row {label} is stored, but the events give no such row."
        else:
            columns = _column_differences(table, stored, expected)
            if not columns:
                return
            kind = "changed"
            parts_zh = "；".join(f"{c['column']} 存储为 {_short(c['stored'])}，事件推算为 {_short(c['expected'])}" for c in columns[:3])
            parts_en = "; ".join(f"{c['column']} is stored as {_short(c['stored'])} but the events give {_short(c['expected'])}" for c in columns[:3])
            more_zh = f"（另有 {len(columns) - 3} 列不同）" if len(columns) > 3 else ""
            more_en = f" (and {len(columns) - 3} more columns)" if len(columns) > 3 else ""
            zh = f"读模型 {proj}（表 {name}）的行 {label} 与事件不符：{parts_zh}{more_zh}。"
            en = f"Read model {proj} (table {name}), row {label}: {parts_en}{more_en}."
            columns = [{**c, "stored": c["stored"] if isinstance(c["stored"], (str, int, float, bool, type(None))) else _short(c["stored"]),
                        "expected": c["expected"] if isinstance(c["expected"], (str, int, float, bool, type(None))) else _short(c["expected"])}
                       for c in columns]
        self.add(Difference(kind, proj, name, zh, en, {k: str(v) for k, v in key_dict.items()}, columns),
                 (1, self.order[table], tuple(str(k) for k in key)))

    # ----------------------------------------------------------------- rows

    def stored(self, table: Table, usccs: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
        cols = list(table.columns)
        sql = (f"SELECT {', '.join(self.quote(c.name) for c in cols)} FROM {self.names[table]} "
               f"WHERE {self.quote('uscc')} IN ({', '.join([self.mark] * len(usccs))})")
        return self._rows(table, sql, usccs)

    def _rows(self, table: Table, sql: str, params: list[Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
        cols = list(table.columns)
        pk = [c.name for c in table.primary_key.columns]
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, tuple(params))
            out = {}
            for raw in cursor.fetchall():
                row = {c.name: _normal(c.type, v) for c, v in zip(cols, raw)}
                out[tuple(row[k] for k in pk)] = row
            return out
        finally:
            cursor.close()

    def step(self, source: tuple[str, str], ids: list[Any], groups: list[tuple[int, list[Projection]]]) -> None:
        """The clients ``ids``: each replayed once, and each group's projections' rows taken from
        its state at the group's position (``groups``: ascending positions), compared with the
        stored rows of every client of the step."""

        to_event = self.app.mapper.to_domain_event
        expected: dict[Table, list[dict[str, Any]]] = {tbl: [] for tbl in self.owner}
        usccs: list[str] = []

        def take(client: Any, events: list[tuple[int, Any]], projections: list[Projection]) -> None:
            if client is None:
                return
            for p in projections:
                for tbl, part in p.build_rows(client, events).items():
                    expected[t.table(tbl)].extend(part)

        rows = fetch_rows(self.conn, source, ids, groups[-1][0])
        self.result.events += len(rows)
        for client_id, mine in clients_in(rows):
            client, events, pending = None, [], list(groups)
            if mine and str(mine[0][2]).startswith((PERSON_TOPIC, "aggregates.body:Body.")):  # the body's people (issue 15), the body (17): no client's rows
                continue
            for position, ev, after in replay_client(client_id, mine, to_event):
                while pending and pending[0][0] < position:  # a group's position is passed: its rows are this state's
                    take(client, list(events), pending.pop(0)[1])
                client = after
                events.append((position, ev))
            for _, projections in pending:
                take(client, events, projections)
            usccs.append(client.uscc)
        self.result.clients += len(usccs)
        self.usccs.update(usccs)
        for tbl, part in expected.items():
            pk = [c.name for c in tbl.primary_key.columns]
            want = {}
            for r in part:
                row = {c.name: _normal(c.type, r.get(c.name)) for c in tbl.columns}
                want[tuple(row[k] for k in pk)] = row
            have = self.stored(tbl, usccs) if usccs else {}
            self.seen[tbl] += len(have)
            self.result.rows += len(want)
            for key in sorted(set(want) | set(have), key=lambda k: tuple(str(x) for x in k)):
                self.row_difference(tbl, key, have.get(key), want.get(key))

    def strays(self) -> None:
        """Stored rows of no client the events know (found by count, then looked for)."""
        for tbl in self.owner:
            count = self.conn.exec_driver_sql(f"SELECT count(*) FROM {self.names[tbl]}").scalar() or 0
            if count <= self.seen[tbl]:
                continue
            cols = ", ".join(self.quote(c.name) for c in tbl.columns)
            for key, row in self._rows(tbl, f"SELECT {cols} FROM {self.names[tbl]}", []).items():
                if row.get("uscc") not in self.usccs:
                    self.row_difference(tbl, key, row, None)


def _tracking(conn: Connection, projections: list[Projection], last: int, checker: _Checker,
              result: ReadModelCheck) -> dict[int, list[Projection]]:
    """Tables and tracking rows. Returns the projections whose rows can be compared, by position.

    A read model not built yet, or built by other code (its fingerprint is not the code's), is
    rebuilt from the events by the next read: noted, not a difference. One behind the last event
    is compared at its own position (the next read applies the rest to the clients they touch).
    One ahead of the last event would never be caught up: a difference."""
    existing = table_names(conn)
    known = tracked(conn, [p.name for p in projections]) if t.tracking.name in existing else {}
    comparable: dict[int, list[Projection]] = {}
    for i, p in enumerate(projections):
        missing = [tbl.name for tbl in p.tables if tbl.name not in existing]
        row = known.get(p.name)
        if missing or row is None:
            result.notes.append(Difference("not built", p.name, (missing or [p.tables[0].name])[0],
                                           f"读模型 {p.name} 尚未建立；下一次读取时从事件建立。",
                                           f"Read model {p.name} is not built yet; the next read builds it from the events."))
        elif row[1] != p.fingerprint():
            result.notes.append(Difference("tracking", p.name, t.tracking.name,
                                           f"读模型 {p.name} 由另一版本的代码建立（指纹不是当前代码的）；下一次读取时从事件重建，未逐行比较。",
                                           f"Read model {p.name} was built by other code (its fingerprint is not the code's); the next "
                                           "read rebuilds it from the events, so its rows were not compared.",
                                           {"name": p.name}, [{"column": "fingerprint", "stored": row[1], "expected": p.fingerprint()}]))
        elif row[0] > last:
            checker.add(Difference("tracking", p.name, t.tracking.name,
                                   f"读模型 {p.name} 在 rm_tracking 中的位置 {row[0]} 超过了最后一个事件 {last}：此后的事件不会被应用。",
                                   f"Read model {p.name} is at position {row[0]} in rm_tracking, beyond the last event {last}: "
                                   "the events that follow would not be applied to it.",
                                   {"name": p.name}, [{"column": "position", "stored": row[0], "expected": last}]), (0, i))
        else:
            if row[0] < last:
                result.notes.append(Difference("behind", p.name, t.tracking.name,
                                               f"读模型 {p.name} 位于事件 {row[0]}（最后一个事件 {last}）：按该位置比较；下一次读取时补上其后的事件。",
                                               f"Read model {p.name} is at event {row[0]} (the last is {last}): compared at that "
                                               "position; the next read applies the events after it.", {"name": p.name}))
            comparable.setdefault(row[0], []).append(p)
    return comparable


def check(app: Any, names: Iterable[str] | None = None) -> ReadModelCheck:
    """Compare the named read models (all by default) with what the events give; writes nothing."""
    from projections.runner import named

    projections = select_projections(names)
    result = ReadModelCheck(checked=[p.name for p in projections])
    engine = engine_for(app)
    options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        source = events_table(app, conn)
        table, pos = source
        result.last = last = int(conn.exec_driver_sql(f"SELECT max({pos}) FROM {table}").scalar() or 0)
        probe = _Checker(app, conn, projections, result)
        by_position = _tracking(conn, projections, last, probe, result)
        groups = sorted(by_position.items())
        checker = _Checker(app, conn, [p for _, ps in groups for p in ps], result)
        checker.found, checker.order = probe.found, probe.order
        if groups:
            ids = [r[0] for r in conn.exec_driver_sql(
                f"SELECT DISTINCT originator_id FROM {table} WHERE {pos} <= {groups[-1][0]} ORDER BY originator_id")]
            try:
                for i in range(0, len(ids), CLIENTS_PER_STEP):
                    checker.step(source, ids[i:i + CLIENTS_PER_STEP], groups)
            except DamagedHistory as e:
                raise named(app, e) from None
            checker.strays()
        result.differences = [d for _, d in sorted(checker.found, key=lambda f: f[0])]
    return result
