"""``certledger export`` and ``certledger verify-bundle`` end to end: a clean bundle verifies
(exit 0); every kind of tampering exits 1 naming what did not verify, also when the tamperer
recomputed the manifest's hashes; bad input never gives a traceback."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from cli.bundle import export, verify_bundle
from cli.output import Settings
from ledger.bundle import layout

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    """A demo ledger on SQLite, checkpointed, its key, and a bundle of every client."""
    from ledger.bootstrap import bootstrap
    from ledger.demo import play
    from ledger.trail import make_checkpoint
    from ledger.trail.keys import init_key, load_signer

    base = tmp_path_factory.mktemp("bundle")
    db, key = str(base / "ledger.sqlite"), base / "signing.key"
    app = bootstrap(db)
    codes = play(app, today=TODAY)
    init_key(key, "test.body")
    make_checkpoint(app, load_signer(key))
    app.close()
    result = run(export, ["--all", "--out", str(base / "bundle"), "--key", str(key)], db)
    assert result.exit_code == 0, result.stderr
    return {"db": db, "key": key, "codes": codes, "bundle": base / "bundle"}


def run(command, args, db=None):
    return CliRunner().invoke(command, args, obj=Settings(db=db, actor="检查员"))


@pytest.fixture
def bundle(ledger, tmp_path):
    """A fresh copy of the clean bundle, to tamper with."""
    return shutil.copytree(ledger["bundle"], tmp_path / "bundle")


def reseal(d):
    """What a careful tamperer does after changing a file: recompute the manifest and SHA256SUMS."""
    manifest = json.loads((d / layout.MANIFEST).read_text())
    for name in layout.FILES:
        data = (d / name).read_bytes()
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (d / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    sums = "".join(f"{hashlib.sha256((d / n).read_bytes()).hexdigest()}  {n}\n" for n in (*layout.FILES, layout.MANIFEST))
    (d / layout.SUMS).write_text(sums)


def resign_report(d, signer) -> None:
    """The report as exported before it was signed (its first revision), signed by ``signer``."""
    from datetime import datetime, timezone

    from ledger.bundle.pdfsign import sign_pdf

    data = (d / layout.REPORT).read_bytes()
    (d / layout.REPORT).write_bytes(sign_pdf(data[: data.index(b"%%EOF") + 5] + b"\n", signer, datetime.now(timezone.utc)))


def verify(d, *args):
    return run(verify_bundle, [str(d), *args])


def assert_refused(result, *fragments):
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "已验证" not in result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_a_clean_bundle_is_consistent_but_not_verified_without_an_independent_key(bundle, ledger):
    result = verify(bundle, "--structure-only")
    assert result.exit_code == 0, result.stderr
    assert "已验证" not in result.stdout and "未经独立认证" in result.stdout and "--public-key" in result.stdout
    assert str(len(ledger["codes"])) in result.stdout


def test_without_a_key_or_an_explicit_structure_only_check_nothing_exits_0(bundle):
    """A key the bundle carries could be anyone's: without the body's key obtained independently
    the verdict is not "verified", and the command exits 1 unless --structure-only says what was
    asked for."""
    result = verify(bundle)
    assert_refused(result, "--public-key", "--structure-only")
    assert json.loads(verify(bundle, "--json").stdout)["verified"] is False
    only = json.loads(verify(bundle, "--structure-only", "--json").stdout)
    assert only["verified"] is False and only["consistent"] is True and only["structure_only"] is True


def test_a_clean_bundle_verifies_with_the_inspectors_key(bundle, ledger):
    pub = ledger["key"].with_name("signing.key.pub")
    result = verify(bundle, "--public-key", str(pub))
    assert result.exit_code == 0, result.stderr
    assert "已验证" in result.stdout and "由检查人另行提供" in result.stdout


def test_a_clean_bundle_verifies_with_the_key_the_inspector_was_given(bundle, ledger):
    pub = ledger["key"].with_name("signing.key.pub")
    result = verify(bundle, "--public-key", str(pub), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["verified"] is True


def test_a_missing_file_is_named(bundle):
    (bundle / layout.PROOFS).unlink()
    assert_refused(verify(bundle), "proofs.jsonl")


def test_an_altered_event_line_is_named_even_with_a_resealed_manifest(bundle):
    lines = (bundle / layout.EVENTS).read_bytes().splitlines(keepends=True)
    assert "张伟".encode() in lines[2]
    lines[2] = lines[2].replace("张伟".encode(), "王五".encode())
    (bundle / layout.EVENTS).write_bytes(b"".join(lines))
    assert_refused(verify(bundle), "events.jsonl 的 SHA-256 与清单不符")
    reseal(bundle)
    assert_refused(verify(bundle), "events.jsonl 第 3 行", "report.pdf 所附的 events.jsonl")


def test_an_altered_proof_is_named(bundle):
    lines = (bundle / layout.PROOFS).read_bytes().splitlines(keepends=True)
    proof = json.loads(lines[4])
    proof["path"][0] = ("0" if proof["path"][0][0] != "0" else "1") + proof["path"][0][1:]
    lines[4] = layout.canonical(proof)
    (bundle / layout.PROOFS).write_bytes(b"".join(lines))
    reseal(bundle)
    assert_refused(verify(bundle), "proofs.jsonl 第 5 行", "包含证明")


def test_a_swapped_public_key_is_reported(bundle, tmp_path):
    from ledger.trail.note import Signer

    (bundle / layout.PUBLIC_KEY).write_text(Signer.generate("test.body").verifier.encode() + "\n")
    reseal(bundle)
    assert_refused(verify(bundle), "checkpoint.txt", "签名")


def test_a_bundled_key_that_differs_from_the_inspectors_is_reported(bundle, ledger):
    from ledger.trail.note import Signer

    forger = Signer.generate("test.body")
    (bundle / layout.PUBLIC_KEY).write_text(forger.verifier.encode() + "\n")
    reseal(bundle)
    pub = ledger["key"].with_name("signing.key.pub")
    assert_refused(verify(bundle, "--public-key", str(pub), "--lang", "en"), "bundled public key", "differs")


def test_a_checkpoint_signed_by_a_forger_over_a_forged_root_is_refused_with_the_inspectors_key(bundle, ledger):
    """The strongest forgery: new events, new proofs, a checkpoint signed with the forger's key and
    that key bundled, the report re-signed with it. Only the key the inspector obtained
    independently catches it."""
    from ledger.trail.note import Checkpoint, Signer, parse_checkpoint_text, split_note

    forger = Signer.generate("test.body")
    text, _ = split_note((bundle / layout.CHECKPOINT).read_text())
    head = parse_checkpoint_text(text)
    (bundle / layout.CHECKPOINT).write_text(Checkpoint(head.origin, head.size, head.root, head.extensions).sign(forger))
    (bundle / layout.PUBLIC_KEY).write_text(forger.verifier.encode() + "\n")
    resign_report(bundle, forger)
    reseal(bundle)
    assert verify(bundle, "--structure-only").exit_code == 0  # self-consistent: the bundle alone cannot tell
    assert verify(bundle).exit_code == 1  # and so, without the body's key, nothing is "verified"
    pub = ledger["key"].with_name("signing.key.pub")
    assert_refused(verify(bundle, "--public-key", str(pub)), "公钥", "checkpoint.txt")


def test_a_corrupt_checkpoint_is_named(bundle):
    note = (bundle / layout.CHECKPOINT).read_text()
    lines = note.split("\n")
    lines[2] = ("A" if lines[2][0] != "A" else "B") + lines[2][1:]  # the root hash line
    (bundle / layout.CHECKPOINT).write_text("\n".join(lines))
    reseal(bundle)
    assert_refused(verify(bundle), "checkpoint.txt")


def test_a_truncated_checkpoint_is_named(bundle):
    (bundle / layout.CHECKPOINT).write_text("certledger\n12\n")
    reseal(bundle)
    assert_refused(verify(bundle), "checkpoint.txt")


def test_an_altered_pdf_attachment_is_named(bundle):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(bundle / layout.REPORT))
    names = writer.root_object["/Names"]
    del names["/EmbeddedFiles"]
    altered = (bundle / layout.EVENTS).read_bytes().replace("张伟".encode(), "王五".encode(), 1)
    writer.add_attachment(layout.EVENTS, altered)
    buf = io.BytesIO()
    writer.write(buf)
    (bundle / layout.REPORT).write_bytes(buf.getvalue())
    reseal(bundle)
    assert_refused(verify(bundle), "report.pdf 所附的 events.jsonl")


def test_a_pdf_that_is_not_a_pdf_is_named(bundle):
    (bundle / layout.REPORT).write_bytes(b"%PDF-1.7\nnot really\n")
    reseal(bundle)
    assert_refused(verify(bundle), "report.pdf")


def test_a_garbled_manifest_is_named(bundle):
    (bundle / layout.MANIFEST).write_text("{not json")
    assert_refused(verify(bundle), "manifest.json")


def test_an_added_file_is_named(bundle):
    (bundle / "extra.txt").write_text("?")
    assert_refused(verify(bundle), "extra.txt")


def test_a_directory_that_is_not_there_is_named(tmp_path):
    assert_refused(verify(tmp_path / "nowhere"), "nowhere")


def test_exporting_an_unknown_client_exits_1(ledger, tmp_path):
    result = run(export, ["91110000600037341L", "--out", str(tmp_path / "b"), "--key", str(ledger["key"])], ledger["db"])
    assert_refused(result, "91110000600037341L")
    assert not (tmp_path / "b").exists()


def test_exporting_needs_a_client_or_all(ledger, tmp_path):
    result = run(export, ["--out", str(tmp_path / "b")], ledger["db"])
    assert result.exit_code == 2


def test_exporting_one_client_then_verifying_it(ledger, tmp_path):
    code = ledger["codes"][2]
    result = run(export, [code, "--out", str(tmp_path / "b"), "--key", str(ledger["key"]), "--json"], ledger["db"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["clients"] == [code]
    assert verify(tmp_path / "b", "--public-key", str(ledger["key"].with_name("signing.key.pub"))).exit_code == 0


def test_removing_a_clients_middle_events_is_caught_even_with_a_recomputed_manifest(bundle, ledger):
    import json

    pub = ledger["key"].with_name("signing.key.pub")
    events = (bundle / layout.EVENTS).read_bytes().splitlines(keepends=True)
    proofs = (bundle / layout.PROOFS).read_bytes().splitlines(keepends=True)
    victim = json.loads(events[10])["client"]
    same = [i for i, line in enumerate(events) if json.loads(line)["client"] == victim]
    drop = same[len(same) // 2]  # an event in the middle of that client's history
    (bundle / layout.EVENTS).write_bytes(b"".join(e for i, e in enumerate(events) if i != drop))
    (bundle / layout.PROOFS).write_bytes(b"".join(p for i, p in enumerate(proofs) if i != drop))
    manifest = json.loads((bundle / layout.MANIFEST).read_text())
    manifest["events"] -= 1
    for c in manifest["clients"]:
        if c["client_id"].replace("-", "") == victim:
            c["events"] -= 1
    (bundle / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    reseal(bundle)  # the PDF attachment still differs; the versions alone must already say what happened
    result = verify(bundle, "--public-key", str(pub))
    assert_refused(result, "版本不连续")


# ---------------------------------------------------------------------------------------- completeness


def replace_attachment(d, data: bytes) -> None:
    """What a thorough tamperer does to the report: attach the altered events.jsonl instead."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(d / layout.REPORT))
    del writer.root_object["/Names"]["/EmbeddedFiles"]
    writer.add_attachment(layout.EVENTS, data)
    buf = io.BytesIO()
    writer.write(buf)
    (d / layout.REPORT).write_bytes(buf.getvalue())


