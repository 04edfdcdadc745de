"""Read commands: show, history, clients. Parse, call one ledger query, render."""

from __future__ import annotations

from typing import Any

import click

from cli.output import as_of_options, common_options, emit, settings
from ledger.words import word


@click.command()
@click.argument("client")
@as_of_options
@common_options
def show(client: str, as_of: Any, as_recorded: Any) -> None:
    """What a user wants to know about a client now: stage, certificate, grade, open items. Read
    from the read model (caught up first); with --as-of / --as-recorded, replayed from the events."""
    from ledger.config import resolve_database
    from projections import read

    cfg = settings()
    summary = read.summary(resolve_database(cfg.db), client, as_of=as_of, as_recorded=as_recorded,
                           open_app=lambda: cfg.app(existing=True))
    emit(summary, lambda s: render_summary(summary, s.lang))


def render_summary(d: dict[str, Any], lang: str) -> str:
    en = lang == "en"
    t = (lambda zh, e: e) if en else (lambda zh, e: zh)
    lines = [
        f"{d['name']}  ({d['uscc']})",
        f"  {t('地址', 'Address')}: {d['address']}",
        f"  {t('阶段', 'Stage')}: {word('stage', d['stage'], lang)}",
        f"  {t('认证方案', 'Scheme')}: {d['scheme'] or '—'}",
    ]
    def grade(code: str | None, names: dict[str, str] | None) -> str:
        if not code:
            return "—"
        return f"{code}（{names['zh']}）" if names and not en else (f"{code} ({names['en']})" if names else code)

    cert = d["certificate"]
    if cert:
        lines += [
            f"  {t('证书', 'Certificate')}: {cert['number']}  {word('certificate_status', cert['status'], lang)}"
            f"  {t('等级', 'grade')} {grade(cert['grade'], cert.get('grade_name'))}",
            f"    {t('有效期', 'Valid')}: {cert['valid_from']} — {cert['valid_until']}"
            f"  ({t('初次获证', 'first certified')} {cert['original_issue_on']})",
            f"    {t('范围', 'Scope')}: {cert['scope']}",
            f"    {t('标准', 'Standard')}: {cert['standard']}  ({cert['scheme_id']} {cert['scheme_version']})",
            f"    {t('报送认监委', 'Reported to CNCA')}: {cert['reported_on'] or t('未报送', 'not yet')}",
        ]
        if cert.get("suspension"):
            sus = cert["suspension"]
            lines.append(f"    {t('暂停', 'Suspended')}: {sus['start']} — {sus['until'] or t('至许可决定之日', 'until the licensing decision')}  [{sus['reason_code']}] {sus['reason']}")
    dec = d["latest_decision"]
    if dec:
        granted = t("通过", "granted") if dec["granted"] else t("未通过", "not granted")
        pct = f" ({dec['percent']}%)" if dec["percent"] is not None else ""
        lines.append(f"  {t('最近认证决定', 'Latest decision')}: {dec['id']} {dec['on']} {granted}, "
                     f"{t('得分', 'score')} {dec['score']}/{dec['max_score']}{pct}, {t('等级', 'grade')} {grade(dec['grade'], dec.get('grade_name'))}, "
                     f"{t('决定人', 'decider')} {dec['decider']}")
    past = [x for x in d["suspensions"] if x["restored_on"]]
    if past:
        lines.append(f"  {t('暂停记录', 'Past suspensions')}:")
        for x in past:
            lines.append(f"    {x['id']} [{x['reason_code']}] {x['start']} — {t('恢复于', 'restored')} {x['restored_on']}: {x['reason']}")
    for w in d["withdrawals"]:
        lines.append(f"  {t('撤销', 'Withdrawn')}: {w['on']} [{w['reason_code']}] {w['reason']}")
    if d["open_audits"]:
        lines.append(f"  {t('进行中的审核', 'Open audits')}:")
        for a in d["open_audits"]:
            lines.append(f"    {a['id']} {word('audit_kind', a['kind'], lang)} {a['start_on']} {t('审核组', 'team')}: {', '.join(a['team'])}")
    if d["open_nonconformities"]:
        lines.append(f"  {t('未关闭的不符合项', 'Open nonconformities')}:")
        for n in d["open_nonconformities"]:
            lines.append(f"    {n['id']} [{word('nc_severity', n['severity'], lang)}] {n['clause']}: {n['description']} ({word('nc_status', n['status'], lang)})")
    if d["open_complaints"]:
        lines.append(f"  {t('未处理的投诉', 'Open complaints')}:")
        for c in d["open_complaints"]:
            lines.append(f"    {c['id']} {c['received_on']} {c['complainant']}: {c['subject']}")
    if d["open_appeals"]:
        lines.append(f"  {t('未结的申诉', 'Open appeals')}:")
        for a in d["open_appeals"]:
            lines.append(f"    {a['id']} {t('针对', 'against')} {a['against']} {a['lodged_on']} ({a['status']})")
    if d["recent_changes"]:
        lines.append(f"  {t('信息通报', 'Notified changes')}:")
        for c in d["recent_changes"]:
            lines.append(f"    {c['id']} {word('change_kind', c['kind'], lang)} {t('变更日期', 'changed')} {c['changed_on']}, {t('通报日期', 'notified')} {c['notified_on']}: {c['description']}")
    lines.append(f"  {t('事件数', 'Events')}: {d['events']}")
    return "\n".join(lines)


@click.command()
@click.argument("client")
@common_options
def history(client: str) -> None:
    """The client's events in order: version, type, business date, recorded time, actor."""
    from ledger.clock import event_time

    rows = settings().app(existing=True).history(client)
    emit(rows, lambda s: "\n".join(
        f"{r['version']:>4}  {r['occurred_on']}  {event_time(r['recorded_at'])}  {r['actor']:<8}  {r['type']:<22} "
        + "  ".join(f"{k}={_short(v)}" for k, v in r["fields"].items() if v not in (None, "", [], {}))
        for r in rows
    ))


def _short(v: Any) -> str:
    from cli.output import to_json

    text = v if isinstance(v, str) else to_json(v).replace("\n", "").replace("  ", "")
    return text if len(text) <= 60 else text[:57] + "..."


@click.command()
@common_options
def clients() -> None:
    """List the clients in the ledger with their stage and certificate (from the read model)."""
    from projections import read

    rows = read.clients(settings().app(existing=True))
    emit(rows, lambda s: "\n".join(
        f"{r['uscc']}  {r['name']}  {word('stage', r['stage'], s.lang)}  {r['certificate_no'] or '—'}  {r['grade'] or ''}"
        for r in rows
    ) or s.t("（账本中还没有组织）", "(no clients yet)"))


@click.command()
@click.argument("client")
@common_options
def purge(client: str) -> None:
    """Request to delete a client's records. Always refused: records are kept at least as long as
    the certificate is valid (001 §12.2), and the ledger never deletes or edits an event (001 §12.3);
    the refusal says when the retention period ends."""
    settings().app(existing=True).purge(client)
