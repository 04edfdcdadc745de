"""``certledger report cnca``: the regulator's monthly workbook (issue 17, docs/cnca-report.md).
Parse, call the ledger, render. (``report submit`` is a write of the catalogue.)"""

from __future__ import annotations

import click

from cli.output import common_options, emit, refusals, settings


@click.command("cnca")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month the report covers, e.g. 2026-05.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), metavar="FILE.xlsx",
              help="The workbook to write (default: cnca-YYYY-MM.xlsx in the current folder).")
@click.option("--approval", metavar="NUMBER", help="The body's approval number, e.g. CNCA-R-2021-123 (default: CERTLEDGER_BODY_APPROVAL).")
@common_options
def cnca(month: str, out: str | None, approval: str | None) -> None:
    """Write the monthly report to the CNCA (认证信息报告, 市监认证函〔2021〕102号) from the events: the
    sheets 审核计划信息表, 证书信息表 and 审核结果信息表 with their fixed headers (ledger/rules/reports/
    cnca.toml, or the body's own file named by CERTLEDGER_CNCA_REPORT), one row per audit planned,
    certificate act and audit completed in the month, audit plan numbers built from the approval
    number. Due by the 10th of the next month (certledger due); record the submission with
    certledger report submit --month YYYY-MM --reference RECEIPT."""
    import os
    import tempfile

    from ledger.cnca_report import build, check_month, write_workbook

    s = settings()
    with refusals():
        period = check_month(month)  # a bad month is refused before the ledger is opened
        app = s.app(existing=True)
        report = build(app, period, app.body_approval(approval))
        path = out or f"cnca-{period}.xlsx"
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=folder)
        os.close(fd)
        try:
            counts = write_workbook(report, tmp)
            os.replace(tmp, path)  # the workbook appears whole, or not at all
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    for zh, en in report.warnings:
        click.echo(s.t(f"注意：{zh}", f"Note: {en}"), err=True)
    data = {"month": period, "approval": report.approval, "out": path, "rows": counts,
            "warnings": [en if s.lang == "en" else zh for zh, en in report.warnings]}
    shown = "，".join(f"{k} {v} 行" for k, v in counts.items())
    shown_en = ", ".join(f"{k} {v} rows" for k, v in counts.items())
    emit(data, lambda st: st.t(f"已写出 {period} 的认证信息报告 {path}（批准号 {report.approval}）：{shown}。",
                               f"Wrote the CNCA report of {period} to {path} (approval {report.approval}): {shown_en}."))
