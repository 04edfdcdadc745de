"""A witness (C2SP tlog-witness) served over real HTTP on 127.0.0.1, fed real RFC 6962 trees and
checkpoints signed with the body's Ed25519 key: it cosigns from old 0, advances only with a valid
consistency proof, answers 409 with its size (and request_cosignature retries from it), refuses a
bad proof, a split view, a smaller tree, an unknown origin and a wrong key without changing its
state, lets only one of concurrent requests from the same old size advance; and the command line."""

from __future__ import annotations

import base64
import os
import socket
import stat
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from ledger.trail import merkle
from ledger.trail.cosignature import CosignatureSigner, add_cosignature, parse_witness_key, verify_cosignature
from ledger.trail.note import Checkpoint, Signer, open_checkpoint
from ledger.trail.witness import (
    add_checkpoint,
    add_log,
    encode_request,
    evidence_count,
    init_witness,
    latest_checkpoint,
    logs,
    running_witness,
)
from ledger.trail.witness_client import WitnessRequestError, request_cosignature

ORIGIN = "certledger/6f1d2c1e-0000-4000-8000-000000000001"
LEAVES = [merkle.leaf_hash(f"event {i}".encode()) for i in range(64)]
FORK = LEAVES[:3] + [merkle.leaf_hash(f"rewritten {i}".encode()) for i in range(3, 64)]


class Log:
    """A ledger's side: its key and its leaves; checkpoints and proofs straight from merkle."""

    def __init__(self, leaves=LEAVES, signer: Signer | None = None, origin: str = ORIGIN) -> None:
        self.leaves = leaves
        self.signer = signer or Signer.generate("cert.example.cn")
        self.origin = origin

    def note(self, size: int) -> str:
        cp = Checkpoint(self.origin, size, merkle.root_of(self.leaves[:size]),
                        ("heads 1 " + base64.b64encode(bytes(32)).decode(), "time 2026-11-20T08:00:00Z"))
        return cp.sign(self.signer)

    def proof_to(self, size: int):
        return lambda old: merkle.consistency_proof(old, self.leaves[:size])

    def request(self, old: int, size: int, proof=None) -> bytes:
        p = self.proof_to(size)(old) if proof is None and old else (proof or [])
        return encode_request(old, p, self.note(size))


@pytest.fixture
def state(tmp_path):
    return tmp_path / "witness"


@pytest.fixture
def log():
    return Log()


@pytest.fixture
def wkey(state, log):
    verifier = init_witness(state, "witness.samr.example/w1")
    add_log(state, log.signer.verifier, ORIGIN)
    return verifier


@pytest.fixture
def url(state, wkey):
    with running_witness(state) as base:
        yield base


