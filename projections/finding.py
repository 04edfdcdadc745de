"""Finding things in the listings: the filters, sort and limit of ``clients`` and ``due``.

``find(listing, **options)`` turns what a user typed into a ``Find`` (each choice given by its code
or its Chinese or English word, as every option of the command line takes them; anything else is
refused naming the option and listing the choices). ``clients`` and ``due`` run it on the read
models (the facade, projections/read.py, chooses them):

- every filter the tables have a column for is a ``WHERE`` of the query: scheme, grade, the client,
  the name (a substring, Chinese too), the deadline's kind, overdue (``due < on``); the open
  deadlines are joined with the clients' table when a filter is about the client;
- the stage and the certificate status are read as of a day by the one derivation
  (``ledger.rules.certificate_status.certificate_status``: a certificate past its validity reads expired):
  the query keeps only the rows whose recorded values can read so (``CAN_READ_AS``), and the
  derivation decides;
- the sort is an ``ORDER BY`` (empty values last, names in Unicode code-point order on both
  databases) and the limit a ``LIMIT`` when the query alone decides the rows and their order;
  otherwise, and always for deadlines (their selection and days left are
  ``ledger.rules.deadlines.select_open``'s), both are applied to the rows the query returned.

A past date (``due --on``) replays every client (projections/replay.py): there the same filters are
applied to the replayed rows, the client's stage and status as of that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Mapping

from aggregates.errors import RuleViolation
from aggregates.vocabulary import CERTIFICATE_STATUSES, STAGES, code_of

Table = Mapping[str, tuple[str, str]]

# The fields each listing sorts by (``--sort FIELD``, ``--sort -FIELD`` for descending).
SORTS: dict[str, tuple[str, ...]] = {
    "clients": ("registered", "uscc", "name", "stage", "status", "scheme", "grade", "certificate", "events"),
    "due": ("due", "since", "kind", "uscc", "name"),
}
# Options of the due listing alone.
DUE_ONLY = ("kind", "overdue")

# What a recorded certificate status can read as on a day, by the derivation: itself, or expired
# (after its validity), or valid (before a recorded change takes effect); so a status asked for is
# found among these recorded ones (tests/integration/test_finding.py holds the derivation to it).
ANY_STATUS = tuple(CERTIFICATE_STATUSES) + ("replaced",)
CAN_READ_AS: dict[str, tuple[str, ...]] = {
    s: (ANY_STATUS if s in ("valid", "expired") else (s,)) for s in CERTIFICATE_STATUSES
}
BASIS = ("certificate_issued_on", "certificate_valid_until", "certificate_status_changed_on")


# ---------------------------------------------------------------------------------- choices


def choose(option: str, values: str | Iterable[str] | None, table: Table,
           words: Mapping[str, Iterable[str]] | None = None) -> tuple[str, ...]:
    """The codes of ``values`` (one or several), each given by its code, its Chinese or English
    word or a part of a word (the one rule: ``aggregates.vocabulary.code_of``); ``words`` adds more
    words of a code (a grade's names in every scheme). Anything else is refused naming
    ``--option`` and listing the codes with their words."""
    if values is None:
        return ()
    given = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for value in given:
        code = code_of(value, table, words=words)
        held = _holders(value, table, words) if words else {}
        if len(held) > 1 and (code is None or not _names(value, code, table, words)):
            # with names that differ by scheme (grades), a part of several codes' names is not a guess
            # to make: 五星级 is in 五星级质量信用服务 (5STAR) and in 五星级（AAAAA级）; refused, naming them
            zh = "，".join(f"{c}（{w}）" for c, w in held.items())
            en = ", ".join(f"{c} ({w})" for c, w in held.items())
            raise RuleViolation(
                "ledger: vocabulary",
                f"选项 --{option} 的值“{value}”有歧义，可指：{zh}；请给出代码或完整名称。",
                f"The value '{value}' for --{option} is ambiguous: it may mean {en}; give the code or the whole name.",
            )
        if code is None:
            zh = "，".join(f"{c}（{p[0]}）" for c, p in table.items())
            en = ", ".join(f"{c} ({p[1]})" for c, p in table.items())
            raise RuleViolation(
                "ledger: vocabulary",
                f"选项 --{option} 的值“{value}”无效；可选（代码或其中文词语）：{zh}。",
                f"Invalid value '{value}' for --{option}; choose one of (the code or its word): {en}.",
            )
        if code not in out:
            out.append(code)
    return tuple(out)


def _names(value: str, code: str, table: Table, words: Mapping[str, Iterable[str]] | None) -> bool:
    """Whether ``value`` is ``code`` itself or one of its whole words."""
    typed = str(value).strip().casefold()
    return any(str(w).strip().casefold() == typed for w in (code, *table.get(code, ()), *(words or {}).get(code, ())))


def _holders(value: str, table: Table, words: Mapping[str, Iterable[str]] | None) -> dict[str, str]:
    """The codes one of whose words holds ``value`` (two characters or more), each with that word."""
    typed = str(value).strip().casefold()
    if len(typed) < 2:
        return {}
    out: dict[str, str] = {}
    for code in table:
        word = next((str(w) for w in (*table[code], *(words or {}).get(code, ())) if typed in str(w).casefold()), None)
        if word is not None:
            out[code] = word
    return out


def schemes() -> dict[str, tuple[str, str]]:
    """Every scheme the body runs, by id, with its titles (the shipped ones and the body's own)."""
    from ledger.rules.scoring import list_schemes

    return {s.id: (s.title_zh, s.title_en) for s in list_schemes()}


def grades() -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """Every grade code of every scheme version, with the names of its first band found, and all
    the names each code has across schemes (AAA is 三星级（AAA级） in one and AAA级 in another)."""
    from ledger.rules.scoring import list_schemes, load_scheme

    table: dict[str, tuple[str, str]] = {}
    names: dict[str, list[str]] = {}
    for latest in list_schemes():
        for scheme in (load_scheme(latest.id, v) for v in latest.versions):
            for band in scheme.grading.bands if scheme.grading else ():
                if band.code:
                    table.setdefault(band.code, (band.name_zh, band.name_en))
                    names.setdefault(band.code, []).extend((band.name_zh, band.name_en))
    return table, names


def grade_rank() -> dict[tuple[str | None, str], float]:
    """Each grade's place in its scheme's scale, by (scheme id, code) and by code alone (its first
    scheme), from 0 (the lowest band) to 1 (the best): the order of the scheme's bands, lowest
    first (ledger/rules/scoring/engine.py: a requirement unmet falls to the band before), so grades
    sort by merit, not by their codes' letters (A is the middle of C…AAA, the top of no scheme)."""
    from ledger.rules.scoring import list_schemes, load_scheme

    rank: dict[tuple[str | None, str], float] = {}
    for latest in list_schemes():
        for scheme in (load_scheme(latest.id, v) for v in reversed(latest.versions)):  # the latest version first
            bands = scheme.grading.bands if scheme.grading else ()
            for k, band in enumerate(bands):
                if band.code:
                    place = 1.0 if len(bands) == 1 else k / (len(bands) - 1)
                    rank.setdefault((latest.id, band.code), place)
                    rank.setdefault((None, band.code), place)
    return rank


def deadline_kinds() -> Table:
    from ledger.rules.deadlines import KINDS

    return KINDS


def choices(listing: str) -> dict[str, Table]:
    """The closed choices of a listing's filters by option name (for messages and completion)."""
    out = {"scheme": schemes(), "stage": STAGES, "status": CERTIFICATE_STATUSES, "grade": grades()[0]}
    if listing == "due":
        out["kind"] = deadline_kinds()
    return out


# ---------------------------------------------------------------------------------- the request


@dataclass(frozen=True)
class Find:
    """What a listing keeps (an empty field keeps everything), how it sorts, how many it shows."""

    listing: str = "clients"
    scheme: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    grade: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    name: str | None = None
    client: str | None = None
    overdue: bool = False
    sort: str | None = None
    descending: bool = False
    limit: int | None = None

    @property
    def about_client(self) -> bool:
        """Whether a filter is about the client's standing (due joins the clients' table for it)."""
        return bool(self.scheme or self.stage or self.status or self.grade)

    @property
    def derived(self) -> bool:
        """Whether a filter reads the stage or status as of a day (the derivation decides)."""
        return bool(self.stage or self.status)


def find(listing: str, *, scheme: Any = None, stage: Any = None, status: Any = None, grade: Any = None,
         kind: Any = None, name: str | None = None, client: str | None = None, overdue: bool = False,
         sort: str | None = None, limit: Any = None) -> Find:
    """A ``Find`` from the options as typed (codes or words; ``sort`` a field, ``-field`` for
    descending; ``limit`` a positive whole number), refusing anything else by its option."""
    if listing not in SORTS:
        raise ValueError(f"no listing {listing!r}")
    if listing != "due" and (kind or overdue):
        raise ValueError(f"--kind and --overdue are options of due, not of {listing}")
    field, descending = None, False
    if sort is not None and str(sort).strip():
        text = str(sort).strip()
        descending, field = text.startswith("-"), text.lstrip("-").strip().lower()
        if field not in SORTS[listing]:
            fields = ", ".join(SORTS[listing])
            raise RuleViolation(
                "ledger: --sort",
                f"不能按“{text}”排序；可选字段：{fields}（字段前加 - 为降序，如 --sort -{SORTS[listing][0]}）。",
                f"Cannot sort by '{text}'; sort by one of: {fields} (a - before the field sorts descending, e.g. --sort -{SORTS[listing][0]}).",
            )
    count = None
    if limit is not None:
        try:
            count = int(str(limit).strip())
        except ValueError:
            count = 0
        if count < 1:
            raise RuleViolation("ledger: --limit", f"--limit 应为正整数（显示的行数），实际为“{limit}”。",
                                f"--limit must be a positive whole number (rows shown); got '{limit}'.")
    uscc = None
    if client is not None and str(client).strip():
        from aggregates.uscc import normalise_uscc

        uscc = normalise_uscc(client)
    grade_table, grade_names = grades() if grade else ({}, {})
    return Find(
        listing=listing,
        scheme=choose("scheme", scheme, schemes()) if scheme else (),
        stage=choose("stage", stage, STAGES), status=choose("status", status, CERTIFICATE_STATUSES),
        grade=choose("grade", grade, grade_table, grade_names) if grade else (),
        kind=choose("kind", kind, deadline_kinds()) if kind else (),
        name=(name.strip() or None) if name else None, client=uscc, overdue=bool(overdue),
        sort=field, descending=descending, limit=count,
    )


# ---------------------------------------------------------------------------------- the day's standing


def as_on(row: dict[str, Any], day: date | None) -> dict[str, Any]:
    """A clients row (with the ``BASIS`` columns, which it loses) as it reads on ``day``: the
    certificate's status, and the stage that shows it, by ``ledger.rules.certificate_status.certificate_status``
    (no day: as recorded)."""
    from ledger.rules.certificate_status import certificate_status

    basis = [row.pop(k, None) for k in BASIS]
    recorded = row["certificate_status"]
    if day is None or recorded is None or None in basis:
        return row
    status = certificate_status({"status": recorded, "issued_on": basis[0], "valid_until": basis[1],
                                 "status_changed_on": basis[2], "certificate_no": row["certificate_no"]}, day) or recorded
    if row["stage"] == recorded:
        row["stage"] = status
    row["certificate_status"] = status
    return row


def keeps(f: Find, row: Mapping[str, Any]) -> bool:
    """Whether a client's row (as it reads on the day) passes ``f``'s filters about the client: the
    check after the query for the stage and status, and the whole check on a replayed day."""
    return ((not f.scheme or row.get("scheme_id") in f.scheme) and (not f.grade or row.get("grade") in f.grade)
            and (not f.stage or row.get("stage") in f.stage) and (not f.status or row.get("certificate_status") in f.status))


def _sorted(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any], descending: bool) -> list[dict[str, Any]]:
    """Rows by ``key`` (stable: ties keep their order), rows without a value last either way."""
    valued = [r for r in rows if key(r) is not None]
    return sorted(valued, key=key, reverse=descending) + [r for r in rows if key(r) is None]


# ---------------------------------------------------------------------------------- clients


def _client_filters(query: Any, f: Find) -> Any:
    """The filters about the client on ``rm_clients``: scheme, grade, and the recorded stage and
    status that can read as those asked for."""
    from projections import tables as t

    c = t.clients.c
    if f.scheme:
        query = query.where(c.scheme_id.in_(f.scheme))
    if f.grade:
        query = query.where(c.grade.in_(f.grade))
    if f.status:
        query = query.where(c.certificate_status.in_(sorted({r for s in f.status for r in CAN_READ_AS[s]})))
    if f.stage:
        recorded = {r for s in f.stage for r in CAN_READ_AS.get(s, (s,))}
        query = query.where(c.stage.in_(sorted(recorded | set(f.stage))))
    return query


def _text(column: Any, engine: Any) -> Any:
    """A text column compared by code point on both databases (PostgreSQL's collation may not)."""
    return column.collate("C") if engine.dialect.name == "postgresql" else column


CLIENT_ORDER = {"registered": "registered_on", "uscc": "uscc", "name": "name", "scheme": "scheme_id",
                "certificate": "certificate_no", "events": "events"}  # grade: by the scale (grade_rank), after the query
CLIENT_RANK = {"stage": ("stage", list(STAGES)), "status": ("certificate_status", list(CERTIFICATE_STATUSES))}


def clients(engine: Any, today: date | None, f: Find) -> list[dict[str, Any]]:
    """The client list filtered, sorted and cut as ``f`` says, each row as it reads on ``today``;
    by default in registration order. Stage and status sort in the order of the lifecycle
    (aggregates.vocabulary)."""
    from sqlalchemy import select

    from projections import tables as t
    from projections.runner import require_current

    require_current(engine, ["clients"])
    c = t.clients.c
    query = _client_filters(select(t.clients), f)
    if f.client:
        query = query.where(c.uscc == f.client)
    if f.name:
        query = query.where(c.name.icontains(f.name, autoescape=True))
    in_sql = f.sort is None or f.sort in CLIENT_ORDER
    if f.sort in CLIENT_ORDER:
        column = getattr(c, CLIENT_ORDER[f.sort])
        expr = _text(column, engine) if f.sort in ("name", "uscc", "scheme", "grade", "certificate") else column
        query = query.order_by(column.is_(None), expr.desc() if f.descending else expr.asc())
    query = query.order_by(c.registered_on, c.uscc)
    if f.limit and in_sql and not f.derived:
        query = query.limit(f.limit)
    with engine.connect() as conn:
        rows = [as_on(dict(r._mapping), today) for r in conn.execute(query)]
    if f.derived:
        rows = [r for r in rows if keeps(f, r)]
    if f.sort == "grade":
        rank = grade_rank()
        rows = _sorted(rows, lambda r: None if r["grade"] is None
                       else rank.get((r.get("scheme_id"), r["grade"]), rank.get((None, r["grade"]), -1.0)), f.descending)
    elif not in_sql:
        column, order = CLIENT_RANK[f.sort]  # type: ignore[index]
        rows = _sorted(rows, lambda r: None if r[column] is None else (order.index(r[column]) if r[column] in order else len(order)), f.descending)
    return rows[: f.limit] if f.limit else rows


# ---------------------------------------------------------------------------------- open deadlines


DUE_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "due": lambda r: r["due"], "since": lambda r: r["since"], "kind": lambda r: r["kind"],
    "uscc": lambda r: r["uscc"], "name": lambda r: r["client_name"],
}


