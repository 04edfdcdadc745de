"""``certledger import FILE``: a JSON Lines batch of commands."""

from __future__ import annotations

import click

from cli.output import catch_up_read_models, common_options, emit, settings


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--atomic", is_flag=True, help="All or nothing: any bad line means nothing is written.")
@common_options
def import_(file: str, atomic: bool) -> None:
    """Run a JSON Lines batch: one command per line, same names and fields as the CLI.

    Example line: {"command": "nc raise", "client": "91330100716105852F", "audit": "A2",
    "severity": "minor", "clause": "5.1.2", "description": "..."}. Errors are reported as
    FILE:LINE: message; a failed line writes nothing and the batch goes on, unless --atomic.
    """
    from ledger.importer import run_import, run_import_in_workers, workers_for

    import os
    import sys

    s = settings()
    size = os.path.getsize(file) if file != "-" else 0
    workers = workers_for(size, atomic)
    with click.open_file(file, "rb") as fh, click.progressbar(
        length=size or 1, label=s.t("导入", "Importing"), file=sys.stderr, show_eta=True,
    ) as bar:
        gathered = None
        if workers > 1:  # a large file: its clients' lines run in worker processes
            from projections.gather import Gatherer

            gathered = _gathered(s.app())  # opens (or creates) the ledger before the workers do
            report = run_import_in_workers(s.db, fh, actor=s.actor, workers=workers, progress=bar.update if size else None,
                                           gather=Gatherer if gathered else None, sink=gathered)
        else:
            follower = _follower(s.app())
            report = run_import(s.app(), fh, actor=s.actor, atomic=atomic, progress=bar.update if size else None,
                                on_saved=follower.saved if follower else None)
            if follower:
                follower.finish()
    if report.written:
        catch_up_read_models(bulk=workers > 1, gathered=gathered)
    for e in report.errors:
        click.echo(f"{file}:{e.line}: {e.message(s.lang)} ({e.rule})", err=True)
    summary = {"file": file, "lines": report.lines, "written": report.written, "failed": len(report.errors), "atomic": atomic,
               "errors": [{"line": e.line, "rule": e.rule, "message_zh": e.message_zh, "message_en": e.message_en} for e in report.errors]}
    if atomic and report.errors:
        text = s.t(f"{file}：{len(report.errors)} 行有错，按 --atomic 未写入任何记录。",
                   f"{file}: {len(report.errors)} bad lines; --atomic, so nothing was written.")
    else:
        text = s.t(f"{file}：{report.lines} 行，写入 {report.written} 行，失败 {len(report.errors)} 行。",
                   f"{file}: {report.lines} lines, {report.written} written, {len(report.errors)} failed.")
    emit(summary, lambda _s: text)
    if report.errors:
        raise click.exceptions.Exit(1)


def _follower(app: object) -> object:
    """Read models kept current during the import from the events just saved (no read-back)."""
    from aggregates.errors import RuleViolation
    from projections import Follower

    try:
        return Follower(app)
    except RuleViolation:
        return None


def _gathered(app: object) -> object:
    """The read models' rows gathered by the import's workers (projections.gather), installed at the end."""
    from aggregates.errors import RuleViolation
    from projections.gather import Gathered

    try:
        return Gathered(app)
    except RuleViolation:
        return None
