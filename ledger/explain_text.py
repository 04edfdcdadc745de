"""The grade explanation as text (Chinese or English): what ``explain`` and ``score preview``
print and what the inspection report's PDF shows. Pure: a JSON-shaped explanation in, text out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.words import RULES, grade_word, score_value_words


def _n(x: Any) -> str:
    """An exact decimal string without needless zeros."""
    if x is None:
        return "—"
    try:
        d = Decimal(str(x))
    except InvalidOperation:
        return str(x)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def _when(moment: str | None) -> str:
    return moment[:19].replace("T", " ") if moment else "—"


def _value(v: Any, lang: str | None = None) -> str:
    if lang is not None:  # a score value as words (评分比例 88%, 满足), not a Python or JSON literal
        return score_value_words({k: _n(x) if isinstance(x, str) and (x[:1].isdigit() or x[:1] == "-") else x for k, x in v.items()}
                                 if isinstance(v, dict) else v, lang)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _n(v) if v[:1].isdigit() or v[:1] == "-" else v
    return str(v)


def word_of(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    return key if pair is None else (pair[1] if lang == "en" else pair[0])


def _who(e: dict[str, Any], lang: str) -> str:
    if lang == "en":
        return f"{e['id']} by {e['actor']} on {e['on']} (recorded {_when(e.get('recorded_at'))})"
    return f"{e['id']}，{e['actor']}，业务日期 {e['on']}（记录于 {_when(e.get('recorded_at'))}）"


def render_explanation(d: dict[str, Any], lang: str) -> str:
    en = lang == "en"

    def t(zh: str, e: str) -> str:
        return e if en else zh

    def name(x: dict[str, Any]) -> str:
        return (x.get("name_en") or x["name_zh"]) if en else x["name_zh"]

    lines: list[str] = []
    check = d.get("check")
    if check and not check["matches"]:
        bar = "!" * 78
        lines += [bar, t("！！！ 重算结果与认证决定的记录不一致 ！！！", "!!! THE RECOMPUTATION DOES NOT MATCH THE RECORDED DECISION !!!"),
                  check["en"] if en else check["zh"], bar, ""]

    sch = d["scheme"]
    if d["kind"] == "explanation":
        c = d["client"]
        when = []
        if d.get("as_of"):
            when.append(t(f"业务日期截至 {d['as_of']}", f"as of {d['as_of']}"))
        if d.get("as_recorded"):
            when.append(t(f"记录截至 {_when(d['as_recorded'])}", f"as recorded by {_when(d['as_recorded'])}"))
        lines.append(f"{c['name']}  ({c['uscc']})" + (f"  [{'; '.join(when)}]" if when else ""))
        a = d["audit"]
        lines.append(f"{t('审核', 'Audit')} {a['id']}  {a['kind_en'] if en else a['kind_zh']}  "
                     f"{t('开始', 'started')} {a['start_on']}  "
                     f"{t('已完成', 'completed') if a['status'] == 'completed' else t('进行中', 'in progress')}"
                     + (f" ({a['completed_on']})" if a.get("completed_on") else "")
                     + f"  {t('审核组', 'team')}: {', '.join(a['team'])}")
        for o in a.get("objections") or []:  # the client's objections to the team (004 §5.2.1)
            lines.append("  " + objection_line(o, en))
        dec = d.get("decision")
        if dec:
            granted = t("通过", "granted") if dec["granted"] else t("未通过", "not granted")
            pct = f" ({_n(dec['percent'])}%)" if dec.get("percent") is not None else ""
            lines.append(f"{t('认证决定', 'Decision')} {dec['id']}  {dec['on']}  {granted}  "
                         f"{t('记录的得分', 'recorded score')} {_n(dec['score'])}/{_n(dec['max_score'])}{pct}  "
                         f"{t('等级', 'grade')} {grade_word(sch['id'], sch['version'], dec['grade'], lang)}  {t('决定人', 'decider')} {dec['decider']}  "
                         f"{t('记录人', 'recorded by')} {dec['actor']} ({_when(dec.get('recorded_at'))})")
            lines.append(f"  {t('理由', 'reason')}: {dec['reason']}")
            if dec.get("signature"):  # personal signatures (issue 15, item 4)
                lines.append(f"  {t('签名', 'signature')}: {dec['signature']['en' if en else 'zh']}")
            if d.get("superseding"):  # a decision made on an upheld appeal (complaints and appeals, issue 9)
                lines.append(f"  {d['superseding']['en'] if en else d['superseding']['zh']}")
        else:
            lines.append(t("尚无认证决定：以下为该审核目前的评分状态。", "No decision yet: the audit's scores as they stand."))
    else:
        lines.append(t("试算（不涉及账本）", "What-if preview (no ledger)"))
    lines.append(f"{t('方案', 'Scheme')} {sch['id']} {sch['version']}  {sch['document_number']} "
                 f"{sch['title_en'] if en else sch['title_zh']}  ({t('自', 'effective')} {sch['effective_from']}"
                 f"{t(' 起实施', '')})")
    lines.append(f"  {sch['why_en'] if en else sch['why_zh']}")
    if check:
        mark = "✓" if check["matches"] else "✗"
        lines.append(f"  {mark} {check['en'] if en else check['zh']}")
    lines.append("")

    # Items under their groups.
    lines.append(t("逐项得分", "Item by item"))
    items_by_group: dict[str, list[dict[str, Any]]] = {}
    for it in d["items"]:
        items_by_group.setdefault(it["group"], []).append(it)
    for p in d["parts"]:
        counted = "" if p.get("in_total", True) else t("（不计入总分）", " (not in the total)")
        lines.append(f"{name(p)}{counted}: {_n(p['total'])} / {_n(p['max'])}")
        for g in [g for g in d["groups"] if g["part"] == p["id"]]:
            pad = "  " * (g["depth"] + 1)
            label = f"{g['label']} " if g.get("label") else ""
            lines.append(f"{pad}{label}{name(g)}: {t('得', 'earned')} {_n(g['earned'])} / "
                         f"{t('涉及', 'applicable')} {_n(g['applicable'])} ({t('分值', 'points')} {_n(g['points'])})")
            for it in items_by_group.get(g["id"], []):
                _item(it, pad + "  ", lines, en)
    lines.append("")

    # Conditions.
    if d["conditions"]:
        lines.append(t("前提条件与否决项", "Prerequisites and vetoes"))
        for c in d["conditions"]:
            reason = c["reason_en"] if en else c["reason_zh"]
            clause = f" [{c['clause']}]" if c.get("clause") else ""
            lines.append(f"  {c['id']}  {c['kind_en'] if en else c['kind_zh']}  {name(c)}{clause}: "
                         f"{c['status_en'] if en else c['status_zh']} — {reason}")
            if c.get("entry"):
                lines.append(f"      {_value(c['entry']['value'], lang)}  {_who(c['entry'], lang)}")
                for corr in c["entry"].get("corrections", []):
                    lines.append("      " + _correction(corr, lang))
        lines.append("")

    # Total and grade.
    pct = f" ({_n(d['percent'])}%)" if d.get("percent") is not None else ""
    lines.append(f"{t('总分', 'Total')}: {_n(d['total'])} / {_n(d['max_total'])}{pct}")
    if d.get("missing_items"):
        shown = ", ".join(d["missing_items"][:12]) + (" …" if len(d["missing_items"]) > 12 else "")
        lines.append(f"{t('未评分也未删减', 'Neither scored nor excluded')} ({len(d['missing_items'])}): {shown}")
    g = d["grading"]
    src = {"document": t("文件规定", "from the document"), "configured": t("本机构配置，非文件规定", "configured, not from the document"),
           "none": t("文件未规定", "none in the document")}.get(g["source"], g["source"])
    clause = f"; {g['clause']}" if g.get("clause") else ""
    lines.append(f"{t('等级区间', 'Grade bands')} ({t('判级依据', 'graded on')} {g['measure_en'] if en else g['measure_zh']}"
                 f" = {_n(g['value'])}{'%' if g['measure'] == 'percent' and g['value'] is not None else ''}; {src}{clause})")
    for b in g["bands"]:
        mark = "→" if b["given"] else ("·" if b["contains_value"] else " ")
        req = ""
        if b.get("requires_part"):
            part = next((name(p) for p in d["parts"] if p["id"] == b["requires_part"]), b["requires_part"])
            req = t(f"，{part}等级 ≥ {b['requires_min_level']}", f", {part} level ≥ {b['requires_min_level']}")
        bsrc = "" if b["source"] == "document" else f" [{t('配置', 'configured')}]"
        lines.append(f"  {mark} {name(b)}: {b['range']}{req}  "
                     f"[{b['semantics_en'] if en else b['semantics_zh']}]{bsrc}")
    grade = d.get("grade")
    grade_name = (d.get("grade_name_en") if en else d.get("grade_name_zh")) or grade
    shown = grade_name if grade else t("无（不评级）", "none (no grade)")
    lines.append(f"{t('等级', 'Grade')}: {shown}")
    lines.append("")
    lines.append(t("为什么", "Why"))
    for w in d["why"]:
        clause = f" [{w['clause']}]" if w.get("clause") else ""
        lines.append(f"  - {w['en'] if en else w['zh']}{clause}")
    others = d.get("other_scored_audits")
    if others:
        lines.append(t(f"另有已评分、尚无认证决定的审核：{', '.join(others)}（用 --audit 查看）。",
                       f"Other scored audits without a decision: {', '.join(others)} (see them with --audit)."))
    return "\n".join(lines)


def said(entry: dict[str, Any], lang: str) -> list[str]:
    """The note and the evidence references recorded with a score entry (why 75 %), one line each."""
    out = []
    if entry.get("note"):
        out.append(f"note: {entry['note']}" if lang == "en" else f"备注：{entry['note']}")
    if entry.get("evidence"):
        out.append(f"evidence: {'; '.join(entry['evidence'])}" if lang == "en" else f"证据：{'；'.join(entry['evidence'])}")
    return out


def _correction(corr: dict[str, Any], lang: str) -> str:
    old, new = corr["replaced"], corr["by"]
    if lang == "en":
        return (f"correction: {old['id']} {_value(old['value'], lang)} ({old['actor']}, {old['on']}) replaced by {new['id']} "
                f"({new['actor']}, {new['on']}, recorded {_when(new.get('recorded_at'))}); reason: {corr['reason']}")
    return (f"更正：{old['id']} {_value(old['value'], lang)}（{old['actor']}，{old['on']}）由 {new['id']} 取代"
            f"（{new['actor']}，{new['on']}，记录于 {_when(new.get('recorded_at'))}）；理由：{corr['reason']}")


def _item(it: dict[str, Any], pad: str, lines: list[str], en: str | bool) -> None:
    lang = "en" if en else "zh"
    label = f" ({it['label']})" if it.get("label") and it["label"] != it["id"] else ""
    nm = (it.get("name_en") or it["name_zh"]) if en else it["name_zh"]
    rule_clause = f", {it['rule_clause']}" if it.get("rule_clause") else ""
    status = {"scored": ("", ""), "partial": ("部分评分", "partly scored"), "missing": ("未评分", "not scored"),
              "excluded": ("删减", "excluded")}[it["status"]]
    st = f"  [{status[1] if en else status[0]}]" if status[0] else ""
    pts = "pts" if en else "分"
    lines.append(f"{pad}{it['id']}{label} {nm}  {_n(it['points'])} {pts}  "
                 f"({word_of(RULES, it['rule'], lang)}{rule_clause}){st}  → {_n(it['earned'])}")
    if it["status"] == "excluded":
        x = it.get("exclusion") or {}
        who = ""
        if x.get("actor"):
            who = (f" ({x['actor']}, {x['on']}, recorded {_when(x.get('recorded_at'))})" if en
                   else f"（{x['actor']}，业务日期 {x['on']}，记录于 {_when(x.get('recorded_at'))}）")
        lines.append(f"{pad}    {'excluded' if en else '删减理由'}: {x.get('reason')}{who}")
        return
    for inp in it["inputs"]:
        facet = f"[{inp['facet']}] " if inp.get("facet") else ""
        lines.append(f"{pad}    {facet}{_value(inp['value'], lang)}: {inp['reason_en'] if en else inp['reason_zh']}")
        if inp.get("entry"):
            lines.append(f"{pad}      {_who(inp['entry'], lang)}")
            lines += [f"{pad}      {x}" for x in said(inp["entry"], lang)]  # its note and evidence (annotations, issue 9)
            for corr in inp["entry"].get("corrections", []):
                lines.append(f"{pad}      {_correction(corr, lang)}")
    if len(it["inputs"]) > 1 or it["status"] == "partial":
        lines.append(f"{pad}    {it['reason_en'] if en else it['reason_zh']}")


def objection_line(o: dict[str, Any], en: bool) -> str:
    """One objection to an audit's team and its answer, in words (004 §5.2.1)."""
    ans = o.get("answer")
    if en:
        who = f" against {', '.join(o['members'])}" if o["members"] else " against the whole team"
        answer = (f"{'upheld' if ans['upheld'] else 'dismissed'} on {ans['on']} ({ans['reason']})" if ans else "not yet answered")
        return f"Objection {o['id']} to the team of {o['audit_id']} ({o['on']}{who}: {o['reason']}): {answer} [004 §5.2.1]"
    who = f"，针对 {'、'.join(o['members'])}" if o["members"] else "，针对整个审核组"
    answer = (f"{ans['on']} 认定{'成立' if ans['upheld'] else '不成立'}（{ans['reason']}）" if ans else "尚未答复")
    return f"审核组异议 {o['id']}（审核 {o['audit_id']}，{o['on']}{who}：{o['reason']}）：{answer}［004 §5.2.1］"
