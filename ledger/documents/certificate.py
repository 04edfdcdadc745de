"""The printed certificate (001 §8.1, 004 §9): a PDF/A-2u document in Chinese with every content the
rulebook lists, the certificate's version after amendments (换证, aggregates/changes.py) and a QR
code whose payload is the signed status statement (statement.py). Each print is recorded on the
client as ``CertificatePrinted`` (aggregates/documents.py) with the file's SHA-256 and the version
printed; only a certificate valid on the day printed as of is printed (``check_printable``).

Font: the inspection report's (ledger/bundle/report.py): Noto Sans SC subset to the characters
drawn and converted to TrueType outlines, so that the Chinese text extracts exactly (PDF/A-2u asks
that every glyph map to Unicode). The QR code is drawn as vector rectangles: no image, no
transparency. The file is written beside its final name and moved into place only after the print
is recorded, so a refusal leaves no file (docs/certificate.md).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation

FONT = "NotoSansSC"
TITLE = "质量信用等级认证证书"
CNCA_SENTENCE = "本证书信息可在国家认证认可监督管理委员会官方网站（www.cnca.gov.cn）上查询"  # 001 §8.1 g, as the rule words it
BODY_ENV = "CERTLEDGER_BODY"
RULE = "001 §8.1"


@dataclass
class CertificateContents:
    """What the certificate says, as text (001 §8.1 a-g), and its signed status statement."""

    number: str
    version: int
    version_issued_on: date
    name: str
    uscc: str
    address: str
    scope: str
    sites: list[dict[str, str]]
    grade: str
    standard: str
    scheme: str
    body: str
    issued_on: date
    valid_from: date
    valid_until: date
    original_issue_on: date
    as_of: date
    statement: str
    key: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    decided: str = ""  # the decision the certificate stands on and its decider (trial item 16)
    signed: str = ""  # who signed that decision, as what, with which key, meaning what (ledger/signing_text.py)

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) in the order drawn."""
        sites = "；".join(f"{s['name']}：{s['address']}" for s in self.sites) or "—"
        rows = [
            ("证书编号", self.number),
            ("获证组织名称", self.name),
            ("统一社会信用代码", self.uscc),
            ("地址", self.address or "—"),
            ("认证范围", self.scope or "—"),
            ("覆盖场所", sites),
            ("质量信用等级", self.grade),
            ("认证依据", self.standard),
            ("认证方案及版本", self.scheme),
            ("颁证日期", self.issued_on.isoformat()),
            ("有效期", f"{self.valid_from.isoformat()} 至 {self.valid_until.isoformat()}"),
        ]
        if self.original_issue_on != self.issued_on:
            rows.append(("初次获证日期", self.original_issue_on.isoformat()))
        version = f"第 {self.version} 版"
        if self.version > 1:
            version += f"（{self.version_issued_on.isoformat()} 换发）"
        rows += [("证书版本", version), ("发证机构", self.body)]
        if self.decided:
            rows.append(("认证决定", self.decided))
        if self.signed:
            rows.append(("决定签名", self.signed))
        return rows

    def notes(self) -> list[str]:
        return [
            CNCA_SENTENCE + "。",
            f"证书状态声明（二维码）：截至 {self.as_of.isoformat()} 证书有效；由{self.body}以密钥 {self.key} 签名，"
            "可用 certledger certificate verify-statement 离线核验；证书的当前状态以本机构公布的证书登记册为准。",
        ]

    def text(self) -> str:
        """Every character the certificate draws (for the font subset)."""
        return TITLE + "".join(a + b for a, b in self.rows()) + "".join(self.notes()) + "：第页共0123456789"


def body_name(given: str | None, signer: Any) -> str:
    """The body's name printed on the certificate (001 §8.1 e): ``--body``, else CERTLEDGER_BODY,
    else the signing key's name."""
    return (given or os.environ.get(BODY_ENV) or "").strip() or signer.name


