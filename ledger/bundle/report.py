"""The bundle's PDF/A-3b report in Chinese, with the events (JSON Lines) attached as associated
data (fpdf2). Per client: identity, certificate status and history, the grade explanation and the
event history with actor, business date and recorded time.

Font: Noto Sans SC (SIL OFL 1.1) from the PyPI package ``pylopdf-fonts-zh-cn``. Its outlines are
CFF; fpdf2 embeds a CFF CID font with its own CMap encoding, which pypdf (and other plain text
extractors) cannot decode. So the font is subset to the report's characters and its outlines are
converted to TrueType (fontTools, quadratic approximation within 1 font unit) before fpdf2 embeds
it: the PDF then has an Identity-H TrueType CID font with a ToUnicode map, and its Chinese text
extracts exactly (docs/inspection-bundle.md, "PDF and fonts").
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregates.errors import RuleViolation

if TYPE_CHECKING:  # pragma: no cover
    from ledger.bundle.layout import ExplainText, ExportedEvent
    from ledger.trail.note import Checkpoint, Verifier

FONT = "NotoSansSC"
ATTACHMENT = "events.jsonl"


def _d(x: Any) -> str:
    if x is None or x == "":
        return "—"
    if isinstance(x, datetime):
        from ledger.clock import event_time

        return event_time(x)
    if isinstance(x, date):
        return x.isoformat()
    return str(x)


def _word(table: dict[str, tuple[str, str]], key: str | None) -> str:
    if not key:
        return "—"
    return table[key][0] if key in table else key


@dataclass
class ClientSection:
    """What the report says about one client, as text (so the font can be subset before layout)."""

    uscc: str
    name: str
    identity: list[tuple[str, str]]
    certificate: list[str]
    explanation: str
    events: list[tuple[str, ...]] = field(default_factory=list)  # position, version, type, business date, recorded, actor

    @classmethod
    def gather(cls, app: Any, uscc: str, events: Sequence["ExportedEvent"], explain_text: "ExplainText") -> "ClientSection":
        from aggregates.vocabulary import CERTIFICATE_STATUSES

        last = max(events, key=lambda e: e.version) if events else None
        client = app.client(uscc)
        as_recorded = None
        if last is not None and client.version != last.version:
            # Events recorded after the snapshot: describe the client as the exported events leave it.
            as_recorded = datetime.fromisoformat(last.recorded.decode())
            client = app.client(uscc, as_recorded=as_recorded)
        identity = [("组织名称", client.name), ("统一社会信用代码", client.uscc), ("地址", getattr(client, "address", "") or "—"),
                    ("登记日期", _d(getattr(client, "registered_on", None))), ("客户标识（client）", client.id.hex),
                    ("导出事件数", str(len(events)))]
        cert_lines: list[str] = []
        current = client.current_certificate
        if current:
            c = client.certificates[current]
            cert_lines.append(f"当前证书：{current}  状态：{_word(CERTIFICATE_STATUSES, c['status'])}"
                              f"（自 {_d(c.get('status_changed_on'))}）  等级：{c.get('grade') or '—'}")
        else:
            cert_lines.append("当前证书：无")
        for number, c in client.certificates.items():
            status = "已换发" if c["status"] == "replaced" else _word(CERTIFICATE_STATUSES, c["status"])
            cert_lines.append(f"证书 {number}：颁发 {_d(c['issued_on'])}，有效期 {_d(c['valid_from'])} 至 {_d(c['valid_until'])}，"
                              f"等级 {c.get('grade') or '—'}，方案 {c['scheme_id']} {c['scheme_version']}，状态 {status}"
                              f"（{_d(c.get('status_changed_on'))}），报送认监委 {_d(c.get('reported_on'))}")
            if c.get("scope"):
                cert_lines.append(f"    范围：{c['scope']}")
        for s in client.suspensions.values():
            cert_lines.append(f"暂停 {s['id']}（证书 {s['number']}）：{_d(s['start'])} 起，[{s['reason_code']}] {s['reason']}；"
                              + (f"{_d(s['restored_on'])} 恢复" if s.get("restored_on") else "未恢复"))
        for w in client.withdrawals.values():
            cert_lines.append(f"撤销 {w['id']}（证书 {w['number']}）：{_d(w['on'])}，[{w['reason_code']}] {w['reason']}")
        try:
            explanation = explain_text(app.explain(uscc, as_recorded=as_recorded))
        except RuleViolation as e:
            explanation = f"无等级说明：{e.message_zh}"
        by_version = {e.version: e for e in events}
        rows = []
        for h in app.history(uscc):
            e = by_version.get(h["version"])
            if e is None:
                continue
            rows.append((str(e.position), str(h["version"]), h["type"], _d(h.get("occurred_on")), _d(h["recorded_at"]),
                         str(h.get("actor") or "—")))
        return cls(client.uscc, client.name, identity, cert_lines, explanation, rows)

    def texts(self) -> Iterable[str]:
        yield self.uscc
        yield self.name
        for k, v in self.identity:
            yield k + v
        yield from self.certificate
        yield self.explanation
        for r in self.events:
            yield "".join(r)


# ------------------------------------------------------------------------------------------ font


def font_path() -> Path:
    from pylopdf_fonts_zh_cn import sans_path

    return Path(sans_path())


def truetype_subset(text: str, source: Path | None = None) -> bytes:
    """Noto Sans SC reduced to the characters of ``text``, with TrueType (quadratic) outlines."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(source or font_path(), lazy=True)
    options = subset.Options()
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "DSIG", "GPOS", "GSUB", "GDEF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        glyphs = {}
        for name in order:
            pen = TTGlyphPen(None)
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyphs[name] = pen.glyph()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = glyphs
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        del font["CFF "]
        maxp = newTable("maxp")
        maxp.tableVersion = 0x00010000
        for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                     "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["maxp"] = maxp
        font["head"].glyphDataFormat = 0
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ layout


