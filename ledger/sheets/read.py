"""A filled score sheet read back: the workbook's cells with python-calamine, and what calamine does
not tell — formulas — from the sheet's XML (an .xlsx is a zip of XML parts: a cell with a formula has
an ``<f>`` element; merged ranges are ``<mergeCell ref=...>``, read the same way so that one pass over
the XML answers both). Structure only: sheet names, the metadata sheet, the header row, the item
column, merged cells and formulas. The values are checked by the rules (load.py)."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ledger.sheets import layout as L

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass(frozen=True)
class CellError:
    sheet: str | None
    cell: str | None
    rule: str
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def where(self, file: str) -> str:
        return "!".join(x for x in (file, self.sheet, self.cell) if x)

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "rule": self.rule, "message_zh": self.message_zh, "message_en": self.message_en}


@dataclass
class Workbook:
    path: Path
    sha256: str
    meta: dict[str, str] = field(default_factory=dict)
    grid: list[list[Any]] = field(default_factory=list)   # the score sheet's cells, 0-based
    errors: list[CellError] = field(default_factory=list)

    def value(self, row: int, col: int) -> Any:
        if row < len(self.grid) and col < len(self.grid[row]):
            x = self.grid[row][col]
            return None if x == "" else x
        return None


def error(sheet: str | None, cell: str | None, zh: str, en: str, rule: str = L.RULE) -> CellError:
    return CellError(sheet, cell, rule, zh, en)


def index_of(ref: str) -> tuple[int, int]:
    m = _REF.match(ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part in the zip."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL_NS}Relationship")}
    out = {}
    for s in book.iter(f"{MAIN_NS}sheet"):
        target = targets.get(s.get(f"{REL_NS}id"), "")
        out[s.get("name", "")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return out


def formulas_and_merges(z: zipfile.ZipFile, part: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The cells holding a formula (reference, formula text) and the merged ranges of a sheet part."""
    formulas: list[tuple[str, str]] = []
    merges: list[str] = []
    with z.open(part) as fh:
        for _, el in ElementTree.iterparse(fh):
            if el.tag == f"{MAIN_NS}c":
                f = el.find(f"{MAIN_NS}f")
                if f is not None:
                    formulas.append((el.get("r", ""), f.text or ""))
                el.clear()
            elif el.tag == f"{MAIN_NS}mergeCell":
                merges.append(el.get("ref", ""))
    return formulas, merges


def open_workbook(path: str | Path) -> Workbook:
    """Read the workbook; structural errors are collected in ``errors`` (nothing raised for them)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    data = path.read_bytes()
    book = Workbook(path, hashlib.sha256(data).hexdigest())
    not_xlsx = error(None, None, "不是 Excel 工作簿（.xlsx）：请用 certledger sheet template 生成的模板填写并保存为 .xlsx。",
                     "Not an Excel workbook (.xlsx): fill the template written by certledger sheet template and save it as .xlsx.")
    try:
        z = zipfile.ZipFile(path)
        parts = _sheet_parts(z)
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - a zip, XML or calamine error: not an xlsx, whatever the cause
        book.errors.append(not_xlsx)
        return book
    with z:
        names = list(wb.sheet_names)
        if L.META not in names:
            book.errors.append(error(names[0] if names else None, "A1",
                                     f"没有 {L.META} 工作表：这不是 certledger 的评分表模板（或其工作表被删除、改名）；请用 certledger sheet template 重新生成。",
                                     f"No '{L.META}' sheet: this is not a certledger score sheet template (or a sheet was deleted or "
                                     "renamed); write a new one with certledger sheet template."))
            return book
        for row in wb.get_sheet_by_name(L.META).to_python():
            if len(row) >= 2 and str(row[0]).strip():
                book.meta[str(row[0]).strip()] = str(row[1]).strip()
        if L.SHEET not in names:
            other = next((n for n in names if n != L.META), None)
            book.errors.append(error(other, "A1",
                                     f"评分表工作表应命名为“{L.SHEET}”，本工作簿中为：{'、'.join(names)}；请恢复工作表名称。",
                                     f"The score sheet must be named '{L.SHEET}'; this workbook has: {', '.join(names)}; restore the sheet's name."))
            return book
        extra = [n for n in names if n not in (L.SHEET, L.META)]
        for n in extra:
            book.errors.append(error(n, "A1", f"评分表模板只有“{L.SHEET}”一个工作表，多出了“{n}”；请删除它，或把内容填入“{L.SHEET}”。",
                                     f"A score sheet has only the sheet '{L.SHEET}'; remove the extra sheet '{n}' or move its content there."))
        book.grid = wb.get_sheet_by_name(L.SHEET).to_python(skip_empty_area=False)
        formulas, merges = formulas_and_merges(z, parts.get(L.SHEET, ""))
    for ref, text in formulas:
        book.errors.append(error(L.SHEET, ref, f"单元格含公式（={text[:60]}）：评分表只接受录入的数值，请改为直接填写数值。",
                                 f"The cell holds a formula (={text[:60]}): a score sheet takes typed values only; type the value itself."))
    for ref in merges:
        first = ref.split(":")[0]
        book.errors.append(error(L.SHEET, first, f"合并单元格 {ref}：评分表每格对应一个指标的一个数值，请取消合并。",
                                 f"Merged cells {ref}: each cell of a score sheet is one value of one item; unmerge them."))
    return book


def lines_of(meta: dict[str, str]) -> list[str]:
    try:
        lines = json.loads(meta.get("lines") or "[]")
    except json.JSONDecodeError:
        return []
    return [str(x) for x in lines] if isinstance(lines, list) else []


def check_layout(book: Workbook, lay: L.Layout) -> list[CellError]:
    """The header row and the item column as the layout has them (a moved header, column or row
    would put a value under another item)."""
    errors = []
    for col in lay.columns:
        found = book.value(L.HEADER_ROW, col.index)
        if str(found or "").strip() != col.header:
            errors.append(error(L.SHEET, L.cell_name(L.HEADER_ROW, col.index),
                                f"表头应为“{col.header}”，实为“{found or ''}”：表头和列的位置不能改动；请用模板重新填写。",
                                f"The header should read '{col.header}', found '{found or ''}': headers and columns stay where the "
                                "template put them; fill a fresh template."))
    width = len(lay.columns)
    for r in (L.HEADER_ROW,):
        row = book.grid[r] if r < len(book.grid) else []
        for c in range(width, len(row)):
            if row[c] not in ("", None):
                errors.append(error(L.SHEET, L.cell_name(r, c), f"表头之外多出一列“{row[c]}”；请删除该列。",
                                    f"An extra column '{row[c]}' beyond the template's headers; remove it."))
    for n, row in enumerate(lay.rows):
        r = L.FIRST_ROW + n
        found = book.value(r, 0)
        if str(found or "").strip() != row.id:
            errors.append(error(L.SHEET, L.cell_name(r, 0), f"第 {r + 1} 行应为指标 {row.id}，实为“{found or ''}”：行的顺序不能改动。",
                                f"Row {r + 1} should be item {row.id}, found '{found or ''}': rows stay in the template's order."))
    for r in range(L.FIRST_ROW + len(lay.rows), len(book.grid)):
        for c, x in enumerate(book.grid[r]):
            if x not in ("", None):
                errors.append(error(L.SHEET, L.cell_name(r, c), f"模板的指标行之后多出内容“{str(x)[:30]}”；请删除。",
                                    f"Content '{str(x)[:30]}' below the template's item rows; remove it."))
                break
    return errors
