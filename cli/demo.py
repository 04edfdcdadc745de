"""``certledger demo``: a fresh ledger with a year of a body's work, then what a user wants to see."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from cli.output import common_options, emit, settings
from ledger.words import word


@click.command()
@common_options
def demo() -> None:
    """Play a realistic year of a certification body's work on a fresh ledger: applications
    through certificates under the five schemes, nonconformities, a suspension and a restoration,
    a notified change, a complaint, an appeal, a refused application. Then print the clients.

    The ledger is a new SQLite file in a temporary folder, or the new file given with --db."""
    from ledger import clock
    from ledger.bootstrap import bootstrap
    from ledger.config import resolve_database
    from ledger.demo import play
    from projections import read

    s = settings()
    if s.db and resolve_database(s.db).kind != "sqlite":
        raise click.UsageError(s.t("演示只写入新的 SQLite 账本；请用 --db 给出一个文件路径。",
                                   "The demo writes a new SQLite ledger; give a file path with --db."))
    path = resolve_database(s.db).sqlite_path if s.db else Path(tempfile.mkdtemp(prefix="certledger-demo-")) / "ledger.sqlite"
    if path.exists():
        raise click.UsageError(s.t(f"{path} 已存在；演示需要一个新的账本文件。", f"{path} exists; the demo needs a new ledger file."))
    app = bootstrap(str(path))
    codes = play(app)
    app.update_read_models()
    listed = {r["uscc"]: r for r in read.clients(app)}
    rows = [listed[code] for code in codes]
    due = read.due(app, today=clock.today(), within=90)
    detail = read.summary(resolve_database(str(path)), codes[1], open_app=lambda: app)
    summary = {"db": str(path), "events": app.event_count(), "clients": rows, "due_within_90_days": due}

    def render(st) -> str:
        t = st.t
        lines = [t(f"演示账本：{path}（{summary['events']} 个事件，{len(rows)} 个组织）",
                   f"Demo ledger: {path} ({summary['events']} events, {len(rows)} clients)"), ""]
        for r in rows:
            cert = f"{r['certificate_no']} {word('certificate_status', r['certificate_status'], st.lang)} {r['grade'] or ''}" if r["certificate_no"] else "—"
            lines.append(f"  {r['uscc']}  {r['name']}")
            lines.append(f"      {t('方案', 'scheme')} {r['scheme_id']:<12} {t('阶段', 'stage')} {word('stage', r['stage'], st.lang):<10} {t('证书', 'certificate')} {cert}")
        from cli.due import render as render_due
        from cli.reads import render_summary

        lines += ["", t("90 天内到期和已逾期的期限（certledger due）：", "Deadlines overdue or due within 90 days (certledger due):"),
                  render_due(due, st.lang)]

        lines += ["", t("其中一个组织的详情：", "One client in detail:"), render_summary(detail, st.lang), ""]
        lines.append(t("继续查看：", "Explore further:"))
        for cmd in ("clients", f"show {codes[0]}", f"explain {codes[0]}", f"history {codes[1]}", "due",
                    "register show", f"show {codes[3]} --lang en --json"):
            lines.append(f"  certledger --db {path} {cmd}")
        return "\n".join(lines)

    emit(summary, render)
