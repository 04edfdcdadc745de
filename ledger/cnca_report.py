"""The regulator's monthly report from the events (issue 17, docs/cnca-report.md): the rows of each
sheet of ``ledger/rules/reports/cnca.toml`` for one month, and the workbook written with XlsxWriter.

Which events make a row is the definitions' ``events`` of each sheet, read from the audit-trail index
(every event with its type and business date); each row is built from the event itself and the
client as the events dated up to the month's last day make it (names, certificates, the audit's
nonconformities). An audit plan's number is built from the body's approval number
(``ledger.rules.cnca.plan_number``); the team's identity numbers are those the plan recorded (issue
15 item 6), or, for a plan recorded before the register of people, the register's now (and a
warning when a member is not registered).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.body import MONTHLY, parse_month
from aggregates.uscc import client_id_for
from aggregates.vocabulary import AUDIT_KINDS, AUDIT_METHODS, CERTIFICATE_STATUSES, word
from ledger.people_checks import audit_days
from ledger.rules import cnca


class Report:
    """One month's report: ``rows`` by sheet key (dicts of the computed fields), ``warnings``."""

    def __init__(self, month: date, approval: str, defn: cnca.Definition) -> None:
        self.month, self.approval, self.defn = month, approval, defn
        self.rows: dict[str, list[dict[str, Any]]] = {s.key: [] for s in defn.sheets}
        self.warnings: list[tuple[str, str]] = []

    @property
    def period(self) -> str:
        return self.month.strftime("%Y-%m")

    def table(self, sheet: cnca.Sheet) -> list[list[Any]]:
        """A sheet's cells below its header, in its columns' order (codes upper-cased)."""
        out = []
        for row in self.rows[sheet.key]:
            cells = []
            for col in sheet.columns:
                value = row.get(col.field)
                value = "" if value is None else value
                if isinstance(value, date):
                    value = value.isoformat()
                if isinstance(value, Decimal):
                    value = float(value) if value != value.to_integral_value() else int(value)
                if col.upper and isinstance(value, str):
                    value = value.upper()
                cells.append(value)
            out.append(cells)
        return out


def check_month(text: str) -> str:
    """A month as YYYY-MM, or a refusal naming the form (before anything is opened or written)."""
    return parse_month(text).strftime("%Y-%m")


def build(app: Any, month: str, approval: str | None) -> Report:
    """The report of ``month`` (YYYY-MM) from the events; refused without an approval number."""
    first = parse_month(month)
    if not approval:
        raise RuleViolation(MONTHLY, "审核计划编号由认证机构批准号构成：请给出 --approval 批准号，或设置环境变量 CERTLEDGER_BODY_APPROVAL（例如 CNCA-R-2021-123）。",
                            "Audit plan numbers are built from the body's approval number: give --approval NUMBER or set "
                            "CERTLEDGER_BODY_APPROVAL (e.g. CNCA-R-2021-123).")
    defn = cnca.definition()
    report = Report(first, approval, defn)
    last = cnca.month_bounds(first)[1]
    from projections.read import audit_trail

    wanted = defn.events
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)  # uscc -> [(version, type)], in log order
    for r in audit_trail(app, since=first, until=last):
        if r["type"] in wanted:
            found[r["uscc"]].append((r["version"], r["type"]))
    sheet_of = {e: s.key for s in defn.sheets for e in s.events}
    for uscc, marks in found.items():
        versions = {v for v, _ in marks}
        client = app.client(uscc, as_of=last)
        events = [e for e in app.events.get(client_id_for(uscc)) if e.originator_version in versions]
        for ev in events:
            kind = sheet_of.get(type(ev).__name__)
            if kind == "plans":
                report.rows["plans"].append(_plan_row(app, report, client, ev))
            elif kind == "results":
                report.rows["results"].append(_result_row(app, report, client, ev))
            elif kind == "certificates":
                row = _certificate_row(report, client, ev)
                if row is not None:
                    report.rows["certificates"].append(row)
    for rows in report.rows.values():
        rows.sort(key=lambda r: (str(r.get("act_on") or r.get("planned_on") or r.get("completed_on") or ""), r.get("uscc", ""),
                                 r.get("plan_no") or r.get("cert_no") or ""))
    return report


def _plan_no(report: Report, client: Any, audit: dict[str, Any]) -> str:
    return cnca.plan_number(report.defn, approval=report.approval, uscc=client.uscc, audit_id=audit["id"], year=audit["planned_on"].year)


def _team(app: Any, report: Report, client: Any, audit: dict[str, Any]) -> dict[str, Any]:
    """The team's names and identity numbers: as the plan recorded them, else the register's now."""
    ids = {t["name"]: t["document_number"] for t in audit.get("team_ids") or []}
    experts = list((audit.get("calculation") or {}).get("technical_experts") or [])

    def number(name: str) -> str:
        if name in ids:
            return ids[name]
        try:
            return app.find_person(name).document_number if app.has_people() else ""
        except RuleViolation:
            return ""

    members = [m for m in audit["team"] if m != audit["leader"]]
    out = {"leader": audit["leader"], "leader_id": number(audit["leader"]), "members": "；".join(members),
           "member_ids": "；".join(number(m) for m in members), "experts": "；".join(experts),
           "expert_ids": "；".join(number(x) for x in experts)}
    missing = [n for n in [audit["leader"], *members, *experts] if not number(n)]
    if missing:
        names = "、".join(missing)
        report.warnings.append((f"{client.uscc} {audit['id']}：{names} 没有证件号码（人员名册中未登记）；请登记后重新生成：people register --name 姓名 --number 证件号码。",
                                f"{client.uscc} {audit['id']}: no identity number for {', '.join(missing)} (not in the register of people); "
                                "register them and write the report again: people register --name NAME --number NUMBER."))
    return out


