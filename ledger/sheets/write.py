"""``certledger sheet template``: a score sheet written with XlsxWriter (layout.py says where each
thing goes). The table is protected with only the input cells unlocked; each input cell carries
a data validation shaped by its item's rule (decimal range, whole number, list of words, text
length) and a prompt; for a client's audit, the scores and exclusions that already stand are
pre-filled and marked (a colour and a comment naming the entry)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from aggregates.policy.audits import open_audit
from ledger.sheets import layout as L

NOTE_MAX = 2000   # aggregates/annotations.py NOTE_MAX: a note longer is refused on import anyway
TEXT_MAX = 255


def _num(x: Any) -> int | float:
    """A rulebook number as Excel shows it (20, not 20.0)."""
    return int(x) if x == int(x) else float(x)


def _validation(row: L.Row, key: str, lang: str) -> dict[str, Any]:
    """The cell validation for ``key`` of ``row``: as tight as the rule's shape allows. The rule
    still checks every value on import; this only helps the auditor in the field."""
    t = row.target
    kind = L.KEYS[key][0]
    en = lang == "en"
    title = (t.name_en if en else t.name_zh)[:31] or t.id
    if key == "points" and getattr(t, "mandatory", False):
        v: dict[str, Any] = {"validate": "list", "source": [0, _num(t.points)]}
    elif key == "points":
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": _num(t.points)}
    elif key == "percent":
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}
    elif key == "alpha":
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
    elif key in ("likert", "level"):
        v = {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 5}
    elif key == "samples":
        v = {"validate": "integer", "criteria": ">=", "value": 1}
    elif kind == "whole":
        v = {"validate": "integer", "criteria": ">=", "value": 0}
    elif key == "value":
        v = {"validate": "decimal", "criteria": ">=", "value": 0}
    elif kind == "bool":
        v = {"validate": "list", "source": list(L.BOOL_WORDS[key][1 if en else 0])}
    else:
        v = {"validate": "length", "criteria": "<=", "value": TEXT_MAX}
    prompt = row_prompt(row, lang)
    v.update({"input_title": title, "input_message": prompt[:255], "error_title": title,
              "error_message": (("Outside the item's rule: " if en else "超出该指标的评分规则：") + prompt)[:255]})
    return v


def row_prompt(row: L.Row, lang: str) -> str:
    t = row.target
    options = t.params.get("options") or t.params.get("kinds") if hasattr(t, "params") else None
    names = "、".join(o.get("name_zh", o["key"]) for o in options) if options else ""
    shapes = L.SHAPES[t.rule]
    if lang == "en":
        fill = " or ".join(" + ".join(L.KEYS[k][2] for k in s) for s in shapes)
        return f"{t.id}: {fill}" + (f" ({names})" if names else "") + (f"; at most {t.points}" if t.kind == "item" else "")
    fill = "，或 ".join(" + ".join(L.KEYS[k][1] for k in s) for s in shapes)
    return f"{t.id}：{fill}" + (f"（{names}）" if names else "") + (f"；满分 {t.points}" if t.kind == "item" else "")


def _site(s: Any) -> str:
    if isinstance(s, dict):
        return f"{s.get('name', '')}（{s.get('address', '')}）" if s.get("address") else str(s.get("name", ""))
    return str(s)


def _target(app: Any, scheme_id: str, version: str | None, uscc: str | None, audit: str | None) -> tuple[Any, Any, str | None]:
    """The scheme of the sheet, the client (or None) and the audit, refused when they disagree."""
    from ledger.rules.scoring import load_scheme

    if (uscc is None) != (audit is None):
        raise L.refuse("评分表模板要么只指定 --scheme，要么同时指定 --client 和 --audit。",
                       "A template names --scheme alone, or --client and --audit together.")
    if uscc is None:
        return load_scheme(scheme_id, version), None, None
    client = app.client(uscc)
    open_audit(client, audit)
    scheme = app.audit_scheme(client, audit)
    if scheme.id != scheme_id or (version is not None and version != scheme.version):
        raise L.refuse(
            f"审核 {audit} 按方案 {scheme.id} 版本 {scheme.version} 评分（审核首日有效的版本），不是 {scheme_id}{' ' + version if version else ''}；"
            f"请用 --scheme {scheme.id}。",
            f"Audit {audit} is scored under scheme {scheme.id} version {scheme.version} (the version in force on its first day), not "
            f"{scheme_id}{' ' + version if version else ''}; use --scheme {scheme.id}.", "001 §13.1")
    return scheme, client, audit


def write_template(app: Any, path: str | Path, *, scheme_id: str, version: str | None = None, client: str | None = None,
                   audit: str | None = None, lang: str = "zh", today: date | None = None) -> dict[str, Any]:
    """Write the template; returns what it holds (rows, business lines, pre-filled cells)."""
    import xlsxwriter

    scheme, c, audit_id = _target(app, scheme_id, version, client, audit)
    lines = list(c.business_lines_for(audit_id)) if c is not None else []
    lay = L.build(scheme, lines, lang)
    standing: dict[tuple[str, str | None], dict[str, Any]] = {}
    excluded: dict[str, dict[str, Any]] = {}
    if c is not None:
        standing = {(e["item"], e["facet"] or None): e for e in c.effective_entries(audit_id)}
        excluded = dict(c.exclusions.get(audit_id, {}))
    en = lang == "en"
    wb = xlsxwriter.Workbook(str(path))
    try:
        bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9E1F2", "border": 1})
        fixed = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
        na = wb.add_format({"bg_color": "#E7E6E6", "border": 1})
        free = wb.add_format({"locked": False, "border": 1, "bg_color": "#FFFFFF"})
        kept = wb.add_format({"locked": False, "border": 1, "bg_color": "#FFF2CC"})
        ws = wb.add_worksheet(L.SHEET)
        meta = wb.add_worksheet(L.META)
        title = scheme.title_en if en else scheme.title_zh
        ws.write(L.TITLE_ROW, 0, f"{title} — {'score sheet' if en else '评分表'}", wb.add_format({"bold": True, "font_size": 14}))
        info = [f"{'scheme' if en else '方案'} {scheme.id} {scheme.version}（{scheme.document_number}）"]
        if c is not None:
            a = c.audits[audit_id]
            info.append(f"{'client' if en else '客户'} {c.uscc} {c.name}")
            info.append(f"{'audit' if en else '审核'} {audit_id}（{a['start_on']}）")
            sites = a.get("sites") or c.sites
            if sites:
                info.append(("sites: " if en else "场所：") + "；".join(_site(s) for s in sites))
            if lines:
                info.append(("business lines: " if en else "业务范围：") + "；".join(lines))
        ws.write(L.INFO_ROW, 0, " · ".join(info))
        ws.write(L.HINT_ROW, 0, "Fill the white cells only; grey cells do not apply; yellow cells stand in the ledger (change one to correct it)."
                 if en else "只填白色单元格；灰色不适用；黄色为账本中已有的评分或删减（改动即更正）。")
        for col in lay.columns:
            ws.write(L.HEADER_ROW, col.index, col.header, bold)
        widths = {"item": 9, "clause": 12, "title": 30, "max": 7, "how": 48, "exclusion": 20, "note": 30}
        for col in lay.columns:
            ws.set_column(col.index, col.index, widths.get(col.key, 14))
        prefilled = 0
        for n, row in enumerate(lay.rows):
            r = L.FIRST_ROW + n
            t = row.target
            path_names = " / ".join((*t.path_zh, t.name_zh)) if not en else t.name_en
            ws.write(r, 0, t.id, fixed)
            ws.write(r, 1, t.clause or "", fixed)
            ws.write(r, 2, path_names, fixed)
            ws.write(r, 3, _num(t.points) if t.kind == "item" else "", fixed)
            ws.write(r, 4, lay.how(row), fixed)
            for block in lay.blocks:
                cells = {col.key: col for col in lay.cells(row, block)}
                entry = standing.get((t.id, block.line))
                for col in block.columns:
                    if col.key not in cells:
                        ws.write_blank(r, col.index, None, na)
                        continue
                    ws.data_validation(r, col.index, r, col.index, _validation(row, col.key, lang))
                    if entry is not None and col.key in entry["value"]:
                        ws.write(r, col.index, L.cell_text(col.key, entry["value"][col.key], lang), kept)
                        ws.write_comment(r, col.index, f"{entry['id']} {entry.get('actor', '')} {entry.get('on', '')}".strip())
                        prefilled += 1
                    else:
                        ws.write_blank(r, col.index, None, free)
            x = lay.exclusion.index
            if t.id in excluded:
                ws.write(r, x, excluded[t.id]["reason"], kept)
                ws.write_comment(r, x, f"{'excluded' if en else '已删减'} {excluded[t.id].get('actor', '')} {excluded[t.id].get('on', '')}")
                prefilled += 1
            elif getattr(t, "excludable", False):
                ws.write_blank(r, x, None, free)
                ws.data_validation(r, x, r, x, {"validate": "length", "criteria": "<=", "value": TEXT_MAX})
            else:
                ws.write_blank(r, x, None, na)
            ws.write_blank(r, lay.note.index, None, free)
            ws.data_validation(r, lay.note.index, r, lay.note.index, {"validate": "length", "criteria": "<=", "value": NOTE_MAX})
        ws.freeze_panes(L.FIRST_ROW, 3)
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True, "select_unlocked_cells": True})
        facts = {"format": L.FORMAT, "scheme": scheme.id, "version": scheme.version, "lang": lang,
                 "client": c.uscc if c is not None else "", "audit": audit_id or "", "lines": json.dumps(list(lay.lines), ensure_ascii=False),
                 "rows": str(len(lay.rows)), "written": (today or date.today()).isoformat()}
        for i, (k, v) in enumerate(facts.items()):
            meta.write_string(i, 0, k)
            meta.write_string(i, 1, v)
        meta.protect("")
        meta.hide()
        ws.activate()
    finally:
        _close(wb, path)
    return {"file": str(path), "scheme": scheme.id, "version": scheme.version, "client": c.uscc if c is not None else None,
            "audit": audit_id, "business_lines": list(lay.lines), "rows": len(lay.rows), "prefilled": prefilled}


def _close(wb: Any, path: str | Path) -> None:
    """Save the workbook; a path that cannot be written is a refusal, not a traceback."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as e:
        inner = e.args[0] if e.args else e  # XlsxWriter wraps the OSError
        cause = getattr(inner, "strerror", None) or str(inner)
        raise L.refuse(f"无法写出评分表 {path}：{cause}；请换一个可写的路径（--out）。",
                       f"Cannot write the score sheet {path}: {cause}; choose a writable path (--out).", "ledger: output file") from None


META_KEYS = ("format", "scheme", "version", "lang", "client", "audit", "lines", "rows", "written")
