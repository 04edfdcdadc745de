"""Score sheets (issue 17, item 1): a template written with XlsxWriter, filled as an auditor's
spreadsheet program would (openpyxl rewrites the copy), read back with python-calamine and imported
through CertLedger.execute; the standing scores and explain's grade equal those of the same scores
entered one by one; every bad workbook refused cell by cell with nothing written; a second import
changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from ledger.sheets import import_sheet, write_template
from tests.integration.test_annotations import d, open_stage2, uscc

TWO_LINES = "日用百货批发；日用百货零售"
AUDITOR = "李强"


# ------------------------------------------------------------------------------ helpers

def fill(template: Path, out: Path, values: dict[tuple[str, str], object], edit=None) -> Path:
    """Write ``values`` ((item id, header) -> value) into a copy of the template with openpyxl, as a
    spreadsheet program saves it; ``edit(workbook)`` may damage it further."""
    shutil.copy(template, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["评分表"]
    headers = {c.value: c.column for c in ws[4]}
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    for (item, header), value in values.items():
        ws.cell(rows[item], headers[header]).value = value
    if edit is not None:
        edit(wb)
    wb.save(out)
    return out


def cells_of(path: Path, sheet: str = "评分表") -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def import_(app, path, code, **kw):
    return import_sheet(app, path, client=code, audit="A2", actor=AUDITOR, on=d(11), **kw)


def entered_one_by_one(app, code: str, entries: list[tuple[str, str | None, dict]], exclusions: dict[str, str]) -> None:
    """The reference: the same scores entered as ``certledger score enter`` / ``score exclude`` do."""
    for item, facet, value in entries:
        fields = {"client": code, "audit": "A2", "item": item, "value": value, "on": d(11).isoformat()}
        if facet:
            fields["facet"] = facet
        app.execute("score enter", fields, actor=AUDITOR)
    for item, reason in exclusions.items():
        app.execute("score exclude", {"client": code, "audit": "A2", "item": item, "reason": reason, "on": d(11).isoformat()}, actor=AUDITOR)


def standing(app, code: str) -> dict[tuple[str, str | None], dict]:
    return {(e["item"], e["facet"] or None): e["value"] for e in app.client(code).effective_entries("A2")}


def graded(app, code: str) -> tuple:
    x = app.explain(code, audit="A2")
    return x["total"], x["max_total"], x["percent"], x["grade"], x["complete"]


# the 001 values: every shape of percent-or-deduction, one exclusion, the prerequisite
P001 = {f"A.{n}": 85 for n in range(1, 23)}
P001.update({"A.2": 72.5, "A.3": "符合", "A.4": "不符合", "A.5": (10, 2)})


def values_001() -> tuple[dict, list, dict]:
    cells: dict[tuple[str, str], object] = {}
    entries = []
    for item, v in P001.items():
        if item == "A.15":
            continue
        if isinstance(v, tuple):
            cells[(item, "样本数")], cells[(item, "不符合样本数")] = v
            entries.append((item, None, {"samples": v[0], "nonconforming": v[1]}))
        elif isinstance(v, str):
            cells[(item, "符合性")] = v
            entries.append((item, None, {"conforms": v == "符合"}))
        else:
            cells[(item, "评分比例（%）")] = v
            entries.append((item, None, {"percent": str(v)}))
    cells[("A.15", "删减理由")] = "无出口业务"
    cells[("A.15", "备注")] = "组织无出口业务，现场核实"
    cells[("4.2.1", "是否满足")] = "是"
    entries.append(("4.2.1", None, {"met": True}))
    return cells, entries, {"A.15": "无出口业务"}


def values_004(app, code: str) -> tuple[dict, list]:
    scheme = app.audit_scheme(app.client(code), "A2")
    cells: dict[tuple[str, str], object] = {}
    entries = []
    for k, item in enumerate(scheme.items):
        for j, line in enumerate(("日用百货批发", "日用百货零售")):
            if item.rule == "points-range":
                x = min(item.points, Decimal(k % 5 + j))
                cells[(item.id, f"得分［{line}］")] = float(x)
                entries.append((item.id, line, {"points": str(x)}))
            else:
                cells[(item.id, f"评分比例（%）［{line}］")] = 70 + 10 * j
                entries.append((item.id, line, {"percent": 70 + 10 * j}))
    for cond in scheme.conditions:
        if cond.rule == "attest":
            cells[(cond.id, "是否满足")] = "是"
            entries.append((cond.id, None, {"met": True}))
        elif cond.rule == "threshold":
            cells[(cond.id, "数值")] = float(cond.minimum) + 1
            entries.append((cond.id, None, {"value": str(cond.minimum + 1)}))
        else:
            cells[(cond.id, "发生日期（无则填“无”）")] = "无"
            entries.append((cond.id, None, {"occurrences": []}))
    return cells, entries


# ------------------------------------------------------------------------------ round trips

def test_001_round_trip_equals_the_scores_entered_one_by_one_and_a_second_import_changes_nothing(app, tmp_path):
    code, twin = uscc(201), uscc(202)
    open_stage2(app, code)
    open_stage2(app, twin)
    made = write_template(app, tmp_path / "t.xlsx", scheme_id="zgc-ru015", client=code, audit="A2")
    assert made["rows"] == 23 and made["business_lines"] == []
    meta = dict((r[0], r[1]) for r in cells_of(tmp_path / "t.xlsx", "certledger"))
    assert meta["scheme"] == "zgc-ru015" and meta["version"] == "A/0" and meta["client"] == code and meta["audit"] == "A2"
    cells, entries, exclusions = values_001()
    filled = fill(tmp_path / "t.xlsx", tmp_path / "filled.xlsx", cells)

    report = import_(app, filled, code)
    assert report.errors == [] and (report.entered, report.excluded, report.corrected) == (22, 1, 0)
    entered_one_by_one(app, twin, entries, exclusions)
    assert standing(app, code) == standing(app, twin) and len(standing(app, code)) == 22
    assert graded(app, code) == graded(app, twin)
    assert graded(app, code)[4] is True and graded(app, code)[3] is not None  # complete, graded
    assert app.client(code).exclusions["A2"]["A.15"]["reason"] == "无出口业务"

    history = app.history(code)
    notes = [h["fields"] for h in history if h["type"] == "ActAnnotated"]
    assert len(notes) == 23 and all(n["evidence"] == [f"sha256:{report.sha256} 评分表 filled.xlsx"] for n in notes)
    assert any(n["note"] == "组织无出口业务，现场核实" for n in notes)

    before = app.event_count()
    again = import_(app, filled, code)
    assert again.errors == [] and again.written == 0 and again.unchanged == 23
    assert app.event_count() == before


def test_004_two_business_lines_round_trip(app, tmp_path):
    code, twin = uscc(203), uscc(204)
    open_stage2(app, code, scheme="hzx-mr0118", scope=TWO_LINES)
    open_stage2(app, twin, scheme="hzx-mr0118", scope=TWO_LINES)
    made = write_template(app, tmp_path / "t.xlsx", scheme_id="hzx-mr0118", client=code, audit="A2")
    assert made["business_lines"] == ["日用百货批发", "日用百货零售"]
    header = cells_of(tmp_path / "t.xlsx")[3]
    assert "得分［日用百货批发］" in header and "得分［日用百货零售］" in header and "是否满足" in header
    assert "场所：总部" in cells_of(tmp_path / "t.xlsx")[1][0]
    cells, entries = values_004(app, code)
    filled = fill(tmp_path / "t.xlsx", tmp_path / "filled.xlsx", cells)
    report = import_(app, filled, code)
    assert report.errors == [], [e.where("f") + e.message_en for e in report.errors]
    assert report.entered == len(entries)
    entered_one_by_one(app, twin, entries, {})
    assert standing(app, code) == standing(app, twin)
    assert graded(app, code) == graded(app, twin) and graded(app, code)[4] is True
    before = app.event_count()
    assert import_(app, filled, code).written == 0 and app.event_count() == before


def test_a_template_of_a_scored_audit_is_prefilled_and_a_changed_value_is_a_correction(app, tmp_path):
    code = uscc(205)
    open_stage2(app, code)
    cells, _, _ = values_001()
    import_(app, fill_template(app, code, tmp_path, cells), code)
    again = write_template(app, tmp_path / "again.xlsx", scheme_id="zgc-ru015", client=code, audit="A2")
    assert again["prefilled"] == 24  # 21 scores (A.5 in two cells), the prerequisite, the exclusion
    grid = cells_of(tmp_path / "again.xlsx")
    a2 = next(r for r in grid if r[0] == "A.2")
    assert a2[5] == 72.5 and next(r for r in grid if r[0] == "A.15")[10] == "无出口业务"
    assert next(r for r in grid if r[0] == "A.3")[6] == "符合"

    changed = fill(tmp_path / "again.xlsx", tmp_path / "changed.xlsx", {("A.2", "评分比例（%）"): 60})
    report = import_(app, changed, code)
    assert (report.entered, report.corrected, report.unchanged) == (0, 1, 23 - 1)
    c = app.client(code)
    old = next(e for e in c.entries.values() if e["item"] == "A.2" and e["superseded_by"])
    assert "changed.xlsx" in c.entries[old["superseded_by"]]["reason"]
    assert standing(app, code)[("A.2", None)] == {"percent": Decimal(60)}


def fill_template(app, code, tmp_path, cells, name="filled.xlsx"):
    write_template(app, tmp_path / "t.xlsx", scheme_id="zgc-ru015", client=code, audit="A2")
    return fill(tmp_path / "t.xlsx", tmp_path / name, cells)


# ------------------------------------------------------------------------------ bad workbooks

def refused(app, code, path) -> list:
    before = app.event_count()
    report = import_(app, path, code)
    assert report.errors and report.written == 0
    assert app.event_count() == before  # nothing written
    return report.errors


def test_values_outside_the_rule_are_refused_cell_by_cell_all_of_them(app, tmp_path):
    code = uscc(206)
    open_stage2(app, code)
    cells, _, _ = values_001()
    cells[("A.1", "评分比例（%）")] = 120
    cells[("A.7", "评分比例（%）")] = "八十五"
    cells[("A.9", "符合性")] = "基本符合"
    del cells[("A.9", "评分比例（%）")]
    cells[("A.5", "不符合样本数")] = 12
    errors = refused(app, code, fill_template(app, code, tmp_path, cells))
    where = {e.cell: e for e in errors}
    assert set(where) == {"F5", "F11", "G13", "H9"}
    assert where["F5"].rule.startswith("out-of-range: 001") and "120" in where["F5"].message_zh
    assert where["F11"].rule.startswith("wrong-shape") and where["G13"].rule.startswith("wrong-shape")
    assert "nonconforming 12 exceeds samples 10" in where["H9"].message_en
    assert all(e.sheet == "评分表" for e in errors)


def test_a_formula_a_merged_cell_and_a_moved_header_are_refused(app, tmp_path):
    code = uscc(207)
    open_stage2(app, code)
    cells, _, _ = values_001()

    def formula(wb):
        wb["评分表"]["F6"] = "=80+5"
    errors = refused(app, code, fill(write_and_path(app, code, tmp_path), tmp_path / "formula.xlsx", cells, formula))
    assert [(e.cell, "formula" in e.message_en) for e in errors] == [("F6", True)]

    def merged(wb):
        wb["评分表"].merge_cells("F7:G7")
    errors = refused(app, code, fill(tmp_path / "t.xlsx", tmp_path / "merged.xlsx", cells, merged))
    assert [e.cell for e in errors] == ["F7"] and "F7:G7" in errors[0].message_en

    def moved(wb):
        ws = wb["评分表"]
        ws["F4"], ws["G4"] = ws["G4"].value, ws["F4"].value
    errors = refused(app, code, fill(tmp_path / "t.xlsx", tmp_path / "moved.xlsx", cells, moved))
    assert [e.cell for e in errors] == ["F4", "G4"] and "header" in errors[0].message_en

    def row_moved(wb):
        ws = wb["评分表"]
        ws["A5"], ws["A6"] = "A.2", "A.1"
    errors = refused(app, code, fill(tmp_path / "t.xlsx", tmp_path / "rows.xlsx", cells, row_moved))
    assert [e.cell for e in errors] == ["A5", "A6"]


def write_and_path(app, code, tmp_path) -> Path:
    write_template(app, tmp_path / "t.xlsx", scheme_id="zgc-ru015", client=code, audit="A2")
    return tmp_path / "t.xlsx"


def test_a_wrong_sheet_name_a_second_schemes_template_and_a_file_that_is_not_xlsx(app, tmp_path):
    code = uscc(208)
    open_stage2(app, code)
    cells, _, _ = values_001()

    def renamed(wb):
        wb["评分表"].title = "Sheet1"
    errors = refused(app, code, fill(write_and_path(app, code, tmp_path), tmp_path / "renamed.xlsx", cells, renamed))
    assert [(e.sheet, e.cell) for e in errors] == [("Sheet1", "A1")] and "评分表" in errors[0].message_zh

    write_template(None, tmp_path / "other.xlsx", scheme_id="hzx-mr0118")
    errors = refused(app, code, tmp_path / "other.xlsx")
    assert [(e.sheet, e.cell, e.rule) for e in errors] == [("certledger", "B2", "001 §13.1")]
    assert "hzx-mr0118" in errors[0].message_zh and "zgc-ru015" in errors[0].message_zh

    other = uscc(209)
    open_stage2(app, other)
    errors = refused(app, code, fill_template(app, other, tmp_path, cells, "others.xlsx"))
    assert [e.cell for e in errors] == ["B5"] and other in errors[0].message_en  # another client's sheet

    (tmp_path / "notes.xlsx").write_text("指标,评分\nA.1,85\n", encoding="utf-8")
    errors = refused(app, code, tmp_path / "notes.xlsx")
    assert [(e.sheet, e.cell) for e in errors] == [(None, None)] and ".xlsx" in errors[0].message_en


def test_an_unknown_business_line_and_a_sheet_without_line_columns_are_refused(app, tmp_path):
    code = uscc(210)
    open_stage2(app, code, scheme="hzx-mr0118", scope=TWO_LINES)
    write_template(app, tmp_path / "t.xlsx", scheme_id="hzx-mr0118", client=code, audit="A2")
    cells, _ = values_004(app, code)

    def phantom(wb):
        ws, meta = wb["评分表"], wb["certledger"]
        meta["B7"] = json.dumps(["日用百货批发", "成品油零售"], ensure_ascii=False)
        for c in ws[4]:
            if isinstance(c.value, str):
                c.value = c.value.replace("日用百货零售", "成品油零售")
    errors = refused(app, code, fill(tmp_path / "t.xlsx", tmp_path / "phantom.xlsx", cells, phantom))
    assert len(errors) == 1 and errors[0].rule == "004 4.18.2" and "成品油零售" in errors[0].message_zh
    assert errors[0].cell == cells_header_cell(tmp_path / "phantom.xlsx", "评分比例（%）［成品油零售］")

    write_template(None, tmp_path / "plain.xlsx", scheme_id="hzx-mr0118")  # no line columns
    errors = refused(app, code, tmp_path / "plain.xlsx")
    assert len(errors) == 1 and errors[0].rule == "004 4.18.2" and "declared several business lines" in errors[0].message_en


def cells_header_cell(path: Path, header: str) -> str:
    from ledger.sheets.layout import cell_name

    row = cells_of(path)[3]
    return cell_name(3, row.index(header))


def test_a_cleared_standing_score_and_a_lone_note_are_refused(app, tmp_path):
    code = uscc(211)
    open_stage2(app, code)
    cells, _, _ = values_001()
    import_(app, fill_template(app, code, tmp_path, cells), code)
    write_template(app, tmp_path / "again.xlsx", scheme_id="zgc-ru015", client=code, audit="A2")
    errors = refused(app, code, fill(tmp_path / "again.xlsx", tmp_path / "cleared.xlsx", {("A.1", "评分比例（%）"): None}))
    assert [e.cell for e in errors] == ["F5"] and "S1" in errors[0].message_en

    other = uscc(212)
    open_stage2(app, other)
    errors = refused(app, other, fill_template(app, other, tmp_path, {("A.1", "备注"): "待补充"}, "note.xlsx"))
    assert [e.cell for e in errors] == ["L5"]


def test_the_template_is_protected_with_a_validation_per_input_cell_and_a_hidden_metadata_sheet(tmp_path):
    import re
    import zipfile

    write_template(None, tmp_path / "t.xlsx", scheme_id="hzx-mr0118")
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        book = z.read("xl/workbook.xml").decode()
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<sheet name="certledger" sheetId="2" state="hidden"', book)
    assert "<sheetProtection" in xml
    validations = re.findall(r'<dataValidation (type="(\w+)")?[^>]*sqref="([A-Z]+\d+)"[^>]*>(.*?)</dataValidation>', xml)
    by_cell = {cell: (kind, body) for _, kind, cell, body in validations}
    grid = cells_of(tmp_path / "t.xlsx")
    header = grid[3]
    first = next(i for i, r in enumerate(grid) if r[0] == "1.1")   # an integrity item, points-range
    from ledger.sheets.layout import cell_name

    kind, body = by_cell[cell_name(first, header.index("得分"))]
    assert kind == "decimal" and "<formula1>0</formula1>" in body and f"<formula2>{int(grid[first][3])}</formula2>" in body
    kind, body = by_cell[cell_name(next(i for i, r in enumerate(grid) if r[0] == "B"), header.index("评分比例（%）"))]
    assert kind == "decimal" and "<formula2>100</formula2>" in body
    attest = next(i for i, r in enumerate(grid) if r[0] == "5.1.1-1")
    kind, body = by_cell[cell_name(attest, header.index("是否满足"))]
    assert kind == "list" and "是,否" in body
    assert cell_name(attest, header.index("得分")) not in by_cell  # not an input of a prerequisite: locked, no validation


def test_a_blank_template_of_the_scheme_serves_any_client_of_that_scheme(app, tmp_path):
    code = uscc(213)
    open_stage2(app, code)
    write_template(None, tmp_path / "blank.xlsx", scheme_id="zgc-ru015")
    assert dict((r[0], r[1]) for r in cells_of(tmp_path / "blank.xlsx", "certledger"))["client"] == ""
    cells, entries, _ = values_001()
    report = import_(app, fill(tmp_path / "blank.xlsx", tmp_path / "filled.xlsx", cells), code)
    assert report.errors == [] and report.entered == len(entries) and report.excluded == 1
