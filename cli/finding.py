"""Finding things on the command line: the filter, sort and limit options that ``clients`` and
``due`` share (their meaning and checks are the read road's: projections/finding.py through
projections.read.find), their shell completion, and the pager for long output."""

from __future__ import annotations

import shutil
import sys
from typing import Any, Callable

import click

from cli.output import Settings, emit, settings


def _complete(listing: str, option: str) -> Callable[..., list[Any]]:
    """Shell completion of a choice: its codes, each with its word (in the output's language)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        from projections import read

        obj = ctx.find_root().obj
        lang = 1 if getattr(obj, "lang", None) == "en" else 0  # no context is current while completing
        table = read.choices(listing).get(option, {})
        return [CompletionItem(code, help=pair[lang]) for code, pair in table.items() if code.startswith(incomplete)]

    return complete


def _complete_sort(listing: str) -> Callable[..., list[str]]:
    """The sort fields; a descending sort (-FIELD) is typed, not offered (docs/cli.md: a word
    starting with - is completed as an option by the shell)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        from projections.read import sort_fields

        return [f for f in sort_fields(listing) if f.startswith(incomplete)]

    return complete


def complete_events(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of ``history --type``: the event types' codes, each with its word; a
    beginning typed in Chinese completes the Chinese words (审核 → 审核策划, 审核完成...)."""
    from click.shell_completion import CompletionItem

    from ledger.words import EVENTS

    lang = 1 if getattr(ctx.find_root().obj, "lang", None) == "en" else 0
    typed = incomplete.casefold()
    codes = [CompletionItem(code, help=pair[lang]) for code, pair in EVENTS.items() if code.casefold().startswith(typed)]
    words = [CompletionItem(pair[0], help=code) for code, pair in EVENTS.items() if typed and pair[0].startswith(incomplete)]
    return codes + words


def finding_options(listing: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a listing, passed to the command as keyword arguments of the same names
    (``scheme``, ``stage``, ``status``, ``grade``, ``kind``, ``name``, ``client``, ``overdue``,
    ``sort``, ``limit``) and ``no_pager``: hand all but ``no_pager`` to ``read.find(listing, ...)``."""
    from projections.read import sort_fields

    sorts = sort_fields(listing)
    fields = ", ".join(sorts)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        opts = [
            click.option("--scheme", multiple=True, metavar="SCHEME", shell_complete=_complete(listing, "scheme"),
                         help="Only clients under this scheme, by its id or title (repeat for several)."),
            click.option("--stage", multiple=True, metavar="STAGE", shell_complete=_complete(listing, "stage"),
                         help="Only clients at this stage, as of the day: its code or word (valid, 证书有效, audited, 审核完成...; repeat for several)."),
            click.option("--status", multiple=True, metavar="STATUS", shell_complete=_complete(listing, "status"),
                         help="Only clients whose certificate has this status as of the day: valid, suspended, withdrawn, cancelled, expired "
                              "(or 有效 暂停 撤销 注销 过期; repeat for several)."),
            click.option("--grade", multiple=True, metavar="GRADE", shell_complete=_complete(listing, "grade"),
                         help="Only clients whose certificate carries this grade: its code (AAA, 4STAR...) or its name in a scheme (repeat for several)."),
        ]
        if listing == "due":
            opts += [
                click.option("--kind", multiple=True, metavar="KIND", shell_complete=_complete(listing, "kind"),
                             help="Only deadlines of this kind: its code or word (surveillance, 监督审核, appeal_result...; repeat for several)."),
                click.option("--overdue", is_flag=True, help="Only overdue deadlines."),
            ]
        opts += [
            click.option("--name", metavar="TEXT", help="Only clients whose name contains TEXT (Chinese too, e.g. --name 杭州)."),
            click.option("--client", metavar="USCC", help="Only this client."),
            click.option("--sort", metavar="FIELD", shell_complete=_complete_sort(listing),
                         help=f"Sort by FIELD, one of: {fields}; -FIELD sorts descending (--sort -{sorts[0]}). "
                              "Empty values come last; names sort by Unicode code point."),
            click.option("--limit", metavar="N", help="Show at most N rows (after filtering and sorting)."),
            click.option("--no-pager", is_flag=True, help="Never page the output (it is paged only on a terminal, never with --json)."),
        ]
        for option in reversed(opts):
            func = option(func)
        return func

    return decorate


def on_terminal() -> bool:
    """Whether standard output is a terminal (a pipe, a file or a test runner is not)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit_long(data: Any, render: Callable[[Settings], str], pager: bool = True) -> None:
    """``emit``, but text taller than the terminal goes through a pager (click.echo_via_pager:
    $PAGER, else less or more) when standard output is a terminal and neither --json nor
    --no-pager was given; pipes, files and CI get the text as it is."""
    s = settings()
    if s.json or not pager or not on_terminal():
        emit(data, render)
        return
    text = render(s)
    if text.count("\n") + 1 < shutil.get_terminal_size().lines:
        click.echo(text)
    else:
        click.echo_via_pager(text + "\n")
