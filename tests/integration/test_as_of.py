"""As-of replay: the state the events dated up to a day imply, and what the ledger knew at a moment."""

from datetime import date, datetime, timedelta, timezone

import pytest

from aggregates.errors import NotFound
from ledger.demo import play

TODAY = date(2026, 11, 20)


def test_every_day_of_the_demo_year_replays_consistently(app):
    codes = play(app, today=TODAY)
    for code in codes:
        now = app.client(code)
        first = now.registered_on
        day = first
        while day <= TODAY:
            then = app.client(code, as_of=day)
            assert then.version <= now.version
            assert all(e["on"] <= day for e in then.entries.values())
            day += timedelta(days=29)
        assert app.client(code, as_of=TODAY).__dict__ == now.__dict__


def test_as_of_before_the_client_existed_is_no_such_client_then(app):
    codes = play(app, today=TODAY)
    first = app.client(codes[0]).registered_on
    with pytest.raises(NotFound) as e:
        app.client(codes[0], as_of=first - timedelta(days=1))
    assert e.value.rule == "ledger: no such client then"


def test_a_late_recorded_event_counts_by_its_business_date_and_by_when_it_was_recorded(app):
    codes = play(app, today=TODAY)
    sz = codes[1]
    before_recording = datetime.now(timezone.utc)
    # recorded today, but it happened months ago
    app.notify_change(client=sz, kind="representative", changed_on=date(2026, 3, 1), description="法定代表人变更为李某",
                      actor="张伟", on=date(2026, 3, 5))
    by_business_date = app.client(sz, as_of=date(2026, 3, 10))
    assert any(c["kind"] == "representative" for c in by_business_date.changes.values())
    by_recording = app.client(sz, as_of=date(2026, 3, 10), as_recorded=before_recording)
    assert not any(c["kind"] == "representative" for c in by_recording.changes.values())
    assert by_business_date.certificate_status == "valid"
