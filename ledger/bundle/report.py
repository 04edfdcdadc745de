"""The bundle's PDF/A-3b report in Chinese, with the events (JSON Lines) attached as associated
data (fpdf2). Per client: identity, certificate status and history, the grade explanation and the
event history with actor, business date and recorded time.

Font: Noto Sans SC (SIL OFL 1.1) from the PyPI package ``pylopdf-fonts-zh-cn``. Its outlines are
CFF; fpdf2 embeds a CFF CID font with its own CMap encoding, which pypdf (and other plain text
extractors) cannot decode. So the font is subset to the report's characters and its outlines are
converted to TrueType (fontTools, quadratic approximation within 1 font unit) before fpdf2 embeds
it: the PDF then has an Identity-H TrueType CID font with a ToUnicode map, and its Chinese text
extracts exactly (docs/inspection-bundle.md, "PDF and fonts").

Every glyph drawn is embedded: the report is first planned as a list of blocks of text (``Plan``),
the subset is computed from exactly the text those blocks draw (headings, fixed labels, the cover,
the table header, the footer and every client's data), and the same blocks are then laid out. A
character the font does not have at all (an emoji, a rare CJK Extension B character) refuses the
export before anything is written, naming the character, its code point and where it comes from;
a glyph fpdf2 still finds missing while drawing refuses it too, rather than being logged.

The cover states the facts verify-bundle checks against the checkpoint and the manifest (origin,
checkpoint, root, each client's events: cover.py), and the finished PDF is signed with the body's
checkpoint key (PAdES, pdfsign.py), so its visible text is covered by a signature.
"""

from __future__ import annotations

import functools
import io
import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregates.errors import RuleViolation

if TYPE_CHECKING:  # pragma: no cover
    from ledger.bundle.layout import ExplainText, ExportedEvent
    from ledger.trail.note import Checkpoint, Signer, Verifier

FONT = "NotoSansSC"
ATTACHMENT = "events.jsonl"
RULE = "001 §12 inspection bundle"

# Where a drawn text comes from, in Chinese and English, for a refusal naming it.
Where = tuple[str, str]


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
    """What the report says about one client, as text (so the font can be subset before layout,
    and a character it lacks named with where it comes from)."""

    uscc: str
    name: str
    identity: list[tuple[str, str]]
    certificate: list[str]
    explanation: str
    events: list[tuple[str, ...]] = field(default_factory=list)  # position, version, type, business date, recorded, actor

    @classmethod
    def gather(cls, app: Any, uscc: str, events: Sequence["ExportedEvent"], explain_text: "ExplainText") -> "ClientSection":
        from aggregates.vocabulary import CERTIFICATE_STATUSES
        from ledger.words import event_word, grade_word, reason_code_word  # vocabulary (issue 9): words, not codes

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
                              f"（自 {_d(c.get('status_changed_on'))}）  等级：{grade_word(c['scheme_id'], c['scheme_version'], c.get('grade'))}")
        else:
            cert_lines.append("当前证书：无")
        for number, c in client.certificates.items():
            status = "已换发" if c["status"] == "replaced" else _word(CERTIFICATE_STATUSES, c["status"])
            cert_lines.append(f"证书 {number}：颁发 {_d(c['issued_on'])}，有效期 {_d(c['valid_from'])} 至 {_d(c['valid_until'])}，"
                              f"等级 {grade_word(c['scheme_id'], c['scheme_version'], c.get('grade'))}，方案 {c['scheme_id']} {c['scheme_version']}，状态 {status}"
                              f"（{_d(c.get('status_changed_on'))}），报送认监委 {_d(c.get('reported_on'))}")
            if c.get("scope"):
                cert_lines.append(f"    范围：{c['scope']}")
            for v in c.get("versions") or []:  # the contents' versions (换证, issue 9)
                cert_lines.append(f"    第 {v['version']} 版（{_d(v['issued_on'])}" + (f"，变更 {v['change_id']}" if v.get("change_id") else "")
                                  + f"）：{v['name']}，{v['address']}，范围 {v['scope']}")
        for s in client.suspensions.values():
            cert_lines.append(f"暂停 {s['id']}（证书 {s['number']}）：{_d(s['start'])} 起，[{reason_code_word(client.scheme_id, 'suspension', s['reason_code'])}] {s['reason']}；"
                              + (f"{_d(s['restored_on'])} 恢复" if s.get("restored_on") else "未恢复")
                              + (f"（依申诉 {s['annulled_by']['appeal']} 撤销暂停）" if s.get("annulled_by") else ""))
        for w in client.withdrawals.values():
            cert_lines.append(f"撤销 {w['id']}（证书 {w['number']}）：{_d(w['on'])}，[{reason_code_word(client.scheme_id, 'withdrawal', w['reason_code'])}] {w['reason']}"
                              + (f"；{_d(w['reversed_by']['on'])} 依申诉 {w['reversed_by']['appeal']} 撤回，证书恢复" if w.get("reversed_by") else ""))
        from ledger.signing_text import signature_marks  # who signed each act with legal meaning (issue 15, item 4)

        history = app.history(uscc)
        kinds = {h["version"]: h["type"] for h in history}
        for v, said in signature_marks(history).items():
            cert_lines.append(f"签名 · 事件 {v}（{event_word(kinds[v])}）：{said}")
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
            rows.append((str(e.position), str(h["version"]), event_word(h["type"]), _d(h.get("occurred_on")), _d(h["recorded_at"]),
                         str(h.get("actor") or "—")))
        return cls(client.uscc, client.name, identity, cert_lines, explanation, rows)

    def where(self, zh: str, en: str) -> Where:
        return f"组织 {self.uscc} 的{zh}", f"client {self.uscc}: {en}"


