"""RFC 3161 time stamps for checkpoints, against a local TSA (``openssl ts -reply``) the tests start."""

from __future__ import annotations

import datetime as dt
import shutil
import socket

import pytest

from aggregates.errors import RuleViolation
from ledger.trail.note import Checkpoint, Signer
from ledger.trail.timestamp import request_token, verify_token
from tests.tsa import local_tsa

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    with local_tsa(tmp_path_factory.mktemp("tsa")) as server:
        yield server


@pytest.fixture(autouse=True)
def _normal(tsa):
    tsa.mode = "reply"
    yield
    tsa.mode = "reply"


@pytest.fixture(scope="module")
def other_tsa(tmp_path_factory):
    with local_tsa(tmp_path_factory.mktemp("other-tsa")) as server:
        yield server


@pytest.fixture(scope="module")
def note() -> bytes:
    checkpoint = Checkpoint("certledger/2f6b8a52-95c4-4bd6-a1a3-0f1d7c1c9e10", 7, bytes(range(32)))
    return checkpoint.sign(Signer.generate("中国质量认证中心")).encode("utf-8")


def _refused(exc_info, *needles: str) -> None:
    exc = exc_info.value
    assert exc.rule == "001 §12 audit trail: time stamp"
    assert exc.message_zh and exc.message_en
    assert "Traceback" not in exc.message_en
    for needle in needles:
        assert needle in exc.message_en, exc.message_en


def test_token_for_a_checkpoint_verifies_and_carries_the_time(tsa, note):
    token = request_token(note, tsa.url)
    when = verify_token(token, note, tsa.chain_pem)
    assert when.tzinfo is not None and when.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=1)
    # the same token, verified again, gives the same time
    assert verify_token(token, note, tsa.chain_pem) == when


def test_token_does_not_verify_for_other_data(tsa, note):
    token = request_token(note, tsa.url)
    changed = bytearray(note)
    changed[10] ^= 0x01
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(token, bytes(changed), tsa.chain_pem)
    _refused(exc_info, "not for this data")


def test_token_does_not_verify_with_another_tsa_certificate(tsa, other_tsa, note):
    token = request_token(note, tsa.url)
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(token, note, other_tsa.chain_pem)
    _refused(exc_info, "signature does not verify")
    # the right TSA certificate under another root, or another TSA certificate under the right root
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(token, note, tsa.tsa_pem + other_tsa.ca_pem)
    _refused(exc_info, "signature does not verify")
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(token, note, other_tsa.tsa_pem + tsa.ca_pem)
    _refused(exc_info, "signature does not verify")


def test_chain_without_a_root_or_not_pem_is_refused(tsa, note):
    token = request_token(note, tsa.url)
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(token, note, tsa.tsa_pem)
    _refused(exc_info, "root CA")
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(token, note, b"not a certificate")
    _refused(exc_info, "not a PEM certificate")


def test_garbage_token_is_refused(tsa, note):
    with pytest.raises(RuleViolation) as exc_info:
        verify_token(b"\x30\x03\x02\x01\x00garbage", note, tsa.chain_pem)
    _refused(exc_info, "cannot be read")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nobody_listening_is_refused(note):
    url = f"http://127.0.0.1:{_free_port()}/"
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, url, timeout=5)
    _refused(exc_info, "Cannot reach", url, "check the TSA URL")


@pytest.mark.parametrize("url", ["ftp://example.org/tsa", "file:///etc/passwd", "not a url", "http://"])
def test_url_that_is_not_http_is_refused(url, note):
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, url)
    _refused(exc_info, "URL")


def test_http_500_is_refused(tsa, note):
    tsa.mode = "http500"
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, tsa.url)
    _refused(exc_info, "HTTP 500", tsa.url)


def test_garbage_reply_is_refused(tsa, note):
    tsa.mode = "garbage"
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, tsa.url)
    _refused(exc_info, "not a valid RFC 3161", tsa.url)


def test_rejection_is_refused(tsa, note):
    tsa.mode = "rejection"
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, tsa.url)
    _refused(exc_info, "did not grant", "rejection")


def test_stale_reply_for_another_request_is_refused(tsa, note):
    request_token(b"an earlier checkpoint\n", tsa.url)
    tsa.mode = "stale"
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, tsa.url)
    _refused(exc_info, "nonce differs")


def test_reply_with_another_imprint_is_refused(tsa, note):
    tsa.mode = "other_imprint"
    with pytest.raises(RuleViolation) as exc_info:
        request_token(note, tsa.url)
    _refused(exc_info, "message imprint", "not the SHA-256")
