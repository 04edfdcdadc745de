"""What a write created, for its echo (issue 9, item 8): the id and what the ledger computed, read
back from the client after the command (``CertLedger.execute`` returns only the id). An audit plan
echoes its man-days (computed and planned) and sites, a score entry the points it earns, a decision
its score and grade, a certificate its validity; anything else created its id and its record's
plain fields. Pure reading: nothing here writes."""

from __future__ import annotations

from typing import Any

# Record fields an echo leaves out: bookkeeping, or long structures shown by ``show``/``explain``.
_LEFT_OUT = frozenset({"actor", "evaluation", "calculation", "superseded_by", "status_changed_on"})


def _find(client: Any, ident: str) -> dict[str, Any] | None:
    """The record of the client's state with this id (a dict of records keyed by id: audits,
    entries, certificates by number, appeals...)."""
    for table in vars(client).values():
        if isinstance(table, dict) and isinstance(table.get(ident), dict):
            return table[ident]
    return None


def _score_points(app: Any, client: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """The points a score entry earns under its audit's scheme (a prerequisite's: met or not)."""
    from ledger.rules.scoring.rules import RULES, judge_condition

    scheme = app.audit_scheme(client, entry["audit_id"])
    target = scheme.resolve_item(entry["item"])
    if target.kind != "item":
        met, zh, en = judge_condition(scheme, target, entry["value"], None) if target.rule == "attest" else (None, "", "")
        return {"item_name_zh": target.name_zh, "item_name_en": target.name_en, "met": met}
    earned, zh, en = RULES[target.rule].earn(scheme, target, entry["value"])
    return {"item_name_zh": target.name_zh, "item_name_en": target.name_en, "points": earned,
            "item_points": target.points, "reason_zh": zh, "reason_en": en}


def created(app: Any, command: str, uscc: str | None, result: Any) -> dict[str, Any] | None:
    """The created thing's id and what was computed, JSON-shaped; None when the command created
    nothing with an id (its result is echoed as it is)."""
    if isinstance(result, dict):  # a command that reports its own computation (decide)
        out = dict(result)
        ident = result.get("decision") or result.get("id")
    elif isinstance(result, str) and result:
        out, ident = {"id": result}, result
    else:
        return None
    if not uscc:
        return out
    try:
        client = app.client(uscc)
    except Exception:  # noqa: BLE001 - an echo never fails a write that succeeded
        return out
    if command == "audit objection-answer":  # the answer, and whom an upheld objection bars (trial 12, item 7)
        from aggregates.policy.objections import barred_by

        for audit in client.audits.values():
            for o in audit.get("objections") or []:
                if o["id"] == ident and o["answer"]:
                    out["outcome"] = o["answer"]["outcome"]
                    if o["answer"]["upheld"]:
                        out["barred"] = barred_by(audit, o)
        return out
    record = _find(client, ident) if ident else None
    if record is None:
        return out
    for key, value in record.items():
        if key not in _LEFT_OUT and key not in out and key != "id" and value not in (None, "", [], {}):
            out[key] = value
    if command == "audit plan":
        calc = record.get("calculation") or {}
        out["calculated_man_days"] = calc.get("calculated_man_days")
        if calc.get("steps"):
            out["steps"] = calc["steps"]
    if command in ("score enter", "score correct"):
        try:
            out.update(_score_points(app, client, record))
        except Exception:  # noqa: BLE001 - the entry was validated when written; the echo stays best-effort
            pass
    if record.get("grade") and record.get("scheme_id"):
        from ledger.rules.scoring import grade_names

        names = grade_names(record["scheme_id"], record.get("scheme_version"), record["grade"])
        if names:
            out["grade_zh"], out["grade_en"] = names["zh"], names["en"]
    return out
