"""Procedures as data: 001 and 004 are files beside the schemes, and a body adds a scheme and its
procedure with files under CERTLEDGER_SCHEMES, no Python. A bad procedure file is refused naming
the file and what to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregates.errors import RuleViolation
from ledger.rules import procedures
from ledger.rules.procedures import PROCEDURE_DIR, parse_procedure, procedure_for


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    procedures._catalogue.cache_clear()
    yield
    procedures._catalogue.cache_clear()


def test_the_shipped_procedures_are_001_by_default_and_004_for_hzx():
    assert procedure_for("hzx-mr0118").id == "004"
    for scheme in ("zgc-ru015", "tbsc94", "zdrz-69", "jx-qci-2023", None):
        assert procedure_for(scheme).id == "001"
    p004 = procedure_for("hzx-mr0118")
    assert p004.periods.lapse_withdrawal_reason == "8.3c" and p004.reason("withdrawal", "8.3c").clause == "004 §8.3 c"
    assert p004.periods.surveillance_calendar_year is None and p004.periods.appeal_lodging.length == 10
    p001 = procedure_for(None)
    assert p001.periods.appeal_lodging is None and p001.periods.surveillance_calendar_year == "001 §5.2.1"
    assert p001.reason("suspension", "7.2.1e").until_licensing_decision


def _body_folder(tmp_path: Path) -> Path:
    """A body's own folder: a new scheme (a copy of zgc-ru015 under another id) and the body's own
    procedure 'B01' that governs it, with its own reason codes."""
    from ledger.rules.scoring.catalogue import SCHEME_DIR

    folder = tmp_path / "body"
    (folder / "procedures").mkdir(parents=True)
    text = (SCHEME_DIR / "zgc-ru015@A0.toml").read_text(encoding="utf-8").replace('id = "zgc-ru015"', 'id = "body-credit"', 1)
    (folder / "body-credit@A0.toml").write_text(text, encoding="utf-8")
    proc = (PROCEDURE_DIR / "004.toml").read_text(encoding="utf-8")
    proc = (proc.replace('id = "004"', 'id = "B01"', 1).replace('schemes = ["hzx-mr0118"]', 'schemes = ["body-credit"]', 1)
                .replace('code = "8.3c"', 'code = "B-W3"', 1).replace('lapse_withdrawal_reason = "8.3c"', 'lapse_withdrawal_reason = "B-W3"', 1)
                .replace('code = "8.1a"', 'code = "B-S1"', 1))
    (folder / "procedures" / "B01.toml").write_text(proc, encoding="utf-8")
    return folder


def test_a_body_adds_a_scheme_and_its_procedure_with_files_under_CERTLEDGER_SCHEMES(tmp_path, monkeypatch):
    from ledger.rules.scoring import catalogue

    monkeypatch.setenv(procedures.ENV_SCHEMES, str(_body_folder(tmp_path)))
    catalogue._default.cache_clear()
    try:
        p = procedure_for("body-credit")
        assert p.id == "B01" and p.periods.lapse_withdrawal_reason == "B-W3"
        assert p.reason("suspension", "B-S1").clause == "004 §8.1 a"
        assert procedure_for("hzx-mr0118").id == "004" and procedure_for("zgc-ru015").id == "001"
        with pytest.raises(RuleViolation) as e:
            p.reason("suspension", "7.2.1a")
        assert "B-S1" in e.value.message_en
    finally:
        catalogue._default.cache_clear()


BAD = [
    ("unknown key", lambda t: t.replace("max_suspension_months = 6", "max_suspension_months = 6\nmax_suspensoin = 3"), "unknown keys"),
    ("missing period", lambda t: t.replace('appeal_result = { length = 60, unit = "days", clause = "004 §14" }\n', ""), "lacks ['appeal_result']"),
    ("bad unit", lambda t: t.replace('unit = "working_days", clause = "004 §14.1.1"', 'unit = "weeks", clause = "004 §14.1.1"'), "unknown period unit"),
    ("lapse reason", lambda t: t.replace('lapse_withdrawal_reason = "8.3c"', 'lapse_withdrawal_reason = "9.9"'), "lapse_withdrawal_reason '9.9'"),
    ("repeated code", lambda t: t.replace('code = "8.1b"', 'code = "8.1a"'), "repeats a reason code"),
    ("bad TOML", lambda t: t + "\n[periods\n", "cannot be read"),
    ("stage 1 man-days negative", lambda t: t.replace("stage1_man_days = { days = 0.5,", "stage1_man_days = { days = -0.5,"), "stage1_man_days.days"),
    ("stage 1 man-days not half days", lambda t: t.replace("stage1_man_days = { days = 0.5,", "stage1_man_days = { days = 0.3,"), "stage1_man_days.days"),
    ("stage 1 man-days as text", lambda t: t.replace("stage1_man_days = { days = 0.5,", 'stage1_man_days = { days = "0.5",'), "stage1_man_days.days"),
    ("stage 1 man-days without clause", lambda t: t.replace('stage1_man_days = { days = 0.5, clause = "004 §16.2" }', "stage1_man_days = { days = 0.5 }"),
     "stage1_man_days must be"),
]


@pytest.mark.parametrize("what,edit,needle", BAD, ids=[b[0] for b in BAD])
def test_a_bad_procedure_file_is_refused_naming_the_file_and_the_fix(tmp_path, what, edit, needle):
    path = tmp_path / "004.toml"
    path.write_text(edit((PROCEDURE_DIR / "004.toml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RuleViolation) as e:
        parse_procedure(path)
    assert e.value.rule == "ledger: procedure file"
    assert needle in e.value.message_en and str(path) in e.value.message_en and str(path) in e.value.message_zh


def test_a_stage_1s_man_days_are_procedure_data_and_absent_they_are_004s_half_day(tmp_path):
    """D63: 001's stage 1 is the document review, 0 man-days (001 §4.4.2); 004's 0.5 (004 §16.2); a
    body's file without the key keeps 004 §16.2's 0.5, the table the calculator applies to every procedure (D6)."""
    from decimal import Decimal

    p001, p004 = parse_procedure(PROCEDURE_DIR / "001.toml"), parse_procedure(PROCEDURE_DIR / "004.toml")
    assert (p001.stage1_man_days, p001.stage1_clause) == (Decimal(0), "001 §4.4.2")
    assert (p004.stage1_man_days, p004.stage1_clause) == (Decimal("0.5"), "004 §16.2")
    path = tmp_path / "004.toml"
    text = (PROCEDURE_DIR / "004.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('stage1_man_days = { days = 0.5, clause = "004 §16.2" }\n', ""), encoding="utf-8")
    assert (parse_procedure(path).stage1_man_days, parse_procedure(path).stage1_clause) == (Decimal("0.5"), "004 §16.2")
    path.write_text(text.replace("stage1_man_days = { days = 0.5,", "stage1_man_days = { days = 1,"), encoding="utf-8")
    assert parse_procedure(path).stage1_man_days == Decimal(1) and str(parse_procedure(path).stage1_man_days) == "1"


def test_two_default_procedures_or_a_scheme_claimed_twice_are_refused(tmp_path, monkeypatch):
    folder = tmp_path / "body"
    (folder / "procedures").mkdir(parents=True)
    text = (PROCEDURE_DIR / "001.toml").read_text(encoding="utf-8").replace('id = "001"', 'id = "B02"', 1)
    (folder / "procedures" / "B02.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(procedures.ENV_SCHEMES, str(folder))
    with pytest.raises(RuleViolation) as e:
        procedure_for("zgc-ru015")
    assert "default = true" in e.value.message_en and "B02" in e.value.message_en
    procedures._catalogue.cache_clear()
    text = (PROCEDURE_DIR / "004.toml").read_text(encoding="utf-8").replace('id = "004"', 'id = "B03"', 1)
    (folder / "procedures" / "B02.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleViolation) as e:
        procedure_for("zgc-ru015")
    assert "hzx-mr0118 is already governed by procedure" in e.value.message_en
