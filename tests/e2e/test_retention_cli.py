"""No command deletes or edits events; a purge within the retention period is refused (001 §12.2)."""

from datetime import date

from click.testing import CliRunner

from cli.main import root
from ledger.bootstrap import bootstrap
from ledger.demo import play


def test_purge_within_the_retention_period_is_refused_and_nothing_changes(tmp_path):
    db = str(tmp_path / "l.sqlite")
    app = bootstrap(db)
    codes = play(app, today=date(2026, 11, 20))
    before = app.event_count()
    end = app.client(codes[0]).certificates[app.client(codes[0]).current_certificate]["valid_until"]
    app.close()
    r = CliRunner().invoke(root, ["--db", db, "--lang", "en", "purge", codes[0]])
    assert r.exit_code == 1 and "001 §12.2" in r.stderr and str(end) in r.stderr
    r = CliRunner().invoke(root, ["--db", db, "purge", codes[5]])  # never certified: still never deleted
    assert r.exit_code == 1 and "001 §12.3" in r.stderr
    app = bootstrap(db)
    assert app.event_count() == before
    app.close()
