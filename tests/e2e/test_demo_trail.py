"""The demo ends its day as a body would: a checkpoint signed with the body's key, cosigned by a
witness and time-stamped by an RFC 3161 authority; the bundle of every demo client then verifies
offline with the body's public key, its origin, the witness's key and the authority's chain, as the
demo tells the user (issue 11, "Done when")."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cli.main import root


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    r = CliRunner().invoke(root, ["demo", "--db", str(base / "demo.sqlite"), "--json"])
    assert r.exit_code == 0, r.output
    return base, json.loads(r.stdout)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the demo's time-stamping authority needs openssl")
def test_the_demo_checkpoint_is_time_stamped_and_cosigned(demo):
    _, summary = demo
    trail = summary["audit_trail"]
    assert trail["problems"] == [] and trail["time_stamp"] and trail["cosigned_at"]
    assert trail["tree_size"] == summary["events"] and trail["origin"].startswith("certledger/")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the demo's time-stamping authority needs openssl")
def test_the_bundle_of_every_demo_client_verifies_with_origin_witness_key_and_public_key(demo):
    base, summary = demo
    trail = summary["audit_trail"]
    db = base / "demo.sqlite"
    for row in summary["clients"]:
        out = base / f"bundle-{row['uscc']}"
        e = CliRunner().invoke(root, ["--db", str(db), "export", row["uscc"], "--out", str(out), "--key", trail["key"]])
        assert e.exit_code == 0, e.output
        v = CliRunner().invoke(root, ["verify-bundle", str(out), "--public-key", trail["public_key"], "--origin", trail["origin"],
                                      "--witness-key", trail["witness_key"], "--tsa-cert", trail["tsa_chain"], "--json"])
        assert v.exit_code == 0, v.output
        result = json.loads(v.stdout)
        assert result["verified"] and result["clients"] == [row["uscc"]]
        assert [w["witness"] for w in result["witnessed"]] == ["演示监管见证"] and result["time_stamp"]["checked"]


def test_the_demo_prints_the_inspectors_command(tmp_path):
    r = CliRunner().invoke(root, ["demo", "--db", str(tmp_path / "d.sqlite")])
    assert r.exit_code == 0, r.output
    assert "certledger verify-bundle" in r.stdout and "--witness-key" in r.stdout and "--origin certledger/" in r.stdout
    again = CliRunner().invoke(root, ["demo", "--db", str(tmp_path / "d.sqlite")])
    assert again.exit_code == 2 and "已存在" in again.output
    (tmp_path / "e.sqlite").unlink(missing_ok=True)
    (tmp_path / "e-trail").mkdir()  # a trail folder in the way: refused before anything is written
    blocked = CliRunner().invoke(root, ["demo", "--db", str(tmp_path / "e.sqlite")])
    assert blocked.exit_code == 2 and "e-trail" in blocked.output and not (tmp_path / "e.sqlite").exists()


def test_the_demo_plays_its_staff_documents_and_appeal_effects(demo):
    """Issues 10 and 12 in the demo: the staff registered and checked, the decisions signed, a certificate
    printed (its print recorded, covered by the checkpoint), the public register published and verifying
    with the body's key."""
    base, summary = demo
    db, trail = str(base / "demo.sqlite"), summary["audit_trail"]
    docs = trail["documents"]
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(docs["certificate_pdf"]).pages)
    assert docs["certificate_no"] in text and int(docs["certificate_version"]) >= 2
    r = CliRunner().invoke(root, ["register", "verify", docs["register"], "--public-key", trail["public_key"]])
    assert r.exit_code == 0, r.output
    people = json.loads(CliRunner().invoke(root, ["--db", db, "people", "list", "--json"]).stdout)
    assert len(people) == 11
    hz = summary["clients"][0]["uscc"]
    history = json.loads(CliRunner().invoke(root, ["--db", db, "history", hz, "--json"]).stdout)
    assert "CertificatePrinted" in [h["type"] for h in history] and "ActSigned" in [h["type"] for h in history]