def gather(app: Any, uscc: str, *, as_of: date, number: str | None, signer: Any, body: str) -> CertificateContents:
    """The certificate's contents as of ``as_of`` (the client replayed to that day when it is in
    the past), refused unless it is valid then."""
    from aggregates.documents import check_printable
    from ledger.handlers_documents import status_on
    from ledger.words import grade_word
    from ledger.documents.statement import Statement

    client = app.client(uscc, as_of=as_of) if as_of < _today() else app.client(uscc)
    cert = check_printable(client, number=number, status=status_on(client, number, as_of), as_of=as_of)
    versions = cert.get("versions") or []
    if versions:
        v = versions[-1]
        name, address, sites, version, version_on = v["name"], v["address"], v["sites"], int(v["version"]), v["issued_on"]
    else:
        name = client.master_value_on("name", cert["issued_on"])
        address = client.master_value_on("address", cert["issued_on"])
        sites, version, version_on = cert["sites"], 1, cert["issued_on"]
    decided, signed = decision_words(app, client, cert.get("decision_id"))  # refused first when its signature fails
    statement = Statement(cert["number"], client.uscc, "valid", cert.get("grade"), cert["valid_until"], as_of).sign(signer)
    return CertificateContents(
        number=cert["number"], version=version, version_issued_on=version_on, name=name, uscc=client.uscc,
        address=address, scope=cert["scope"], sites=sites,
        grade=grade_word(cert["scheme_id"], cert["scheme_version"], cert.get("grade")),
        standard=cert["standard"], scheme=f"{cert['scheme_id']} {cert['scheme_version']}", body=body,
        issued_on=cert["issued_on"], valid_from=cert["valid_from"], valid_until=cert["valid_until"],
        original_issue_on=cert["original_issue_on"], as_of=as_of, statement=statement,
        key=f"{signer.name}+{signer.verifier.key_id.hex()}", decided=decided, signed=signed)


def decision_words(app: Any, client: Any, decision_id: str | None) -> tuple[str, str]:
    """The decision a certificate stands on, in words: its id, day and decider; and its personal
    signature as the history and the inspection report word it (``signature_words``), "unsigned"
    for a decision that carries none (every decision recorded before signatures existed)."""
    from ledger.signing_text import decision_signature

    decision = client.decisions.get(decision_id or "")
    if decision is None:
        return "", ""
    decided = f"{decision['id']}，{decision['on'].isoformat()}，决定人 {decision['decider']}"
    sig = decision_signature(app.history(client.uscc), decision["id"])
    if sig["signed"] and not sig["verified"]:  # never a signed "valid" over a decision whose signature fails (trial 12, item 10)
        from ledger.signing import RULE as SIGNING

        raise RuleViolation(
            SIGNING,
            f"证书所依据的认证决定 {decision['id']}（{client.uscc}）的{sig['zh']}。决定事件在签名后可能被改动，"
            "不打印证书，也不签发“证书有效”的状态声明；请运行 certledger verify 查明改动并处理后再打印。未打印、未记录。",
            f"The personal signature over certification decision {decision['id']} ({client.uscc}), on which the certificate "
            f"stands, does not verify ({sig['en']}). The decision may have been altered after signing, so no certificate is "
            "printed and no 'valid' status statement is signed; run certledger verify to find the change and deal with it "
            "before printing. Nothing was printed or recorded.")
    return decided, sig["zh"]


def _today() -> date:
    from ledger import clock

    return clock.today()


