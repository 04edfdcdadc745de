"""``certledger schemes list|show`` and ``certledger score preview``: the rulebooks as versioned data,
and a what-if score sheet evaluated without any ledger. Parse, call one ledger function, render."""

from __future__ import annotations

from typing import Any

import click

from cli.output import common_options, emit


@click.group()
def schemes() -> None:
    """The rulebooks as versioned schemes (认证方案): list them, or show one's indicator tree with
    points, rules, conditions, grade bands and the notes on the document's ambiguities."""


@schemes.command("list")
@common_options
def list_() -> None:
    """Every scheme: id, versions, effective date, issuer, title, maximum total and item count."""
    from ledger.explain import scheme_catalogue

    rows = scheme_catalogue()
    emit(rows, lambda s: render_list(rows, s.lang))


@schemes.command("show")
@click.argument("scheme_id", metavar="ID")
@click.option("--version", "version", metavar="V", help="A version of the scheme (default: the latest by effective date).")
@common_options
def show(scheme_id: str, version: str | None) -> None:
    """One scheme in full: parts, groups and items with the document's numbering, names (Chinese,
    or English with --lang en), points and rule, excludable/mandatory flags; prerequisites and
    vetoes; grade bands with their boundary semantics and whether the document or the body set
    them; and the scheme's notes on ambiguities. An unknown ID or version lists the known ones."""
    from ledger.explain import describe_scheme

    data = describe_scheme(scheme_id, version)
    emit(data, lambda s: render_scheme(data, s.lang))


@click.command("preview")
@click.option("--scheme", "scheme_id", required=True, metavar="ID", help="The scheme to score under (see: certledger schemes list).")
@click.option("--version", "version", metavar="V", help="A version of the scheme (default: the latest by effective date).")
@click.argument("file", metavar="FILE")
@common_options
def preview(scheme_id: str, version: str | None, file: str) -> None:
    """What-if: the total, grade and item-by-item explanation of a JSON score sheet. Opens no
    ledger and records nothing.

    \b
    FILE (UTF-8 JSON):
      {"entries": [
         {"item": "A.1", "value": {"percent": 85}},
         {"item": "人员资质管理", "facet": null, "value": {"conforms": true}},
         {"item": "4.2.1", "value": {"met": true}}],
       "exclusions": {"A.15": "无出口业务"},
       "context": {"application_date": "2026-03-01"}}

    An item is named by its id, the document's label or its exact Chinese name; "facet" is the
    respondent (002 service items) or the business line (004), else null or absent. Value shapes
    per rule: see "certledger schemes show ID" and docs/scoring.md. Prerequisites and vetoes are
    entries on the condition's id (or context "facts"). Bad input (a value out of range, an α
    outside its answer's band, an unknown item, a duplicate, an excluded item that may not be
    excluded...) exits 1 with the item and the rule.
    """
    from ledger.explain import preview_file

    from ledger.explain_text import render_explanation

    data = preview_file(file, scheme_id, version)
    emit(data, lambda s: render_explanation(data, s.lang))


# -- rendering -------------------------------------------------------------------------------------

def _t(lang: str):
    return (lambda zh, en: en) if lang == "en" else (lambda zh, en: zh)


def _name(d: dict[str, Any], lang: str) -> str:
    return d.get("name_en") or d["name_zh"] if lang == "en" else d["name_zh"]


def render_list(rows: list[dict[str, Any]], lang: str) -> str:
    t = _t(lang)
    lines = []
    for r in rows:
        versions = ", ".join(r["versions"])
        lines.append(f"{r['id']:<12} {t('版本', 'version')} {r['version']:<16} ({t('全部', 'all')}: {versions})  "
                     f"{t('自', 'from')} {r['effective_from']}{t(' 起实施', '')}")
        lines.append(f"    {r['issuer_en'] if lang == 'en' else r['issuer_zh']}  {r['document_number']}  "
                     f"{r['title_en'] if lang == 'en' else r['title_zh']}")
        lines.append(f"    {t('满分', 'max total')} {r['max_total']}  {t('指标', 'items')} {r['items']}  "
                     f"{t('条件项', 'conditions')} {r['conditions']}  {t('来源', 'source')} {r['source_document']}")
    return "\n".join(lines)


def _flags(node: dict[str, Any], lang: str) -> str:
    t = _t(lang)
    out = []
    if node.get("excludable"):
        out.append(t("可删减", "excludable"))
    if node.get("mandatory"):
        out.append(t("必须满足（0 或满分）", "mandatory (0 or full)"))
    return f"  [{', '.join(out)}]" if out else ""


def _params(params: dict[str, Any], lang: str) -> list[str]:
    t = _t(lang)
    lines = []
    for key in ("options", "kinds"):
        if params.get(key):
            listed = "；".join(f"{o['key']} {o['name_zh']} {o['points']}" for o in params[key])
            lines.append(f"{t('选项' if key == 'options' else '类别', key)}: {listed}")
    extra = {k: v for k, v in params.items() if k not in ("options", "kinds")}
    if extra:
        lines.append(", ".join(f"{k} = {v}" for k, v in extra.items()))
    return lines


def _tree(node: dict[str, Any], depth: int, lang: str, lines: list[str]) -> None:
    pad = "  " * depth
    t = _t(lang)
    if node["type"] == "group":
        label = f"{node['label']} " if node.get("label") else ""
        lines.append(f"{pad}{label}{_name(node, lang)}  {node['points']} {t('分', 'pts')}  ({node['id']})")
        for child in node["children"]:
            _tree(child, depth + 1, lang, lines)
        return
    label = f" ({node['label']})" if node.get("label") and node["label"] != node["id"] else ""
    lines.append(f"{pad}{node['id']}{label}  {_name(node, lang)}  {node['points']} {t('分', 'pts')}  "
                 f"[{node['rule']}]{_flags(node, lang)}")
    for extra in _params(node.get("params") or {}, lang):
        lines.append(f"{pad}    {extra}")


