"""The report's PAdES signature and its cover facts (ledger/bundle/pdfsign.py, cover.py): an export's
report is signed with the body's checkpoint key under a self-signed certificate for that key, its
cover states the checkpoint and the clients, and verify-bundle checks both against the key the
inspector holds and the bundle. Every way of passing off another report is caught, none with a
traceback: an older genuine report (signed too) of the same client, with other events or with the
very same events under an older checkpoint; an incremental update appended after signing; bytes
appended; the signature's bytes flipped; a report signed by another key, re-signed twice, left
unsigned, truncated or garbage."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date, datetime, timezone

import pytest

from aggregates.errors import RuleViolation
from ledger.bundle import export_bundle, layout, verify_bundle
from ledger.bundle.cover import client_line, cover_problems, cover_text, origin_line, root_line, totals_line, checkpoint_line
from ledger.bundle.pdfsign import certificate, sign_pdf, signature_problems
from ledger.trail.note import Signer
from tests.e2e.test_bundle_cli import reseal

TODAY = date(2026, 11, 20)
KEY_NAME = "测试认证机构"


def explain_text(d):
    from ledger.explain_text import render_explanation

    return render_explanation(d, "zh")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One ledger, three exports of its first client: ``first`` (checkpoint 1), ``same`` (after a
    complaint about another client and checkpoint 2: the same events of the first client, another
    tree) and ``current`` (after a complaint about the first client and checkpoint 3); and ``all``,
    every client under checkpoint 3."""
    from ledger.bootstrap import bootstrap
    from ledger.demo import play
    from ledger.trail import make_checkpoint
    from ledger.trail.keys import init_key, load_signer, load_verifier

    base = tmp_path_factory.mktemp("signed")
    key = base / "signing.key"
    init_key(key, KEY_NAME)
    signer, verifier = load_signer(key), load_verifier(None, key)
    app = bootstrap(str(base / "ledger.sqlite"))
    try:
        codes = play(app, today=TODAY)

        def export(name, usccs):
            export_bundle(app, base / name, verifier, usccs, explain_text, signer=signer)

        make_checkpoint(app, signer)
        export("first", [codes[0]])
        app.receive_complaint(client=codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
        make_checkpoint(app, signer)
        export("same", [codes[0]])
        app.receive_complaint(client=codes[0], complainant="顾客 张某", subject="证书状态查询", actor="王敏", on=TODAY)
        make_checkpoint(app, signer)
        export("current", [codes[0]])
        export("all", None)
        names = {c: app.client(c).name for c in codes}
    finally:
        app.close()
    return {"base": base, "signer": signer, "verifier": verifier, "codes": codes, "names": names, "db": str(base / "ledger.sqlite")}


@pytest.fixture
def bundle(world, tmp_path):
    return shutil.copytree(world["base"] / "current", tmp_path / "bundle")


def problems(world, d):
    """verify-bundle's findings about ``d`` as the inspector checks it (English), checking no traceback escapes."""
    manifest = json.loads((d / layout.MANIFEST).read_text())
    report = verify_bundle(d, world["verifier"], origin=manifest["origin"])
    return [p.message_en for p in report.problems], [p.what for p in report.problems]


def first_revision(data: bytes) -> bytes:
    """The report as fpdf2 wrote it, before the signature's incremental update."""
    return data[: data.index(b"%%EOF") + 5] + b"\n"


def put_report(d, data: bytes) -> None:
    (d / layout.REPORT).write_bytes(data)
    reseal(d)


def report_of(world, name: str) -> bytes:
    return (world["base"] / name / layout.REPORT).read_bytes()


# ---------------------------------------------------------------------------------- the genuine one


def test_an_exported_report_is_signed_by_the_checkpoint_key_and_its_bundle_verifies(world, bundle):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert problems(world, bundle) == ([], [])
    data = (bundle / layout.REPORT).read_bytes()
    assert signature_problems(data, world["verifier"]) == []
    [sig] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
    assert cert.subject.rfc4514_string() == f"CN={KEY_NAME}" == cert.issuer.rfc4514_string()
    raw = cert.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw == world["verifier"].public_key
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert cert.not_valid_after_utc.year == 9999
    assert data.count(b"%%EOF") == 2  # fpdf2's revision and the signature's


def test_the_signed_report_is_still_pdfa_3b_with_its_attachment(world, bundle):
    import re

    from pypdf import PdfReader

    reader = PdfReader(bundle / layout.REPORT)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[>=\"']+3", xmp) and re.search(r"pdfaid:conformance[>=\"']+B", xmp)
    assert reader.attachments[layout.EVENTS] == [(bundle / layout.EVENTS).read_bytes()]


def test_the_cover_text_round_trips_through_the_chinese_font_subset(world):
    """Every cover fact is read back exactly from the PDF, Chinese names and the Chinese key name included."""
    from pypdf import PdfReader

    from ledger.trail.note import open_checkpoint

    d = world["base"] / "all"
    manifest = json.loads((d / layout.MANIFEST).read_text())
    head = open_checkpoint((d / layout.CHECKPOINT).read_text(), world["verifier"])
    reader = PdfReader(d / layout.REPORT)
    text = cover_text(reader.pages)
    squeeze = "".join
    expected = [origin_line(head.origin), checkpoint_line(manifest["checkpoint_id"], head.size), root_line(head.root),
                totals_line(len(manifest["clients"]), manifest["events"]), f"签名公钥：{world['verifier'].encode()}",
                *(client_line(c["uscc"], c["events"], world["names"][c["uscc"]]) for c in manifest["clients"])]
    for line in expected:
        assert squeeze(line.split()) in text, line
    assert KEY_NAME in text and all(world["names"][c] in text for c in world["codes"])
    assert "一、组织信息" not in text  # the cover ends before the first client's page
    assert cover_problems(reader.pages, head, manifest) == []


def test_the_certificate_names_the_key_cut_to_64_characters_and_is_the_same_for_the_same_export():
    from cryptography import x509

    long = Signer.generate("长" * 80)
    when = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    cert = x509.load_der_x509_certificate(certificate(long, when))
    assert cert.subject.rfc4514_string() == "CN=" + "长" * 20 + "…"  # 63 bytes of UTF-8
    assert x509.load_der_x509_certificate(certificate(Signer.generate("长" * 21), when)).subject.rfc4514_string() == "CN=" + "长" * 21
    assert certificate(long, when) == certificate(long, when)
    assert cert.not_valid_before_utc < when


def test_an_export_refuses_a_signing_key_that_is_not_the_public_keys_other_half(world, tmp_path):
    from ledger.bootstrap import bootstrap

    app = bootstrap(world["db"])
    try:
        with pytest.raises(RuleViolation) as refused:
            export_bundle(app, tmp_path / "b", world["verifier"], [world["codes"][0]], explain_text,
                          signer=Signer.generate(KEY_NAME))
    finally:
        app.close()
    assert "--key" in refused.value.message_zh and "not the private half" in refused.value.message_en
    assert not (tmp_path / "b").exists()


# ---------------------------------------------------------------------------------- other reports


def test_an_older_genuine_report_of_the_same_client_is_caught_by_its_cover_and_attachment(world, bundle):
    """Both reports are signed by the body: the signature passes, the cover and the attachment do not."""
    put_report(bundle, report_of(world, "first"))
    found, what = problems(world, bundle)
    assert set(what) == {"report"}, found
    assert not any("signature" in p for p in found), found
    assert any("states a checkpoint of" in p for p in found) and any("states the root" in p for p in found)
    assert any("lists clients and event counts" in p for p in found)
    assert any("attached to report.pdf differs" in p for p in found)


def test_an_older_genuine_report_with_the_very_same_events_is_caught_by_its_cover_alone(world, tmp_path):
    """The first client's events did not change between the two exports: the old report's attachment
    equals the bundle's events, and its signature is the body's. Only the cover tells: it states
    another checkpoint."""
    d = shutil.copytree(world["base"] / "same", tmp_path / "bundle")
    old = report_of(world, "first")
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(old)).attachments[layout.EVENTS] == [(d / layout.EVENTS).read_bytes()]
    put_report(d, old)
    found, _ = problems(world, d)
    assert found and all("The cover of report.pdf" in p for p in found), found
    assert any("states checkpoint #1; the manifest records #2" in p for p in found), found


