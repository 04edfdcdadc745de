"""``certledger sheet template|import``: score sheets (.xlsx) written and read back (ledger/sheets/,
docs/sheets.md). Parse, call the ledger, render."""

from __future__ import annotations

from datetime import date

import click

from cli.output import DateParam, common_options, emit, refusals, settings


@click.group()
def sheet() -> None:
    """Score sheets (.xlsx, 评分表): write a template laid out like the rulebook's table, and import a
    filled one into an audit's scores, exclusions and notes."""


@sheet.command("template")
@click.option("--scheme", "scheme_id", required=True, metavar="ID", help="The scheme (see: certledger schemes list).")
@click.option("--version", metavar="V", help="A version of the scheme (default: the latest; with --audit, the audit's).")
@click.option("--client", metavar="USCC", help="A client: its audit's business lines, sites and standing scores go in the sheet.")
@click.option("--audit", metavar="ID", help="The client's audit, e.g. A2 (with --client).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The workbook to write, e.g. A2.xlsx.")
@common_options
def template(scheme_id: str, version: str | None, client: str | None, audit: str | None, out: str) -> None:
    """Write a score sheet template: one row per item and prerequisite (item, clause, title, points,
    how it is scored), input cells validated by the item's rule, an exclusion reason and a note per
    row; only the input cells are unlocked. With --client and --audit: one block of input columns per
    declared business line (004 §4.18.2), the audit's sites, and the scores already entered
    pre-filled and marked."""
    from ledger.sheets import write_template

    s = settings()
    with refusals():
        app = s.app(existing=True) if client else None
        data = write_template(app, out, scheme_id=scheme_id, version=version, client=client, audit=audit, lang=s.lang)
    lines = "、".join(data["business_lines"]) or "—"
    emit(data, lambda s: s.t(
        f"已写出评分表 {out}：方案 {data['scheme']} {data['version']}，{data['rows']} 行，业务范围 {lines}，预填 {data['prefilled']} 格。",
        f"Wrote score sheet {out}: scheme {data['scheme']} {data['version']}, {data['rows']} rows, business lines {lines}, "
        f"{data['prefilled']} cells pre-filled."))


@sheet.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--client", required=True, metavar="USCC", help="The client's USCC.")
@click.option("--audit", required=True, metavar="ID", help="The audit the sheet scores, e.g. A2.")
@click.option("--on", type=DateParam(), help="Business date of the scores, YYYY-MM-DD (default: today, Asia/Shanghai).")
@common_options
def import_(file: str, client: str, audit: str, on: date | None) -> None:
    """Read a filled score sheet into score entries, corrections, exclusions and notes, every cell
    checked like certledger score enter; all or nothing. Errors are listed as FILE!SHEET!CELL:
    message. A value equal to the standing score is left alone (importing the same workbook again
    changes nothing); a changed one becomes a score correct naming the workbook. Each act carries the
    workbook's SHA-256 as evidence."""
    from ledger.sheets import import_sheet

    s = settings()
    with refusals():
        report = import_sheet(s.app(existing=True), file, client=client, audit=audit, actor=s.actor, on=on)
    for e in report.errors:
        click.echo(f"{e.where(file)}: {e.message(s.lang)} ({e.rule})", err=True)
    data = report.to_dict()
    if report.errors:
        text = s.t(f"{file}：{len(report.errors)} 处错误，未写入任何记录。", f"{file}: {len(report.errors)} errors; nothing was written.")
    else:
        text = s.t(f"{file}：{report.rows} 行；录入 {report.entered}，更正 {report.corrected}，删减 {report.excluded}，未变 {report.unchanged}。",
                   f"{file}: {report.rows} rows; {report.entered} entered, {report.corrected} corrected, {report.excluded} excluded, "
                   f"{report.unchanged} unchanged.")
    emit(data, lambda _s: text)
    if report.errors:
        raise click.exceptions.Exit(1)
