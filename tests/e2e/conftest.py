"""Fixtures shared by the command-line tests of this folder (a module's own ``run`` overrides this one)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import root


@pytest.fixture
def run(app, db_url):
    """A command on the test's ledger (``app``/``db_url``), as ``actor``; never a traceback."""
    def invoke(*args: str, actor: str = "张伟"):
        r = CliRunner().invoke(root, ["--db", db_url, "--actor", actor, *args], catch_exceptions=False)
        assert "Traceback" not in r.output
        return r

    return invoke