def test_the_older_report_with_the_current_attachment_swapped_in_loses_its_signature(world, bundle):
    """The attack of the issue: an older report's visible text with the current events attached.
    Rewritten whole (pypdf), the signature no longer covers what the file holds."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report_of(world, "first"))))
    del writer.root_object["/Names"]["/EmbeddedFiles"]
    writer.add_attachment(layout.EVENTS, (bundle / layout.EVENTS).read_bytes())
    buf = io.BytesIO()
    writer.write(buf)
    put_report(bundle, buf.getvalue())
    found, _ = problems(world, bundle)
    assert any("signature" in p for p in found), found


def overlay(data: bytes, text: bytes) -> bytes:
    """``data`` with an incremental update that paints ``text`` over the first page (pyHanko)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    font = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/Font"),
                                     generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                                     generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")})
    resources = generic.DictionaryObject({generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/FX"): font})})
    stream = generic.StreamObject(stream_data=b"q 1 1 1 rg 40 700 500 80 re f Q BT 0 0 0 rg /FX 18 Tf 50 740 Td (" + text + b") Tj ET")
    w.add_stream_to_page(0, w.add_object(stream), resources=resources)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_an_incremental_update_appended_after_signing_is_caught(world, bundle):
    data = (bundle / layout.REPORT).read_bytes()
    altered = overlay(data, b"CERTIFICATE WITHDRAWN")
    assert altered.startswith(data) and len(altered) > len(data)
    from pypdf import PdfReader

    assert "CERTIFICATE WITHDRAWN" in PdfReader(io.BytesIO(altered)).pages[0].extract_text()  # what a reader shows
    put_report(bundle, altered)
    found, _ = problems(world, bundle)
    assert any("appended to after signing" in p for p in found), found


def test_a_second_signature_by_the_body_over_an_altered_report_is_caught(world, bundle, monkeypatch):
    """Even the body's own key cannot add a revision: an exported report carries exactly one signature."""
    from ledger.bundle import pdfsign

    monkeypatch.setattr(pdfsign, "FIELD", "second")
    data = overlay((bundle / layout.REPORT).read_bytes(), b"ALTERED")
    put_report(bundle, sign_pdf(data, world["signer"], datetime.now(timezone.utc)))
    found, _ = problems(world, bundle)
    assert any("carries 2 signatures" in p for p in found), found


@pytest.mark.parametrize("tail", [b"\n% more\n", b"garbage", b"\n%%EOF\n"], ids=["comment", "garbage", "second-eof"])
def test_bytes_appended_after_the_signed_end_are_caught(world, bundle, tail):
    put_report(bundle, (bundle / layout.REPORT).read_bytes() + tail)
    found, _ = problems(world, bundle)
    # pyHanko reads a second %%EOF as a (broken) revision: then the file is not read as a signed PDF at all.
    assert any("appended to after signing" in p or "cannot be read as a signed PDF" in p for p in found), found


def flip(data: bytes, i: int) -> bytes:
    """``data`` with the hex digit at ``i`` changed."""
    return data[:i] + (b"1" if data[i:i + 1] != b"1" else b"2") + data[i + 1:]


@pytest.mark.parametrize("where", ["signature value", "certificate name", "certificate key"])
def test_flipped_signature_bytes_are_caught(world, bundle, where):
    """A hex digit of the signature's /Contents changed (outside the signed byte range): in the
    Ed25519 signature value, in the certificate's name or in its public key."""
    data = (bundle / layout.REPORT).read_bytes()
    start = data.index(b"/Contents <") + len(b"/Contents <")
    blob = data[start:data.index(b">", start)].lower()
    at = {"signature value": len(blob.rstrip(b"0")) - 10,  # the CMS blob ends with the signature value, then zero padding
          "certificate name": blob.index(KEY_NAME.encode().hex().encode()) + 4,
          "certificate key": blob.index(world["verifier"].public_key.hex().encode()) + 4}[where]
    put_report(bundle, flip(data, start + at))
    found, _ = problems(world, bundle)
    # A changed certificate no longer matches the signer's identifier and digest in the signed
    # attributes: pyHanko finds no signer certificate, and the CMS data reads as damaged.
    expected = {"signature value": "The signature value of report.pdf does not verify"}.get(where, "The signature data of report.pdf is damaged")
    assert any(expected in p for p in found), found


def test_a_content_byte_changed_under_the_signature_is_caught(world, bundle):
    data = (bundle / layout.REPORT).read_bytes()
    i = data.index(b"/MediaBox [0 0 595.28")  # inside the signed range: the first page's size
    altered = data[:i] + b"/MediaBox [0 0 595.29" + data[i + 21:]
    assert signature_problems(altered, world["verifier"]) == [
        ("report.pdf 在签名后被改动：签名所覆盖的内容与签名时不同。",
         "report.pdf was changed after signing: the content the signature covers differs from what was signed.")]


def test_a_report_signed_by_another_key_of_the_same_name_is_caught(world, bundle):
    forger = Signer.generate(KEY_NAME)
    put_report(bundle, sign_pdf(first_revision((bundle / layout.REPORT).read_bytes()), forger, datetime.now(timezone.utc)))
    found, _ = problems(world, bundle)
    assert any("is not signed with the body's key" in p for p in found), found


def test_an_unsigned_report_is_caught(world, bundle):
    """The report as it was before this check (one revision, the right cover and attachment) no longer verifies."""
    put_report(bundle, first_revision((bundle / layout.REPORT).read_bytes()))
    found, _ = problems(world, bundle)
    assert found == ["report.pdf is not signed: every report the body exports is signed with its checkpoint key (PAdES); "
                     "this is not the report as exported."], found


def test_a_report_of_another_bundles_clients_is_caught_by_its_cover(world, bundle):
    put_report(bundle, report_of(world, "all"))
    found, _ = problems(world, bundle)
    assert any("states 6 clients" in p or "lists clients" in p for p in found), found
    assert not any("signature" in p for p in found), found


@pytest.mark.parametrize("damage", ["truncated", "half", "empty", "garbage", "pdf-header", "no-contents"])
def test_damaged_reports_are_findings_never_tracebacks(world, bundle, damage):
    data = (bundle / layout.REPORT).read_bytes()
    damaged = {"truncated": data[:-200], "half": data[: len(data) // 2], "empty": b"", "garbage": bytes(range(256)) * 40,
               "pdf-header": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
               "no-contents": data.replace(b"/Contents <", b"/Contentz <", 1)}[damage]
    assert signature_problems(damaged, world["verifier"])  # never raises
    put_report(bundle, damaged)
    found, what = problems(world, bundle)
    assert "report" in what, found


def test_structure_only_checks_the_signature_against_the_bundled_key(world, bundle):
    forger = Signer.generate(KEY_NAME)
    put_report(bundle, sign_pdf(first_revision((bundle / layout.REPORT).read_bytes()), forger, datetime.now(timezone.utc)))
    report = verify_bundle(bundle, None, structure_only=True)
    assert any("is not signed with the body's key" in p.message_en for p in report.problems)


def test_a_certificate_for_the_bodys_key_not_self_signed_by_it_is_refused(world, bundle, monkeypatch):
    """The certificate carries the body's key but was signed by another: the name, validity and key
    usage it states are not the body's word, so the report does not verify."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.bundle import pdfsign

    genuine = x509.load_der_x509_certificate(certificate(world["signer"], datetime.now(timezone.utc)))
    builder = (x509.CertificateBuilder().subject_name(genuine.subject).issuer_name(genuine.issuer).public_key(genuine.public_key())
               .serial_number(genuine.serial_number).not_valid_before(genuine.not_valid_before_utc)
               .not_valid_after(genuine.not_valid_after_utc))
    for ext in genuine.extensions:
        builder = builder.add_extension(ext.value, ext.critical)
    other = builder.sign(Ed25519PrivateKey.generate(), None).public_bytes(serialization.Encoding.DER)
    monkeypatch.setattr(pdfsign, "certificate", lambda signer, when: other)
    put_report(bundle, sign_pdf(first_revision((bundle / layout.REPORT).read_bytes()), world["signer"], datetime.now(timezone.utc)))
    found, _ = problems(world, bundle)
    assert any("is not self-signed by it" in p for p in found), found
