"""The interpreter's own SHA-1 and SHA-256 give what ``hashlib`` and ``uuid`` give (D68): the ids of
clients, people and the body, the holidays file's key and the signing keys' fingerprints are
unchanged for every stored ledger; and a write or ``explain`` does not load OpenSSL's ``hashlib``."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from aggregates.body import BODY_ID, BODY_NAMESPACE
from aggregates.digests import sha256, uuid5
from aggregates.people import PERSON_NAMESPACE, person_id_for
from aggregates.person_keys import key_fingerprint
from aggregates.uscc import CLIENT_NAMESPACE, client_id_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["", "body", "91330100716105852F", "resident_id:11010119900307001X", "身份证:一二三", "x" * 5000])
def test_uuid5_is_the_standard_librarys(name):
    for namespace in (CLIENT_NAMESPACE, PERSON_NAMESPACE, BODY_NAMESPACE, uuid.NAMESPACE_DNS):
        assert uuid5(namespace, name) == uuid.uuid5(namespace, name)


def test_the_ids_of_stored_ledgers_are_unchanged():
    assert BODY_ID == uuid.uuid5(BODY_NAMESPACE, "body")
    assert client_id_for("91330100716105852F") == uuid.uuid5(CLIENT_NAMESPACE, "91330100716105852F")
    assert person_id_for("resident_id", "11010119900307001X") == uuid.uuid5(PERSON_NAMESPACE, "resident_id:11010119900307001X")


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 40])
def test_sha256_is_hashlibs(data):
    h = sha256(data[:7])
    h.update(data[7:])
    assert h.digest() == hashlib.sha256(data).digest()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert key_fingerprint(data) == hashlib.sha256(data).hexdigest()[:16]


def test_the_modules_a_write_imports_do_not_load_hashlib():
    """What every write imports (the application, its handlers, the read models' catch-up, the
    holidays file, the signatures' verdicts) leaves OpenSSL's ``hashlib`` unloaded."""
    code = ("import sys, ledger.app, ledger.handlers, projections.quick, projections.deadlines, ledger.rules.holidays_cache, "
            "ledger.signing_shown, ledger.signing_verdicts, aggregates.body; "
            "from aggregates.uscc import client_id_for; client_id_for('91330100716105852F'); "
            "print('hashlib' in sys.modules, '_hashlib' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"], out.stdout + out.stderr
