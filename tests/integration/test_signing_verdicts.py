"""Ed25519's yes remembered for the signatures a command shows (ledger/signing_verdicts.py, D66):
``explain`` of a signed decision shown again does not ask ``cryptography`` (in a fresh process it
does not import its bindings), a decision altered after signing is checked by the library again and
reads "signature cannot be verified" every time, ``verify`` checks every signature with the library
whatever was remembered, and a verdicts file that others may write is not read."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from ledger import signing_verdicts
from ledger.bootstrap import bootstrap
from ledger.explain_text import render_explanation
from ledger.signing_verify import check_signatures
from ledger.trail.note import Verifier
from tests.integration.test_explain_start import _signed_world
from tests.integration.test_people import ZGC


@pytest.fixture
def asked(monkeypatch, tmp_path):
    """The test's own cache folder, nothing remembered in this process; the library's checks, counted."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(signing_verdicts, "_held", None)
    calls: list[bool] = []
    real = Verifier.verify

    def counting(self, message, signature):
        calls.append(real(self, message, signature))
        return calls[-1]

    monkeypatch.setattr(Verifier, "verify", counting)
    return calls


def _new_process(monkeypatch):
    monkeypatch.setattr(signing_verdicts, "_held", None)  # what a new command has: the file only


def _alter_decision(sqlite_url):
    db = sqlite3.connect(sqlite_url)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    rowid, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Client.CertificationDecided'").fetchone()
    db.execute("UPDATE stored_events SET state=? WHERE rowid=?", (bytes(state).replace("符合".encode(), "不符".encode()), rowid))
    db.commit()
    db.close()


def test_a_verdict_is_remembered_for_the_same_statement_only(db_url, asked, tmp_path, monkeypatch):
    app = bootstrap(db_url)
    try:
        _signed_world(app, tmp_path)
        assert app.explain(ZGC)["decision"]["signature"]["verified"] is True
        assert asked == [True]  # the library said yes once
        _new_process(monkeypatch)
        assert app.explain(ZGC)["decision"]["signature"]["verified"] is True
        assert asked == [True]  # remembered: not asked again
        # verify, an inspector's proof, asks the library for every signature (the decision's and the certificate's)
        report = check_signatures(app)
        assert report.checked == 2 and not [f for f in report.findings if f.kind == "signature"]
        assert asked == [True, True, True]
        # a verdicts file that others may write is not read
        os.chmod(signing_verdicts._file(), 0o666)
        _new_process(monkeypatch)
        assert app.explain(ZGC)["decision"]["signature"]["verified"] is True
        assert len(asked) == 4
        assert (signing_verdicts._file().stat().st_mode & 0o777) == 0o600  # replaced by this user's own
    finally:
        app.close()


def test_an_altered_decision_is_asked_again_and_reads_unverified_every_time(sqlite_url, asked, tmp_path, monkeypatch):
    app = bootstrap(sqlite_url)
    try:
        _signed_world(app, tmp_path)
        assert app.explain(ZGC)["decision"]["signature"]["verified"] is True
    finally:
        app.close()
    assert asked == [True]
    _alter_decision(sqlite_url)
    for _ in range(2):
        _new_process(monkeypatch)
        app = bootstrap(sqlite_url, existing=True)
        try:
            data = app.explain(ZGC)
        finally:
            app.close()
        assert data["decision"]["signature"]["verified"] is False
        assert "signature cannot be verified" in render_explanation(data, "en")
    assert asked == [True, False, False]  # a no is never remembered


def test_explain_shown_again_in_a_fresh_process_imports_no_cryptography_bindings(sqlite_url, tmp_path):
    app = bootstrap(sqlite_url)
    try:
        _signed_world(app, tmp_path)
    finally:
        app.close()
    code = ("import sys\nsys.argv=['certledger','explain','" + ZGC + "','--json']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('cryptography.hazmat.bindings._rust' in sys.modules)")
    env = {**os.environ, "CERTLEDGER_DB": sqlite_url, "CERTLEDGER_ACTOR": "张伟", "CERTLEDGER_SERVER": "off",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    seen = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        *shown, loaded = proc.stdout.strip().splitlines()
        assert '"verified": true' in "\n".join(shown)
        seen.append(loaded)
    assert seen == ["True", "False"]  # checked by the library the first time, remembered the second
