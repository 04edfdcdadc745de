"""Inspection bundles on SQLite and PostgreSQL: what an export writes, that it verifies offline,
and when an export refuses (nothing checkpointed, events after the checkpoint, an unknown client)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from aggregates.errors import RuleViolation
from aggregates.uscc import client_id_for
from ledger.bundle import export_bundle, verify_bundle
from ledger.bundle import layout
from ledger.demo import play
from ledger.trail import make_checkpoint
from ledger.trail.keys import init_key, load_signer, load_verifier
from ledger.trail.merkle import leaf_hash
from ledger.store import trail_store

TODAY = date(2026, 11, 20)


def explain_text(d):
    from ledger.explain_text import render_explanation

    return render_explanation(d, "zh")


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "keys" / "signing.key"
    init_key(path, "test.body")
    return path


@pytest.fixture
def played(app, key):
    """A year of the demo, checkpointed: (app, the clients' USCCs, the body's public key)."""
    codes = play(app, today=TODAY)
    make_checkpoint(app, load_signer(key))
    return app, codes, load_verifier(None, key)


def checkpoints(app):
    with trail_store(app).snapshot() as snap:
        return snap.checkpoints()


def test_a_clients_bundle_holds_its_events_and_verifies_offline(played, key, tmp_path):
    app, codes, verifier = played
    result = export_bundle(app, tmp_path / "b", verifier, [codes[0]], explain_text, signer=load_signer(key))
    report = verify_bundle(tmp_path / "b", verifier)
    assert report.ok, report.problems
    assert result.events == report.events == len(app.history(codes[0]))
    assert report.clients == [codes[0]]
    lines = (tmp_path / "b" / layout.EVENTS).read_bytes().splitlines()
    assert {json.loads(x)["client"] for x in lines} == {client_id_for(codes[0]).hex}
    assert [json.loads(x)["version"] for x in lines] == list(range(1, len(lines) + 1))


def test_every_event_line_rehashes_to_the_leaf_its_proof_names(played, key, tmp_path):
    from ledger.trail.leaf import encode_leaf

    app, codes, verifier = played
    export_bundle(app, tmp_path / "b", verifier, [codes[1]], explain_text, signer=load_signer(key))
    events = (tmp_path / "b" / layout.EVENTS).read_bytes().splitlines()
    proofs = (tmp_path / "b" / layout.PROOFS).read_bytes().splitlines()
    for e, p in zip(events, proofs, strict=True):
        ev, pr = json.loads(e), json.loads(p)
        leaf = encode_leaf(ev["position"], ev["client"], ev["version"], ev["type"], ev["state"].encode())
        assert leaf_hash(leaf).hex() == pr["leaf_hash"]
        assert layout.canonical(ev) == e + b"\n"


def test_the_bundle_of_all_clients_holds_every_event_and_names_every_client(played, key, tmp_path):
    app, codes, verifier = played
    result = export_bundle(app, tmp_path / "b", verifier, None, explain_text, signer=load_signer(key))
    manifest = json.loads((tmp_path / "b" / layout.MANIFEST).read_text())
    assert result.events == sum(len(app.history(c)) for c in codes) == checkpoints(app)[-1].size
    assert [c["uscc"] for c in manifest["clients"]] == codes
    assert set(manifest["files"]) == set(layout.FILES)
    assert verify_bundle(tmp_path / "b", verifier).ok


def test_the_report_is_pdfa_3b_in_chinese_with_the_events_attached(played, key, tmp_path):
    from pypdf import PdfReader

    app, codes, verifier = played
    export_bundle(app, tmp_path / "b", verifier, [codes[0]], explain_text, signer=load_signer(key))
    reader = PdfReader(tmp_path / "b" / layout.REPORT)
    assert reader.attachments[layout.EVENTS] == [(tmp_path / "b" / layout.EVENTS).read_bytes()]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[>=\"']+3", xmp) and re.search(r"pdfaid:conformance[>=\"']+B", xmp)
    text = "".join(page.extract_text() for page in reader.pages)
    name = app.client(codes[0]).name
    for expected in (name, codes[0], "一、组织信息", "二、证书状态与历史", "三、等级说明", "四、事件历史", "操作人", "业务日期", "记录时间",
                     f"{name}（{codes[0]}）"):
        assert expected in text
    fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    descriptors = [f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object() for f in fonts]
    assert descriptors and all("/FontFile2" in d for d in descriptors)  # embedded TrueType outlines


def test_an_export_refuses_events_recorded_after_the_latest_checkpoint_and_writes_nothing(played, key, tmp_path):
    app, codes, verifier = played
    app.receive_complaint(client=codes[0], complainant="王先生", subject="证书信息查询", actor="张伟", on=TODAY)
    before = len(checkpoints(app))
    with pytest.raises(RuleViolation) as refused:
        export_bundle(app, tmp_path / "b", verifier, [codes[0]], explain_text, signer=load_signer(key))
    assert "certledger checkpoint" in refused.value.message_zh and "certledger checkpoint" in refused.value.message_en
    assert not (tmp_path / "b").exists()
    assert len(checkpoints(app)) == before
    # Another client's events are all covered: its export goes ahead.
    assert export_bundle(app, tmp_path / "other", verifier, [codes[1]], explain_text, signer=load_signer(key)).events == len(app.history(codes[1]))
    with pytest.raises(RuleViolation):
        export_bundle(app, tmp_path / "all", verifier, None, explain_text, signer=load_signer(key))


def test_an_export_without_any_checkpoint_is_refused(app, key, tmp_path):
    codes = play(app, today=TODAY)
    with pytest.raises(RuleViolation, match="checkpoint"):
        export_bundle(app, tmp_path / "b", load_verifier(None, key), [codes[0]], explain_text, signer=load_signer(key))


def test_an_export_of_an_unknown_client_is_refused(played, key, tmp_path):
    app, _, verifier = played
    with pytest.raises(RuleViolation) as refused:
        export_bundle(app, tmp_path / "b", verifier, ["91110000600037341L"], explain_text, signer=load_signer(key))
    assert "91110000600037341L" in refused.value.message_zh
    assert not (tmp_path / "b").exists()


def test_an_export_refuses_a_checkpoint_signed_by_another_key(played, tmp_path):
    app, codes, _ = played
    other = tmp_path / "other.key"
    init_key(other, "other.body")
    with pytest.raises(RuleViolation, match="other.body"):
        export_bundle(app, tmp_path / "b", load_verifier(None, other), [codes[0]], explain_text, signer=load_signer(other))


def test_an_export_overwrites_no_existing_directory(played, key, tmp_path):
    app, codes, verifier = played
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("keep me")
    with pytest.raises(RuleViolation, match="b"):
        export_bundle(app, tmp_path / "b", verifier, [codes[0]], explain_text, signer=load_signer(key))
    assert (tmp_path / "b" / "notes.txt").read_text() == "keep me"


def test_an_export_refuses_a_character_the_report_font_lacks_and_writes_nothing(played, key, tmp_path):
    from aggregates.uscc import check_character

    app, _, verifier = played
    code = "91310115MA1K3X0Y5" + check_character("91310115MA1K3X0Y5")
    app.submit_application(client=code, name="上海\U00020000日用品有限公司", address="上海市", scheme="tbsc94", scope="日用品批发",
                           site=[{"name": "总部", "address": "上海市"}], headcount=20, evidence="营业执照", actor="李娜", on=TODAY)
    make_checkpoint(app, load_signer(key))
    with pytest.raises(RuleViolation) as refused:
        export_bundle(app, tmp_path / "new" / "b", verifier, [code], explain_text, signer=load_signer(key))
    assert "\U00020000" in refused.value.message_zh and "U+20000" in refused.value.message_zh and code in refused.value.message_zh
    assert "U+20000" in refused.value.message_en and code in refused.value.message_en
    assert not (tmp_path / "new").exists()
