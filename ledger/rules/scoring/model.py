"""The scheme as data: dataclasses built from one TOML file, checked on load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .errors import ScoringError
from .rules import CONDITION_RULES, RULES, describe_condition_rule, describe_rule, validate_entry, validate_exclusion
from .values import Band, band_from, fmt, to_decimal


@dataclass(frozen=True)
class Group:
    id: str
    name_zh: str
    name_en: str
    points: Decimal
    part: str
    parent: str | None = None
    label: str | None = None
    clause: str | None = None


@dataclass(frozen=True)
class Part:
    id: str
    name_zh: str
    name_en: str
    points: Decimal
    in_total: bool
    facet: str                  # "none" | "optional" | "required"
    aggregate: str              # "sum-of-item-means" | "mean-of-facet-totals"
    clause: str | None = None
    facet_name_zh: str | None = None
    facet_name_en: str | None = None
    levels: tuple[Band, ...] = ()
    facet_from: str | None = None  # "business_lines": the facet names one of the client's declared business lines

    def level_of(self, total: Decimal) -> Band | None:
        return next((b for b in self.levels if b.contains(total)), None)


@dataclass(frozen=True)
class Item:
    """A scored leaf indicator."""
    id: str
    name_zh: str
    name_en: str
    points: Decimal
    rule: str
    excludable: bool
    mandatory: bool
    group: str
    part: str
    path: tuple[str, ...]          # group ids, outermost first
    path_zh: tuple[str, ...]       # group names, outermost first
    label: str | None = None
    clause: str | None = None
    text_zh: str | None = None
    params: dict = field(default_factory=dict, compare=False, hash=False)

    kind = "item"


@dataclass(frozen=True)
class Condition:
    """A prerequisite, requirement or veto: recorded, not scored."""
    id: str
    kind: str                      # "prerequisite" | "requirement" | "veto"
    rule: str                      # "attest" | "lookback" | "threshold"
    name_zh: str
    name_en: str
    clause: str | None = None
    label: str | None = None
    text_zh: str | None = None
    years: int | None = None
    minimum: Decimal | None = None
    unit_zh: str | None = None
    unit_en: str | None = None
    context_key: str | None = None

    excludable = False
    mandatory = False
    points = Decimal(0)
    path_zh: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    id: str
    zh: str
    en: str
    clause: str | None = None
    in_evaluation: bool = False

    def to_dict(self) -> dict:
        return {"id": self.id, "clause": self.clause, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Grading:
    measure: str                   # "total" | "percent" | "part:<id>"
    clause: str | None
    source: str                    # "document" | "configured" | "none"
    when_requirement_unmet: str    # "no-grade" | "next-lower-band"
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Scheme:
    id: str
    version: str
    effective_from: date
    document_number: str
    issuer_zh: str
    issuer_en: str
    title_zh: str
    title_en: str
    source_document: str
    max_total: Decimal
    quantum: Decimal
    rounding: str
    parts: tuple[Part, ...]
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    conditions: tuple[Condition, ...]
    rules: dict = field(compare=False, hash=False, repr=False)
    grading: Grading = None
    notes: tuple[Note, ...] = ()
    path: Path | None = field(default=None, compare=False)
    versions: tuple[str, ...] = ()
    # Look-ups computed once per scheme object (the scheme is immutable): resolved references,
    # parsed bands. Never part of equality or of the scheme's description.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    # -- look-ups ---------------------------------------------------------------------------

    @property
    def doc(self) -> str:
        """The seed document's number ("000".."004") for error clauses."""
        return self.source_document[:3]

    def clause(self, text: str | None) -> str:
        return f"{self.doc} {text}" if text else self.doc

    def part(self, part_id: str) -> Part:
        key = ("part", part_id)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = next(p for p in self.parts if p.id == part_id)
        return found

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def condition(self, cond_id: str) -> Condition:
        return next(c for c in self.conditions if c.id == cond_id)

    def resolve_item(self, ref: str) -> Item | Condition:
        """By id, the document's label, exact Chinese name, or "group name/item name"."""
        key = ("resolve", ref)
        found = self.memo.get(key)
        if found is None:  # only successful resolutions are kept; a bad reference raises each time
            from .resolve import resolve
            found = self.memo[key] = resolve(self, ref)
        return found

    def validate_entry(self, item_ref: str, facet: str | None, value: dict):
        return validate_entry(self, item_ref, facet, value)

    def validate_exclusion(self, item_ref: str, reason: str) -> str:
        return validate_exclusion(self, item_ref, reason)

    def summary(self) -> dict:
        return {"id": self.id, "version": self.version, "versions": list(self.versions),
                "effective_from": self.effective_from.isoformat(), "title_zh": self.title_zh,
                "title_en": self.title_en, "issuer_zh": self.issuer_zh, "issuer_en": self.issuer_en,
                "document_number": self.document_number, "source_document": self.source_document,
                "max_total": fmt(self.max_total), "items": len(self.items),
                "conditions": len(self.conditions)}

    def describe(self) -> dict:
        """The whole scheme as JSON-shaped data: parts, the indicator tree (groups and items with the
        document's numbering), the rules, conditions, grade bands with their boundary semantics and
        source, and the notes on ambiguities. For ``certledger schemes show``."""
        def item_node(i: Item) -> dict:
            params = {k: v for k, v in i.params.items()}
            return {"type": "item", "id": i.id, "label": i.label, "name_zh": i.name_zh, "name_en": i.name_en,
                    "points": fmt(i.points), "rule": i.rule, "excludable": i.excludable, "mandatory": i.mandatory,
                    "clause": i.clause, "text_zh": i.text_zh, "params": params}

        def group_node(g: Group) -> dict:
            children = [group_node(c) for c in self.groups if c.parent == g.id]
            children += [item_node(i) for i in self.items if i.group == g.id]
            return {"type": "group", "id": g.id, "label": g.label, "name_zh": g.name_zh, "name_en": g.name_en,
                    "points": fmt(g.points), "clause": g.clause, "children": children}

        symbol = "%" if self.grading.measure == "percent" else "X"
        parts = []
        for p in self.parts:
            parts.append({
                "id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "points": fmt(p.points),
                "in_total": p.in_total, "facet": p.facet, "facet_name_zh": p.facet_name_zh,
                "facet_name_en": p.facet_name_en, "aggregate": p.aggregate, "clause": p.clause,
                "levels": [b.to_dict() for b in p.levels],
                "items": sum(1 for i in self.items if i.part == p.id),
                "children": [group_node(g) for g in self.groups if g.part == p.id and g.parent is None]})
        return {
            **self.summary(),
            "computation": {"quantum": str(self.quantum), "rounding": self.rounding},
            "parts": parts,
            "rules": {name: describe_rule(self, name) for name in dict.fromkeys(i.rule for i in self.items)},
            "condition_count": len(self.conditions),
            "conditions": [{"id": c.id, "kind": c.kind, "rule": c.rule, "label": c.label, "name_zh": c.name_zh,
                            "name_en": c.name_en, "clause": c.clause, "text_zh": c.text_zh, "years": c.years,
                            "minimum": None if c.minimum is None else fmt(c.minimum), "unit_zh": c.unit_zh,
                            "unit_en": c.unit_en, "context_key": c.context_key, **describe_condition_rule(c)}
                           for c in self.conditions],
            "grading": {"measure": self.grading.measure, "clause": self.grading.clause,
                        "source": self.grading.source, "when_requirement_unmet": self.grading.when_requirement_unmet,
                        "bands": [b.to_dict(symbol) for b in self.grading.bands]},
            "notes": [{**n.to_dict(), "in_evaluation": n.in_evaluation} for n in self.notes],
        }