def drop_last_events(d, client_hex: str, k: int) -> None:
    """Remove a client's last ``k`` events (a suspension, say) from the bundle and recompute
    everything unsigned: the proofs file, the manifest's counts, the PDF's attachment, the sums."""
    events = (d / layout.EVENTS).read_bytes().splitlines(keepends=True)
    proofs = (d / layout.PROOFS).read_bytes().splitlines(keepends=True)
    mine = [i for i, line in enumerate(events) if json.loads(line)["client"] == client_hex]
    gone = set(mine[-k:])
    (d / layout.EVENTS).write_bytes(b"".join(e for i, e in enumerate(events) if i not in gone))
    (d / layout.PROOFS).write_bytes(b"".join(p for i, p in enumerate(proofs) if i not in gone))
    manifest = json.loads((d / layout.MANIFEST).read_text())
    manifest["events"] -= k
    for c in manifest["clients"]:
        if c["client_id"].replace("-", "") == client_hex:
            c["events"] -= k
    (d / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    replace_attachment(d, (d / layout.EVENTS).read_bytes())
    reseal(d)


def suspended_client(ledger) -> str:
    from aggregates.uscc import client_id_for

    return client_id_for(ledger["codes"][1]).hex  # Shenzhen: suspended, then restored


def test_removing_a_clients_latest_events_is_caught_whatever_unsigned_was_recomputed(bundle, ledger):
    """The attack of issue 11: a client's latest events (the suspension and the restoration) cut
    off, with the manifest, the sums and the PDF's attachment recomputed. Every remaining event
    still has a valid inclusion proof; only the signed head shows that the history stops short."""
    pub = ledger["key"].with_name("signing.key.pub")
    drop_last_events(bundle, suspended_client(ledger), 3)
    result = verify(bundle, "--public-key", str(pub))
    assert_refused(result, "[heads]", "最新的事件被删去")
    assert "events.jsonl 第" not in result.stderr and "包含证明" not in result.stderr  # what remains is genuine


def test_a_head_line_forged_to_match_the_cut_is_caught_by_its_proof(bundle, ledger):
    pub = ledger["key"].with_name("signing.key.pub")
    victim = suspended_client(ledger)
    drop_last_events(bundle, victim, 3)
    events = [json.loads(line) for line in (bundle / layout.EVENTS).read_bytes().splitlines()]
    last = [e for e in events if e["client"] == victim][-1]
    heads = [json.loads(line) for line in (bundle / layout.HEADS).read_bytes().splitlines()]
    for h in heads:
        if h["client"] == victim:
            h["version"], h["position"] = last["version"], last["position"]
    (bundle / layout.HEADS).write_bytes(b"".join(layout.canonical(h) for h in heads))
    reseal(bundle)
    assert_refused(verify(bundle, "--public-key", str(pub), "--lang", "en"), "does not lead to the client-heads root")


def test_a_bundle_without_the_heads_of_a_client_or_its_heads_file_is_refused(bundle, ledger):
    pub = ledger["key"].with_name("signing.key.pub")
    heads = (bundle / layout.HEADS).read_bytes().splitlines(keepends=True)
    (bundle / layout.HEADS).write_bytes(b"".join(heads[1:]))
    reseal(bundle)
    assert_refused(verify(bundle, "--public-key", str(pub), "--lang", "en"), "no signed head")
    (bundle / layout.HEADS).unlink()
    reseal_without_heads = json.loads((bundle / layout.MANIFEST).read_text())
    reseal_without_heads["files"].pop(layout.HEADS, None)
    (bundle / layout.MANIFEST).write_text(json.dumps(reseal_without_heads))
    assert_refused(verify(bundle, "--public-key", str(pub)), "heads.jsonl")


def test_a_version_1_bundle_cannot_show_completeness(bundle, ledger):
    pub = ledger["key"].with_name("signing.key.pub")
    manifest = json.loads((bundle / layout.MANIFEST).read_text())
    manifest["format"] = "certledger-inspection-bundle-v1"
    (bundle / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    reseal(bundle)
    assert_refused(verify(bundle, "--public-key", str(pub), "--lang", "en"), "version-1 bundle", "new export")


def test_origin_is_pinned_and_the_checkpoints_age_is_shown_and_bounded(bundle, ledger):
    pub = ledger["key"].with_name("signing.key.pub")
    manifest = json.loads((bundle / layout.MANIFEST).read_text())
    ok = verify(bundle, "--public-key", str(pub), "--origin", manifest["origin"], "--max-age", "7d")
    assert ok.exit_code == 0, ok.stderr
    assert "检查点签发于" in ok.stdout and "前）" in ok.stdout
    other = verify(bundle, "--public-key", str(pub), "--origin", "certledger/00000000-0000-4000-8000-000000000000", "--lang", "en")
    assert_refused(other, "not certledger/00000000-0000-4000-8000-000000000000")
    stale = verify(bundle, "--public-key", str(pub), "--max-age", "0.001m", "--lang", "en")
    assert_refused(stale, "more than the", "out of date")
    bad = verify(bundle, "--public-key", str(pub), "--max-age", "soon")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_the_hand_check_script_of_the_docs_verifies_a_bundle_and_catches_a_cut(bundle, ledger, tmp_path):
    """docs/inspection-bundle.md's script, run as written (no certledger, and under python -O so that
    nothing rests on assert): a clean bundle passes, one with a client's last events cut fails."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "inspection-bundle.md").read_text(encoding="utf-8")
    script = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    assert "assert " not in script
    path = tmp_path / "check.py"
    path.write_text(script, encoding="utf-8")
    pub = str(ledger["key"].with_name("signing.key.pub"))
    clean = subprocess.run([sys.executable, "-O", str(path), str(bundle), pub], capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "verified complete" in clean.stdout
    drop_last_events(bundle, suspended_client(ledger), 3)
    cut = subprocess.run([sys.executable, "-O", str(path), str(bundle), pub], capture_output=True, text=True, timeout=120)
    assert cut.returncode == 1 and "NOT VERIFIED" in cut.stdout and "left out" in cut.stdout
