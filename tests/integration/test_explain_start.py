"""``explain`` loads and checks only what it shows (issue 18, item 1; D59), on SQLite and PostgreSQL:
the signature of the decision it explains is checked (an altered decision is shown as a signature
that cannot be verified, never as the signer's word), no other signature of the client is verified
for nothing, and in a fresh process it loads neither the procedures nor the calendar (nor, on
SQLite, the time zone database)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from ledger.explain import _moment, decision_rows
from ledger.trail.keys import init_key
from tests.integration.test_people import ZGC, _audited, _contracted, _staff


def _signed_world(app, tmp_path) -> str:
    """The staff of test_people, 赵敏 keyed; ZGC audited, its decision and its certificate signed."""
    _staff(app)
    files = init_key(tmp_path / "zhao.key", "zhao")
    app.add_person_key(person="赵敏", public_key=str(files.public), actor="张伟", on=date(2026, 1, 5))
    _contracted(app, ZGC, "zgc-ru015")
    _audited(app, ZGC, "zgc-ru015")
    app.decide(client=ZGC, audit="A2", decider="赵敏", reason="符合", actor="赵敏", on=date(2026, 3, 20), sign_key=str(files.private))
    app.issue_certificate(client=ZGC, decision="D1", actor="赵敏", on=date(2026, 3, 21), sign_key=str(files.private))
    return str(files.private)


def test_explain_checks_the_decisions_signature_and_no_other(app, tmp_path, monkeypatch):
    import ledger.signing_shown as shown

    _signed_world(app, tmp_path)
    checked: list[int] = []
    real = shown.check_one

    def counting(signed, *args, **kwargs):
        checked.append(args[-1])  # the ActSigned row's version
        return real(signed, *args, **kwargs)

    monkeypatch.setattr(shown, "check_one", counting)
    history = app.history(ZGC)
    signed_rows = [r for r in history if r["type"] == "ActSigned"]
    assert len(signed_rows) == 2 and all(r["signature"] == {"valid": True} for r in signed_rows)
    assert len(checked) == 2  # history shows and checks both
    checked.clear()
    signature = app.explain(ZGC)["decision"]["signature"]
    assert signature["signed"] is True and signature["verified"] is True and signature["signer_name"] == "赵敏"
    decided = next(r["version"] for r in history if r["type"] == "CertificationDecided")
    over_decision = [r["version"] for r in signed_rows if decided in r["fields"]["act_versions"]]
    assert checked == over_decision  # the certificate's signature is not verified by explain


def test_the_rows_explain_keeps_hold_no_signature_it_would_not_check():
    rows = [
        {"version": 1, "type": "Registered", "fields": {}},
        {"version": 2, "type": "CertificationDecided", "fields": {"decision_id": "D1"}},
        {"version": 3, "type": "ActSigned", "fields": {"act_versions": [2]}},
        {"version": 4, "type": "CertificateIssued", "fields": {}},
        {"version": 5, "type": "ActSigned", "fields": {"act_versions": [4]}},
        {"version": 6, "type": "DecisionSuperseded", "fields": {"decision_id": "D2"}},
        {"version": 7, "type": "ActSigned", "fields": {"act_versions": [6]}},
        {"version": 8, "type": "ActSigned", "fields": {}},
    ]
    assert [r["version"] for r in decision_rows(rows)] == [1, 2, 3, 4, 6, 7]


def test_an_altered_signed_decision_is_shown_unverified_by_explain(sqlite_url, tmp_path):
    """The decision's event altered in the database after signing: explain says its signature cannot
    be verified (were the decision's signature row left unchecked, it would read as verified)."""
    import sqlite3

    from ledger.bootstrap import bootstrap
    from ledger.explain_text import render_explanation

    app = bootstrap(sqlite_url)
    try:
        _signed_world(app, tmp_path)
        assert app.explain(ZGC)["decision"]["signature"]["verified"] is True
    finally:
        app.close()
    db = sqlite3.connect(sqlite_url.split("///", 1)[-1])
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    rowid, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Client.CertificationDecided'").fetchone()
    db.execute("UPDATE stored_events SET state=? WHERE rowid=?", (bytes(state).replace("符合".encode(), "不符".encode()), rowid))
    db.commit()
    db.close()
    app = bootstrap(sqlite_url)
    try:
        data = app.explain(ZGC)
        signature = data["decision"]["signature"]
        assert signature["signed"] is True and signature["verified"] is False
        assert "signature cannot be verified" in render_explanation(data, "en")
    finally:
        app.close()


def test_recorded_moments_read_as_through_the_zone():
    """The fixed UTC+8 that explain shows a moment from 1992 on with gives the zone's own text; an
    earlier moment goes through the zone database."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    moment = datetime(1992, 1, 1, tzinfo=timezone.utc)
    while moment.year < 2101:
        assert _moment(moment) == moment.astimezone(zone).isoformat(timespec="seconds")
        moment += timedelta(days=37, hours=5, minutes=7, seconds=3)
    before = datetime(1988, 7, 1, 12, tzinfo=timezone.utc)  # China kept daylight saving time in 1986-1991
    assert _moment(before) == before.astimezone(zone).isoformat(timespec="seconds") and _moment(before).endswith("+09:00")
    assert _moment(None) is None


def test_explain_in_a_fresh_process_loads_no_procedure_calendar_or_zone(tmp_path, db_url):
    from ledger.bootstrap import bootstrap

    app = bootstrap(db_url)
    try:
        _signed_world(app, tmp_path)
    finally:
        app.close()
    watched = ("ledger.rules.procedures", "ledger.rules.calendar", "ledger.rules.lifecycle", "ledger.explain")
    if db_url.startswith("sqlite"):  # PostgreSQL's driver imports zoneinfo for its own time zones
        watched += ("zoneinfo",)
    code = ("import sys\nsys.argv=['certledger','explain','" + ZGC + "','--json']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in " + repr(watched) + " if m in sys.modules))")
    env = {**os.environ, "CERTLEDGER_DB": db_url, "CERTLEDGER_ACTOR": "张伟"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    *shown, modules = proc.stdout.strip().splitlines()
    assert modules == "['ledger.explain']"
    assert '"signed": true' in "\n".join(shown) and '"verified": true' in "\n".join(shown)
