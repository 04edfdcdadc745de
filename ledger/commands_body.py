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
    ("body conflict", "declare_body_conflict", "Record a conflict of the body itself with a client (本机构利益冲突, 004 §4.2 d) 1)): "
     "an asset relation or another interest; the client's evaluation is refused while it stands.", (
        {"name": "client", "help": "the client's USCC (统一社会信用代码, 18 characters)"},
        {"name": "kind", "choices": ("asset", "other_interest"),
         "help": "asset (资产关联) or other_interest (其他利害关系), or its word in Chinese or English"},
        {"name": "detail", "help": "what the relation is, as it should stand in the record"},
        {"name": "on", "type": "date", "required": False,
         "help": "business date YYYY-MM-DD from which it stands (default: today, Asia/Shanghai)"},
    )),
    ("body conflict-end", "end_body_conflict", "Record that a conflict of the body with a client no longer stands "
     "(004 §4.2 d) 1)), with the reason; the client's evaluation is allowed again.", (
        {"name": "client", "help": "the client's USCC (统一社会信用代码, 18 characters)"},
        {"name": "conflict", "required": False, "default": "", "help": "the conflict, e.g. BC1 (needed when several stand for the client)"},
        {"name": "reason", "help": "why it no longer stands, as it should stand in the record"},
        {"name": "on", "type": "date", "required": False,
         "help": "business date YYYY-MM-DD from which it no longer stands (default: today, Asia/Shanghai)"},
    )),
)