# ------------------------------------------------------------------------------------------ font


def font_path() -> Path:
    from pylopdf_fonts_zh_cn import sans_path

    return Path(sans_path())


@functools.lru_cache(maxsize=4)
def _font_cmap(source: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(source, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def font_codepoints(source: Path | None = None) -> frozenset[int]:
    """The code points the report's font has a glyph for."""
    return _font_cmap(Path(source or font_path()))


def _describe(chars: dict[str, list[Where]]) -> tuple[str, str]:
    """'X' (U+XXXX, where...) for each missing character, in Chinese and English."""
    zh, en = [], []
    for ch, wheres in chars.items():
        shown = wheres[:3]
        more_zh = f"等 {len(wheres)} 处" if len(wheres) > len(shown) else ""
        more_en = f" and {len(wheres) - len(shown)} more" if len(wheres) > len(shown) else ""
        zh.append(f"“{ch}”（U+{ord(ch):04X}，见于{'、'.join(w[0] for w in shown)}{more_zh}）")
        en.append(f"'{ch}' (U+{ord(ch):04X}, in {'; '.join(w[1] for w in shown)}{more_en})")
    return "；".join(zh), "; ".join(en)


def missing_glyphs_refusal(chars: dict[str, list[Where]], *, in_subset: bool = False) -> RuleViolation:
    """The export is refused: the report would have to draw ``chars`` (character -> where it comes
    from), which the font has no glyph for (``in_subset``: which the font subset lacks, a fault of
    this module)."""
    zh, en = _describe(chars)
    if in_subset:
        return RuleViolation(
            RULE,
            f"报告的字体子集缺少以下字符，PDF 报告无法如实显示它们，拒绝导出，未写入任何文件：{zh}。这是 certledger 的缺陷，请报告给维护者。",
            f"The report's font subset lacks these characters, so the PDF report cannot show them; the export is refused "
            f"and nothing is written: {en}. This is a fault of certledger: please report it to its maintainers.")
    return RuleViolation(
        RULE,
        f"报告字体 Noto Sans SC 中没有以下字符，PDF 报告无法如实显示它们，拒绝导出，未写入任何文件：{zh}。"
        "这些字符来自账本中已记录的内容（事件不可更改）或签名密钥的名称：可先不含该组织、逐个导出其他组织；"
        "来自密钥名称的，请用不含这些字符的名称重新生成密钥并签发检查点；要导出含这些字符的组织，报告需要一个含有这些字符的字体。",
        f"The report font Noto Sans SC has no glyph for these characters, so the PDF report cannot show them; the export is "
        f"refused and nothing is written: {en}. They come from what the ledger recorded (events cannot be changed) or "
        "from the signing key's name: export the other clients on their own meanwhile; for a key "
        "name, make a key whose name does not use them and sign a checkpoint with it; exporting a client that uses them "
        "needs a report font that has them.")


def truetype_subset(text: str, source: Path | None = None) -> bytes:
    """Noto Sans SC reduced to the characters of ``text``, with TrueType (quadratic) outlines."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(source or font_path(), lazy=True)
    try:
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
    finally:
        font.close()  # lazy: the source file stays open until closed


# ------------------------------------------------------------------------------------------ layout

HEADER = ("位置", "版本", "事件类型", "业务日期", "记录时间", "操作人")
HEADER_EN = ("position", "version", "event type", "business date", "recorded", "actor")
WIDTHS = (16, 11, 55, 22, 38, 38)
IDENTITY_EN = {"组织名称": "name", "统一社会信用代码": "USCC", "地址": "address", "登记日期": "registration date",
               "客户标识（client）": "client id", "导出事件数": "events exported"}
FOOTER = "第 {page} 页 / 共 {{nb_pages}} 页"
FOOTER_TEXT = "第 页 / 共 0123456789"  # what the footer draws: the page numbers are digits
FIXED: Where = ("报告的固定文字", "the report's fixed text")


def _clean(text: str) -> str:
    return text.replace("\t", "    ").replace("\r", "")


def _cell(text: str) -> str:
    """A table cell's text: one line."""
    return _clean(text).replace("\n", " ")


@dataclass
class Plan:
    """The report as blocks of text, in order: what is drawn is known before the font is subset,
    and the same blocks are then laid out (``_render``)."""

    blocks: list[tuple[Any, ...]] = field(default_factory=list)

    def page(self) -> None:
        self.blocks.append(("page",))

    def heading(self, text: str, size: float, where: Where = FIXED) -> None:
        self.blocks.append(("heading", text, size, where))

    def para(self, text: str, size: float, where: Where) -> None:
        self.blocks.append(("para", text, size, where))

    def gap(self, mm: float) -> None:
        self.blocks.append(("gap", mm))

    def table(self, rows: list[tuple[tuple[str, ...], tuple[Where, ...]]], empty: str) -> None:
        self.blocks.append(("table", rows, empty))

    def drawn(self) -> Iterable[tuple[str, Where]]:
        """Every text the report draws, as drawn (line breaks are layout, not glyphs), with where it comes from."""
        yield FOOTER_TEXT, FIXED
        for block in self.blocks:
            if block[0] in ("heading", "para"):
                yield _clean(block[1]).replace("\n", ""), block[3]
            elif block[0] == "table":
                for h in HEADER:
                    yield h, FIXED
                for row, wheres in block[1]:
                    for text, where in zip(row, wheres):
                        yield _cell(text), where
                if not block[1]:
                    yield block[2], FIXED

    def missing(self, have: frozenset[int]) -> dict[str, list[Where]]:
        """The characters drawn that the font lacks, each with where it comes from (no repeats)."""
        out: dict[str, list[Where]] = {}
        for text, where in self.drawn():
            for ch in text:
                if ord(ch) not in have:
                    wheres = out.setdefault(ch, [])
                    if where not in wheres:
                        wheres.append(where)
        return out

    def charset(self) -> str:
        """The characters to subset the font to: every one drawn, and the hyphen fpdf2 draws for a
        soft hyphen (U+00AD) where it breaks a line."""
        return "".join(sorted({ch for text, _ in self.drawn() for ch in text} | {"-"}))


def plan_report(sections: Sequence[ClientSection], head: "Checkpoint", checkpoint_id: int, verifier: "Verifier",
                exported_at: datetime) -> Plan:
    from ledger.bundle import cover
    from ledger.clock import event_time

    plan = Plan()
    plan.page()
    plan.heading("质量信用检查导出报告", 18)
    # The facts verify-bundle reads back and checks against the checkpoint and the manifest (cover.py).
    facts: list[tuple[str, Where]] = [
        (f"导出时间：{event_time(exported_at)}（北京时间）", FIXED),
        (cover.origin_line(head.origin), ("账本来源（origin）", "the ledger origin")),
        (cover.checkpoint_line(checkpoint_id, head.size), FIXED),
        (cover.root_line(head.root), FIXED),
        (f"签名公钥：{verifier.encode()}", ("签名公钥中的密钥名称", "the key name in the signing public key")),
        (cover.totals_line(len(sections), sum(len(s.events) for s in sections)), FIXED),
    ]
    for line, where in facts:
        plan.para(line, 10, where)
    plan.gap(3)
    for s in sections:
        plan.para(cover.client_line(s.uscc, len(s.events), s.name), 10, s.where("组织名称（封面）", "name, on the cover"))
    plan.gap(3)
    plan.para(cover.END + "。附件 events.jsonl 即检查包中的同名文件：每行是一个事件在审计记录默克尔树中的叶数据，"
              "可逐行重新计算叶哈希；proofs.jsonl 给出每个事件对检查点根哈希的包含证明，checkpoint.txt 由本机构私钥签名。"
              "本报告由同一密钥签名（PAdES），封面所列的来源、检查点、根哈希和各组织的事件数须与检查包一致。"
              "检查人员可在不接触数据库的情况下运行 certledger verify-bundle 目录 进行核验（方法见 docs/inspection-bundle.md）。"
              "报告正文是对这些数据的呈现，其可信性来自附件与已签名检查点的一致。", 10, FIXED)

    for s in sections:
        plan.page()
        plan.heading(f"{s.name}（{s.uscc}）", 15, s.where("组织名称", "name"))
        plan.heading("一、组织信息", 12)
        for k, v in s.identity:
            plan.para(f"{k}：{v}", 9.5, s.where(k, IDENTITY_EN.get(k, k)))
        plan.gap(2)
        plan.heading("二、证书状态与历史", 12)
        for line in s.certificate:
            plan.para(line, 9.5, s.where("证书状态与历史", "certificate status and history"))
        plan.gap(2)
        plan.heading("三、等级说明", 12)
        plan.para(s.explanation, 8.5, s.where("等级说明", "grade explanation"))
        plan.gap(2)
        plan.heading("四、事件历史", 12)
        rows = [(row, tuple(s.where(f"事件历史（位置 {row[0]}）的{h}", f"event history, position {row[0]}, {en}")
                            for h, en in zip(HEADER, HEADER_EN))) for row in s.events]
        plan.table(rows, "（无已导出的事件）")
    return plan


def _render(pdf: Any, plan: Plan) -> None:
    from fpdf.enums import XPos, YPos

    def heading(text: str, size: float) -> None:
        pdf.set_font(FONT, size=size)
        pdf.multi_cell(0, size * 0.55, _clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)

    def para(text: str, size: float) -> None:
        # One cell per line that fits (fpdf2's line breaking is slow on long texts), a wrapped
        # multi_cell only for the lines that do not.
        pdf.set_font(FONT, size=size)
        h = size * 0.5
        for line in _clean(text).split("\n"):
            if pdf.get_string_width(line) <= pdf.epw:
                pdf.cell(0, h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:
                pdf.multi_cell(0, h, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(rows: list[tuple[tuple[str, ...], Any]], empty: str) -> None:
        pdf.set_font(FONT, size=8)
        row_h = 4.6

        def table_header() -> None:
            pdf.set_fill_color(230, 230, 230)
            for w, h in zip(WIDTHS, HEADER):
                pdf.cell(w, row_h, h, border=1, fill=True)
            pdf.ln(row_h)

        table_header()
        for row, _ in rows:
            if pdf.will_page_break(row_h):
                pdf.add_page()
                pdf.set_font(FONT, size=8)
                table_header()
            for w, text in zip(WIDTHS, row):
                text = _cell(text)
                while text and pdf.get_string_width(text) > w - 2:
                    text = text[:-1]
                pdf.cell(w, row_h, text, border=1)
            pdf.ln(row_h)
        if not rows:
            para(empty, 8)

    for block in plan.blocks:
        kind = block[0]
        if kind == "page":
            pdf.add_page()
        elif kind == "heading":
            heading(block[1], block[2])
        elif kind == "para":
            para(block[1], block[2])
        elif kind == "gap":
            pdf.ln(block[1])
        elif kind == "table":
            table(block[1], block[2])
        else:  # pragma: no cover
            raise ValueError(kind)


def _fpdf_missing(pdf: Any) -> list[int]:
    """The code points fpdf2 was asked to draw and found no glyph for."""
    return sorted({cp for f in pdf.fonts.values() for cp in getattr(f, "missing_glyphs", None) or []})


class _QuietMissingGlyphs(logging.Filter):
    """Drops fpdf2's 'missing the following glyphs' warning: the export is refused instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing the following glyphs" not in str(record.msg)


def check_report(sections: Sequence[ClientSection], head: "Checkpoint", checkpoint_id: int, verifier: "Verifier",
                 exported_at: datetime) -> Plan:
    """The report's plan; refuses (RuleViolation) if it draws a character the font has no glyph for."""
    plan = plan_report(sections, head, checkpoint_id, verifier, exported_at)
    missing = plan.missing(font_codepoints())
    if missing:
        raise missing_glyphs_refusal(missing)
    return plan


def build_report(sections: Sequence[ClientSection], head: "Checkpoint", checkpoint_id: int, verifier: "Verifier",
                 exported_at: datetime, events_jsonl: bytes, signer: "Signer") -> bytes:
    """The report as PDF/A-3b bytes, with ``events_jsonl`` attached (AFRelationship /Data), signed
    by ``signer`` (PAdES, ledger/bundle/pdfsign.py), whose public key must be ``verifier``.

    Refuses (RuleViolation) if the report would draw a character the font has no glyph for, or if
    the signing key is not the public key the bundle carries."""
    from fpdf import FPDF

    from ledger.bundle.pdfsign import sign_pdf

    if signer.verifier != verifier:
        raise RuleViolation(
            RULE,
            f"签名私钥 {signer.name}（{signer.verifier.key_id.hex()}）与检查包附带的公钥 {verifier.name}（{verifier.key_id.hex()}）"
            "不是一对：报告须由检查点的密钥签名，拒绝导出，未写入任何文件。请用 --key 给出与该公钥对应的私钥。",
            f"The signing key {signer.name} ({signer.verifier.key_id.hex()}) is not the private half of the bundled public "
            f"key {verifier.name} ({verifier.key_id.hex()}): the report must be signed with the checkpoint's key; the export "
            "is refused and nothing is written. Name the matching private key with --key.")
    plan = check_report(sections, head, checkpoint_id, verifier, exported_at)
    ttf = truetype_subset(plan.charset())

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
            pdf.cell(0, 5, FOOTER.format(page=pdf.page_no()), align="C")

        pdf.footer = footer  # type: ignore[method-assign]
        _render(pdf, plan)
        pdf.embed_file(basename=ATTACHMENT, bytes=events_jsonl, desc="导出的事件：审计记录默克尔树的叶数据（规范 JSON Lines）",
                       mime_type="application/jsonl", associated_file_relationship="Data",
                       modification_date=exported_at)
        # fpdf2 only logs a glyph it cannot find: refuse instead. The plan's check above makes this
        # a safety net (the last page's footer and the page count are drawn by output() itself).
        if _fpdf_missing(pdf):
            raise missing_glyphs_refusal({chr(cp): [FIXED] for cp in _fpdf_missing(pdf)}, in_subset=True)
        quiet = _QuietMissingGlyphs()
        logger = logging.getLogger("fpdf.output")
        logger.addFilter(quiet)
        try:
            data = bytes(pdf.output())
        finally:
            logger.removeFilter(quiet)
        if _fpdf_missing(pdf):
            raise missing_glyphs_refusal({chr(cp): [FIXED] for cp in _fpdf_missing(pdf)}, in_subset=True)
    return sign_pdf(data, signer, exported_at)
