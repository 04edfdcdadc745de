"""When an act must carry a personal signature: the one rule (issue 15, item 4; trial 6, item 3;
docs/audit-trail.md, "Complete signatures"; decision D46 in docs/decisions.md).

An act of the signing list (``ledger/commands_signing.SIGNED_ACTS``) must be signed when the body's
signing policy in force at its place in the log has a ``required_from`` date, lists the act's command
(or lists none), and **either** the act's business date **or** the day it is recorded (its recorded
time in Asia/Shanghai) is on or after ``required_from``. The second half closes the back door of
backdating: once the requirement is in force, an act recorded today with ``--on`` before
``required_from`` must be signed all the same. An act genuinely recorded before the requirement —
before the policy in the log, or on a day before ``required_from`` with a business date before it —
stays valid unsigned.

The same function decides at the act (``ledger/signing.py``: the day recorded is today, by the
ledger's clock) and in ``verify`` / ``verify-bundle`` (``ledger/signing_complete.py``: the day of
the event's stored ``timestamp``). Pure: no database, no clock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ledger.clock import SHANGHAI


def as_date(value: Any) -> date | None:
    """A date as a policy or an event's state holds it (a date, ISO text, or the transcoder's
    ``{"_type_": "date_iso", "_data_": "YYYY-MM-DD"}``); None when absent or unreadable."""
    if isinstance(value, dict):
        value = value.get("_data_")
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def recorded_day(timestamp: Any) -> date | None:
    """The day an event was recorded, in Asia/Shanghai: from its ``timestamp`` (a datetime, ISO text,
    or the transcoder's ``{"_type_": "datetime_iso", "_data_": "..."}``); None when unreadable or
    without a time zone."""
    if isinstance(timestamp, dict):
        timestamp = timestamp.get("_data_")
    if isinstance(timestamp, str):
        try:
            timestamp = datetime.fromisoformat(timestamp)
        except ValueError:
            return None
    if not isinstance(timestamp, datetime) or timestamp.tzinfo is None:
        return None
    return timestamp.astimezone(SHANGHAI).date()


def signature_required(policy: dict[str, Any] | None, command: str, occurred_on: Any, recorded_on: Any) -> date | None:
    """The policy's ``required_from`` when the act ``command`` with business date ``occurred_on``,
    recorded on the day ``recorded_on`` (Asia/Shanghai), must be signed under ``policy`` (the one in
    force at the act's place in the log; None: no policy); else None."""
    if not policy:
        return None
    since = as_date(policy.get("required_from"))
    if since is None:
        return None
    acts = policy.get("acts") or []
    if acts and command not in acts:
        return None
    on, day = as_date(occurred_on), as_date(recorded_on)
    if (on is not None and on >= since) or (day is not None and day >= since):
        return since
    return None
