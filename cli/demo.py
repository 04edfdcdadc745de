"""``certledger demo``: a fresh ledger with a year of a body's work, then what a user wants to see."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from cli.output import common_options, emit, settings
from ledger.words import word


@click.command()
@click.option("--clients", "clients", type=click.IntRange(1, 1_000_000), metavar="N",
              help="Instead of the six told stories, a synthetic body of N clients (ledger.synthetic) imported as a JSON Lines file.")
@click.option("--seed", type=int, default=1, show_default=True, help="The synthetic body's seed (with --clients).")
@common_options
def demo(clients: int | None, seed: int) -> None:
    """Play a realistic year of a certification body's work on a fresh ledger: applications
    through certificates under the five schemes, nonconformities, a suspension and a restoration,
    a notified change, a complaint, an appeal, a refused application. Then print the clients.

    With --clients N, a synthetic body instead: N clients' whole lifecycles across the five
    schemes, generated deterministically (--seed), written as an import file beside the ledger and
    imported; then a summary by stage and certificate status.

    The ledger is a new SQLite file in a temporary folder, or the new file given with --db; the
    staff's private signing keys are kept beside it in <ledger>.staff-keys/ (readable by you only)."""
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
    trail_dir = path.parent / f"{path.stem}-trail"
    keys_dir = path.parent / f"{path.name}.staff-keys"  # the staff's private keys, beside the ledger (trial 12, item 8)
    taken = next((f for f in (path, *(() if clients else (trail_dir, keys_dir))) if f.exists()), None)
    if taken is not None:
        raise click.UsageError(s.t(f"{taken} 已存在；演示需要一个新的账本文件（及其旁边新的 {trail_dir.name}、{keys_dir.name} 文件夹）。",
                                   f"{taken} exists; the demo needs a new ledger file (and new {trail_dir.name} and {keys_dir.name} "
                                   "folders beside it)."))
    app = bootstrap(str(path))
    click.get_current_context().find_root().call_on_close(app.close)  # closed before the exit's gc.freeze (cli/main.py)
    if clients:
        _synthetic(app, path, clients, seed)
        return
    staff_keys: dict[str, str] = {}
    codes = play(app, to_the_end=True, staff_keys=staff_keys, key_folder=keys_dir)
    app.update_read_models()
    from ledger.demo_trail import checkpoint_demo

    from ledger.demo_documents import print_and_publish

    trail_dir.mkdir(parents=True)
    trail = checkpoint_demo(app, trail_dir, before=lambda signer: print_and_publish(app, trail_dir, signer, codes[0]))
    listed = {r["uscc"]: r for r in read.clients(app, today=clock.today())}
    rows = [listed[code] for code in codes]
    due = read.due(app, today=clock.today(), within=90)
    detail = read.summary(resolve_database(str(path)), codes[1], open_app=lambda: app)
    from ledger.demo import DECIDER
    from ledger.demo_people import staff_summary

    staff = {**staff_summary(app, codes), "keys": {"folder": str(keys_dir), "example": DECIDER, "files": staff_keys}}
    summary = {"db": str(path), "events": app.event_count(), "clients": rows, "staff": staff, "due_within_90_days": due,
               "audit_trail": trail.to_dict()}

    def render(st) -> str:
        from cli.reads import grade_in

        t = st.t
        lines = [t(f"演示账本：{path}（{summary['events']} 个事件，{len(rows)} 个组织）",
                   f"Demo ledger: {path} ({summary['events']} events, {len(rows)} clients)"), ""]
        for r in rows:
            cert = f"{r['certificate_no']} {word('certificate_status', r['certificate_status'], st.lang)} {grade_in(r, st.lang)}" if r["certificate_no"] else "—"
            lines.append(f"  {r['uscc']}  {r['name']}")
            lines.append(f"      {t('方案', 'scheme')} {r['scheme_id']:<12} {t('阶段', 'stage')} {word('stage', r['stage'], st.lang):<10} {t('证书', 'certificate')} {cert}")
        lines += ["", *_staff_lines(staff, st)]
        from cli.due import render as render_due
        from cli.show import render_summary

        lines += ["", t("90 天内到期和已逾期的期限（certledger due）：", "Deadlines overdue or due within 90 days (certledger due):"),
                  render_due(read.due_totals(due), st.lang)]

        lines += ["", t("其中一个组织的详情：", "One client in detail:"), render_summary(detail, st.lang), ""]
        lines += _trail_lines(trail, path, codes[1], st)
        lines.append(t("继续查看：", "Explore further:"))
        for cmd in ("clients", f"show {codes[0]}", f"explain {codes[0]}", f"history {codes[1]}", "due",
                    "register show", "people list", f"people impartiality {codes[4]}", f"show {codes[3]} --lang en --json"):
            lines.append(f"  certledger --db {path} {cmd}")
        return "\n".join(lines)

    emit(summary, render)


