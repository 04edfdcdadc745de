"""The demo ends its day as a body would: a checkpoint signed with the body's key, cosigned by a
witness and time-stamped by an RFC 3161 authority; the bundle of every demo client then verifies
offline with the body's public key, its origin, the witness's key and the authority's chain, as the
demo tells the user (issue 11, "Done when")."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

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
        signed = [h for h in _history(db, row["uscc"]) if h["type"] == "ActSigned"]
        assert result["signatures_checked"] == len(signed)  # the personal signatures checked offline (issue 15)
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
    assert len(people) == 14
    hz = summary["clients"][0]["uscc"]
    history = json.loads(CliRunner().invoke(root, ["--db", db, "history", hz, "--json"]).stdout)
    assert "CertificatePrinted" in [h["type"] for h in history] and "ActSigned" in [h["type"] for h in history]


def _history(db, uscc):
    r = CliRunner().invoke(root, ["--db", str(db), "history", uscc, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _json(db, *args):
    r = CliRunner().invoke(root, ["--db", str(db), *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_the_demo_staff_hold_every_role_and_the_expert_and_the_objection_are_played(demo):
    """Issue 15, "Done when" (trial 6, item 17): every role of the register is held by someone; a
    technical expert is on Beijing's stage 2 team, outside the man-days; Shenzhen's objection to a
    member of its team is answered before the audit proceeds."""
    base, summary = demo
    db = base / "demo.sqlite"
    people = {p["name"]: p for p in _json(db, "people", "list")}
    held = {role for p in people.values() for role in p["roles"]}
    assert held == {"administrator", "auditor", "lead_auditor", "technical_expert", "decider", "case_handler", "inspector"}
    assert people["吴刚"]["roles"] == ["technical_expert"] and people["郑洁"]["roles"] == ["inspector"]
    assert people["郭婷"]["joined_on"] > min(p["joined_on"] for p in people.values())  # joined during the year
    for p in people.values():  # every auditor registered with the CCAA and trained on every scheme of the demo
        if "auditor" in p["roles"]:
            assert p["ccaa"] and {t["scheme_id"] for t in p["trainings"]} >= {r["scheme_id"] for r in summary["clients"]}
    assert dict(summary["staff"]["roles"])["technical_expert"] == 1 and summary["staff"]["people"] == 14
    _hz, sz, _nc, bj, _su, _wh = (r["uscc"] for r in summary["clients"])
    plan = next(h for h in _history(db, bj) if h["type"] == "AuditPlanned" and h["fields"]["audit_id"] == "A2")
    assert plan["fields"]["calculation"]["technical_experts"] == ["吴刚"] and "吴刚" not in plan["fields"]["team"]
    assert {"name": "吴刚", "role": "expert"}.items() <= next(t for t in plan["fields"]["team_ids"] if t["name"] == "吴刚").items()
    sz_history = _history(db, sz)
    types = [h["type"] for h in sz_history]
    objected, answered = types.index("TeamObjected"), types.index("TeamObjectionAnswered")
    first_score = next(i for i, h in enumerate(sz_history) if h["type"] == "ScoreEntered" and h["fields"].get("audit_id") == "A2")
    assert objected < answered < first_score and sz_history[answered]["fields"]["outcome"] == "dismissed"


def test_the_demo_declares_interests_before_the_acts_and_the_conflicted_auditor_stands_aside(demo):
    """Every team member, technical expert and decider of a client declared their interest in it before
    the act that names them; the auditor who came from Suzhou's client declared it, is on none of its
    teams, is shown standing aside, and a plan naming her is refused with nothing written."""
    base, summary = demo
    db = base / "demo.sqlite"
    codes = [r["uscc"] for r in summary["clients"]]
    for code in codes:
        declared = {r["name"]: r for r in _json(db, "people", "impartiality", code)["people"]}
        for h in _history(db, code):
            f = h["fields"]
            if h["type"] == "AuditPlanned":
                named = [*f["team"], *f["calculation"].get("technical_experts", [])]
            elif h["type"] in ("CertificationDecided", "DecisionSuperseded"):
                named = [f["decider"]]
            else:
                continue
            for name in named:
                assert declared[name]["declared_on"] is not None and declared[name]["declared_on"] < h["occurred_on"], (code, name, h)
                assert not declared[name]["conflicts"], (code, name)
    su = codes[4]
    rows = {r["name"]: r for r in _json(db, "people", "impartiality", su)["people"]}
    assert [(c["kind"], c["clause"]) for c in rows["郭婷"]["conflicts"]] == [("employment", "004 §4.2 d) 4)")]
    assert [r["name"] for r in rows.values() if r["conflicts"]] == ["郭婷"]
    assert [(a["name"], a["client"]) for a in summary["staff"]["standing_aside"]] == [("郭婷", su)]
    assert all("郭婷" not in h["fields"]["team"] for h in _history(db, su) if h["type"] == "AuditPlanned")
    text = CliRunner().invoke(root, ["--db", str(db), "people", "impartiality", su]).stdout
    assert "郭婷" in text and "应回避：004 §4.2 d) 4)" in text

    from ledger.bootstrap import bootstrap
    from tests.refusals import refused

    app = bootstrap(str(db))
    refusal = refused(app, lambda: app.plan_audit(client=su, kind="unscheduled", member=["王芳", "郭婷"], start=date.today() + timedelta(days=7),
                                                  actor="张伟"), "004 §4.2 d) 4)")
    assert "郭婷" in refusal.message_zh and "people declare" in refusal.message_zh


def test_every_act_with_legal_meaning_after_the_policy_date_is_signed_by_its_signer(demo):
    """Signing is required from the day before the year (people signing, every act): each act of
    ledger/commands_signing.SIGNED_ACTS in the demo is signed by whoever the act names — the decider,
    every member of a panel, the lead auditor who completes, the actor of a certificate's act or a
    complaint's result — and verify checks every signature and reports them."""
    from ledger.bootstrap import bootstrap
    from ledger.signing import current_policy
    from ledger.signing_text import SIGNABLE_EVENTS

    base, summary = demo
    db = base / "demo.sqlite"
    policy = current_policy(bootstrap(str(db)))
    assert policy["acts"] == [] and policy["required_from"] <= date.fromisoformat(min(
        h["occurred_on"] for r in summary["clients"] for h in _history(db, r["uscc"])))  # every act, from the start
    assert summary["staff"]["signing_required_from"] == policy["required_from"].isoformat()
    total, acts, kinds = 0, 0, set()
    for row in summary["clients"]:
        history = _history(db, row["uscc"])
        signers: dict[int, set[str]] = {}
        for h in history:
            if h["type"] == "ActSigned":
                total += 1
                for v in h["fields"]["act_versions"]:
                    signers.setdefault(v, set()).add(h["fields"]["signer_name"])
        acts += len(signers)
        for h in history:
            if h["type"] not in SIGNABLE_EVENTS:
                continue
            f = h["fields"]
            want = ({f["decider"]} if "decider" in f else set(f["deciders"]) if "deciders" in f else {h["actor"]})
            assert signers.get(h["version"]) == want, (row["uscc"], h["version"], h["type"], signers.get(h["version"]), want)
            kinds.add(h["type"])
    assert kinds == set(SIGNABLE_EVENTS)  # every kind of signed act is played
    assert summary["staff"]["signed_acts"] == acts and summary["staff"]["signatures"] == total  # co-signatures too (trial 12, item 13)
    verify = CliRunner().invoke(root, ["--db", str(db), "verify", "--public-key", summary["audit_trail"]["public_key"], "--json"])
    assert verify.exit_code == 0, verify.output
    report = json.loads(verify.stdout)
    assert report["verified"] and report["signatures_checked"] == total and report["findings"] == []
    text = CliRunner().invoke(root, ["--db", str(db), "verify", "--public-key", summary["audit_trail"]["public_key"]]).stdout
    assert f"个人签名：{total} 个" in text
