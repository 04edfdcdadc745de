"""Read commands against a PostgreSQL hot standby (issue 13, item 5): a primary and a streaming
standby that the test starts itself (tests/pg_standby.py, a base backup of the primary on another
port). Every read command works on the standby from what the primary wrote; every write is refused
with a clear message, exit 1, and nothing written."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from cli.main import root
from ledger.bootstrap import bootstrap
from ledger.demo import play
from tests.pg_standby import pg_bin, primary_and_standby, wait_replayed

pytestmark = pytest.mark.skipif(pg_bin() is None or (os.geteuid() == 0 and shutil.which("runuser") is None),
                                reason="PostgreSQL server programs (and runuser, as root) not installed")

TODAY = date(2026, 11, 20)


def run(*args: str):
    return CliRunner().invoke(root, ["--lang", "en", *args])


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    key = str(tmp_path_factory.mktemp("keys") / "signing.key")
    with primary_and_standby() as (primary, standby):
        app = bootstrap(primary)
        codes = play(app, today=TODAY)
        app.update_read_models()  # what every write on the primary ends with
        app.close()
        assert run("keys", "init", "--key", key).exit_code == 0
        r = run("--db", primary, "checkpoint", "--key", key)
        assert r.exit_code == 0, r.output
        wait_replayed(primary, standby)
        yield primary, standby, codes, key


def test_every_read_command_works_on_the_standby_and_agrees_with_the_primary(servers, tmp_path):
    primary, standby, codes, key = servers
    hz = codes[0]
    for args in (["show", hz, "--json"], ["clients", "--json"], ["due", "--json"], ["register", "show", "--json"],
                 ["history", hz, "--json"], ["explain", hz, "--json"], ["show", hz, "--as-of", "2026-06-30", "--json"]):
        on_standby, on_primary = run("--db", standby, *args), run("--db", primary, *args)
        assert on_standby.exit_code == 0, (args, on_standby.output)
        assert json.loads(on_standby.stdout) == json.loads(on_primary.stdout), args
    r = run("--db", standby, "verify", "--public-key", key + ".pub")
    assert r.exit_code == 0 and "Verified" in r.stdout, r.output
    out = tmp_path / "bundle"
    r = run("--db", standby, "export", hz, "--out", str(out), "--key", key)
    assert r.exit_code == 0, r.output
    r = run("verify-bundle", str(out), "--public-key", key + ".pub")
    assert r.exit_code == 0, r.output


def test_writes_on_the_standby_are_refused_and_write_nothing(servers):
    primary, standby, codes, key = servers
    before = json.loads(run("--db", primary, "history", codes[0], "--json").stdout)
    for args in (["--actor", "张伟", "complaint", "receive", "--client", codes[0], "--complainant", "x", "--subject", "y"],
                 ["checkpoint", "--key", key], ["rebuild"]):
        r = run("--db", standby, *args)
        assert r.exit_code == 1, (args, r.output)
        assert "read-only" in r.stderr and "primary" in r.stderr and "Traceback" not in r.output, (args, r.stderr)
    jsonl = "\n".join([json.dumps({"command": "complaint receive", "client": codes[0], "complainant": "x", "subject": "y"})])
    r = CliRunner().invoke(root, ["--lang", "en", "--db", standby, "--actor", "张伟", "import", "-"], input=jsonl)
    assert r.exit_code == 1 and "read-only" in r.stderr, r.output
    wait_replayed(primary, standby)
    assert json.loads(run("--db", primary, "history", codes[0], "--json").stdout) == before
