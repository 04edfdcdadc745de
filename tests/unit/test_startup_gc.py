"""The collector while a direct start imports the application (cli/startup_gc.py, D65): paused by a
raised threshold, given back with everything made so far frozen; nothing changes for a process
that did not pause. And the launcher's direct start imports no socket when no server is there."""

import gc
import os
import subprocess
import sys

import pytest

from cli import startup_gc as collector


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield before
    collector._thresholds = None
    gc.set_threshold(*before)
    gc.unfreeze()


def test_pause_raises_the_young_threshold_and_resume_gives_it_back_frozen(thresholds):
    collector.pause()
    assert gc.get_threshold() == (collector.START_THRESHOLD, *thresholds[1:])
    collector.pause()  # twice: the interpreter's thresholds are still the ones given back
    frozen = gc.get_freeze_count()
    kept = [object() for _ in range(10)], {"a": [1]}  # made while paused
    collector.resume()
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() > frozen and kept


def test_resume_without_pause_changes_nothing(thresholds):
    frozen = gc.get_freeze_count()
    collector.resume()
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == frozen


def test_a_disabled_collector_is_left_disabled(thresholds):
    gc.disable()
    try:
        collector.pause()
        collector.resume()
        assert not gc.isenabled() and gc.get_threshold() == thresholds
    finally:
        gc.enable()


def test_the_direct_start_imports_no_socket_when_no_server_is_there(tmp_path):
    folder = tmp_path / "server"
    folder.mkdir(mode=0o700)
    code = ("import sys; from cli import launch; "
            "print(launch.through_server(['certledger', 'show', 'x']), 'socket' in sys.modules, 'signal' in sys.modules)")
    env = {**os.environ, "CERTLEDGER_SERVER_DIR": str(folder)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "False", "False"]
