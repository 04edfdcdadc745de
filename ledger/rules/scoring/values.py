"""The value types of the scoring engine: exact numbers, intervals with explicit boundary
semantics, grade bands, and a score entry. The bottom of the engine: imports nothing of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


def to_decimal(x: Any) -> Decimal:
    """TOML numbers (int or float) to Decimal through their shortest text."""
    if isinstance(x, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


def fmt(x: Decimal) -> str:
    """A Decimal as plain text, without exponent or needless trailing zeros (any size)."""
    text = format(x, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


@dataclass(frozen=True)
class Range:
    """An interval with explicit boundary semantics; None is unbounded."""
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool

    def contains(self, x: Decimal) -> bool:
        if self.lower is not None:
            if x < self.lower or (x == self.lower and not self.lower_inclusive):
                return False
        if self.upper is not None:
            if x > self.upper or (x == self.upper and not self.upper_inclusive):
                return False
        return True

    def text(self, symbol: str = "X") -> str:
        left = "" if self.lower is None else f"{fmt(self.lower)} {'≤' if self.lower_inclusive else '<'} "
        right = "" if self.upper is None else f" {'≤' if self.upper_inclusive else '<'} {fmt(self.upper)}"
        return f"{left}{symbol}{right}"

    def semantics(self) -> str:
        lo = "lower-inclusive" if self.lower_inclusive else "lower-exclusive"
        up = "upper-inclusive" if self.upper_inclusive else "upper-exclusive"
        return f"{lo}, {up}"

    def semantics_zh(self) -> str:
        lo = "含下限" if self.lower_inclusive else "不含下限"
        up = "含上限" if self.upper_inclusive else "不含上限"
        if self.lower is None:
            lo = "无下限"
        if self.upper is None:
            up = "无上限"
        return f"{lo}、{up}"

    def to_dict(self) -> dict:
        return {"lower": None if self.lower is None else fmt(self.lower), "lower_inclusive": self.lower_inclusive,
                "upper": None if self.upper is None else fmt(self.upper), "upper_inclusive": self.upper_inclusive}


def range_from(d: dict) -> Range:
    return Range(
        lower=None if d.get("lower") is None else to_decimal(d["lower"]),
        lower_inclusive=bool(d.get("lower_inclusive", True)),
        upper=None if d.get("upper") is None else to_decimal(d["upper"]),
        upper_inclusive=bool(d.get("upper_inclusive", False)),
    )


@dataclass(frozen=True)
class Band:
    """A grade band, a maturity level, an answer band or a percentage band."""
    range: Range
    name_zh: str
    name_en: str
    code: str | None = None
    level: int | None = None
    clause: str | None = None
    source: str = "document"
    requires_part: str | None = None
    requires_min_level: int | None = None
    text_zh: str | None = None
    grants: bool = True  # False for a band the document names but that is not a pass (004 §4.19 不达标级)

    def contains(self, x: Decimal) -> bool:
        return self.range.contains(x)

    def describe(self, symbol: str = "X") -> str:
        head = f"{self.code} " if self.code and self.code not in self.name_zh else ""
        extra = f"; {self.clause}" if self.clause else ""
        if self.source != "document":
            extra += f"; source: {self.source}"
        req = ""
        if self.requires_part:
            req = f", {self.requires_part} level ≥ {self.requires_min_level}"
        return f"{head}{self.name_zh}: {self.range.text(symbol)}{req} [{self.range.semantics()}{extra}]"

    def to_dict(self, symbol: str = "X") -> dict:
        """The band as data, with its boundary semantics spelled out in both languages."""
        return {"code": self.code, "level": self.level, "name_zh": self.name_zh, "name_en": self.name_en,
                **self.range.to_dict(), "range": self.range.text(symbol),
                "semantics_zh": self.range.semantics_zh(), "semantics_en": self.range.semantics(),
                "clause": self.clause, "source": self.source, "requires_part": self.requires_part,
                "requires_min_level": self.requires_min_level, "text_zh": self.text_zh,
                "describe": self.describe(symbol)}


def band_from(d: dict) -> Band:
    return Band(range=range_from(d), name_zh=d["name_zh"], name_en=d.get("name_en", d["name_zh"]),
                code=d.get("code"), level=d.get("level", d.get("likert")), clause=d.get("clause"),
                source=d.get("source", "document"), requires_part=d.get("requires_part"),
                requires_min_level=d.get("requires_min_level"), text_zh=d.get("text_zh"),
                grants=bool(d.get("grants", True)))


@dataclass(frozen=True)
class Entry:
    """One score entry: an item (or condition) id, an optional facet, a normalised value."""
    item: str
    facet: str | None
    value: dict

    def to_dict(self) -> dict:
        return {"item": self.item, "facet": self.facet, "value": jsonable(self.value)}


_PLAIN = frozenset({str, int, bool, float, type(None)})


def jsonable(x):
    """Decimals as exact text, dates as ISO text, containers walked; everything else as it is."""
    kind = type(x)
    if kind in _PLAIN:  # most leaves: answered before any isinstance check
        return x
    if kind is dict:
        return {k: v if type(v) in _PLAIN else jsonable(v) for k, v in x.items()}
    if isinstance(x, Decimal):
        return format(x, "f")
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if hasattr(x, "to_dict"):
        return x.to_dict()
    return x