def _staff_lines(staff: dict[str, Any], st: Any) -> list[str]:
    """The body's people: who holds which role, signing, who stands aside (issue 15)."""
    from ledger.people import people_word

    t, sep = st.t, st.t("、", ", ")
    roles = sep.join(f"{people_word('role', role, st.lang)} {n}" for role, n in staff["roles"])
    lines = [t(f"人员名册（certledger people list）：{staff['people']} 人 — {roles}。",
               f"The register of people (certledger people list): {staff['people']} people — {roles}.")]
    if staff["signing_required_from"]:
        lines.append(t(f"  自 {staff['signing_required_from']} 起，具有法律意义的行为须由签名人以个人密钥签名：{staff['signed_acts']} 项行为已签名"
                       f"，共 {staff['signatures']} 个签名（合议组的决定由每位成员分别签名，含副署；certledger verify 逐一核验）。",
                       f"  From {staff['signing_required_from']} on, every act with legal meaning is signed with its signer's personal key: "
                       f"{staff['signed_acts']} acts signed, {staff['signatures']} signatures in all (a panel's decision by each member, "
                       "co-signatures included; certledger verify checks each)."))
    keys = staff.get("keys")
    if keys:  # where the staff's private keys are, and how to act as one of them (trial 12, item 8)
        signer = keys["example"]
        lines += [t(f"  员工的签名私钥（仅本人可读）：{keys['folder']}/；以某人身份记录须签名的行为时，加上 "
                    f"--actor {signer} --sign-key {keys['folder']}/{signer}.key",
                    f"  The staff's private signing keys (readable by you only): {keys['folder']}/; to record an act that must be "
                    f"signed as one of them, add --actor {signer} --sign-key {keys['folder']}/{signer}.key")]
    for a in staff["standing_aside"]:
        lines.append(t(f"  {a['name']} 已声明与 {a['client_name']} 的利益关系，回避其审核与决定（{a['clause']}；certledger people impartiality {a['client']}）。",
                       f"  {a['name']} declared an interest in {a['client_name']} and stands aside from its audits and decisions "
                       f"({a['clause']}; certledger people impartiality {a['client']})."))
    return lines


