"""Checkpoints time-stamped by an RFC 3161 authority and cosigned by a witness, end to end on SQLite
and PostgreSQL: ``checkpoint --tsa --witness`` stores both, a second checkpoint advances the witness
with a consistency proof, a failure keeps the checkpoint and is made up on the next run, bundles carry
both and ``verify-bundle`` requires what the inspector asks for, ``verify`` checks the stored ones and
reports a ledger rolled back past the witness's latest checkpoint. The authority (``openssl ts``) and
the witness (``certledger witness``'s server) are real and listen on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import root
from ledger.bundle import layout
from ledger.demo import play
from ledger.trail.keys import init_key
from ledger.trail.local_tsa import local_tsa
from ledger.trail.witness import add_log, init_witness, latest_checkpoint, running_witness
from tests.bundles import reseal
from tests.owner import Owner

TODAY = date(2026, 11, 20)
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the local TSA needs openssl")


@dataclass
class Body:
    db: str
    key: Path
    pub: Path
    codes: list[str]
    witness_dir: Path
    witness_pub: Path
    witness_url: str
    tsa: object
    chain: Path
    folder: Path

    def run(self, *args: str):
        return CliRunner().invoke(root, ["--lang", "en", "--db", self.db, *args])

    def checkpoint(self, *extra: str):
        return self.run("checkpoint", "--key", str(self.key), "--tsa", self.tsa.url, "--tsa-cert", str(self.chain),
                        "--witness", self.witness_url, "--witness-key", str(self.witness_pub), *extra)

    def export(self, out: Path, *clients: str):
        r = self.run("export", *(clients or ("--all",)), "--out", str(out), "--key", str(self.key))
        assert r.exit_code == 0, r.output
        return out

    def verify_bundle(self, d: Path, *extra: str):
        return self.run("verify-bundle", str(d), "--public-key", str(self.pub), *extra)


@pytest.fixture
def body(app, db_url, tmp_path):
    codes = play(app, today=TODAY)
    files = init_key(tmp_path / "signing.key", "测试认证机构")
    witness_dir = tmp_path / "witness"
    init_witness(witness_dir, "regulator.example/witness")
    from ledger.store import trail_store

    with trail_store(app).snapshot() as snap:
        origin = snap.origin()
    add_log(witness_dir, files.verifier, origin)
    with running_witness(witness_dir) as url, local_tsa(tmp_path / "tsa") as tsa:
        chain = tmp_path / "tsa-chain.pem"
        chain.write_bytes(tsa.chain_pem)
        yield Body(db_url, files.private, files.public, codes, witness_dir, witness_dir / "witness.pub", url, tsa, chain, tmp_path)


def test_a_checkpoint_is_time_stamped_and_cosigned_and_its_bundle_verifies_with_both(body):
    r = body.checkpoint()
    assert r.exit_code == 0, r.output
    assert "Time stamp: the time-stamping authority attests" in r.stderr and "(obtained now)" in r.stderr
    assert "Witness: regulator.example/witness cosigned at" in r.stderr
    assert "— regulator.example/witness " in r.stdout  # the printed note carries the cosignature
    d = body.export(body.folder / "bundle", body.codes[1])
    assert (d / layout.TIMESTAMP).is_file()
    manifest = json.loads((d / layout.MANIFEST).read_text())
    assert layout.TIMESTAMP in manifest["files"] and layout.TIMESTAMP in (d / layout.SUMS).read_text()
    v = body.verify_bundle(d, "--witness-key", str(body.witness_pub), "--tsa-cert", str(body.chain), "--json")
    assert v.exit_code == 0, v.output
    out = json.loads(v.stdout)
    assert out["verified"] and out["witnessed"][0]["witness"] == "regulator.example/witness"
    assert out["time_stamp"]["checked"] is True


def test_asking_again_asks_nothing_and_a_new_checkpoint_advances_the_witness_with_a_proof(body, app):
    assert body.checkpoint().exit_code == 0
    requests = body.tsa.requests
    again = body.checkpoint()
    assert again.exit_code == 0 and "(obtained before)" in again.stderr and body.tsa.requests == requests
    app.receive_complaint(client=body.codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
    second = body.checkpoint("--json")
    assert second.exit_code == 0, second.output
    data = json.loads(second.stdout)
    assert data["id"] == 2 and data["cosigned_by"][0]["new"] and not data["failures"]
    # The witness now holds checkpoint 2: it accepted the consistency proof from checkpoint 1's size.
    origin = data["origin"]
    assert latest_checkpoint(body.witness_dir, origin).split("\n")[1] == str(data["tree_size"])


def test_a_witness_that_is_down_keeps_the_checkpoint_and_the_next_run_makes_it_up(body):
    r = body.run("checkpoint", "--key", str(body.key), "--witness", "http://127.0.0.1:9/", "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "Not obtained:" in r.stderr and "The checkpoint itself is signed and stored" in r.stderr
    assert "Stored as checkpoint #1" in r.stderr
    d = body.export(body.folder / "b1", body.codes[0])
    refused = body.verify_bundle(d, "--witness-key", str(body.witness_pub))
    assert refused.exit_code == 1 and "regulator.example/witness" in refused.stderr
    assert body.checkpoint().exit_code == 0  # same checkpoint: only what it lacks is obtained
    d2 = body.export(body.folder / "b2", body.codes[0])
    assert body.verify_bundle(d2, "--witness-key", str(body.witness_pub), "--tsa-cert", str(body.chain)).exit_code == 0


def test_a_witness_key_without_a_witness_is_refused_before_anything_is_signed(body):
    r = body.run("checkpoint", "--key", str(body.key), "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "--witness-key" in r.stderr and "Traceback" not in r.output
    assert Owner.__name__ and not body.run("verify", "--key", str(body.key)).stdout.startswith("Verified")


@pytest.fixture
def bundle(body):
    assert body.checkpoint().exit_code == 0
    return body.export(body.folder / "bundle", body.codes[2])


def _strip_cosignatures(d: Path) -> None:
    lines = (d / layout.CHECKPOINT).read_text(encoding="utf-8").split("\n")
    (d / layout.CHECKPOINT).write_text("\n".join(x for x in lines if "regulator.example" not in x), encoding="utf-8")


def test_a_bundle_stripped_of_its_cosignature_is_refused_when_the_inspector_asks_for_the_witness(body, bundle):
    _strip_cosignatures(bundle)
    reseal(bundle)
    assert body.verify_bundle(bundle).exit_code == 0  # nothing asked: the body's signature alone still holds
    r = body.verify_bundle(bundle, "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "Witness regulator.example/witness" in r.stderr and "Traceback" not in r.output


def test_a_forged_or_foreign_cosignature_is_refused(body, bundle, tmp_path):
    note = (bundle / layout.CHECKPOINT).read_text(encoding="utf-8")
    line = next(x for x in note.split("\n") if x.startswith("— regulator.example"))
    import base64

    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[-1] ^= 1
    (bundle / layout.CHECKPOINT).write_text(note.replace(line, "— regulator.example/witness " + base64.b64encode(bytes(raw)).decode()),
                                            encoding="utf-8")
    reseal(bundle)
    r = body.verify_bundle(bundle, "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "Traceback" not in r.output
    other = init_witness(tmp_path / "other-witness", "regulator.example/witness")  # same name, another key
    r2 = body.verify_bundle(bundle, "--witness-key", other.encode())
    assert r2.exit_code == 1 and "Traceback" not in r2.output


def test_a_time_stamp_removed_swapped_or_garbled_is_refused(body, bundle, app, tmp_path):
    token = (bundle / layout.TIMESTAMP).read_bytes()
    # removed (manifest and sums recomputed): refused when the inspector asks for the stamp
    gone = shutil.copytree(bundle, tmp_path / "gone")
    (gone / layout.TIMESTAMP).unlink()
    reseal(gone)
    r = body.verify_bundle(gone, "--tsa-cert", str(body.chain))
    assert r.exit_code == 1 and "timestamp.tsr" in r.stderr
    # another checkpoint's genuine token: refused with the chain, and without it (its imprint)
    app.receive_complaint(client=body.codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
    assert body.checkpoint().exit_code == 0
    newer = body.export(tmp_path / "newer", body.codes[2])
    swapped = shutil.copytree(bundle, tmp_path / "swapped")
    (swapped / layout.TIMESTAMP).write_bytes((newer / layout.TIMESTAMP).read_bytes())
    reseal(swapped)
    for extra in (("--tsa-cert", str(body.chain)), ()):
        r = body.verify_bundle(swapped, *extra)
        assert r.exit_code == 1 and "not for this" in r.stderr, r.output
    # garbage and a truncated token
    for data in (b"not a token", token[: len(token) // 2]):
        bad = shutil.copytree(bundle, tmp_path / f"bad{len(data)}")
        (bad / layout.TIMESTAMP).write_bytes(data)
        reseal(bad)
        for extra in (("--tsa-cert", str(body.chain)), ()):
            r = body.verify_bundle(bad, *extra)
            assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    # a chain that is not the authority's
    other = local_tsa(tmp_path / "other-tsa")
    with other as o:
        (tmp_path / "other.pem").write_bytes(o.chain_pem)
    r = body.verify_bundle(bundle, "--tsa-cert", str(tmp_path / "other.pem"))
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_verify_checks_the_stored_attestations(body, app, db_url):
    assert body.checkpoint().exit_code == 0
    assert body.run("verify", "--key", str(body.key), "--witness-key", str(body.witness_pub)).exit_code == 0
    owner = Owner(app, db_url)
    owner.unprotect("trail_attestations")  # (each command puts the triggers back: unprotect just before)
    table = owner.trail("trail_attestations")
    owner.sql(f"UPDATE {table} SET body = ? WHERE kind = 'timestamp'", (b"\x30\x03\x02\x01\x00",))
    r = body.run("verify", "--key", str(body.key))
    assert r.exit_code == 1 and "attestation" in r.stderr and "Traceback" not in r.output


def test_verify_reports_a_cosignature_altered_in_the_database(body, app, db_url):
    assert body.checkpoint().exit_code == 0
    owner = Owner(app, db_url)
    owner.unprotect("trail_attestations")
    table = owner.trail("trail_attestations")
    row = owner.sql(f"SELECT id, body FROM {table} WHERE kind = 'cosignature'")[0]
    line = bytes(row[1]).decode()
    forged = line[:-6] + ("A" if line[-6] != "A" else "B") + line[-5:]
    owner.sql(f"UPDATE {table} SET body = ? WHERE id = ?", (forged.encode(), row[0]))
    r = body.run("verify", "--key", str(body.key), "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "cosignature" in r.stderr and "Traceback" not in r.output


def test_a_ledger_rolled_back_past_the_witnessed_checkpoint_is_reported(body, app, db_url, tmp_path):
    assert body.checkpoint().exit_code == 0
    app.receive_complaint(client=body.codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
    assert body.checkpoint().exit_code == 0
    origin = json.loads(body.run("checkpoint", "--key", str(body.key), "--json").stdout)["origin"]
    witnessed = tmp_path / "witnessed.txt"
    r = CliRunner().invoke(root, ["witness", "latest", "--state", str(body.witness_dir), "--origin", origin])
    assert r.exit_code == 0, r.output
    witnessed.write_text(r.stdout, encoding="utf-8")
    # The owner restores yesterday's state: the last event, the second checkpoint, its leaves and attestations go.
    owner = Owner(app, db_url)
    owner.drop_triggers()
    for table in ("trail_leaves", "trail_checkpoints", "trail_attestations"):
        owner.unprotect(table)
    size1 = int(owner.sql(f"SELECT tree_size FROM {owner.trail('trail_checkpoints')} WHERE id = 1")[0][0])
    owner.sql(f"DELETE FROM {owner.trail('trail_attestations')} WHERE checkpoint_id = 2")
    owner.sql(f"DELETE FROM {owner.trail('trail_checkpoints')} WHERE id = 2")
    owner.sql(f"DELETE FROM {owner.trail('trail_leaves')} WHERE leaf_index >= ?", (size1,))
    last = owner.sql("SELECT max(POS) FROM EVENTS")[0][0]
    owner.sql("DELETE FROM EVENTS WHERE POS = ?", (last,))
    r = body.run("verify", "--key", str(body.key), "--checkpoint", str(witnessed), "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "rolled back past a checkpoint the witness(es) regulator.example/witness cosigned" in r.stderr, r.output
    # Checkpointing the restored ledger asks the witness again, which has seen more: refused, said.
    again = body.checkpoint()
    assert again.exit_code == 1 and "rolled back" in again.stderr and "Traceback" not in again.output, again.output
    # A checkpoint without the witness's cosignature is not taken for the witness's word.
    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(x for x in witnessed.read_text().split("\n") if "regulator.example" not in x), encoding="utf-8")
    r2 = body.run("verify", "--key", str(body.key), "--checkpoint", str(plain), "--witness-key", str(body.witness_pub))
    assert r2.exit_code == 1 and "Traceback" not in r2.output


def test_an_unusable_service_url_is_refused_before_anything_is_signed(body, app):
    from ledger.store import trail_store

    for args in (("--witness", "notaurl", "--witness-key", str(body.witness_pub)),
                 ("--witness", "http://[::1", "--witness-key", str(body.witness_pub)),
                 ("--tsa", "http://[::1",), ("--tsa-cert", str(body.chain))):
        r = body.run("checkpoint", "--key", str(body.key), *args)
        assert r.exit_code == 1 and "Traceback" not in r.output, (args, r.output)
        with trail_store(app).snapshot() as snap:
            assert snap.checkpoints() == [], args  # refused before signing


def test_verify_names_a_witness_whose_cosignature_the_latest_checkpoint_lacks(body, app, db_url):
    r = body.run("checkpoint", "--key", str(body.key))  # no witness asked
    assert r.exit_code == 0
    missing = body.run("verify", "--key", str(body.key), "--witness-key", str(body.witness_pub))
    assert missing.exit_code == 1 and "carries no cosignature of witness regulator.example/witness" in missing.stderr
    assert body.checkpoint().exit_code == 0  # obtained now
    assert body.run("verify", "--key", str(body.key), "--witness-key", str(body.witness_pub)).exit_code == 0


def test_a_checkpoint_dated_in_the_future_is_refused(body, bundle, tmp_path):
    from datetime import datetime, timedelta, timezone

    from ledger.trail.keys import load_signer
    from ledger.trail.note import parse_checkpoint_text, sign_note, split_note

    text, _ = split_note((bundle / layout.CHECKPOINT).read_text(encoding="utf-8"))
    cp = parse_checkpoint_text(text)
    later = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    forged = text.replace(next(x for x in cp.extensions if x.startswith("time ")), f"time {later}")
    (bundle / layout.CHECKPOINT).write_text(sign_note(forged, load_signer(body.key)), encoding="utf-8")
    (bundle / layout.TIMESTAMP).unlink()
    reseal(bundle)
    r = body.verify_bundle(bundle, "--max-age", "7d")
    assert r.exit_code == 1 and "later than now" in r.stderr


def test_verify_with_the_authoritys_chain_finds_a_token_damaged_in_the_database(body, app, db_url):
    assert body.checkpoint().exit_code == 0
    assert body.run("verify", "--key", str(body.key), "--tsa-cert", str(body.chain)).exit_code == 0
    owner = Owner(app, db_url)
    owner.unprotect("trail_attestations")
    table = owner.trail("trail_attestations")
    row = owner.sql(f"SELECT id, body FROM {table} WHERE kind = 'timestamp'")[0]
    token = bytearray(bytes(row[1]))
    token[-20] ^= 0xFF  # inside the signature: the imprint still reads as the body's
    owner.sql(f"UPDATE {table} SET body = ? WHERE id = ?", (bytes(token), row[0]))
    r = body.run("verify", "--key", str(body.key), "--tsa-cert", str(body.chain))
    assert r.exit_code == 1 and "time stamp token" in r.stderr and "Traceback" not in r.output, r.output


def test_a_forked_ledger_is_refused_by_the_witness_and_named_a_fork_by_verify(body, app, db_url, tmp_path):
    assert body.checkpoint().exit_code == 0
    app.receive_complaint(client=body.codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
    assert body.checkpoint().exit_code == 0
    origin = json.loads(body.run("checkpoint", "--key", str(body.key), "--json").stdout)["origin"]
    witnessed = tmp_path / "witnessed.txt"
    witnessed.write_text(CliRunner().invoke(root, ["witness", "latest", "--state", str(body.witness_dir), "--origin", origin]).stdout,
                         encoding="utf-8")
    # Back to checkpoint 1's state, then another event in place of the complaint: same size, other history.
    owner = Owner(app, db_url)
    owner.drop_triggers()
    for table in ("trail_leaves", "trail_checkpoints", "trail_attestations"):
        owner.unprotect(table)
    size1 = int(owner.sql(f"SELECT tree_size FROM {owner.trail('trail_checkpoints')} WHERE id = 1")[0][0])
    owner.sql(f"DELETE FROM {owner.trail('trail_attestations')} WHERE checkpoint_id = 2")
    owner.sql(f"DELETE FROM {owner.trail('trail_checkpoints')} WHERE id = 2")
    owner.sql(f"DELETE FROM {owner.trail('trail_leaves')} WHERE leaf_index >= ?", (size1,))
    owner.sql("DELETE FROM EVENTS WHERE POS = ?", (owner.sql("SELECT max(POS) FROM EVENTS")[0][0],))
    # the other history written by a new process, as a command is (a ledger object that wrote the deleted
    # event keeps its client as saved, D64: its next event would follow the deleted one, a gap verify names)
    assert body.run("complaint", "receive", "--client", body.codes[1], "--complainant", "顾客 王某", "--subject", "另一件事",
                    "--actor", "王敏", "--on", TODAY.isoformat()).exit_code == 0
    forked = body.checkpoint()
    assert forked.exit_code == 1 and "Traceback" not in forked.output  # the witness refuses the other history
    r = body.run("verify", "--key", str(body.key), "--checkpoint", str(witnessed), "--witness-key", str(body.witness_pub))
    assert r.exit_code == 1 and "a fork" in r.stderr and "deleted" not in r.stderr.split("\n")[1], r.output
