"""A client's history as a reader sees it (``certledger history``, the bundle's report): each
event by its words (ledger/words.py ``EVENTS``), each field by its label and its value in words
(booleans as 是/否, coded values by their vocabulary, grades as the scheme names them, score
values, reason codes with the procedure's words). Pure: history rows in, text out."""

from __future__ import annotations

from typing import Any

from ledger.words import event_word, field_value, field_word

# Fields a reader needs no line for in the listing (they are in ``show`` and ``explain``).
QUIET = frozenset({"evaluation", "key"})  # key: a reporting act's "act:id", shown by its act and id


def described(rows: list[dict[str, Any]], lang: str = "zh") -> list[dict[str, Any]]:
    """Each history row with ``event`` (the event's words) and ``details`` (label, value-in-words
    pairs), read in order so a field that needs the client's scheme (a grade, a reason code) is
    worded under the scheme in force at that event."""
    context: dict[str, Any] = {}
    out = []
    for r in rows:
        fields = r["fields"]
        for key in ("scheme_id", "scheme_version"):
            if fields.get(key):
                context[key] = fields[key]
        seen = {**context, **fields}
        details = [(field_word(k, lang), field_value(r["type"], k, x, seen, lang))
                   for k, x in fields.items() if x not in (None, "", [], {}) and k not in QUIET]
        out.append({**r, "event": event_word(r["type"], lang), "details": details})
    return out


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def render_history(rows: list[dict[str, Any]], lang: str = "zh") -> str:
    from ledger.clock import event_time

    sep = "；" if lang != "en" else "; "
    colon = "：" if lang != "en" else ": "
    lines = []
    for r in described(rows, lang):
        body = sep.join(f"{label}{colon}{_short(value)}" for label, value in r["details"])
        lines.append(f"{r['version']:>4}  {r['occurred_on']}  {event_time(r['recorded_at'])}  {r['actor'] or '—'}  "
                     f"{r['event']}  {body}")
    return "\n".join(lines)