# The 审核方式 codes of 市监认证函〔2021〕102号 (docs/cnca-report.md). An off-site audit (a document review,
# 004 §16.2 "一阶段为非现场") has none: its cell is left empty, with a warning (docs/decisions.md D62).
CNCA_METHOD_CODES = ("FS01", "FS02", "FS03")


def _method_code(report: Report, client: Any, audit: dict[str, Any], method: str) -> str:
    """The plan's method as the report's code: as recorded when it is a 102号 code, else empty and
    warned once per audit (the body checks the regulator's template for an off-site document review)."""
    if method in CNCA_METHOD_CODES:
        return method
    note = (f"{client.uscc} {audit['id']}：审核方式为{word(AUDIT_METHODS, method)}，市监认证函〔2021〕102号的审核方式代码"
            f"（{'、'.join(CNCA_METHOD_CODES)}）中没有对应代码，“审核方式”一栏留空；请按监管系统的模板填写或说明。",
            f"{client.uscc} {audit['id']}: the audit method is {word(AUDIT_METHODS, method, 'en')}, which has no code among the "
            f"审核方式 codes of 市监认证函〔2021〕102号 ({', '.join(CNCA_METHOD_CODES)}); its 审核方式 cell is left empty: "
            "fill it in or explain it as the regulator's template asks.")
    if note not in report.warnings:
        report.warnings.append(note)
    return ""


def _audit_fields(app: Any, report: Report, client: Any, audit: dict[str, Any]) -> dict[str, Any]:
    end = audit_days(audit["start_on"], Decimal(audit["man_days"]), len(audit["team"]), app.calendar)[-1]
    method = audit.get("method") or "FS01"  # as recorded (a plan before the method was recorded is upcast to FS01)
    application = client.applications.get(audit.get("application_id") or "") or {}
    scheme_id = application.get("scheme_id") or getattr(client, "scheme_id", "") or ""
    return {
        "audit_id": audit["id"], "plan_no": _plan_no(report, client, audit), "approval": report.approval, "org_name": client.name,
        "uscc": client.uscc, "scheme": scheme_id, "audit_kind": word(AUDIT_KINDS, audit["kind"]),
        "method": _method_code(report, client, audit, method), "method_word": word(AUDIT_METHODS, method), "start": audit["start_on"], "end": end, "man_days": audit["man_days"],
        "planned_on": audit["planned_on"], **_team(app, report, client, audit),
    }


def _plan_row(app: Any, report: Report, client: Any, ev: Any) -> dict[str, Any]:
    audit = client.audits[ev.audit_id]
    return {**_audit_fields(app, report, client, audit), "sites": "；".join(audit.get("sites") or [])}


def _result_row(app: Any, report: Report, client: Any, ev: Any) -> dict[str, Any]:
    audit = client.audits[ev.audit_id]
    ncs = [n for n in client.nonconformities.values() if n["audit_id"] == ev.audit_id]
    return {**_audit_fields(app, report, client, audit), "completed_on": ev.occurred_on, "conclusion": ev.conclusion,
            "nc_major": sum(1 for n in ncs if n["severity"] == "major"), "nc_minor": sum(1 for n in ncs if n["severity"] == "minor")}


def _certificate_row(report: Report, client: Any, ev: Any) -> dict[str, Any] | None:
    from ledger.words import event_word

    number = getattr(ev, "number", None) or client.current_certificate
    cert = client.certificates.get(number or "")
    if cert is None:
        return None
    decision = client.decisions.get(cert.get("decision_id") or "") or {}
    audit = client.audits.get(decision.get("audit_id") or "")
    return {
        "cert_no": number, "approval": report.approval, "org_name": client.name, "uscc": client.uscc, "address": client.address,
        "scheme": cert["scheme_id"], "scheme_version": cert["scheme_version"], "standard": cert["standard"], "scope": cert["scope"],
        "sites": "；".join(f"{s['name']}：{s['address']}" for s in cert.get("sites") or []), "grade": cert.get("grade") or "",
        "act": event_word(type(ev).__name__), "act_on": ev.occurred_on, "status": word(CERTIFICATE_STATUSES, cert["status"]),
        "original_issue_on": cert.get("original_issue_on"), "issued_on": cert["issued_on"], "valid_from": cert["valid_from"],
        "valid_until": cert["valid_until"], "reason": getattr(ev, "reason", "") or "",
        "plan_no": _plan_no(report, client, audit) if audit else "",
    }


def write_workbook(report: Report, path: str) -> dict[str, int]:
    """The workbook at ``path``: one sheet per definition, its fixed header on row 1, text cells
    (dates YYYY-MM-DD), numbers as numbers. Returns the rows written per sheet name."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{report.defn.title} {report.period}", "subject": report.approval, "comments": "; ".join(report.defn.sources)})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    counts = {}
    for sheet in report.defn.sheets:
        ws = wb.add_worksheet(sheet.name)
        ws.write_row(0, 0, sheet.headers, head)
        ws.freeze_panes(1, 0)
        rows = report.table(sheet)
        for i, cells in enumerate(rows, start=1):
            for j, value in enumerate(cells):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, str(value))
        for j, h in enumerate(sheet.headers):
            ws.set_column(j, j, max(10, min(40, 2 * len(h) + 2)))
        counts[sheet.name] = len(rows)
    wb.close()
    return counts