def render_scheme(d: dict[str, Any], lang: str) -> str:
    t = _t(lang)
    en = lang == "en"
    lines = [
        f"{d['id']}  {t('版本', 'version')} {d['version']}  ({t('全部版本', 'all versions')}: {', '.join(d['versions'])})  "
        f"{t('自', 'effective from')} {d['effective_from']}{t(' 起实施', '')}",
        f"{d['issuer_en'] if en else d['issuer_zh']}  {d['document_number']}  {d['title_en'] if en else d['title_zh']}",
        f"{t('来源文件', 'source document')}: {d['source_document']}  {t('满分', 'max total')} {d['max_total']}  "
        f"{t('指标', 'items')} {d['items']}  {t('计算', 'arithmetic')}: {d['computation']['quantum']} {d['computation']['rounding']}",
        "",
    ]
    for p in d["parts"]:
        counted = t("计入总分", "counted in the total") if p["in_total"] else t("不计入总分", "not counted in the total")
        facet = ""
        if p["facet"] != "none":
            fname = (p["facet_name_en"] if en else p["facet_name_zh"]) or "facet"
            facet = f"; facet: {fname} ({p['facet']})"
        clause = f"; {p['clause']}" if p.get("clause") else ""
        lines.append(f"{_name(p, lang)}  {p['points']} {t('分', 'pts')}  ({counted}; {p['aggregate']}{facet}{clause})")
        for child in p["children"]:
            _tree(child, 1, lang, lines)
        if p["levels"]:
            lines.append(f"  {t('成熟度等级', 'Maturity levels')}:")
            for b in p["levels"]:
                lines.append(f"    {_name(b, lang)}: {b['range']}  [{b['semantics_en'] if en else b['semantics_zh']}]")
        lines.append("")
    lines.append(t("评分规则", "Rules"))
    for name, r in d["rules"].items():
        clause = f" ({r['clause']})" if r.get("clause") else ""
        lines.append(f"  {name}{clause}: {r['summary_en'] if en else r['summary_zh']}")
        for b in r["bands"] + r["answers"]:
            lines.append(f"      {_name(b, lang)}: {b['range']}  [{b['semantics_en'] if en else b['semantics_zh']}]")
    lines.append("")
    lines.append(t("前提条件与否决项", "Prerequisites, requirements and vetoes"))
    kinds = {"prerequisite": ("前提条件", "prerequisite"), "requirement": ("必要条件", "requirement"), "veto": ("否决项", "veto")}
    if not d["conditions"]:
        lines.append(t("  （无）", "  (none)"))
    for c in d["conditions"]:
        kz, ke = kinds.get(c["kind"], (c["kind"], c["kind"]))
        detail = []
        if c.get("years"):
            detail.append(t(f"追溯 {c['years']} 年", f"look back {c['years']} year(s)"))
        if c.get("minimum") is not None:
            unit = (c.get("unit_en") if en else c.get("unit_zh")) or ""
            detail.append(f"≥ {c['minimum']} {unit}".strip())
        if c.get("context_key"):
            detail.append(f"context.{c['context_key']}")
        extra = f" ({'; '.join(detail)})" if detail else ""
        clause = f" [{c['clause']}]" if c.get("clause") else ""
        lines.append(f"  {c['id']}  {ke if en else kz}  {_name(c, lang)}{clause}{extra}")
        lines.append(f"      {c['summary_en'] if en else c['summary_zh']}")
    lines.append("")
    g = d["grading"]
    source = {"document": t("文件规定", "from the document"), "configured": t("本机构配置，非文件规定", "configured by the body, not from the document"),
              "none": t("文件未规定等级", "the document sets no grades")}.get(g["source"], g["source"])
    measure = {"total": t("总分", "the total"), "percent": t("得分率", "the percentage")}.get(
        g["measure"], g["measure"].replace("part:", t("部分：", "part: ")))
    clause = f"; {g['clause']}" if g.get("clause") else ""
    lines.append(f"{t('等级', 'Grades')} ({t('判级依据', 'graded on')} {measure}; {source}{clause})")
    if not g["bands"]:
        lines.append(t("  （无等级区间：只给出总分）", "  (no grade bands: total only)"))
    for b in g["bands"]:
        code = b["code"] or "—"
        req = ""
        if b.get("requires_part"):
            req = t(f"，且 {b['requires_part']} 等级 ≥ {b['requires_min_level']}", f", and {b['requires_part']} level ≥ {b['requires_min_level']}")
        src = "" if b["source"] == "document" else f"  [{t('配置', 'configured')}]"
        lines.append(f"  {code:<6} {_name(b, lang)}: {b['range']}{req}  [{b['semantics_en'] if en else b['semantics_zh']}]{src}")
    if g["when_requirement_unmet"] == "next-lower-band":
        lines.append(t("  等级要求未满足时：取要求得到满足的较低一行。", "  When a band's requirement is not met: the next lower band whose requirement is met."))
    lines.append("")
    lines.append(t("说明（文件的歧义及本系统采用的解释）", "Notes (the document's ambiguities and the interpretation implemented)"))
    for n in d["notes"]:
        clause = f" [{n['clause']}]" if n.get("clause") else ""
        shown = t("（列入每次评价）", " (shown in every evaluation)") if n.get("in_evaluation") else ""
        lines.append(f"  - {n['id']}{clause}{shown}: {n['en'] if en else n['zh']}")
    return "\n".join(lines)
