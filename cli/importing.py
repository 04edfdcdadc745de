"""``certledger import FILE``: a JSON Lines batch of commands. Parse, call the ledger's import, render."""

from __future__ import annotations

import click

from cli.output import common_options, emit, position_bar, settings


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--atomic", is_flag=True, help="All or nothing: any bad line means nothing is written.")
@click.option("--source", metavar="NAME", help="The import the lines belong to: their identities are derived from NAME, the same "
              "NAME continues it whatever the file holds. Default: chosen from the file's name and content (the same "
              "file, or an edited copy, continues its import; a different file of the same name is a new one).")
@common_options
def import_(file: str, atomic: bool, source: str | None) -> None:
    """Run a JSON Lines batch: one command per line, same names and fields as the CLI.

    Example line: {"command": "nc raise", "client": "91330100716105852F", "audit": "A2",
    "severity": "minor", "clause": "5.1.2", "description": "..."}. Errors are reported as
    FILE:LINE: message; a failed line writes nothing and the batch goes on, unless --atomic.

    Running the same file again (after a crash, a kill or refused lines) applies only the lines
    not applied yet, each once: the ledger records every applied line's identity with its events.
    A line's identity is its "line_id" field if given (1-128 characters, the same in any file),
    else its import's source, its bytes and its earlier exact copies in the file. The source is
    --source, or chosen from the file's name and content: the same file or an edited copy of it
    continues its import, a different file of the same name starts a new one (the summary says which);
    an identical copy under another name continues the original's import. A second import of the same
    source waits for the first, then skips what it applied. Ctrl-C stops the import (and its workers):
    what was saved stands, and running it again continues.
    """
    import os
    import sys

    from ledger.importer import import_file

    s = settings()
    size = os.path.getsize(file) if file != "-" else 0
    with click.open_file(file, "rb") as fh, click.progressbar(
        length=size or 1, label=s.t("导入", "Importing"), file=sys.stderr, show_eta=True,
    ) as bar:
        report = import_file(s.app(), s.db, fh, size=size, actor=s.actor, atomic=atomic, progress=bar.update if size else None,
                             read_model_bar=lambda last: position_bar(s.t("更新读模型", "Updating read models"), last),
                             source=source, name=os.path.basename(file) or file,
                             on_wait=lambda: click.echo(s.t("\n另一个同一来源的导入正在运行：等待它结束后继续（它已写入的行将跳过）……",
                                                            "\nAnother import of the same source is running: waiting for it to end "
                                                            "(lines it applies will be skipped)..."), err=True))
    for e in report.errors:
        click.echo(f"{file}:{e.line}: {e.message(s.lang)} ({e.rule})", err=True)
    summary = {"file": file, "lines": report.lines, "written": report.written, "skipped": report.skipped, "failed": len(report.errors),
               "atomic": atomic, "source": report.source, "source_how": report.source_how,
               "errors": [{"line": e.line, "rule": e.rule, "message_zh": e.message_zh, "message_en": e.message_en} for e in report.errors]}
    if atomic and report.errors:
        text = s.t(f"{file}：{len(report.errors)} 行有错，按 --atomic 未写入任何记录。",
                   f"{file}: {len(report.errors)} bad lines; --atomic, so nothing was written.")
    else:
        text = s.t(f"{file}：{report.lines} 行，写入 {report.written} 行，此前已写入而跳过 {report.skipped} 行，失败 {len(report.errors)} 行。",
                   f"{file}: {report.lines} lines, {report.written} written, {report.skipped} applied before and skipped, "
                   f"{len(report.errors)} failed.")
    if report.source_how == "new import":  # another file of this name was imported before
        text += s.t(f"（另一个同名文件此前已导入；本文件为新的一批，来源“{report.source}”。）",
                    f" (A different file of this name was imported before: this one is a new import, source '{report.source}'.)")
    if report.source_how == "same content":  # an identical copy of a file imported under another name
        text += s.t(f"（相同内容此前已以其他文件名导入：继续该批导入，来源“{report.source}”。）",
                    f" (The same content was imported before under another name: this continues that import, source '{report.source}'.)")
    emit(summary, lambda _s: text)
    if report.errors:
        raise click.exceptions.Exit(1)