def _clean(text: str) -> str:
    return text.replace("\t", "    ").replace("\r", "")


def build_report(sections: Sequence[ClientSection], head: "Checkpoint", checkpoint_id: int, verifier: "Verifier",
                 exported_at: datetime, events_jsonl: bytes) -> bytes:
    """The report as PDF/A-3b bytes, with ``events_jsonl`` attached (AFRelationship /Data)."""
    import base64

    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from ledger.clock import event_time

    root_b64 = base64.b64encode(head.root).decode()
    cover = [
        f"导出时间：{event_time(exported_at)}（北京时间）",
        f"账本来源（origin）：{head.origin}",
        f"检查点：#{checkpoint_id}，覆盖 {head.size} 个事件，根哈希 {root_b64}",
        f"签名公钥：{verifier.encode()}",
        f"组织数：{len(sections)}；导出事件数：{sum(len(s.events) for s in sections)}",
        "",
        "本报告是检查包的可读部分。附件 events.jsonl 即检查包中的同名文件：每行是一个事件在审计记录默克尔树中的叶数据，"
        "可逐行重新计算叶哈希；proofs.jsonl 给出每个事件对检查点根哈希的包含证明，checkpoint.txt 由本机构私钥签名。"
        "检查人员可在不接触数据库的情况下运行 certledger verify-bundle 目录 进行核验（方法见 docs/inspection-bundle.md）。"
        "报告正文是对这些数据的呈现，其可信性来自附件与已签名检查点的一致。",
    ]
    header = ("位置", "版本", "事件类型", "业务日期", "记录时间", "操作人")
    widths = (16, 11, 55, 22, 38, 38)
    texts = ["质量信用检查导出报告", "组织信息", "证书状态与历史", "等级说明", "事件历史", "第页共", "0123456789/",
             *header, *cover]
    for s in sections:
        texts.extend(s.texts())
    charset = "".join(sorted(set(_clean("".join(texts))) | set(" .,:;-—()[]%")))
    ttf = truetype_subset(charset)

    pdf = FPDF(orientation="P", unit="mm", format="A4", enforce_compliance="PDFA_3B")
    pdf.set_lang("zh-CN")
    pdf.set_title("质量信用检查导出报告")
    pdf.set_author(head.origin)
    pdf.set_subject("认证机构审计记录检查包 / certledger inspection bundle")
    pdf.set_creator("certledger")
    pdf.set_creation_date(exported_at)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{FONT}-subset.ttf"
        path.write_bytes(ttf)
        pdf.add_font(FONT, fname=str(path))
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(True, 15)
        pdf.alias_nb_pages("{nb_pages}")

        def footer() -> None:
            pdf.set_y(-12)
            pdf.set_font(FONT, size=8)
            pdf.cell(0, 5, f"第 {pdf.page_no()} 页 / 共 {{nb_pages}} 页", align="C")

        pdf.footer = footer  # type: ignore[method-assign]

        def heading(text: str, size: float) -> None:
            pdf.set_font(FONT, size=size)
            pdf.multi_cell(0, size * 0.55, _clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)

        def para(text: str, size: float = 9.5) -> None:
            # One cell per line that fits (fpdf2's line breaking is slow on long texts), a wrapped
            # multi_cell only for the lines that do not.
            pdf.set_font(FONT, size=size)
            h = size * 0.5
            for line in _clean(text).split("\n"):
                if pdf.get_string_width(line) <= pdf.epw:
                    pdf.cell(0, h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                else:
                    pdf.multi_cell(0, h, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        pdf.add_page()
        heading("质量信用检查导出报告", 18)
        for line in cover:
            para(line, 10) if line else pdf.ln(3)
        pdf.ln(3)
        para("组织：" + "；".join(f"{s.name}（{s.uscc}）" for s in sections), 10)

        for s in sections:
            pdf.add_page()
            heading(f"{s.name}（{s.uscc}）", 15)
            heading("一、组织信息", 12)
            for k, v in s.identity:
                para(f"{k}：{v}")
            pdf.ln(2)
            heading("二、证书状态与历史", 12)
            for line in s.certificate:
                para(line)
            pdf.ln(2)
            heading("三、等级说明", 12)
            para(s.explanation, 8.5)
            pdf.ln(2)
            heading("四、事件历史", 12)
            pdf.set_font(FONT, size=8)
            row_h = 4.6

            def table_header() -> None:
                pdf.set_fill_color(230, 230, 230)
                for w, h in zip(widths, header):
                    pdf.cell(w, row_h, h, border=1, fill=True)
                pdf.ln(row_h)

            table_header()
            for row in s.events:
                if pdf.will_page_break(row_h):
                    pdf.add_page()
                    pdf.set_font(FONT, size=8)
                    table_header()
                for w, text in zip(widths, row):
                    while text and pdf.get_string_width(text) > w - 2:
                        text = text[:-1]
                    pdf.cell(w, row_h, text, border=1)
                pdf.ln(row_h)
            if not s.events:
                para("（无已导出的事件）", 8)

        pdf.embed_file(basename=ATTACHMENT, bytes=events_jsonl, desc="导出的事件：审计记录默克尔树的叶数据（规范 JSON Lines）",
                       mime_type="application/jsonl", associated_file_relationship="Data",
                       modification_date=exported_at)
        return bytes(pdf.output())
