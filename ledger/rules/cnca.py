"""The regulator's monthly report as data (issue 17, docs/cnca-report.md): the workbook's sheets,
headers and the events that put rows in each (``reports/cnca.toml``, shipped; a body's own file
named by ``CERTLEDGER_CNCA_REPORT`` replaces sheets by key and settings by name), the audit plan
number's form, and the report's deadline as a body-level row of ``certledger due``.

Pure apart from reading those files: no database, no clock.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from aggregates.errors import RuleViolation

ENV_REPORT = "CERTLEDGER_CNCA_REPORT"  # a body's own definitions file (TOML), over the shipped one
SHIPPED = Path(__file__).resolve().parent / "reports" / "cnca.toml"
RULE = "ledger: CNCA report definitions"

# What each sheet can show: the values certledger computes for its rows (docs/cnca-report.md).
FIELDS: dict[str, frozenset[str]] = {
    "plans": frozenset({"plan_no", "approval", "org_name", "uscc", "scheme", "scheme_version", "audit_kind", "method", "method_word",
                        "start", "end", "man_days", "leader", "leader_id", "members", "member_ids", "experts", "expert_ids",
                        "sites", "planned_on", "audit_id"}),
    "certificates": frozenset({"cert_no", "approval", "org_name", "uscc", "address", "scheme", "scheme_version", "standard", "scope",
                               "sites", "grade", "act", "act_on", "status", "original_issue_on", "issued_on", "valid_from",
                               "valid_until", "reason", "plan_no"}),
    "results": frozenset({"plan_no", "approval", "org_name", "uscc", "scheme", "scheme_version", "audit_kind", "method", "method_word",
                          "start", "end", "completed_on", "man_days", "leader", "leader_id", "members", "member_ids", "nc_major",
                          "nc_minor", "conclusion", "audit_id"}),
}
SHEET_KEYS = tuple(FIELDS)

KINDS: dict[str, tuple[str, str]] = {"cnca_report": ("认证信息月度报送认监委", "monthly report to the CNCA")}
BODY = ("（本机构）", "(the body)")  # the "client" of a body-level deadline row


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    upper: bool = False
    source: str = "inferred"


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    source: str
    rows: str
    events: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class Definition:
    title: str
    sources: tuple[str, ...]
    plan_number: str
    due_day: int
    clause: str
    sheets: tuple[Sheet, ...]
    files: tuple[str, ...]

    @property
    def events(self) -> frozenset[str]:
        """Every event type that puts a row in a sheet: a month with one of these has a report."""
        return frozenset(e for s in self.sheets for e in s.events)


def _bad(path: Path, zh: str, en: str) -> RuleViolation:
    return RuleViolation(RULE, f"报告定义文件 {path}：{zh}", f"Report definitions file {path}: {en}")


def _read(path: Path) -> dict[str, Any]:
    from ledger.rules import toml_cache

    try:
        return toml_cache.load(path)  # parsed again only when the file changed (D49)
    except OSError as e:
        raise _bad(path, f"无法读取（{e.strerror}）；请检查环境变量 {ENV_REPORT}。",
                   f"cannot be read ({e.strerror}); check the environment variable {ENV_REPORT}.") from None
    except ValueError as e:  # tomllib.TOMLDecodeError, or not UTF-8
        raise _bad(path, f"不是有效的 TOML（{e}）。", f"is not valid TOML ({e}).") from None


def _sheet(path: Path, raw: Any) -> Sheet:
    if not isinstance(raw, dict) or raw.get("key") not in FIELDS:
        raise _bad(path, f"每个 [[sheets]] 须有 key，取值为 {'、'.join(SHEET_KEYS)} 之一。",
                   f"each [[sheets]] needs a key, one of {', '.join(SHEET_KEYS)}.")
    key = raw["key"]
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 31 or any(ch in name for ch in "[]:*?/\\"):
        raise _bad(path, f"工作表 {key} 的名称“{name}”无效（1-31 个字符，不含 []:*?/\\）。",
                   f"sheet {key}'s name '{name}' is not a valid sheet name (1-31 characters, none of []:*?/\\).")
    columns = []
    for c in raw.get("columns") or []:
        field, header = str(c.get("field", "")), str(c.get("header", "")).strip()
        if field not in FIELDS[key]:
            raise _bad(path, f"工作表 {name} 的列“{header}”取值 field = “{field}” 未知；可用：{'、'.join(sorted(FIELDS[key]))}。",
                       f"sheet {name}'s column '{header}' has an unknown field '{field}'; known: {', '.join(sorted(FIELDS[key]))}.")
        if not header:
            raise _bad(path, f"工作表 {name} 有一列没有表头（header）。", f"sheet {name} has a column without a header.")
        columns.append(Column(header, field, bool(c.get("upper", False)), str(c.get("source", "inferred"))))
    headers = [c.header for c in columns]
    if not columns or len(set(headers)) != len(headers):
        raise _bad(path, f"工作表 {name} 须有列，且表头不重复。", f"sheet {name} needs columns, with no header twice.")
    events = tuple(str(e) for e in raw.get("events") or [])
    if not events:
        raise _bad(path, f"工作表 {name} 须列出产生行的事件（events）。", f"sheet {name} must list the events that give it rows (events).")
    return Sheet(key, name, str(raw.get("source", "inferred")), str(raw.get("rows", "")), events, tuple(columns))


@functools.lru_cache(maxsize=4)
def _definition(own: str) -> Definition:
    shipped = _read(SHIPPED)
    files = [str(SHIPPED)]
    report, deadline = dict(shipped.get("report", {})), dict(shipped.get("deadline", {}))
    sheets = {s["key"]: (SHIPPED, s) for s in shipped.get("sheets", [])}
    if own:
        path = Path(own)
        mine = _read(path)
        files.append(str(path))
        report.update(mine.get("report", {}))
        deadline.update(mine.get("deadline", {}))
        for s in mine.get("sheets", []):
            sheets[s.get("key") if isinstance(s, dict) else None] = (path, s)
    built = tuple(_sheet(p, s) for p, s in sheets.values())
    if {s.key for s in built} != set(SHEET_KEYS) or len({s.name for s in built}) != len(built):
        raise _bad(Path(files[-1]), f"须恰有 {len(SHEET_KEYS)} 个工作表（{'、'.join(SHEET_KEYS)}），名称各不相同。",
                   f"there must be exactly {len(SHEET_KEYS)} sheets ({', '.join(SHEET_KEYS)}), each with its own name.")
    day = deadline.get("day")
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise _bad(Path(files[-1]), "[deadline] day 应为 1 至 28 的整数。", "[deadline] day must be a whole number from 1 to 28.")
    form = str(report.get("plan_number", ""))
    if "{approval}" not in form:
        raise _bad(Path(files[-1]), "审核计划编号的格式（plan_number）须含 {approval}（认证机构批准号）。",
                   "the audit plan number's form (plan_number) must contain {approval} (the body's approval number).")
    try:
        form.format(approval="A", uscc="U", audit="A1", year=2026)
    except (KeyError, IndexError, ValueError):
        raise _bad(Path(files[-1]), "plan_number 只能用 {approval}、{uscc}、{audit}、{year}。",
                   "plan_number may use only {approval}, {uscc}, {audit} and {year}.") from None
    order = {k: i for i, k in enumerate(SHEET_KEYS)}
    return Definition(str(report.get("title", "")), tuple(report.get("sources", [])), form, day, str(deadline.get("clause", "")),
                      tuple(sorted(built, key=lambda s: order[s.key])), tuple(files))


def definition() -> Definition:
    """The report's definitions: the shipped file, with the body's own over it (``CERTLEDGER_CNCA_REPORT``)."""
    return _definition(os.environ.get(ENV_REPORT, "").strip())


def plan_number(defn: Definition, *, approval: str, uscc: str, audit_id: str, year: int) -> str:
    """An audit plan's number in the report (built from the body's approval number)."""
    return defn.plan_number.format(approval=approval, uscc=uscc, audit=audit_id, year=year).upper()


def month_bounds(first: date) -> tuple[date, date]:
    """The first and last day of the month that starts on ``first``."""
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def report_deadlines(months: Iterable[date], submitted: Iterable[str], defn: Definition) -> list[dict[str, Any]]:
    """The body-level rows of ``due``: each month with data (its first day) whose report has not
    been submitted, due on the definitions' day of the next month, counted from the month's end.
    Rows are shaped like ``ledger.rules.deadlines`` rows, with ``uscc`` empty and the body as the client."""
    done = set(submitted)
    rows = []
    for first in sorted(set(months)):
        period = first.strftime("%Y-%m")
        if period in done:
            continue
        last = month_bounds(first)[1]
        due = (last + timedelta(days=1)).replace(day=defn.due_day)
        rows.append({
            "key": f"cnca_report:{period}", "kind": "cnca_report", "clause": defn.clause, "procedure": "",
            "what_zh": f"向国家认监委报送 {period} 的认证信息（{'、'.join(s.name for s in defn.sheets)}）",
            "what_en": f"Submit the certification information of {period} to the CNCA ({', '.join(s.name for s in defn.sheets)})",
            "since": last, "due": due, "provisional": False,
            "period_zh": f"次月 {defn.due_day} 日前", "period_en": f"by the {defn.due_day}th of the next month",
            "ref": {"month": period},
            "note_zh": f"certledger report cnca --month {period} 生成报表；报送后记录：certledger report submit --month {period} --reference 回执号",
            "note_en": f"write it with certledger report cnca --month {period}; once submitted: certledger report submit --month {period} --reference RECEIPT",
            "uscc": "", "client_name": BODY[0],
        })
    return rows
