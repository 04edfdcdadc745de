"""The CNCA report's definitions as data (ledger/rules/reports/cnca.toml): the shipped file, a body's
own file over it (CERTLEDGER_CNCA_REPORT), refusals naming the file, the plan number and the
body-level deadline rows."""

from datetime import date

import pytest

from aggregates.errors import RuleViolation
from ledger.rules import cnca


def test_the_shipped_definitions_name_the_three_sheets_with_their_sources():
    d = cnca.definition()
    assert [s.name for s in d.sheets] == ["审核计划信息表", "证书信息表", "审核结果信息表"]
    assert all(s.source == "confirmed" for s in d.sheets) and d.due_day == 10 and d.clause == "市监认证函〔2021〕102号"
    plans = d.sheets[0]
    method = next(c for c in plans.columns if c.field == "method")
    assert method.header == "审核方式" and method.upper and method.source == "confirmed"
    assert {"leader_id", "member_ids"} <= {c.field for c in plans.columns}
    assert "AuditPlanned" in d.events and "CertificateIssued" in d.events and "AuditCompleted" in d.events
    assert cnca.plan_number(d, approval="CNCA-R-2021-123", uscc="91330100716105852F", audit_id="a2", year=2026) == \
        "CNCA-R-2021-123-2026-91330100716105852F-A2"


def test_a_bodys_own_file_corrects_a_header_without_code(tmp_path, monkeypatch):
    own = tmp_path / "cnca.toml"
    own.write_text('''
[report]
plan_number = "{approval}{uscc}{audit}"

[[sheets]]
key = "results"
name = "审核结果信息表"
events = ["AuditCompleted"]
columns = [
    { header = "审核计划编号", field = "plan_no", upper = true },
    { header = "审核方式代码", field = "method", upper = true, source = "confirmed" },
]
''', encoding="utf-8")
    monkeypatch.setenv(cnca.ENV_REPORT, str(own))
    d = cnca.definition()
    assert d.sheets[2].headers == ["审核计划编号", "审核方式代码"] and d.sheets[0].headers == cnca._definition("").sheets[0].headers
    assert cnca.plan_number(d, approval="X-1", uscc="U", audit_id="A1", year=2026) == "X-1UA1" and d.files[-1] == str(own)


@pytest.mark.parametrize("text, words", [
    ('[[sheets]]\nkey = "plans"\nname = "审核计划信息表"\nevents = ["AuditPlanned"]\ncolumns = [{ header = "X", field = "nonsense" }]\n', "nonsense"),
    ('[[sheets]]\nkey = "plans"\nname = "a/b"\nevents = ["AuditPlanned"]\ncolumns = [{ header = "X", field = "uscc" }]\n', "sheet name"),
    ('[[sheets]]\nkey = "plans"\nname = "P"\nevents = ["AuditPlanned"]\ncolumns = [{ header = "X", field = "uscc" }, { header = "X", field = "plan_no" }]\n', "twice"),
    ('[report]\nplan_number = "{uscc}-{audit}"\n', "{approval}"),
    ('[report]\nplan_number = "{approval}-{month}"\n', "only"),
    ('[deadline]\nday = 31\n', "1 to 28"),
    ('not = [toml\n', "TOML"),
])
def test_a_bad_definitions_file_is_refused_naming_the_file(tmp_path, monkeypatch, text, words):
    own = tmp_path / "bad.toml"
    own.write_text(text, encoding="utf-8")
    monkeypatch.setenv(cnca.ENV_REPORT, str(own))
    with pytest.raises(RuleViolation) as e:
        cnca.definition()
    assert e.value.rule == cnca.RULE and str(own) in e.value.message_en and words in e.value.message_en


def test_each_month_with_data_is_due_on_the_tenth_of_the_next_until_submitted():
    d = cnca.definition()
    rows = cnca.report_deadlines([date(2026, 12, 1), date(2026, 3, 1), date(2026, 3, 1)], ["2026-03"], d)
    assert [(r["key"], r["since"], r["due"], r["uscc"]) for r in rows] == [("cnca_report:2026-12", date(2026, 12, 31), date(2027, 1, 10), "")]
