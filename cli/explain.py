"""``certledger explain CLIENT``: why a client's grade is what it is, item by item, as of any
business date or recording moment. Parse, replay, call ledger.explain, render."""

from __future__ import annotations

from datetime import date, datetime

import click

from cli.output import as_of_options, common_options, settings


@click.command()
@click.argument("client")
@as_of_options
@click.option("--audit", "audit", metavar="ID", help="Explain this audit (its decision if it has one) instead of the latest decision.")
@click.option("--no-pager", is_flag=True, help="Never page the output (it is paged only on a terminal, never with --json).")
@common_options
def explain(client: str, as_of: date | None, as_recorded: datetime | None, audit: str | None, no_pager: bool) -> None:
    """Why a client's grade is what it is: for the latest certification decision (or --audit, or
    the latest scored audit when nothing is decided yet), every score with who entered it and
    when, corrections and exclusions with their reasons, the rule applied and the points earned,
    subtotals, the total, the grade band with its boundary semantics, prerequisites and vetoes,
    and the interpretation used where the document is ambiguous.

    A decision is recomputed under the scheme version it recorded (001 §13.1), even if a newer
    version exists, and the recomputation is checked against the recorded score and grade; a
    mismatch is reported loudly and exits 1."""
    from cli.finding import emit_long
    from ledger.explain_text import render_explanation

    s = settings()
    data = s.app(existing=True).explain(client, as_of=as_of, as_recorded=as_recorded, audit=audit)
    emit_long(data, lambda st: render_explanation(data, st.lang), pager=not no_pager)  # long output paged on a terminal
    check = data.get("check")
    if check and not check["matches"]:
        label, rule_label = ("Error", "rule") if s.lang == "en" else ("错误", "规则")
        click.echo(f"{label}: {check['en'] if s.lang == 'en' else check['zh']}\n  ({rule_label}: 001 §13.1, 001 §12)", err=True)
        raise click.exceptions.Exit(1)