def post(base: str, data: bytes, path: str = "/add-checkpoint", method: str = "POST") -> tuple[int, str, bytes]:
    req = urllib.request.Request(base + path, data=data if method == "POST" else None, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers.get("Content-Type", ""), e.read()


def latest_size(state) -> int | None:
    return next(r.size for r in logs(state) if r.origin == ORIGIN)


def cosigned(base, log, old, size):
    status, ctype, body = post(base, log.request(old, size))
    assert status == 200, body.decode()
    return body.decode()


# ------------------------------------------------------------------------------ the happy path


def test_the_first_checkpoint_is_cosigned_from_old_zero(url, state, wkey, log):
    assert latest_size(state) is None
    status, ctype, body = post(url, log.request(0, 5))
    assert status == 200 and ctype.startswith("text/plain")
    line = body.decode()
    assert line.startswith("\u2014 witness.samr.example/w1 ") and line.endswith("\n") and line.count("\n") == 1
    note = add_cosignature(log.note(5), line)
    when = verify_cosignature(note, wkey)
    assert open_checkpoint(note, log.signer.verifier).size == 5
    assert latest_size(state) == 5
    latest = latest_checkpoint(state, ORIGIN)
    assert verify_cosignature(latest, wkey) == when
    assert open_checkpoint(latest, log.signer.verifier).size == 5
    assert latest.endswith(line)


def test_advancing_needs_and_accepts_a_valid_consistency_proof(url, state, wkey, log):
    cosigned(url, log, 0, 5)
    for old, size in [(5, 6), (6, 13), (13, 13), (13, 32), (32, 33), (33, 64)]:
        line = cosigned(url, log, old, size)
        verify_cosignature(add_cosignature(log.note(size), line), wkey)
        assert latest_size(state) == size


def test_an_empty_tree_is_cosigned_and_then_extended(url, state, wkey, log):
    cosigned(url, log, 0, 0)
    assert latest_size(state) == 0
    cosigned(url, log, 0, 3)
    assert latest_size(state) == 3


def test_409_gives_the_latest_size_and_request_cosignature_retries_from_it(url, state, wkey, log):
    cosigned(url, log, 0, 5)
    status, ctype, body = post(url, log.request(0, 9))
    assert (status, ctype, body) == (409, "text/x.tlog.size", b"5\n")
    status, ctype, body = post(url, log.request(3, 9))
    assert (status, ctype, body) == (409, "text/x.tlog.size", b"5\n")
    assert latest_size(state) == 5
    asked = []

    def proof_from(old):
        asked.append(old)
        return log.proof_to(9)(old)

    line = request_cosignature(url, wkey, log.note(9), 0, proof_from)
    assert asked == [5]  # old 0 needs no proof; the retry asks for the proof from the witness's size
    assert verify_cosignature(add_cosignature(log.note(9), line), wkey)
    assert latest_size(state) == 9
    # the same checkpoint again (the ledger did not know it was cosigned): cosigned again, empty proof
    again = request_cosignature(url, wkey, log.note(9), 9, proof_from)
    assert verify_cosignature(add_cosignature(log.note(9), again), wkey)


# --------------------------------------------------------------------------------- the refusals


def test_a_bad_proof_is_422_kept_as_evidence_and_changes_nothing(url, state, log):
    cosigned(url, log, 0, 5)
    before = latest_checkpoint(state, ORIGIN)
    wrong = merkle.consistency_proof(4, LEAVES[:9])  # a proof from another size
    status, _, body = post(url, log.request(5, 9, wrong))
    assert status == 422 and b"consistency proof" in body
    forked = Log(FORK, log.signer)
    status, _, _ = post(url, forked.request(5, 9))  # a rewritten log's own (valid for it) proof
    assert status == 422
    status, _, _ = post(url, log.request(5, 5, [merkle.EMPTY_ROOT]))  # same size: the proof must be empty
    assert status == 422
    assert latest_checkpoint(state, ORIGIN) == before
    assert evidence_count(state) == {ORIGIN: 3}


def test_a_split_view_is_refused_kept_as_evidence_and_changes_nothing(url, state, wkey, log):
    cosigned(url, log, 0, 8)
    before = latest_checkpoint(state, ORIGIN)
    forked = Log(FORK, log.signer)
    status, ctype, body = post(url, forked.request(8, 8))
    assert status == 409 and ctype.startswith("text/plain") and "split view" in body.decode().lower()
    assert "分叉" in body.decode()
    assert latest_checkpoint(state, ORIGIN) == before and evidence_count(state) == {ORIGIN: 1}
    with pytest.raises(WitnessRequestError) as e:
        request_cosignature(url, wkey, forked.note(8), 0, forked.proof_to(8))
    assert e.value.status == 409
    assert "split view" in e.value.message_en and url in e.value.message_en and "分叉" in e.value.message_zh
    assert latest_checkpoint(state, ORIGIN) == before


def test_a_smaller_checkpoint_is_refused(url, state, wkey, log):
    cosigned(url, log, 0, 10)
    status, _, _ = post(url, log.request(10, 6, []))
    assert status == 400  # old larger than the checkpoint
    status, ctype, body = post(url, log.request(6, 6))
    assert (status, ctype, body) == (409, "text/x.tlog.size", b"10\n")
    with pytest.raises(WitnessRequestError) as e:
        request_cosignature(url, wkey, log.note(6), 6, log.proof_to(6))
    assert "rolled back" in e.value.message_en and "回滚" in e.value.message_zh
    assert latest_size(state) == 10


def test_an_unknown_origin_is_404_and_a_wrong_key_403(url, state, wkey, log):
    other = Log(origin="certledger/unknown")
    status, _, body = post(url, other.request(0, 3))
    assert status == 404 and b"certledger witness add-log" in body
    with pytest.raises(WitnessRequestError) as e:
        request_cosignature(url, wkey, other.note(3), 0, other.proof_to(3))
    assert e.value.status == 404 and "add-log" in e.value.message_en
    impostor = Log(signer=Signer.generate("cert.example.cn"))  # same name and origin, another key
    status, _, _ = post(url, impostor.request(0, 3))
    assert status == 403
    tampered = log.note(3).replace("\n3\n", "\n4\n", 1)  # the body's real signature line, another size
    status, _, _ = post(url, encode_request(0, [], tampered))
    assert status == 403
    with pytest.raises(WitnessRequestError) as e:
        request_cosignature(url, wkey, impostor.note(3), 0, impostor.proof_to(3))
    assert e.value.status == 403 and "--key" in e.value.message_en
    assert latest_size(state) is None and evidence_count(state) == {}


@pytest.mark.parametrize("data", [
    b"", b"old 0\n", b"old x\n\nnote", b"old 01\n\n", b"new 0\n\n",
    b"old 0\nnot-base64\n\n", b"old 0\n" + base64.b64encode(bytes(31)) + b"\n\n",
    b"old 0\n\n\xff\xfe", b"old 0\n\nnot a note\n",
])
def test_malformed_requests_are_400(url, state, data, log):
    status, _, _ = post(url, data)
    assert status == 400
    assert latest_size(state) is None


def test_too_many_proof_lines_is_400(url, log):
    lines = [base64.b64encode(bytes(32))] * 64
    data = b"old 1\n" + b"\n".join(lines) + b"\n\n" + log.note(5).encode()
    assert post(url, data)[0] == 400


def test_the_http_surface_is_post_add_checkpoint_only_and_bounded(url, log):
    assert post(url, log.request(0, 1), path="/other")[0] == 404
    assert post(url, b"", method="GET")[0] == 405
    assert post(url, b"x" * (100 * 1024))[0] == 413


def test_concurrent_requests_from_the_same_old_size_only_one_advances(url, state, log):
    cosigned(url, log, 0, 5)
    sizes = list(range(20, 36))
    barrier = threading.Barrier(len(sizes))
    results: dict[int, tuple[int, str, bytes]] = {}

    def submit(size):
        data = log.request(5, size)
        barrier.wait()
        results[size] = post(url, data)

    threads = [threading.Thread(target=submit, args=(s,)) for s in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [s for s, r in results.items() if r[0] == 200]
    assert len(results) == len(sizes) and len(won) == 1
    assert all(r == (409, "text/x.tlog.size", f"{won[0]}\n".encode()) for s, r in results.items() if s != won[0])
    assert latest_size(state) == won[0]


# --------------------------------------------------------------------------- the client's errors


def test_no_witness_at_the_url_is_a_clear_refusal(log, wkey):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WitnessRequestError) as e:
        request_cosignature(f"http://127.0.0.1:{port}", wkey, log.note(3), 0, log.proof_to(3), timeout=2)
    assert f"127.0.0.1:{port}" in e.value.message_en and "witness serve" in e.value.message_en
    assert "无法连接见证" in e.value.message_zh


def test_a_witness_key_that_does_not_match_the_reply_is_refused(url, state, log):
    stranger = CosignatureSigner.generate("witness.samr.example/w1").verifier  # same name, another key
    with pytest.raises(WitnessRequestError) as e:
        request_cosignature(url, stranger, log.note(3), 0, log.proof_to(3))
    assert "no cosignature" in e.value.message_en and url in e.value.message_en


def test_add_checkpoint_as_a_function_matches_the_endpoint(state, wkey, log):
    assert add_checkpoint(state, log.request(0, 4))[0] == 200
    assert add_checkpoint(state, log.request(0, 4))[:3] == (409, "text/x.tlog.size", b"4\n")
    status, ctype, body = add_checkpoint(state.parent / "nowhere", log.request(0, 4))
    assert status == 500 and b"witness init" in body


# ---------------------------------------------------------------------------------- the commands


def run(*args):
    from cli.main import root

    return CliRunner().invoke(root, list(args))


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_commands_end_to_end(tmp_path, log):
    state = tmp_path / "w"
    made = run("witness", "init", "--state", str(state), "--name", "监管见证/w1")
    assert made.exit_code == 0, made.output
    assert "witness.pub" in made.stdout and "监管见证/w1+" in made.stdout
    assert files_in(state) == ["witness.key", "witness.pub", "witness.sqlite"]
    assert stat.S_IMODE(os.stat(state / "witness.key").st_mode) == 0o600
    wkey = parse_witness_key((state / "witness.pub").read_text(encoding="utf-8"))
    again = run("witness", "init", "--state", str(state), "--name", "other", "--lang", "en")
    assert again.exit_code == 1 and "already exists" in again.stderr and "Traceback" not in again.output

    pub = tmp_path / "signing.key.pub"
    pub.write_text(log.signer.verifier.encode() + "\n", encoding="utf-8")
    missing = run("witness", "add-log", "--state", str(state), "--public-key", str(pub))
    assert missing.exit_code == 1 and "--origin" in missing.stderr
    cp_file = tmp_path / "cp.txt"
    cp_file.write_text(log.note(2), encoding="utf-8")
    added = run("witness", "add-log", "--state", str(state), "--public-key", str(pub), "--checkpoint", str(cp_file))
    assert added.exit_code == 0, added.output
    assert ORIGIN in added.stdout
    same = run("witness", "add-log", "--state", str(state), "--public-key", log.signer.verifier.encode(), "--origin", ORIGIN, "--lang", "en")
    assert same.exit_code == 0 and "Already registered" in same.stdout
    other_key = Signer.generate("x").verifier.encode()
    clash = run("witness", "add-log", "--state", str(state), "--public-key", other_key, "--origin", ORIGIN, "--lang", "en")
    assert clash.exit_code == 1 and "already registered with another key" in clash.stderr

    req = tmp_path / "req"
    req.write_bytes(log.request(0, 7))
    out = run("witness", "cosign", "--state", str(state), str(req))
    assert out.exit_code == 0, out.output
    line = out.stdout.strip()
    verify_cosignature(add_cosignature(log.note(7), line), wkey)
    refused = run("witness", "cosign", "--state", str(state), str(req), "--lang", "en")
    assert refused.exit_code == 1 and "does not match" in refused.stderr and ", 7:" in refused.stderr
    zh = run("witness", "cosign", "--state", str(state), str(req))
    assert zh.exit_code == 1 and "拒绝" in zh.stderr and "7" in zh.stderr

    latest = run("witness", "latest", "--state", str(state), "--origin", ORIGIN)
    assert latest.exit_code == 0 and latest.stdout.endswith(line + "\n")
    assert verify_cosignature(latest.stdout, wkey)
    unknown = run("witness", "latest", "--state", str(state), "--origin", "certledger/nope", "--lang", "en")
    assert unknown.exit_code == 1 and "does not witness" in unknown.stderr
    shown = run("witness", "show", "--state", str(state), "--lang", "en")
    assert shown.exit_code == 0 and ORIGIN in shown.stdout and "latest cosigned size 7" in shown.stdout
    js = run("witness", "show", "--state", str(state), "--json")
    assert js.exit_code == 0 and '"size": 7' in js.stdout


def test_bad_input_to_the_commands_is_refused_and_writes_nothing(tmp_path, log):
    nowhere = tmp_path / "nowhere"
    for args in (["add-log", "--public-key", log.signer.verifier.encode(), "--origin", ORIGIN],
                 ["show"], ["latest", "--origin", ORIGIN], ["cosign", str(tmp_path / "req")], ["serve"]):
        r = run("witness", *args[:1], "--state", str(nowhere), *args[1:], "--lang", "en")
        assert r.exit_code == 1, (args, r.output)
        assert "witness init" in r.stderr and "Traceback" not in r.output
    assert not nowhere.exists()

    bad_name = run("witness", "init", "--state", str(nowhere), "--name", "a b")
    assert bad_name.exit_code == 1 and "C2SP" in bad_name.stderr and not nowhere.exists()

    state = tmp_path / "w"
    assert run("witness", "init", "--state", str(state), "--name", "w").exit_code == 0
    before = {p: p.read_bytes() for p in state.iterdir() if not p.name.startswith("witness.sqlite")}
    bad_key = tmp_path / "bad.pub"
    bad_key.write_text("not a key\n", encoding="utf-8")
    r = run("witness", "add-log", "--state", str(state), "--public-key", str(bad_key), "--origin", ORIGIN, "--lang", "en")
    assert r.exit_code == 1 and "malformed" in r.stderr
    r = run("witness", "add-log", "--state", str(state), "--public-key", str(tmp_path / "absent.pub"), "--origin", ORIGIN)
    assert r.exit_code == 1 and "Traceback" not in r.output
    r = run("witness", "add-log", "--state", str(state), "--public-key", log.signer.verifier.encode(), "--origin", "two\nlines")
    assert r.exit_code == 1
    r = run("witness", "add-log", "--state", str(state), "--public-key",
            CosignatureSigner.generate("w2").verifier.encode(), "--origin", ORIGIN)
    assert r.exit_code == 1  # a witness key is not a log's key
    assert logs(state) == []
    garbage = tmp_path / "req"
    garbage.write_bytes(b"old 0\n\nnot a note\n")
    r = run("witness", "cosign", "--state", str(state), str(garbage), "--lang", "en")
    assert r.exit_code == 1 and "Refused" in r.stderr
    r = run("witness", "cosign", "--state", str(state), str(tmp_path / "absent"), "--lang", "en")
    assert r.exit_code == 1 and "Cannot read the request file" in r.stderr
    r = run("witness", "serve", "--state", str(state), "--listen", "nonsense")
    assert r.exit_code == 2
    assert {p: p.read_bytes() for p in state.iterdir() if not p.name.startswith("witness.sqlite")} == before


def test_a_witness_key_readable_by_others_is_refused(state, wkey, log):
    os.chmod(state / "witness.key", 0o644)
    with pytest.raises(RuleViolation) as e:
        add_checkpoint_raise(state, log)
    assert "chmod 600" in e.value.message_en


def add_checkpoint_raise(state, log):
    from ledger.trail.witness import cosign_request

    return cosign_request(state, log.request(0, 3))