def _trail_lines(trail: Any, path: Path, code: str, st: Any) -> list[str]:
    """The day's checkpoint, who attested it, and how an inspector checks a bundle of any client."""
    t = st.t
    said_zh, said_en = [], []
    if trail.cosigned_at:
        said_zh.append(f"见证方于 {trail.cosigned_at:%H:%M:%S} UTC 副署")
        said_en.append(f"cosigned by the witness at {trail.cosigned_at:%H:%M:%S} UTC")
    if trail.stamped_at:
        said_zh.append(f"时间戳服务证明其于 {trail.stamped_at:%H:%M:%S} UTC 已存在")
        said_en.append(f"time-stamped at {trail.stamped_at:%H:%M:%S} UTC")
    lines = [t(f"审计记录：检查点 #{trail.checkpoint_id} 已签名（{trail.size} 个事件，来源 {trail.origin}）" + ("，" + "，".join(said_zh) if said_zh else "") + "。",
               f"Audit trail: checkpoint #{trail.checkpoint_id} signed ({trail.size} events, origin {trail.origin})"
               + (", " + ", ".join(said_en) if said_en else "") + ".")]
    lines += ["  " + t(f"未能取得：{p.message_zh}", f"Not obtained: {p.message_en}") for p in trail.problems]
    docs = trail.documents
    if docs:
        lines += [t(f"证书 {docs['certificate_no']}（第 {docs['certificate_version']} 版）已打印：{docs['certificate_pdf']}（二维码为签名的状态声明）；"
                    f"公开登记册（{docs['register_certificates']} 张证书，签名，离线可查）：{docs['register']}/index.html",
                    f"Certificate {docs['certificate_no']} (version {docs['certificate_version']}) printed: {docs['certificate_pdf']} (its QR code a "
                    f"signed status statement); the public register ({docs['register_certificates']} certificates, signed, searchable "
                    f"offline): {docs['register']}/index.html"),
                  t(f"{docs['cnca_month']} 月度报送认监委的数据（{docs['cnca_rows']} 行）：{docs['cnca_report']}，报送已记录",
                    f"The CNCA monthly report of {docs['cnca_month']} ({docs['cnca_rows']} rows): {docs['cnca_report']}, its submission recorded")]
    bundle = path.parent / f"bundle-{code}"
    verify = (f"  certledger verify-bundle {bundle} --public-key {trail.public_key} --origin {trail.origin} "
              f"--witness-key {trail.witness_key}" + (f" --tsa-cert {trail.tsa_chain}" if trail.tsa_chain else ""))
    lines += [t("核验整个账本（事件、检查点与每个个人签名）：", "Verify the whole ledger (events, checkpoints and every personal signature):"),
              f"  certledger --db {path} verify --public-key {trail.public_key}"]  # the demo's body key is not the default one (trial 12, item 13)
    lines += [t("检查包（任一组织）与检查人员的离线核验：", "An inspection bundle (of any client) and the inspector's offline check:"),
              f"  certledger --db {path} export {code} --out {bundle} --key {trail.key}", verify, ""]
    return lines


def _synthetic(app: Any, path: Path, clients: int, seed: int) -> None:
    import contextlib
    import sys
    from collections import Counter

    from ledger import clock
    from ledger.demo import synthetic_body
    from projections import read

    s = settings()

    @contextlib.contextmanager
    def bar(size: int) -> Any:
        with click.progressbar(length=size, label=s.t("导入", "Importing"), file=sys.stderr) as progress:
            yield progress.update

    source, report = synthetic_body(app, str(path), path.parent, clients, seed, bar=bar)
    listed = read.clients(app)
    stages = Counter(r["stage"] for r in listed)
    statuses = Counter(r["certificate_status"] for r in listed if r["certificate_status"])
    due = read.due(app, today=clock.today())
    summary = {"db": str(path), "import_file": str(source), "events": app.event_count(), "clients": len(listed),
               "lines": report.lines, "written": report.written, "failed": len(report.errors),
               "stages": dict(stages), "certificate_statuses": dict(statuses), "open_deadlines": len(due),
               "overdue": sum(1 for r in due if r["overdue"])}

    def render(st) -> str:
        t = st.t
        lines = [t(f"合成机构账本：{path}（{summary['events']} 个事件，{len(listed)} 个组织）",
                   f"Synthetic body's ledger: {path} ({summary['events']} events, {len(listed)} clients)"),
                 t(f"导入文件：{source}（{report.lines} 行，写入 {report.written} 行，失败 {len(report.errors)} 行）",
                   f"Import file: {source} ({report.lines} lines, {report.written} written, {len(report.errors)} failed)"), "",
                 t("各阶段的组织数：", "Clients by stage:")]
        lines += [f"  {word('stage', k, st.lang):<12} {v}" for k, v in stages.most_common()]
        lines += ["", t("证书状态：", "Certificates by status:")]
        lines += [f"  {word('certificate_status', k, st.lang):<12} {v}" for k, v in statuses.most_common()]
        lines += ["", t(f"未完成的期限 {summary['open_deadlines']} 项，其中逾期 {summary['overdue']} 项（certledger due）。",
                        f"{summary['open_deadlines']} open deadlines, {summary['overdue']} overdue (certledger due)."),
                  "", t("继续查看：", "Explore further:")]
        sample = listed[0]["uscc"] if listed else ""
        for cmd in ("clients", f"show {sample}", f"explain {sample}", "due --within 30", "register show"):
            lines.append(f"  certledger --db {path} {cmd}")
        return "\n".join(lines)

    emit(summary, render)
    if report.errors:
        raise click.exceptions.Exit(1)
