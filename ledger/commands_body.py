"""The catalogue entries of the body's own acts (issue 17), as data that ``ledger.commands`` turns
into its ``Command`` entries (like ledger/commands_people.py). Stdlib only. A body's command takes
no client."""

from __future__ import annotations

from typing import Any

BODY_COMMANDS: tuple[tuple[str, str, str, tuple[dict[str, Any], ...]], ...] = (
    ("report submit", "submit_report", "Record that the monthly report to the CNCA was submitted (认证信息报送, "
     "市监认证函〔2021〕102号: each month's data by the 10th of the next month); certledger report cnca writes it.", (
        {"name": "month", "help": "the month the report covers, YYYY-MM"},
        {"name": "reference", "help": "the regulator's reference or receipt number of the submission"},
        {"name": "correction", "required": False, "default": "",
         "help": "for a second submission of the same month: what it corrects"},
        {"name": "on", "type": "date", "required": False,
         "help": "business date YYYY-MM-DD of the submission (default: today, Asia/Shanghai)"},
    )),
)
