"""The public register as a static, signed site (issue 17, item 3), driven in headless Chromium
(Debian's ``chromium``, installed by .ci/run): the page verifies the body's signature with
WebCrypto Ed25519, searches a certificate number or holder name from ``#q=``, shows a withdrawn
certificate as withdrawn, and shows a tampered register as not verified (and shows no data)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from click.testing import CliRunner

from cli.main import root
from ledger import clock

TODAY = clock.today()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture
def site(tmp_path, monkeypatch):
    """The demo year with one certificate withdrawn, published by the command line."""
    from ledger.bootstrap import bootstrap
    from ledger.demo import play
    from projections import dispose

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    codes = play(app, today=TODAY)
    app.withdraw(client=codes[3], reason_code="7.3.1b", reason="拒绝接受监督审核", actor="张伟", on=TODAY - timedelta(days=2))
    dispose(app)
    app.close()
    monkeypatch.setenv("CERTLEDGER_KEY", str(tmp_path / "signing.key"))
    assert CliRunner().invoke(root, ["keys", "init", "--name", "某认证机构"]).exit_code == 0
    r = CliRunner().invoke(root, ["--db", db, "register", "publish", "--out", str(tmp_path / "site"), "--body", "杭州某质量认证有限公司"])
    assert r.exit_code == 0, r.output
    return {"dir": tmp_path / "site", "db": db, "codes": codes}


def dom(page, query: str) -> str:
    """The page's DOM after its scripts ran, opened as a file with ``#q=query``."""
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
                          "--dump-dom", page.resolve().as_uri() + "#q=" + query],
                         capture_output=True, text=True, timeout=120, check=True)
    assert 'data-ready="yes"' in out.stdout, out.stderr[-2000:]
    return out.stdout


def rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr class="certificate" data-number="([^"]+)" data-status="([^"]+)"', html))


def verified(html: str) -> str:
    return re.search(r'<div id="verify" data-verified="(\w+)">([^<]*)</div>', html).group(1)


def test_the_page_verifies_searches_and_shows_a_withdrawn_certificate_as_withdrawn(site):
    data = json.loads((site["dir"] / "register.json").read_text(encoding="utf-8"))
    by_uscc = {c["uscc"]: c for c in data["certificates"]}
    withdrawn, valid = by_uscc[site["codes"][3]], by_uscc[site["codes"][0]]
    assert withdrawn["status"] == "withdrawn" and valid["status"] == "valid"
    html = dom(site["dir"] / "index.html", withdrawn["number"])
    assert verified(html) == "yes" and "某认证机构" in html
    assert rows(html) == {withdrawn["number"]: "withdrawn"} and "撤销 (withdrawn)" in html
    html = dom(site["dir"] / "index.html", valid["name"][:4])  # a holder's name, in part
    assert rows(html) == {valid["number"]: "valid"} and "有效 (valid)" in html
    # the same statuses as the CLI's register (one derivation)
    r = CliRunner().invoke(root, ["--db", site["db"], "--json", "register", "show"])
    assert {x["certificate_no"]: x["status"] for x in json.loads(r.stdout)} == {c["number"]: c["status"] for c in data["certificates"]}


def test_a_tampered_register_shows_as_not_verified_and_shows_no_data(site):
    page = site["dir"] / "index.html"
    html = page.read_text(encoding="utf-8")
    embedded = json.loads(re.search(r'<script id="register-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    data = base64.b64decode(embedded["data"]).decode("utf-8")
    assert '"status":"withdrawn"' in data
    embedded["data"] = base64.b64encode(data.replace('"status":"withdrawn"', '"status":"valid"').encode()).decode()
    tampered = site["dir"] / "tampered.html"
    tampered.write_text(html.replace(re.search(r'(?<=type="application/json">).*?(?=</script>)', html, re.S).group(0),
                                     json.dumps(embedded)), encoding="utf-8")
    number = json.loads(data)["certificates"][0]["number"]
    out = dom(tampered, number)
    assert verified(out) == "no" and "签名无效" in out and rows(out) == {}
    assert verified(dom(page, number)) == "yes"  # the genuine page beside it still verifies


def test_the_data_file_and_its_signature_verify_offline_and_a_changed_byte_does_not(site):
    from aggregates.errors import RuleViolation
    from ledger.documents.register_site import verify_signature
    from ledger.trail.note import parse_verifier

    verifier = parse_verifier((site["dir"] / "public-key.txt").read_text(encoding="utf-8"))
    data = (site["dir"] / "register.json").read_bytes()
    line = (site["dir"] / "register.json.sig").read_text(encoding="utf-8")
    verify_signature(data, line, verifier)
    with pytest.raises(RuleViolation) as e:
        verify_signature(data.replace(b"withdrawn", b"valid\x20\x20\x20\x20"), line, verifier)
    assert "changed after signing" in e.value.message_en
    # the command line: exit 0 on the published folder, 1 naming the reason once a byte changed
    pub = (site["dir"] / "public-key.txt").read_text(encoding="utf-8").strip()
    ok = CliRunner().invoke(root, ["register", "verify", str(site["dir"]), "--public-key", pub])
    assert ok.exit_code == 0 and "已验证" in ok.stdout
    (site["dir"] / "register.json").write_bytes(data.replace(b'"status":"withdrawn"', b'"status":"valid"'))
    bad = CliRunner().invoke(root, ["register", "verify", str(site["dir"]), "--public-key", pub])
    assert bad.exit_code == 1 and "签名后被改动" in bad.stderr and "Traceback" not in bad.output
    (site["dir"] / "register.json").write_bytes(data)
    (site["dir"] / "index.html").write_text((site["dir"] / "index.html").read_text(encoding="utf-8").replace("证书登记册", "证书登记表"),
                                            encoding="utf-8")
    assert "index.html" in CliRunner().invoke(root, ["register", "verify", str(site["dir"]), "--public-key", pub]).stderr