def _finish_due(rows: list[dict[str, Any]], f: Find) -> list[dict[str, Any]]:
    """Open deadlines (select_open's order: overdue first, then by due date) sorted and cut."""
    if f.sort:
        rows = _sorted(rows, DUE_KEYS[f.sort], f.descending)
    return rows[: f.limit] if f.limit else rows


def due(engine: Any, on: date, within: int | None, f: Find) -> list[dict[str, Any]]:
    """The deadlines open on ``on`` (``ledger.rules.deadlines.select_open``) among the read
    model's rows that pass ``f``, the client's stage and status read as of ``on``."""
    from sqlalchemy import select

    from ledger.rules.deadlines import select_open
    from projections import tables as t
    from projections.jsonish import loads
    from projections.runner import require_current

    require_current(engine, ["deadlines", "clients"] if f.about_client else ["deadlines"])
    d = t.open_deadlines.c
    if f.about_client:
        c = t.clients.c
        query = select(d.row, c.stage, c.certificate_status, c.certificate_no, c.scheme_id, c.grade, *(getattr(c, k) for k in BASIS))
        query = _client_filters(query.select_from(t.open_deadlines.join(t.clients, c.uscc == d.uscc)), f)
    else:
        query = select(d.row)
    if f.kind:
        query = query.where(d.kind.in_(f.kind))
    if f.client:
        query = query.where(d.uscc == f.client)
    if f.name:
        query = query.where(d.name.icontains(f.name, autoescape=True))
    if f.overdue:
        query = query.where(d.due < on)
    rows = []
    with engine.connect() as conn:
        for found in conn.execute(query):
            fields = dict(found._mapping)
            text = fields.pop("row")
            if f.derived and not keeps(f, as_on(fields, on)):
                continue
            row = loads(text)
            for key in ("since", "due"):
                if isinstance(row.get(key), str):
                    row[key] = date.fromisoformat(row[key])
            rows.append(row)
    return _finish_due(select_open(rows, on, within), f)


def due_replayed(app: Any, on: date, within: int | None, f: Find) -> list[dict[str, Any]]:
    """The deadlines that were open on a past day ``on``, every client replayed as the events dated
    up to then imply (projections/replay.py), filtered the same way: the client's standing that day."""
    from projections import replay
    from projections.clients import client_row

    def keep_client(client: Any) -> bool:
        if f.client and client.uscc != f.client:
            return False
        if f.name and f.name.casefold() not in client.name.casefold():
            return False
        return not f.about_client or keeps(f, as_on(client_row(client), on))

    rows = replay.open_deadlines(app, on, within, as_of=on, keep=keep_client)
    rows = [r for r in rows if (not f.kind or r["kind"] in f.kind) and (not f.overdue or r["overdue"])]
    return _finish_due(rows, f)
