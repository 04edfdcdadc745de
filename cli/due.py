"""``certledger due``: every open deadline across all clients, overdue first. Parse, query the
open-deadlines read model, render."""

from __future__ import annotations

from typing import Any

import click

from cli.finding import finding_options
from cli.output import common_options, settings


@click.command()
@click.option("--on", "on", metavar="YYYY-MM-DD", default=None,
              help="Count days left against this date (default: today, Asia/Shanghai); a past date shows what was open then.")
@click.option("--within", "within", metavar="DAYS", default=None,
              help="Only deadlines due within this many days (overdue ones are always shown).")
@finding_options("due")
@common_options
def due(on: str | None, within: str | None, no_pager: bool, **options: Any) -> None:
    """Every open deadline across all clients, overdue first: client, what is due, clause, due
    date, days left, and whether the date rests on a provisional calendar (a year whose holiday
    notice is not yet published). Read from the open-deadlines read model (caught up first); with
    --on a past date, replayed from the events as they stood that day. The options keep some of
    them (the client's stage and status as of that day), sort and cut the list (docs/cli.md)."""
    from cli.finding import emit_long
    from ledger import clock
    from ledger.commands import to_date, to_int
    from projections import read

    day = to_date("--on", on) if on is not None else None
    days = to_int("--within", within) if within is not None else None
    find = read.find("due", **options)  # a value that is not a choice is refused before the ledger is opened
    listing = read.due_listing(settings().app(existing=True), today=clock.today(), on=day, within=days, find=find)
    emit_long(listing, lambda s: render(listing, s.lang), pager=not no_pager)


def render(listing: dict[str, Any], lang: str) -> str:
    """The text of ``read.due_listing`` (or ``read.due_totals`` of some rows)."""
    rows = listing["deadlines"]
    en = lang == "en"
    if not rows:
        return "No open deadlines." if en else "没有未到期或逾期的期限。"
    lines = []
    for r in rows:
        if r["days_left"] is None:
            left = "no date" if en else "无固定日期"
        elif r["days_left"] < 0:
            left = f"{-r['days_left']} days overdue" if en else f"逾期 {-r['days_left']} 天"
        elif r["days_left"] == 0:
            left = "due today" if en else "今天到期"
        else:
            left = f"{r['days_left']} days left" if en else f"剩 {r['days_left']} 天"
        flag = (" [provisional]" if en else " [临时日历]") if r["provisional"] else ""
        lines.append(f"{r['due'] or '—'}  {left}{flag}  {r['uscc']}  {r['client_name']}")
        lines.append(f"    {r['what_en'] if en else r['what_zh']}")
        period = r["period_en"] if en else r["period_zh"]
        since = "from" if en else "起算"
        lines.append(f"    ({r['clause']}; {period}; {since} {r['since']})")
        note = r["note_en"] if en else r["note_zh"]
        if note:
            lines.append(f"    {note}")
    t = listing
    lines.append("")
    if t["shown"] < t["open"]:
        lines.append(f"showing {t['shown']} of {t['open']} open, {t['overdue']} overdue" if en
                     else f"显示 {t['shown']} 项，共 {t['open']} 项，其中逾期 {t['overdue']} 项")
    else:
        lines.append(f"{t['open']} open, {t['overdue']} overdue" if en else f"共 {t['open']} 项，其中逾期 {t['overdue']} 项")
    return "\n".join(lines)
