"""Where everything is on a score sheet: one layout, built from the scheme file and the business
lines, used by the writer (``write.py``) and by the reader (``read.py``, ``load.py``) alike.

The workbook has two sheets: ``评分表`` (the table, laid out like the rulebook's: item, clause,
title, points, how it is scored, then the input columns, the exclusion reason and a note) and a
hidden ``certledger`` sheet naming the format, the scheme id and version, the language, and, for
a client's audit, the client, the audit and the business lines that have columns.

Input columns come in blocks: one block when the client declared at most one business line (or
the scheme scores nothing per line), else a block for the organisation as a whole (prerequisites,
items of parts not scored per line), if any row needs it, and one block per declared line
(004 §4.18.2). A block has one column per value key of the rules its rows use (``KEYS``): a
row's value is the keys it fills in that block, e.g. 001's ``percent-or-deduction`` takes the
percent, or the conformity, or the samples and nonconforming samples. Which keys a rule's value
has is the rule's own (ledger/rules/scoring/rules.py); the sheet only says which columns carry
them and how a cell is read (``cell_value``) and written (``cell_text``). Every value is then
checked by the rule itself, as a ``score enter`` would check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aggregates.errors import RuleViolation
from ledger.rules.scoring.rules import describe_condition_rule, describe_rule

FORMAT = "certledger-score-sheet/1"
SHEET = "评分表"
META = "certledger"
TITLE_ROW = 0          # rows and columns are 0-based here; A1 names are built by ``cell_name``
INFO_ROW = 1
HINT_ROW = 2
HEADER_ROW = 3
FIRST_ROW = 4
FIXED = ("item", "clause", "title", "max", "how")
RULE = "ledger: score sheet (docs/sheets.md)"

# value key -> (kind, Chinese label, English label). Kinds: decimal, whole, bool, list, counts, dates.
KEYS: dict[str, tuple[str, str, str]] = {
    "percent": ("decimal", "评分比例（%）", "Percent"),
    "points": ("decimal", "得分", "Points"),
    "conforms": ("bool", "符合性", "Conforms"),
    "samples": ("whole", "样本数", "Samples"),
    "nonconforming": ("whole", "不符合样本数", "Nonconforming samples"),
    "likert": ("whole", "答案（1–5）", "Answer (1-5)"),
    "alpha": ("decimal", "α", "Alpha"),
    "level": ("whole", "成熟度等级", "Maturity level"),
    "met": ("bool", "是否满足", "Met"),
    "count": ("whole", "数量", "Count"),
    "awards": ("list", "级别（多项用“、”分隔）", "Levels (separate with ,)"),
    "counts": ("counts", "类别=数量（用“；”分隔）", "kind=count (separate with ;)"),
    "value": ("decimal", "数值", "Value"),
    "occurrences": ("dates", "发生日期（无则填“无”）", "Dates (none: 无)"),
}
# rule -> the shapes of its value (the keys of each), as ledger/rules/scoring/rules.py checks them
SHAPES: dict[str, tuple[tuple[str, ...], ...]] = {
    "banded-percent": (("percent",),),
    "percent-or-deduction": (("percent",), ("conforms",), ("samples", "nonconforming")),
    "likert-alpha": (("likert", "alpha"),),
    "maturity-level": (("level",),),
    "check": (("met",),),
    "base-plus-increment": (("count",),),
    "highest-of": (("awards",),),
    "cumulative-capped": (("counts",),),
    "points-range": (("points",),),
    "attest": (("met",),),
    "threshold": (("value",),),
    "lookback": (("occurrences",),),
}
TRUE = {"符合": True, "是": True, "满足": True, "true": True, "yes": True, "y": True, "conforms": True, "met": True,
        "不符合": False, "否": False, "不满足": False, "false": False, "no": False, "n": False, "does not conform": False, "not met": False}
BOOL_WORDS = {"conforms": (("符合", "不符合"), ("conforms", "does not conform")), "met": (("是", "否"), ("yes", "no"))}
NONE_WORDS = ("无", "none")
_SPLIT = re.compile(r"[、,，;；\n]+")

LABELS = {
    "item": ("指标", "Item"), "clause": ("条款", "Clause"), "title": ("名称", "Title"), "max": ("分值", "Points"),
    "how": ("评分方法", "How it is scored"), "exclusion": ("删减理由", "Exclusion reason"), "note": ("备注", "Note"),
}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key] if key in LABELS else KEYS[key][1:]
    return en if lang == "en" else zh


@dataclass(frozen=True)
class Row:
    target: Any                # an Item or a Condition of the scheme
    per_line: bool             # scored once per business line (004 §4.18.2)
    keys: tuple[str, ...]      # the value keys of its rule, in KEYS order

    @property
    def id(self) -> str:
        return self.target.id


@dataclass(frozen=True)
class Column:
    index: int
    key: str                   # a fixed column's name, a value key, "exclusion" or "note"
    block: int | None = None   # the value block it belongs to
    header: str = ""


@dataclass(frozen=True)
class Block:
    line: str | None           # the business line, None for the organisation as a whole
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Layout:
    scheme: Any
    lines: tuple[str, ...]
    lang: str
    rows: tuple[Row, ...]
    blocks: tuple[Block, ...]
    columns: tuple[Column, ...]

    @property
    def exclusion(self) -> Column:
        return next(c for c in self.columns if c.key == "exclusion")

    @property
    def note(self) -> Column:
        return next(c for c in self.columns if c.key == "note")

    def in_block(self, row: Row, block: Block) -> bool:
        return row.per_line == (block.line is not None) or not self.lines

    def cells(self, row: Row, block: Block) -> list[Column]:
        """The input cells of a row in a block (none when the row is not scored in that block)."""
        if not self.in_block(row, block):
            return []
        return [c for c in block.columns if c.key in row.keys]

    def how(self, row: Row) -> str:
        """The rule as the rulebook states it (the rule's own summary) and what to type in the cells."""
        t = row.target
        described = describe_rule(self.scheme, t.rule) if t.kind == "item" else describe_condition_rule(t)
        summary = described["summary_en" if self.lang == "en" else "summary_zh"]
        shapes = SHAPES[t.rule]
        if self.lang == "en":
            fill = " or ".join(" + ".join(KEYS[k][2] for k in s) for s in shapes)
            extra = f"; mandatory: 0 or {t.points} only" if getattr(t, "mandatory", False) else ""
            return f"{summary}\nFill in: {fill}{extra}."
        fill = "，或 ".join(" + ".join(KEYS[k][1] for k in s) for s in shapes)
        extra = f"；必须满足项：只能 0 或 {t.points}" if getattr(t, "mandatory", False) else ""
        return f"{summary}\n填写：{fill}{extra}。"


def refuse(zh: str, en: str, rule: str = RULE) -> RuleViolation:
    return RuleViolation(rule, zh, en)


def per_line_parts(scheme: Any) -> set[str]:
    return {p.id for p in scheme.parts if p.facet_from == "business_lines"}


def build(scheme: Any, lines: list[str] | tuple[str, ...] = (), lang: str = "zh") -> Layout:
    """The layout of a scheme's sheet with the given business lines (none, or two or more)."""
    for part in scheme.parts:
        if part.facet == "required" and part.facet_from != "business_lines":
            raise refuse(
                f"方案 {scheme.id} 的“{part.name_zh}”按{part.facet_name_zh or '测评对象'}分别评分，评分表暂不支持；请用 certledger import（JSON Lines，每行一条 score enter，注明 facet）。",
                f"Scheme {scheme.id}'s part '{part.name_en}' is scored per {part.facet_name_en or 'respondent'}, which score sheets do "
                "not support yet; use certledger import (JSON Lines, one score enter per line with its facet).")
    lines = tuple(lines) if len(lines) >= 2 else ()
    line_parts = per_line_parts(scheme)
    rows: list[Row] = []
    for target in (*scheme.items, *scheme.conditions):
        wanted = {k for s in SHAPES[target.rule] for k in s}
        keys = tuple(k for k in KEYS if k in wanted)
        rows.append(Row(target, bool(lines) and target.kind == "item" and target.part in line_parts, keys))
    columns: list[Column] = [Column(i, k, None, label(k, lang)) for i, k in enumerate(FIXED)]
    blocks: list[Block] = []
    for line in ((None, *lines) if lines else (None,)):
        used = [r for r in rows if (r.per_line == (line is not None)) or not lines]
        if not used:
            continue
        keys = [k for k in KEYS if any(k in r.keys for r in used)]
        cols = []
        for k in keys:
            header = label(k, lang) if line is None else f"{label(k, lang)}［{line}］"
            cols.append(Column(len(columns), k, len(blocks), header))
            columns.append(cols[-1])
        blocks.append(Block(line, tuple(cols)))
    for k in ("exclusion", "note"):
        columns.append(Column(len(columns), k, None, label(k, lang)))
    return Layout(scheme, lines, lang, tuple(rows), tuple(blocks), tuple(columns))


def column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_name(row: int, col: int) -> str:
    return f"{column_name(col)}{row + 1}"


# ------------------------------------------------------------------------------ cells and values

def is_empty(x: Any) -> bool:
    return x is None or (isinstance(x, str) and not x.strip())


def _number(x: Any) -> Any:
    """A number cell as an exact decimal (a float by its shortest text, as the scoring rules read
    it); text is left to the rule, which names what it expected."""
    if isinstance(x, bool):
        return x
    if isinstance(x, float):  # calamine reads every number cell as a float: 85 comes back 85.0
        return Decimal(int(x)) if x.is_integer() else Decimal(repr(x))
    if isinstance(x, int):
        return Decimal(x)
    return x.strip() if isinstance(x, str) else x


def cell_value(key: str, x: Any) -> Any:
    """What a filled cell gives the rule for ``key``: the rule checks it (a wrong word stays text,
    and the rule names the value it expected)."""
    kind = KEYS[key][0]
    if kind in ("decimal", "whole"):
        return _number(x)
    if kind == "bool":
        if isinstance(x, bool):
            return x
        return TRUE.get(str(x).strip().lower(), str(x).strip())
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        x = str(int(x)) if float(x).is_integer() else repr(x)
    if kind == "dates":
        if isinstance(x, (date, datetime)):
            return [x.date().isoformat() if isinstance(x, datetime) else x.isoformat()]
        text = str(x).strip()
        return [] if text.lower() in NONE_WORDS else [p.strip() for p in _SPLIT.split(text) if p.strip()]
    text = str(x).strip()
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    if kind == "list":
        return [] if text.lower() in NONE_WORDS else parts
    counts: dict[str, Any] = {}
    for p in parts:  # counts: kind=n
        name, eq, n = p.replace("＝", "=").partition("=")
        if not eq:
            return text  # the rule says it wants {kind: n}
        counts[name.strip()] = _number(n)
    return counts


def cell_text(key: str, value: Any, lang: str) -> Any:
    """A standing value as the template pre-fills it (the inverse of ``cell_value``)."""
    kind = KEYS[key][0]
    if kind in ("decimal", "whole"):
        d = Decimal(str(value))
        return int(d) if d == d.to_integral_value() else float(d)
    if kind == "bool":
        yes, no = BOOL_WORDS[key][1 if lang == "en" else 0]
        return yes if value else no
    if kind in ("list", "dates"):
        return "、".join(str(v) for v in value) if value else NONE_WORDS[0]
    return "；".join(f"{k}={v}" for k, v in value.items())
