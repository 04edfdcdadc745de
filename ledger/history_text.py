"""A client's history as a reader sees it (``certledger history``, the bundle's report): each
event by its words (ledger/words.py ``EVENTS``), each field by its label and its value in words
(booleans as 是/否, coded values by their vocabulary, grades as the scheme names them, score
values, reason codes with the procedure's words; a complaint's admission decided after the
procedure's week, 004 §14.2.2, says so). Pure: history rows in, text out."""

from __future__ import annotations

from typing import Any

from ledger.words import event_word, field_value, field_word

# Fields a reader needs no line for in the listing (they are in ``show`` and ``explain``).
QUIET = frozenset({"evaluation", "key", "holders"})  # holders: where a master-data change was kept (bookkeeping)  # key: a reporting act's "act:id", shown by its act and id


def described(rows: list[dict[str, Any]], lang: str = "zh") -> list[dict[str, Any]]:
    """Each history row with ``event`` (the event's words) and ``details`` (label, value-in-words
    pairs), read in order so a field that needs the client's scheme (a grade, a reason code) is
    worded under the scheme in force at that event."""
    context: dict[str, Any] = {}
    received: dict[str, Any] = {}  # each complaint's day of receipt, for the lateness of its admission
    out = []
    for r in rows:
        fields = r["fields"]
        for key in ("scheme_id", "scheme_version"):
            if fields.get(key):
                context[key] = fields[key]
        seen = {**context, **fields}
        details = [(field_word(k, lang, r["type"]), field_value(r["type"], k, x, seen, lang))
                   for k, x in fields.items() if x not in (None, "", [], {}) and k not in QUIET]
        if r["type"] == "ComplaintReceived":
            received[fields.get("complaint_id")] = r["occurred_on"]
        elif r["type"] == "ComplaintAdmitted" and received.get(fields.get("complaint_id")) and r["occurred_on"]:
            details += _late_admission(received[fields["complaint_id"]], r["occurred_on"], fields, context, lang)
        out.append({**r, "event": event_word(r["type"], lang), "details": details})
    return out


def _late_admission(received_on: Any, on: Any, fields: dict[str, Any], context: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """A complaint's admission decided late (004 §14.2.2, the one rule:
    ``ledger.rules.deadlines_cases.acceptance_lateness`` under the scheme's procedure), as a detail."""
    from ledger.rules.calendar import Calendar
    from ledger.rules.deadlines_cases import acceptance_lateness
    from ledger.rules.procedures import procedure_for
    from ledger.words import acceptance_late_words

    late = acceptance_lateness(received_on, on, fields.get("notice_on"), procedure_for(context.get("scheme_id")), Calendar())
    if not late or not late["late"]:
        return []
    return [("time limit" if lang == "en" else "受理时限", acceptance_late_words(late, lang))]


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def render_history(rows: list[dict[str, Any]], lang: str = "zh", *, keep: Any = None, full: bool = False) -> str:
    """The history as text, one line per event; ``keep`` (versions) shows only those events (all
    are read, so each is worded under the scheme in force then); values longer than 80 characters
    are cut with … unless ``full``."""
    from ledger.clock import event_time

    sep = "；" if lang != "en" else "; "
    colon = "：" if lang != "en" else ": "
    from ledger.signing_text import signature_marks

    marks = signature_marks(rows, lang)  # who signed each act with legal meaning, or unsigned (issue 15, item 4)
    lines = []
    for r in described(rows, lang):
        if keep is not None and r["version"] not in keep:
            continue
        body = sep.join(f"{label}{colon}{value if full else _short(value)}" for label, value in r["details"])
        lines.append(f"{r['version']:>4}  {r['occurred_on']}  {event_time(r['recorded_at'])}  {r['actor'] or '—'}  "
                     f"{r['event']}  {body}")
        if r["version"] in marks:
            lines.append(f"{'':>6}{marks[r['version']]}")
    return "\n".join(lines)


def select_history(rows: list[dict[str, Any]], *, types: Any = (), since: Any = None, until: Any = None) -> list[dict[str, Any]]:
    """The history rows of the kinds ``types`` (each an event's code or its Chinese or English
    words: 审核策划, AuditPlanned, audit planned) whose business date lies within ``since`` ..
    ``until`` (inclusive; YYYY-MM-DD); none given keeps every row. A kind that is not an event's,
    a bad date or ``since`` after ``until`` is refused naming the option. One client's history is
    read whole anyway (the words of a grade need the scheme in force at each event), so the
    selection is made on its rows."""
    from aggregates.errors import RuleViolation
    from ledger.commands import to_date
    from ledger.words import EVENTS
    from projections.finding import choose

    kinds = set(choose("type", types, EVENTS)) if types else None
    start = to_date("from", since) if since else None
    end = to_date("to", until) if until else None
    if start and end and start > end:
        raise RuleViolation("ledger: history --from/--to", f"--from {start} 晚于 --to {end}；请交换或更正这两个日期。",
                            f"--from {start} is after --to {end}; swap or correct the two dates.")
    return [r for r in rows if (kinds is None or r["type"] in kinds)
            and (start is None or (r["occurred_on"] is not None and r["occurred_on"] >= start))
            and (end is None or (r["occurred_on"] is not None and r["occurred_on"] <= end))]