# -- parsing -------------------------------------------------------------------------------------

def _invalid(path: Path, message: str) -> ScoringError:
    return ScoringError("invalid-scheme", f"方案文件 {path.name} 有误：{message}",
                        f"scheme file {path.name} is invalid: {message}")


def parse_scheme(path: Path) -> Scheme:
    from ledger.rules import toml_cache

    data = toml_cache.load(path)  # parsed again only when the file changed (D49)
    try:
        scheme = _build(data, path)
    except (KeyError, TypeError, ValueError, StopIteration) as exc:
        raise _invalid(path, f"{type(exc).__name__}: {exc}") from exc
    _check(scheme, path)
    return scheme


def _build(d: dict, path: Path) -> Scheme:
    defaults = d.get("defaults", {})
    parts = tuple(
        Part(id=p["id"], name_zh=p["name_zh"], name_en=p["name_en"], points=to_decimal(p["points"]),
             in_total=bool(p.get("in_total", True)), facet=p.get("facet", "none"),
             aggregate=p.get("aggregate", "sum-of-item-means"), clause=p.get("clause"),
             facet_name_zh=p.get("facet_name_zh"), facet_name_en=p.get("facet_name_en"),
             levels=tuple(band_from(b) for b in p.get("levels", ())), facet_from=p.get("facet_from"))
        for p in d["parts"])
    only_part = parts[0].id if len(parts) == 1 else None
    groups = tuple(
        Group(id=g["id"], name_zh=g["name_zh"], name_en=g.get("name_en", g["name_zh"]),
              points=to_decimal(g["points"]), part=g.get("part", only_part), parent=g.get("parent"),
              label=g.get("label"), clause=g.get("clause"))
        for g in d["groups"])
    by_group = {g.id: g for g in groups}
    for g in groups:
        if g.part is None and g.parent is not None:
            object.__setattr__(g, "part", by_group[g.parent].part)

    def path_of(group_id: str) -> list[Group]:
        chain = []
        while group_id is not None:
            g = by_group[group_id]
            chain.append(g)
            group_id = g.parent
        return chain[::-1]

    known = {"id", "name_zh", "name_en", "points", "rule", "excludable", "mandatory", "group",
             "label", "clause", "text_zh", "part"}
    items = []
    for it in d["items"]:
        chain = path_of(it["group"])
        items.append(Item(
            id=it["id"], name_zh=it["name_zh"], name_en=it.get("name_en", it["name_zh"]),
            points=to_decimal(it["points"]), rule=it.get("rule", defaults.get("rule")),
            excludable=bool(it.get("excludable", defaults.get("excludable", False))),
            mandatory=bool(it.get("mandatory", False)), group=it["group"],
            part=it.get("part", chain[-1].part), path=tuple(g.id for g in chain),
            path_zh=tuple(g.name_zh for g in chain), label=it.get("label"), clause=it.get("clause"),
            text_zh=it.get("text_zh"), params={k: v for k, v in it.items() if k not in known}))
    conditions = tuple(
        Condition(id=c["id"], kind=c["kind"], rule=c["rule"], name_zh=c["name_zh"],
                  name_en=c.get("name_en", c["name_zh"]), clause=c.get("clause"), label=c.get("label"),
                  text_zh=c.get("text_zh"), years=c.get("years"),
                  minimum=None if c.get("minimum") is None else to_decimal(c["minimum"]),
                  unit_zh=c.get("unit_zh"), unit_en=c.get("unit_en"), context_key=c.get("context_key"))
        for c in d.get("conditions", ()))
    g = d.get("grading", {})
    grading = Grading(measure=g.get("measure", "total"), clause=g.get("clause"),
                      source=g.get("source", "none"),
                      when_requirement_unmet=g.get("when_requirement_unmet", "no-grade"),
                      bands=tuple(band_from({**b, "source": b.get("source", g.get("source", "document"))})
                                  for b in g.get("bands", ())))
    comp = d.get("computation", {})
    return Scheme(
        id=d["id"], version=str(d["version"]), effective_from=d["effective_from"],
        document_number=d.get("document_number", ""), issuer_zh=d["issuer_zh"],
        issuer_en=d.get("issuer_en", d["issuer_zh"]), title_zh=d["title_zh"],
        title_en=d.get("title_en", d["title_zh"]), source_document=d["source_document"],
        max_total=to_decimal(d["max_total"]), quantum=Decimal(comp.get("quantum", "0.01")),
        rounding=comp.get("rounding", "ROUND_DOWN"), parts=parts, groups=groups, items=tuple(items),
        conditions=conditions, rules=d.get("rules", {}), grading=grading,
        notes=tuple(Note(id=n["id"], zh=n["zh"], en=n["en"], clause=n.get("clause"),
                         in_evaluation=bool(n.get("in_evaluation", False))) for n in d.get("notes", ())),
        path=path)


