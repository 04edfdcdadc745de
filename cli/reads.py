"""Read commands: history, clients, purge. Parse, call one ledger query, render (``show`` is
cli/show.py)."""

from __future__ import annotations

from typing import Any

import click

from cli.finding import complete_events, finding_options
from cli.output import common_options, settings
from ledger.words import grade_word, word


@click.command()
@click.argument("client")
@click.option("--type", "types", multiple=True, metavar="EVENT", shell_complete=complete_events,
              help="Only events of this kind: its word or code (审核策划, AuditPlanned, 'audit planned'; repeat for several).")
@click.option("--from", "since", metavar="YYYY-MM-DD", help="Only events whose business date is on or after this day.")
@click.option("--to", "until", metavar="YYYY-MM-DD", help="Only events whose business date is on or before this day.")
@click.option("--full", is_flag=True, help="Show every value whole (values longer than 80 characters are cut with … otherwise).")
@click.option("--no-pager", is_flag=True, help="Never page the output (it is paged only on a terminal, never with --json).")
@common_options
def history(client: str, types: tuple[str, ...], since: str | None, until: str | None, full: bool, no_pager: bool) -> None:
    """The client's events in order: version, type, business date, recorded time, actor; --type,
    --from and --to keep some of them (finding things, issue 18)."""
    from cli.finding import emit_long
    from ledger.commands import to_date
    from ledger.history_text import render_history, select_history
    from ledger.words import event_word

    # the dates are checked before the ledger is opened, each named by its option as typed
    since, until = (to_date(name, value) if value else None for name, value in (("--from", since), ("--to", until)))
    cfg = settings()
    rows = cfg.app(existing=True).history(client)
    kept = select_history(rows, types=types, since=since, until=until)
    # vocabulary (issue 9): events by their words, not class names; --json keeps the type and adds the words
    shown = [{**r, "event": event_word(r["type"], cfg.lang)} for r in kept]
    versions = {r["version"] for r in kept}
    emit_long(shown, lambda s: render_history(rows, s.lang, keep=versions, full=full)
              or s.t("（没有符合条件的事件）", "(no events match)"), pager=not no_pager)


@click.command()
@finding_options("clients")
@common_options
def clients(no_pager: bool, **options: Any) -> None:
    """List the clients in the ledger with their stage and certificate (from the read model), in
    registration order; the options keep some of them, sort and cut the list (docs/cli.md)."""
    from cli.finding import emit_long
    from projections import read

    from ledger import clock

    find = read.find("clients", **options)  # a value that is not a choice is refused before the ledger is opened
    rows = read.clients(settings().app(existing=True), today=clock.today(), find=find)
    empty = ("（没有符合条件的组织）", "(no clients match)") if any(options.values()) else ("（账本中还没有组织）", "(no clients yet)")
    emit_long(rows, lambda s: "\n".join(
        f"{r['uscc']}  {r['name']}  {word('stage', r['stage'], s.lang)}  {r['certificate_no'] or '—'}  {grade_in(r, s.lang)}"
        for r in rows
    ) or s.t(*empty), pager=not no_pager)


def grade_in(r: dict[str, Any], lang: str) -> str:
    """A listed row's grade by the scheme's words, not its code (4STAR is 四星级质量信用服务)."""
    if not r.get("grade"):
        return ""
    return (r.get("grade_en") if lang == "en" else r.get("grade_zh")) or grade_word(r.get("scheme_id"), r.get("scheme_version"), r["grade"], lang)


@click.command()
@click.argument("client")
@common_options
def purge(client: str) -> None:
    """Request to delete a client's records. Always refused: records are kept at least as long as
    the certificate is valid (001 §12.2), and the ledger never deletes or edits an event (001 §12.3);
    the refusal says when the retention period ends."""
    settings().app(existing=True).purge(client)
