"""``certledger sheet template|import`` as an auditor meets them: a template written, filled in a copy
(openpyxl, as a spreadsheet program saves it), imported; the grade equals that of the same scores
typed with ``certledger score enter``; a bad workbook lists every error as FILE!SHEET!CELL, exits 1
and writes nothing; a second import changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import root
from tests.integration.test_annotations import d, open_stage2, uscc
from tests.integration.test_sheets import fill, values_001


@pytest.fixture
def ledger(db_url):
    from ledger.bootstrap import bootstrap
    from projections import dispose

    app = bootstrap(db_url)
    codes = uscc(301), uscc(302)
    for code in codes:
        open_stage2(app, code)
    dispose(app)
    app.close()
    return {"db": db_url, "codes": codes}


def run(ledger, *args: str):
    return CliRunner().invoke(root, ["--db", ledger["db"], "--actor", "李强", *args], catch_exceptions=False)


def explain(ledger, code: str) -> dict:
    r = run(ledger, "explain", code, "--audit", "A2", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    return {k: data[k] for k in ("total", "max_total", "percent", "grade", "complete")}


def test_a_score_sheet_round_trip_on_the_command_line(ledger, tmp_path):
    code, twin = ledger["codes"]
    template = tmp_path / "A2.xlsx"
    r = run(ledger, "sheet", "template", "--scheme", "zgc-ru015", "--client", code, "--audit", "A2", "--out", str(template))
    assert r.exit_code == 0, r.stderr
    assert "23 行" in r.stdout and template.exists()
    cells, entries, exclusions = values_001()
    filled = fill(template, tmp_path / "A2-filled.xlsx", cells)

    r = run(ledger, "sheet", "import", str(filled), "--client", code, "--audit", "A2", "--on", d(11).isoformat())
    assert r.exit_code == 0, r.stderr
    assert "录入 22，更正 0，删减 1" in r.stdout

    for item, _, value in entries:  # the same scores typed one by one
        r = run(ledger, "score", "enter", "--client", twin, "--audit", "A2", "--item", item, "--value", json.dumps(value), "--on", d(11).isoformat())
        assert r.exit_code == 0, r.stderr
    for item, reason in exclusions.items():
        assert run(ledger, "score", "exclude", "--client", twin, "--audit", "A2", "--item", item, "--reason", reason,
                   "--on", d(11).isoformat()).exit_code == 0
    assert explain(ledger, code) == explain(ledger, twin) and explain(ledger, code)["grade"]

    r = run(ledger, "--json", "sheet", "import", str(filled), "--client", code, "--audit", "A2", "--on", d(11).isoformat())
    assert r.exit_code == 0, r.stderr
    again = json.loads(r.stdout)
    assert again["written"] == 0 and again["unchanged"] == 23 and len(again["sha256"]) == 64

    r = run(ledger, "history", code, "--json")
    assert again["sha256"] in r.stdout


def test_a_bad_workbook_lists_every_error_by_cell_and_writes_nothing(ledger, tmp_path):
    code, _ = ledger["codes"]
    template = tmp_path / "A2.xlsx"
    assert run(ledger, "sheet", "template", "--scheme", "zgc-ru015", "--client", code, "--audit", "A2", "--out", str(template)).exit_code == 0
    cells, _, _ = values_001()
    cells[("A.1", "评分比例（%）")] = 101

    def formula(wb):
        wb["评分表"]["F6"] = "=A1"
    bad = fill(template, tmp_path / "bad.xlsx", cells, formula)
    before = run(ledger, "history", code, "--json").stdout
    r = run(ledger, "--lang", "en", "sheet", "import", str(bad), "--client", code, "--audit", "A2")
    assert r.exit_code == 1
    assert f"{bad}!评分表!F6: The cell holds a formula" in r.stderr
    assert "Traceback" not in r.stderr and "nothing was written" in r.stdout
    assert run(ledger, "history", code, "--json").stdout == before

    r = run(ledger, "sheet", "import", str(fill(template, tmp_path / "range.xlsx", cells)), "--client", code, "--audit", "A2")
    assert r.exit_code == 1
    assert f"{tmp_path / 'range.xlsx'}!评分表!F5: 指标 A.1" in r.stderr and "out-of-range: 001" in r.stderr
    assert run(ledger, "history", code, "--json").stdout == before

    text = tmp_path / "scores.xlsx"
    text.write_bytes(b"not a workbook")
    r = run(ledger, "sheet", "import", str(text), "--client", code, "--audit", "A2")
    assert r.exit_code == 1 and f"{text}: 不是 Excel 工作簿" in r.stderr


def test_a_template_for_the_wrong_scheme_or_a_stage_1_audit_is_refused(ledger, tmp_path):
    code, _ = ledger["codes"]
    r = run(ledger, "sheet", "template", "--scheme", "hzx-mr0118", "--client", code, "--audit", "A2", "--out", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 1 and "001 §13.1" in r.stderr and "--scheme zgc-ru015" in r.stderr
    r = run(ledger, "sheet", "template", "--scheme", "zgc-ru015", "--client", code, "--audit", "A1", "--out", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    r = run(ledger, "sheet", "template", "--scheme", "no-such", "--out", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 1 and "zgc-ru015" in r.stderr
    assert not (tmp_path / "x.xlsx").exists()
    r = run(ledger, "sheet", "template", "--scheme", "zgc-ru015", "--out", str(tmp_path / "no-such-dir" / "x.xlsx"))
    assert r.exit_code == 1 and "ledger: output file" in r.stderr and "Traceback" not in r.stderr
