"""The one derivation of a certificate's status as of a day (reporting, issue 9), on its own: ``show``
reads it on its driver-only road (projections/status.py) without the calendar and the procedures
that the rest of ``ledger.rules.lifecycle`` needs (D41). ``ledger.rules.lifecycle`` gives the same
names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

ENDED = ("withdrawn", "cancelled", "expired", "replaced")  # recorded once, from the day recorded


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def certificate_status(cert: Mapping[str, Any], on: date,
                       suspensions: Mapping[str, Mapping[str, Any]] | Iterable[Mapping[str, Any]] | None = None) -> str | None:
    """What a certificate is as of ``on``: valid, suspended, expired, withdrawn, cancelled (or
    replaced, on recertification), or None before it was issued. The only derivation of a
    certificate's status: ``show`` and ``show --as-of``, the register now and as of a date, and
    the area rules that ask whether a certificate stands all call it.

    ``cert`` is a certificate of the client's state (``client.certificates[n]``) or a row or view
    with the same fields (``status``, ``status_changed_on``, ``issued_on``, ``valid_until``,
    ``number`` or ``certificate_no``; dates or ISO strings). ``suspensions`` is the client's suspensions (its history):
    a suspension counts from its start to the day before its restoration. Without them the
    recorded status stands from ``status_changed_on``.

    - a withdrawal, cancellation, recorded expiry or replacement stands from the day recorded;
    - after the last day of validity a certificate still recorded valid or suspended is expired
      (001 §8.2), whether or not ``certificate expire`` was recorded;
    - a suspension whose period has run out without a restoration or a withdrawal leaves the
      certificate suspended (001 §7.2.3: it may not be used) until the withdrawal is recorded;
      the withdrawal is then due (001 §7.3.1 e, ledger/rules/deadlines.py).
    """
    if on < _day(cert["issued_on"]):
        return None
    recorded, changed = cert["status"], _day(cert["status_changed_on"])
    if recorded in ENDED and on >= changed:
        return recorded
    if on > _day(cert["valid_until"]):
        return "expired"
    if suspensions is None:
        return recorded if recorded in ("valid", "suspended") and on >= changed else "valid"
    items = suspensions.values() if isinstance(suspensions, Mapping) else suspensions
    number = cert.get("number") or cert.get("certificate_no")  # a certificate of the state, or a register row
    for s in items:
        if s["number"] != number or _day(s["start"]) > on:
            continue
        if s["restored_on"] is None or on < _day(s["restored_on"]):
            return "suspended"
    return "valid"
