"""The printed certificate (issue 17, item 2) on SQLite and PostgreSQL: a PDF/A-2u in Chinese with
every content of 001 §8.1 and the version after a reissue (换证), read back with pypdf; its QR
statement verifies offline and a changed one does not; each print recorded with the file's SHA-256;
a certificate not valid is refused with its status and rule, nothing written."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from aggregates.errors import RuleViolation
from ledger import clock
from ledger.demo import play
from ledger.documents import statement as st
from ledger.documents.certificate import CNCA_SENTENCE, print_certificate
from ledger.trail.note import Signer

TODAY = clock.today()
BODY = "杭州某质量认证有限公司"


@pytest.fixture
def signer():
    return Signer.generate("某认证机构")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> str:
    return squeeze("".join(p.extract_text() for p in PdfReader(path).pages))


def test_the_certificate_prints_every_content_of_001_8_1_and_its_reissued_version(app, signer, tmp_path):
    hz, sz, *_ = play(app, today=TODAY, to_the_end=True)
    out = tmp_path / "hz.pdf"
    result = print_certificate(app, hz, out=str(out), as_of=None, number=None, signer=signer, body=BODY, actor="张伟")
    c = app.client(hz)
    cert = c.certificates[c.current_certificate]
    assert cert["version"] == 3 and result["version"] == 3  # reissued for the demo's address change, then its scope change
    text = pdf_text(out)
    for shown in (cert["number"], c.name, c.uscc, "浙江省杭州市余杭区仓前街道文一西路1号", cert["scope"], cert["standard"],
                  cert["scheme_id"], cert["scheme_version"], cert["valid_from"].isoformat(), cert["valid_until"].isoformat(),
                  cert["issued_on"].isoformat(), BODY, "第3版", squeeze(CNCA_SENTENCE), "质量信用等级认证证书"):
        assert squeeze(str(shown)) in text, shown
    for site in cert["sites"]:
        assert squeeze(site["name"]) in text
    from ledger.words import grade_word

    assert squeeze(grade_word(cert["scheme_id"], cert["scheme_version"], cert["grade"])) in text
    # recorded: the file's SHA-256, the version printed, the day it states
    assert result["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    printed = c.certificate_prints[result["print"]]
    assert (printed["sha256"], printed["certificate_version"], printed["as_of"], printed["number"]) == \
        (result["sha256"], 3, TODAY, cert["number"])
    assert any(h["type"] == "CertificatePrinted" for h in app.history(hz))
    # PDF/A-2u, the font embedded
    raw = out.read_bytes()
    assert b"<pdfaid:part>2</pdfaid:part>" in raw and b"<pdfaid:conformance>U</pdfaid:conformance>" in raw
    fonts = [f.get_object() for p in PdfReader(out).pages for f in p["/Resources"]["/Font"].values()]
    assert fonts and all(f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object().get("/FontFile2") for f in fonts)


def qr_modules(path, n: int) -> list[list[bool]]:
    """The QR code drawn on the certificate, read back from the page's filled rectangles: the
    largest is its white quiet zone (4 modules each side of ``n``), the others its dark runs."""
    content = PdfReader(path).pages[0].get_contents().get_data().decode("latin-1")
    rects = [tuple(map(float, m)) for m in re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f", content)]
    bx, by, bw, bh = max(rects, key=lambda r: abs(r[2] * r[3]))
    top, m = max(by, by + bh), bw / (n + 8)  # PDF points, y upwards; fpdf2 draws with a negative height
    grid = [[False] * n for _ in range(n)]
    for x, y, w, h in rects:
        if (x, y, w, h) == (bx, by, bw, bh) or not (bx <= x < bx + bw):
            continue
        row = round((top - max(y, y + h)) / m) - 4
        for col in range(round((x - bx) / m) - 4, round((x + w - bx) / m) - 4):
            grid[row][col] = True
    return grid


def test_the_qr_statement_verifies_offline_and_a_changed_one_names_why(app, signer, tmp_path):
    _, sz, _, bj, *_ = play(app, today=TODAY)
    result = print_certificate(app, bj, out=str(tmp_path / "bj.pdf"), as_of=None, number=None, signer=signer, body=BODY, actor="张伟")
    s = st.verify(result["statement"], signer.verifier)
    from ledger.documents.certificate import _qr_runs

    expected = _qr_runs(result["statement"])  # the QR drawn is exactly the signed statement's
    assert qr_modules(tmp_path / "bj.pdf", len(expected)) == expected
    cert = app.client(bj).certificate
    assert (s.number, s.uscc, s.status, s.grade, s.valid_until, s.as_of) == (cert["number"], bj, "valid", cert["grade"], cert["valid_until"], TODAY)
    tampered = result["statement"].replace(f"valid-until {cert['valid_until']}", f"valid-until {cert['valid_until'] + timedelta(days=365)}")
    with pytest.raises(RuleViolation) as e:
        st.verify(tampered, signer.verifier)
    assert "changed after it was signed" in e.value.message_en and e.value.rule == st.RULE
    with pytest.raises(RuleViolation) as e:
        st.verify(result["statement"], Signer.generate("另一机构").verifier)
    assert "not signed by the given key" in e.value.message_en
    # the command line: exit 0 on the genuine one, 1 with the reason on the changed one
    from cli.main import root

    pub = signer.verifier.encode()
    (tmp_path / "s.txt").write_text(result["statement"], encoding="utf-8")
    ok = CliRunner().invoke(root, ["certificate", "verify-statement", "--file", str(tmp_path / "s.txt"), "--public-key", pub])
    assert ok.exit_code == 0 and cert["number"] in ok.stdout and "有效" in ok.stdout
    bad = CliRunner().invoke(root, ["certificate", "verify-statement", tampered, "--public-key", pub])
    assert bad.exit_code == 1 and "签名后被改动" in bad.stderr and "Traceback" not in bad.output


def test_a_certificate_not_valid_is_not_printed_and_nothing_is_written(app, signer, tmp_path):
    codes = play(app, today=TODAY)
    bj = codes[3]
    withdrawn_on = TODAY - timedelta(days=3)
    app.withdraw(client=bj, reason_code="7.3.1b", reason="拒绝接受监督审核", actor="张伟", on=withdrawn_on)
    before = app.client(bj).version
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "bj.pdf"
    with pytest.raises(RuleViolation) as e:
        print_certificate(app, bj, out=str(out), as_of=None, number=None, signer=signer, body=BODY, actor="张伟")
    assert e.value.rule == "001 §7.5" and "撤销" in e.value.message_zh and "--as-of" in e.value.message_en
    assert app.client(bj).version == before and list((tmp_path / "out").iterdir()) == []
    # as it stood while valid, it prints (and says so); a write refused after the PDF is built leaves no file
    day = withdrawn_on - timedelta(days=1)
    with pytest.raises(RuleViolation):
        print_certificate(app, bj, out=str(out), as_of=day, number=None, signer=signer, body=BODY, actor=None)
    assert app.client(bj).version == before and list((tmp_path / "out").iterdir()) == []
    result = print_certificate(app, bj, out=str(out), as_of=day, number=None, signer=signer, body=BODY, actor="张伟")
    assert st.verify(result["statement"], signer.verifier).as_of == day
    assert app.client(bj).certificate_prints["PR1"]["as_of"] == day
    with pytest.raises(RuleViolation):  # a day after today is refused
        print_certificate(app, bj, out=str(out), as_of=TODAY + timedelta(days=1), number=None, signer=signer, body=BODY, actor="张伟")
