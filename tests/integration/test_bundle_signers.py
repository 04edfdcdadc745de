"""The people in an inspection bundle (issue 15, item 4), on SQLite and PostgreSQL: the keys that check
a bundle's personal signatures come from the signers' own events, carried with their inclusion
proofs and heads; a ``signers.json`` that disagrees with those events is reported; a signature the
policy required, cut from ``events.jsonl`` with everything unsigned re-sealed, is named by act; an
``--all`` bundle of a ledger with people verifies."""

import json
import shutil
from datetime import date

import pytest

from ledger.bundle import export_bundle, layout, verify_bundle
from ledger.trail import make_checkpoint
from ledger.trail.keys import init_key, load_signer, load_verifier
from tests.bundles import reseal
from tests.integration.test_people import HZX
from tests.integration.test_signature_panels import _version, panel  # noqa: F401


def explain_text(d):
    from ledger.explain_text import render_explanation

    return render_explanation(d, "zh")


@pytest.fixture
def bundle(app, panel, tmp_path):  # noqa: F811
    """The panel's appeal decided and co-signed, checkpointed, and a bundle of the client."""
    app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持原决定", decider=["孙丽", "周涛"], actor="孙丽",
                      on=date(2026, 4, 3), sign_key=panel["sun"])
    app.cosign_act(client=HZX, act=_version(app, HZX, "AppealDecided"), actor="周涛", on=date(2026, 4, 3), sign_key=panel["zhou"])
    key = tmp_path / "keys" / "signing.key"
    init_key(key, "test.body")
    make_checkpoint(app, load_signer(key))
    verifier = load_verifier(None, key)
    export_bundle(app, tmp_path / "b", verifier, [HZX], explain_text, signer=load_signer(key))
    return tmp_path / "b", verifier, key


def test_the_keys_come_from_the_signers_events_in_the_bundle(app, bundle):
    d, verifier, _ = bundle
    report = verify_bundle(d, verifier)
    assert report.ok, [p.message_en for p in report.problems]
    assert report.signatures == 3  # the decision, and the appeal's two members
    manifest = json.loads((d / layout.MANIFEST).read_text())
    people = {a["name"] for a in manifest["aggregates"]}
    assert {"孙丽", "周涛", "赵敏", "王芳"} <= people and all(a["kind"] == "person" for a in manifest["aggregates"])
    heads = [json.loads(x)["client"] for x in (d / layout.HEADS).read_bytes().splitlines()]
    assert len(heads) == 1 + len(manifest["aggregates"])


def test_a_signers_file_that_disagrees_with_the_events_is_reported(app, bundle, tmp_path):
    d, verifier, _ = bundle
    forged = tmp_path / "forged"
    shutil.copytree(d, forged)
    signers = json.loads((forged / layout.SIGNERS).read_text())
    other = init_key(tmp_path / "forger.key", "forger")
    import base64

    from ledger.signing import read_public_key

    for s in signers["signers"]:
        s["keys"][0]["public_key"] = base64.b64encode(read_public_key(str(other.public))).decode()
    (forged / layout.SIGNERS).write_bytes(layout.canonical(signers))
    reseal(forged, recount=True)
    report = verify_bundle(forged, verifier)
    found = [p for p in report.problems if p.what == layout.SIGNERS]
    assert found and "other than their key events in the bundle" in found[0].message_en
    assert report.signatures == 3 and not [p for p in report.problems if p.what == "signature"]  # checked against the events


def test_a_required_signature_cut_from_the_bundle_is_named(app, bundle, tmp_path):
    d, verifier, _ = bundle
    decided = _version(app, HZX, "CertificationDecided")
    forged = tmp_path / "cut"
    shutil.copytree(d, forged)
    events = (forged / layout.EVENTS).read_bytes().splitlines(keepends=True)
    proofs = (forged / layout.PROOFS).read_bytes().splitlines(keepends=True)
    cut = next(i for i, x in enumerate(events) if json.loads(x)["type"].endswith("Client.ActSigned")
               and decided in json.loads(json.loads(x)["state"])["act_versions"])
    (forged / layout.EVENTS).write_bytes(b"".join(events[:cut] + events[cut + 1:]))
    (forged / layout.PROOFS).write_bytes(b"".join(proofs[:cut] + proofs[cut + 1:]))
    reseal(forged, recount=True)
    report = verify_bundle(forged, verifier)
    named = [p for p in report.problems if p.what == "signature"]
    assert len(named) == 1
    assert f"The act 'decide' on client {HZX} at version {decided}" in named[0].message_en
    assert "requires a signature (policy from 2026-03-12) and has none" in named[0].message_en


def test_an_all_bundle_of_a_ledger_with_people_verifies(app, bundle, tmp_path):
    _, verifier, key = bundle
    export_bundle(app, tmp_path / "all", verifier, None, explain_text, signer=load_signer(key))
    report = verify_bundle(tmp_path / "all", verifier)
    assert report.ok, [p.message_en for p in report.problems]
    assert report.signatures == 3
