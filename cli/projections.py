"""Read models: ``rebuild`` and the certificate ``register`` (show, export). Parse, call, render."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import click

from cli.output import as_of_options, common_options, emit, position_bar, settings

STATUS_HELP = "Only certificates with this status: valid, suspended, withdrawn, cancelled, expired (or 有效 暂停 撤销 注销 过期)."


def _rows(as_of: date | None, as_recorded: datetime | None, status: str | None = None, client: str | None = None) -> list[dict[str, Any]]:
    from ledger import clock
    from projections import read

    return read.register(settings().app(existing=True), today=clock.today(), as_of=as_of, as_recorded=as_recorded,
                         status=status, client=client)


# ------------------------------------------------------------------------------ rebuild


@click.command()
@click.option("--projection", "names", multiple=True, metavar="NAME",
              help="Rebuild only this read model (repeatable); default: all. An unknown name lists the known ones.")
@common_options
def rebuild(names: tuple[str, ...]) -> None:
    """Drop read models and rebuild them from the first event, with a progress bar on stderr.

    Needed only to repair or to reclaim space: a read model whose schema changed is rebuilt
    automatically by the next command, and an interrupted rebuild is completed by the next one.
    """
    from projections import read

    s = settings()
    read.read_models_named(names)  # refuses an unknown name before the ledger is opened or anything dropped
    app = s.app(existing=True)
    last = app.recorder.max_notification_id() or 0
    with position_bar(s.t("重建读模型", "Rebuilding read models"), last) as progress:
        rebuilt = app.rebuild_read_models(list(names), progress=progress)
    rows = [{"projection": r["projection"], "position": r["position"], "description": s.t(r["description_zh"], r["description_en"])}
            for r in rebuilt]
    emit(rows, lambda st: "\n".join(
        st.t(f"{r['projection']:<16} 已重建至事件 {r['position']}  （{r['description']}）", f"{r['projection']:<16} rebuilt to event {r['position']}  ({r['description']})")
        for r in rows))


# ------------------------------------------------------------------------------ register


@click.group()
def register() -> None:
    """The certificate register (证书登记册) with the fields of IAF CertSearch: show or export it,
    now (from the read model) or as of a past business date or recording moment (replayed)."""


@register.command("show")
@click.option("--status", metavar="STATUS", help=STATUS_HELP)
@click.option("--client", metavar="USCC", help="Only this client's certificates.")
@as_of_options
@click.option("--no-pager", is_flag=True, help="Never page the output (it is paged only on a terminal, never with --json).")
@common_options
def show(status: str | None, client: str | None, as_of: date | None, as_recorded: datetime | None, no_pager: bool) -> None:
    """List the register: certificate number, status, client, scheme and version, grade, dates."""
    from cli.finding import emit_long
    from cli.reads import grade_in  # the grade by the scheme's words (issue 9)
    from ledger.words import word

    rows = _rows(as_of, as_recorded, status, client)

    def render(st: Any) -> str:
        lines = []
        for r in rows:
            status_word = word("certificate_status", r["status"], st.lang)
            if r.get("status_recorded", r["status"]) != r["status"]:
                status_word += st.t("（有效期已过，过期尚未登记）", " (validity ended; expiry not yet recorded)")
            lines.append(
                f"{r['certificate_no']}  {status_word}  {r['uscc']}  {r['name']}  {r['scheme_id']} {r['scheme_version']}  "
                f"{grade_in(r, st.lang) or '—'}  {r['issued_on']} — {r['valid_until']}"
                + (st.t(f"  第 {r['version']} 版（{r['version_on']} 换发）", f"  version {r['version']} (reissued {r['version_on']})")
                   if (r.get("version") or 1) > 1 else "")
                + st.t(f"  （初次获证 {r['original_issue_on']}，状态变更 {r['status_changed_on']}）",
                       f"  (first issued {r['original_issue_on']}, status changed {r['status_changed_on']})")
            )
        return "\n".join(lines) or st.t("（登记册中没有证书）", "(no certificates in the register)")

    emit_long(rows, render, pager=not no_pager)  # long output paged on a terminal


@register.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), required=True,
              help="csv: UTF-8 with BOM, opens in Excel/WPS as is; jsonl: one JSON object per line; xlsx: the IAF CertSearch "
                   "upload workbook (IAF status words, dates YYYYMMDD; needs --out).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write to FILE instead of stdout.")
@click.option("--status", metavar="STATUS", help=STATUS_HELP)
@as_of_options
@common_options
def export(fmt: str, out: str | None, status: str | None, as_of: date | None, as_recorded: datetime | None) -> None:
    """Export the register with IAF CertSearch column names and CNCA status words (有效 暂停 撤销 注销 过期)."""
    import io

    from projections.read import export_register

    if fmt == "xlsx" and not out:
        raise click.UsageError("--format xlsx writes a workbook: give --out FILE.xlsx.")
    rows = _rows(as_of, as_recorded, status)
    if fmt == "xlsx":  # the IAF CertSearch upload workbook (issue 17 item 5)
        from projections.read import export_register_xlsx

        n = export_register_xlsx(rows, out)
        click.echo(settings().t(f"已导出 {n} 张证书到 {out}（IAF CertSearch 上传表）", f"Exported {n} certificates to {out} (IAF CertSearch upload)"), err=True)
        return
    if out:
        with open(out, "w", encoding="utf-8", newline="") as f:
            n = export_register(rows, fmt, f)
        click.echo(settings().t(f"已导出 {n} 张证书到 {out}", f"Exported {n} certificates to {out}"), err=True)
        return
    sys.stdout.flush()
    # UTF-8 whatever the terminal's locale says: the bytes are the export.
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    try:
        export_register(rows, fmt, stream)
        stream.flush()
    finally:
        stream.detach()


# ------------------------------------------------------------------------------ register publish (issue 17)

from cli.documents import publish as _publish, verify_register as _verify_register  # noqa: E402 - the static, signed public register

register.add_command(_publish, "publish")
register.add_command(_verify_register, "verify")