def _qr_runs(payload: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(payload.encode("utf-8"))
    qr.make(fit=True)
    return qr.get_matrix()


def _draw_qr(pdf: Any, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (one per run of dark modules in a row), on a white quiet zone."""
    n = len(matrix)
    m = size / (n + 8)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                pdf.rect(x + (4 + start) * m, y + (4 + r) * m, (c - start) * m, m, style="F")
            else:
                c += 1


def missing_glyphs(text: str) -> list[str]:
    from ledger.bundle.report import font_codepoints

    have = font_codepoints()
    return sorted({ch for ch in text if ch not in "\n\t" and ord(ch) not in have})


def build_pdf(contents: CertificateContents, created: datetime) -> bytes:
    """The certificate as PDF/A-2u bytes."""
    from fpdf import FPDF

    from ledger.bundle.report import truetype_subset

    missing = missing_glyphs(contents.text())
    if missing:
        shown = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in missing)
        raise RuleViolation(
            RULE, f"证书字体 Noto Sans SC 中没有这些字符，证书无法如实显示，未打印、未记录：{shown}。它们来自账本记录或 --body；请给出不含这些字符的机构名称，或改用含有这些字符的字体。",
            f"The certificate font Noto Sans SC has no glyph for {', '.join(f'U+{ord(ch):04X}' for ch in missing)}: the "
            "certificate could not show them; nothing was printed or recorded. They come from the records or --body; give a body "
            "name without them, or a font that has them.")
    pdf = FPDF(orientation="P", unit="mm", format="A4", enforce_compliance="PDFA_2U")
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{TITLE} {contents.number}")
    pdf.set_author(contents.body)
    pdf.set_subject(f"{TITLE}：{contents.name}（{contents.uscc}），第 {contents.version} 版")
    pdf.set_creator("certledger")
    pdf.set_creation_date(created)
    with tempfile.TemporaryDirectory() as tmp:
        font = Path(tmp) / f"{FONT}-subset.ttf"
        font.write_bytes(truetype_subset(contents.text()))
        pdf.add_font(FONT, fname=str(font))
        pdf.set_auto_page_break(False)
        pdf.add_page()
        pdf.set_draw_color(120, 90, 30)
        pdf.set_line_width(1.2)
        pdf.rect(8, 8, 194, 281)
        pdf.set_line_width(0.3)
        pdf.rect(11, 11, 188, 275)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, size=26)
        pdf.set_xy(15, 24)
        pdf.cell(180, 14, TITLE, align="C")
        pdf.set_font(FONT, size=11)
        y = 50.0
        for label, value in contents.rows():
            pdf.set_xy(22, y)
            pdf.cell(42, 7, label + "：")
            pdf.set_xy(64, y)
            pdf.multi_cell(124, 7, value, align="L")
            y = max(pdf.get_y(), y + 7) + 2.5
        size = 52.0
        qr_y = max(y + 6, 200.0)
        if qr_y + size > 282:
            raise RuleViolation(RULE, "证书内容过多（例如场所过多），一页放不下，未打印、未记录；请精简认证范围或场所的表述。",
                                "The certificate's contents (too many sites, say) do not fit on one page; nothing was printed or "
                                "recorded. Shorten the scope or the sites.")
        _draw_qr(pdf, _qr_runs(contents.statement), 22, qr_y, size)
        pdf.set_font(FONT, size=9)
        pdf.set_xy(22 + size + 6, qr_y)
        pdf.multi_cell(188 - (22 + size + 6), 5.5, "\n".join(contents.notes()), align="L")
        data = bytes(pdf.output())
    return data


def print_certificate(app: Any, uscc: str, *, out: str | None, as_of: date | None, number: str | None, signer: Any,
                      body: str | None, actor: str | None, created: datetime | None = None) -> dict[str, Any]:
    """Print the certificate of ``uscc`` as of ``as_of`` (default today) to ``out`` and record it.
    Returns what was printed: the file, its SHA-256, the number, version, print id and statement."""
    from ledger import clock

    today = clock.today()
    day = as_of or today
    if day > today:
        raise RuleViolation(RULE, f"--as-of {day} 晚于今天 {today}；证书只能按已发生的状态打印。",
                            f"--as-of {day} is after today ({today}); a certificate is printed only as it stood.")
    contents = gather(app, uscc, as_of=day, number=number, signer=signer, body=body_name(body, signer))
    data = build_pdf(contents, created or datetime.now().astimezone())
    target = Path(out or f"certificate-{contents.number}-v{contents.version}.pdf").expanduser()
    if not target.parent.is_dir():
        raise RuleViolation(RULE, f"目录 {target.parent} 不存在；请用 --out 给出已存在目录中的文件。未打印、未记录。",
                            f"The folder {target.parent} does not exist; give --out a file in an existing folder. Nothing was printed or recorded.")
    digest = hashlib.sha256(data).hexdigest()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        print_id = app.record_certificate_print(client=uscc, actor=actor, on=today, number=contents.number,
                                                certificate_version=contents.version, as_of=day, sha256=digest,
                                                file_name=target.name)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    app.update_read_models()
    return {"file": str(target), "sha256": digest, "number": contents.number, "version": contents.version, "print": print_id,
            "as_of": day.isoformat(), "statement": contents.statement}