def _check(s: Scheme, path: Path) -> None:
    """Transcription checks: sums, unique ids, known rules and parameters."""
    if not isinstance(s.effective_from, date):
        raise _invalid(path, "effective_from must be a TOML date")
    ids = [i.id for i in s.items] + [c.id for c in s.conditions]
    dupes = {x for x in ids if ids.count(x) > 1}
    if dupes:
        raise _invalid(path, f"duplicate ids {sorted(dupes)}")
    for g in s.groups:
        total = sum((i.points for i in s.items if g.id in i.path), Decimal(0))
        if total != g.points:
            raise _invalid(path, f"group {g.id} declares {g.points} points but its items sum to {total}")
    for p in s.parts:
        total = sum((i.points for i in s.items if i.part == p.id), Decimal(0))
        if total != p.points:
            raise _invalid(path, f"part {p.id} declares {p.points} points but its items sum to {total}")
        if p.facet not in ("none", "optional", "required"):
            raise _invalid(path, f"part {p.id}: unknown facet {p.facet!r}")
        if p.facet_from not in (None, "business_lines") or (p.facet_from and p.facet == "none"):
            raise _invalid(path, f"part {p.id}: facet_from must be 'business_lines' on a part that takes a facet")
        if p.aggregate not in ("sum-of-item-means", "mean-of-facet-totals"):
            raise _invalid(path, f"part {p.id}: unknown aggregate {p.aggregate!r}")
    in_total = sum((p.points for p in s.parts if p.in_total), Decimal(0))
    if in_total != s.max_total:
        raise _invalid(path, f"max_total {s.max_total} but the parts counted in the total sum to {in_total}")
    for i in s.items:
        if i.rule not in RULES:
            raise _invalid(path, f"item {i.id}: unknown rule {i.rule!r}")
        if i.mandatory and i.rule != "points-range":
            raise _invalid(path, f"item {i.id}: mandatory needs rule points-range")
        RULES[i.rule].check(s, i)
    for c in s.conditions:
        if c.rule not in CONDITION_RULES or c.kind not in ("prerequisite", "requirement", "veto"):
            raise _invalid(path, f"condition {c.id}: unknown rule or kind")
        if c.rule == "lookback" and not c.years:
            raise _invalid(path, f"condition {c.id}: lookback needs years")
        if c.rule == "threshold" and c.minimum is None:
            raise _invalid(path, f"condition {c.id}: threshold needs minimum")
    if s.grading.measure not in ("total", "percent") and not (
            s.grading.measure.startswith("part:") and s.grading.measure[5:] in {p.id for p in s.parts}):
        raise _invalid(path, f"unknown grading measure {s.grading.measure!r}")
    if s.grading.bands and s.grading.source == "none":
        raise _invalid(path, "grade bands need source = 'document' or 'configured'")
    for b in s.grading.bands:
        if b.requires_part and not s.part(b.requires_part).levels:
            raise _invalid(path, f"band {b.name_zh} requires levels of part {b.requires_part}")
    bands = s.grading.bands
    for lo, hi in zip(bands, bands[1:]):
        if lo.range.lower is not None and hi.range.lower is not None and hi.range.lower < lo.range.lower:
            raise _invalid(path, "grade bands must be listed from lowest to highest")
