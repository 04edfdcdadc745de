"""``certledger due`` as a user meets it, on the demo year (ending 2026-11-20) played through the
application's commands as ``certledger demo`` plays it (its stories carried to their ends): six
clients under both procedures, one refused applicant who appealed, one change notified late."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from cli.main import root

TODAY = "2026-11-20"
WUHAN = "91420100MA4KTR8E2Q"  # refused on 2026-10-14 and appealed on 2026-10-21 (procedure 001)
SHENZHEN = "914403001922038216"  # procedure 004
HANGZHOU = "91330100716105852F"  # a change notified late (2026-10-31), not yet assessed


KEYS: dict[str, str] = {}  # the demo staff's key files (ledger/demo_people.py): signed acts need them


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory) -> str:
    from ledger.bootstrap import bootstrap
    from ledger.demo import play

    path = str(tmp_path_factory.mktemp("due") / "demo.sqlite")
    app = bootstrap(path)
    try:
        play(app, today=date(2026, 11, 20), to_the_end=True, staff_keys=KEYS)
    finally:
        app.close()
    return path


@pytest.fixture
def run(demo_ledger, tmp_path):
    db = str(tmp_path / "ledger.sqlite")
    shutil.copy(demo_ledger, db)

    def invoke(*args: str, actor: str = "张伟"):
        return CliRunner().invoke(root, ["--db", db, "--actor", actor, *args], catch_exceptions=False)

    return invoke


def due_json(run, *args: str) -> list[dict]:
    r = run("due", "--on", TODAY, "--json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)["deadlines"]


def test_due_lists_every_open_deadline_overdue_first_then_by_due_date(run):
    rows = due_json(run)
    overdue = [r for r in rows if r["overdue"]]
    assert [(r["uscc"], r["key"], r["days_left"]) for r in overdue] == [(HANGZHOU, "change_assessment:N2", -7)]
    assert rows[: len(overdue)] == overdue, "overdue deadlines come first"
    dated = [r["due"] for r in rows[len(overdue):] if r["due"]]
    assert dated == sorted(dated)
    for r in rows:
        assert r["client_name"] and r["what_zh"] and r["clause"] and r["period_zh"] and isinstance(r["provisional"], bool)
        assert r["days_left"] == (date.fromisoformat(r["due"]) - date(2026, 11, 20)).days
    kinds = {(r["uscc"], r["kind"]) for r in rows}
    assert (WUHAN, "appeal_result") in kinds and (SHENZHEN, "surveillance") in kinds
    assert next(r for r in rows if r["uscc"] == SHENZHEN and r["kind"] == "surveillance")["clause"] == "004 §6.9.1"


def test_within_keeps_what_is_due_soon_and_always_the_overdue(run):
    soon = due_json(run, "--within", "31")
    assert [(r["key"], r["days_left"]) for r in soon] == [("change_assessment:N2", -7), ("appeal_result:AL1", 31)]
    assert [r["key"] for r in due_json(run, "--within", "0")] == ["change_assessment:N2"]


def test_an_earlier_date_shows_fewer_overdue_and_nothing_that_had_not_started(run):
    r = run("due", "--on", "2026-10-16", "--json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["deadlines"]
    assert not any(r["overdue"] for r in rows)
    assert "appeal_result:AL1" not in {r["key"] for r in rows}, "the appeal was lodged on 2026-10-21"


def test_a_deadline_met_by_a_command_leaves_the_list(run):
    assert "appeal_result:AL1" in {r["key"] for r in due_json(run)}
    r = run("appeal", "decide", "--client", WUHAN, "--appeal", "AL1", "--outcome", "dismissed", "--result", "经复核维持原评审结论",
            "--decider", "孙丽", "--on", TODAY, "--sign-key", KEYS["孙丽"], actor="孙丽")  # admitted in the demo (ledger/demo_cases.py); decided now
    assert r.exit_code == 0, r.stderr
    assert "appeal_result:AL1" not in {r["key"] for r in due_json(run)}


def test_the_text_is_chinese_by_default_and_english_on_request(run):
    zh = run("due", "--on", TODAY, "--within", "31")
    assert zh.exit_code == 0 and "逾期 7 天" in zh.stdout and "001 §4.2.3" in zh.stdout and "杭州云栖质量科技有限公司" in zh.stdout
    assert "通报逾期 10 天" in zh.stdout and "change suspend --change N2" in zh.stdout
    assert "共 2 项，其中逾期 1 项" in zh.stdout
    en = run("due", "--on", TODAY, "--within", "31", "--lang", "en")
    assert "7 days overdue" in en.stdout and "Send the written result of appeal AL1" in en.stdout and "2 open, 1 overdue" in en.stdout


@pytest.mark.parametrize("args, words", [
    (("--on", "2026-02-30"), "2026-02-30"),
    (("--on", "tomorrow"), "YYYY-MM-DD"),
    (("--within", "soon"), "for --within: expected a whole number"),  # the option as typed (trial item 4)
    (("--on", "2026-13-01"), "for --on"),
    (("--within", "-1"), "--within"),
])
def test_a_bad_date_or_number_of_days_is_refused_with_exit_1_and_a_clear_message(run, args, words):
    r = run("--lang", "en", "due", *args)
    assert r.exit_code == 1
    assert r.stdout == "" and words in r.stderr and "Traceback" not in r.stderr


def test_an_empty_ledger_has_no_open_deadlines_and_a_missing_one_is_refused(tmp_path):
    r = CliRunner().invoke(root, ["--db", str(tmp_path / "typo.sqlite"), "--lang", "en", "due"])
    assert r.exit_code == 1 and "There is no ledger file" in r.stderr and not (tmp_path / "typo.sqlite").exists()
    from ledger.bootstrap import bootstrap

    bootstrap(str(tmp_path / "empty.sqlite")).close()
    r = CliRunner().invoke(root, ["--db", str(tmp_path / "empty.sqlite"), "due", "--on", TODAY])
    assert r.exit_code == 0 and "没有未到期或逾期的期限" in r.stdout
    r = CliRunner().invoke(root, ["--db", str(tmp_path / "empty.sqlite"), "due", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == {"shown": 0, "open": 0, "overdue": 0, "deadlines": []}


def test_a_past_date_shows_what_was_open_then_even_if_it_was_met_later(run):
    r = run("appeal", "decide", "--client", WUHAN, "--appeal", "AL1", "--outcome", "dismissed", "--result", "维持不予受理",
            "--decider", "孙丽", "--on", "2026-11-21", "--sign-key", KEYS["孙丽"], actor="孙丽")
    assert r.exit_code == 0, r.stderr
    assert "appeal_result:AL1" in {x["key"] for x in due_json(run)}  # on 2026-11-20 it was still open
    now = json.loads(run("due", "--json").stdout)["deadlines"]
    assert "appeal_result:AL1" not in {x["key"] for x in now}
