"""A complaint accepted later than 004 §14.2.2 allows (a week of its receipt, with its notice) is
recorded all the same, and read as late: ``show`` (fast and general paths), ``history`` and ``due``
(the written result's row) say so, in Chinese and English, by the one rule
(ledger.rules.deadlines_cases.acceptance_lateness). A complaint accepted in time carries no flag.
On SQLite and PostgreSQL."""

from datetime import date

import pytest
from click.testing import CliRunner

from cli.main import root
from tests.integration.test_cases import HZX, _certified


@pytest.fixture
def cli(db_url):
    def invoke(*args: str) -> str:
        r = CliRunner().invoke(root, ["--db", db_url, "--actor", "admin", *args], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        return r.output

    return invoke


def test_a_complaint_accepted_late_reads_late_in_show_history_and_due(app, cli):
    _certified(app, HZX, "hzx-mr0118")
    app.receive_complaint(client=HZX, complainant="顾客 陈某", subject="退货超时", actor="admin", on=date(2026, 4, 1))
    app.receive_complaint(client=HZX, complainant="顾客 王某", subject="发票错误", actor="admin", on=date(2026, 4, 1))
    # C1 decided in time but its notice sent on 04-10, two days after the week (04-08); C2 in time
    app.admit_complaint(client=HZX, complaint="C1", accept=True, decider=["孙丽"], notice_on=date(2026, 4, 10),
                        actor="admin", on=date(2026, 4, 7))
    app.admit_complaint(client=HZX, complaint="C2", accept=True, decider=["孙丽"], actor="admin", on=date(2026, 4, 3))

    show = cli("show", HZX).splitlines()
    (c1,) = [line for line in show if line.strip().startswith("C1 ")]
    (c2,) = [line for line in show if line.strip().startswith("C2 ")]
    assert "受理决定逾期 2 天（应于 2026-04-08 前作出并发出受理通知，004 §14.2.2）" in c1 and "逾期" not in c2
    show_en = cli("show", HZX, "--lang", "en")
    assert "decided 2 days late (due by 2026-04-08 with its notice, 004 §14.2.2)" in show_en and show_en.count("days late") == 1

    history = [line for line in cli("history", HZX, "--type", "ComplaintAdmitted").splitlines() if "投诉受理决定" in line]
    assert len(history) == 2 and "受理时限：受理决定逾期 2 天" in history[0] and "受理时限" not in history[1]
    history_en = [line for line in cli("history", HZX, "--type", "ComplaintAdmitted", "--lang", "en").splitlines()
                  if "complaint admission decided" in line]
    assert len(history_en) == 2 and "time limit: decided 2 days late" in history_en[0] and "time limit" not in history_en[1]

    due = {r["ref"]["complaint"]: r for r in _due(cli) if r["kind"] == "complaint_result"}
    assert due["C1"]["what_zh"].endswith("（受理逾期）") and "受理逾期 2 天" in due["C1"]["note_zh"]
    assert due["C1"]["what_en"].endswith("(accepted late)") and "2 days late" in due["C1"]["note_en"]
    assert "逾期" not in due["C2"]["what_zh"] and not due["C2"]["note_zh"]
    assert "（受理逾期）" in cli("due")


def _due(cli) -> list[dict]:
    import json

    return json.loads(cli("due", "--json"))["deadlines"]
