"""``certledger show CLIENT``: what a user wants to know about a client now. A module of its own,
importing only what it renders, because it is the command typed most (docs/performance.md, D50):
not the listings' filter options, the pager or their read-model code (cli/reads.py, cli/finding.py)."""

from __future__ import annotations

from typing import Any

import click

from cli.output import as_of_options, common_options, emit, settings
from ledger.words import acceptance_late_words, reason_code_word, word


@click.command()
@click.argument("client")
@as_of_options
@common_options
def show(client: str, as_of: Any, as_recorded: Any) -> None:
    """What a user wants to know about a client now: stage, certificate, grade, open items. Read
    from the read model (caught up first); with --as-of / --as-recorded, replayed from the events."""
    from ledger import clock
    from ledger.config import resolve_database
    from projections import read

    cfg = settings()
    summary = read.summary(resolve_database(cfg.db), client, as_of=as_of, as_recorded=as_recorded,
                           open_app=lambda: cfg.app(existing=True), today=clock.today())  # status as of today (reporting, issue 9)
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
        return (names["en"] if en else names["zh"]) if names else code  # the scheme's words, not its code (issue 9)

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
            lines.append(f"    {t('暂停', 'Suspended')}: {sus['start']} — {sus['until'] or t('至许可决定之日', 'until the licensing decision')}  [{reason_code_word(cert['scheme_id'], 'suspension', sus['reason_code'], lang)}] {sus['reason']}")
    dec = d["latest_decision"]
    if dec:
        granted = t("通过", "granted") if dec["granted"] else t("未通过", "not granted")
        pct = f" ({dec['percent']}%)" if dec["percent"] is not None else ""
        lines.append(f"  {t('最近认证决定', 'Latest decision')}: {dec['id']} {dec['on']} {granted}, "
                     f"{t('得分', 'score')} {dec['score']}/{dec['max_score']}{pct}, {t('等级', 'grade')} {grade(dec['grade'], dec.get('grade_name'))}, "
                     f"{t('决定人', 'decider')} {dec['decider']}")
        if dec.get("supersedes"):  # made on an upheld appeal (complaints and appeals, issue 9)
            lines.append(f"    {t('依据', 'Basis')}: " + t(f"申诉 {dec['appeal_id']} 裁定成立，{dec['id']} 取代被申诉的决定 {dec['supersedes']}（保留在记录中）；等级以 {dec['id']} 为准",
                                                         f"appeal {dec['appeal_id']} was upheld: {dec['id']} supersedes the decision appealed, "
                                                         f"{dec['supersedes']} (kept in the record); the grade rests on {dec['id']}"))
    past = [x for x in d["suspensions"] if x["restored_on"]]
    if past:
        lines.append(f"  {t('暂停记录', 'Past suspensions')}:")
        for x in past:
            lines.append(f"    {x['id']} [{reason_code_word(d['scheme'], 'suspension', x['reason_code'], lang)}] {x['start']} — {t('恢复于', 'restored')} {x['restored_on']}: {x['reason']}")
            if x.get("annulled_by"):  # an upheld appeal's effect (complaints and appeals, issue 9)
                lines.append("      " + _reversed(x["annulled_by"], t("暂停被撤销", "suspension annulled"), t))
    for w in d["withdrawals"]:
        lines.append(f"  {t('撤销', 'Withdrawn')}: {w['on']} [{reason_code_word(d['scheme'], 'withdrawal', w['reason_code'], lang)}] {w['reason']}")
        if w.get("reversed_by"):
            lines.append("    " + _reversed(w["reversed_by"], t("撤销决定被撤回，证书恢复", "withdrawal reversed, certificate reinstated"), t))
    if d["open_audits"]:
        lines.append(f"  {t('进行中的审核', 'Open audits')}:")
        for a in d["open_audits"]:
            lines.append(f"    {a['id']} {word('audit_kind', a['kind'], lang)} {a['start_on']} {t('审核组', 'team')}: {', '.join(a['team'])}")
            if a.get("objections"):  # the client's objections to the team (004 §5.2.1)
                from ledger.explain_text import objection_line

                lines += [f"      {objection_line(o, en)}" for o in a["objections"]]
    if d["open_nonconformities"]:
        lines.append(f"  {t('未关闭的不符合项', 'Open nonconformities')}:")
        for n in d["open_nonconformities"]:
            lines.append(f"    {n['id']} [{word('nc_severity', n['severity'], lang)}] {n['clause']}: {n['description']} ({word('nc_status', n['status'], lang)})")
    if d["open_complaints"]:
        lines.append(f"  {t('未处理的投诉', 'Open complaints')}:")
        for c in d["open_complaints"]:
            late = f"  {acceptance_late_words(c['acceptance_late'], lang)}" if c.get("acceptance_late") else ""  # 004 §14.2.2
            lines.append(f"    {c['id']} {c['received_on']} {c['complainant']}: {c['subject']}{late}")
    if d["open_appeals"]:
        lines.append(f"  {t('未结的申诉', 'Open appeals')}:")
        for a in d["open_appeals"]:
            lines.append(f"    {a['id']} {t('针对', 'against')} {a['against']} {a['lodged_on']} ({word('appeal_status', a['status'], lang)})")
    if d.get("changes"):  # changes (issue 9): master data, notified changes with lateness and assessment, versions
        from cli.changes_view import render_changes

        lines += render_changes(d, lang)
    elif d["recent_changes"]:
        lines.append(f"  {t('信息通报', 'Notified changes')}:")
        for c in d["recent_changes"]:
            lines.append(f"    {c['id']} {word('change_kind', c['kind'], lang)} {t('变更日期', 'changed')} {c['changed_on']}, {t('通报日期', 'notified')} {c['notified_on']}: {c['description']}")
    lines.append(f"  {t('事件数', 'Events')}: {d['events']}")
    return "\n".join(lines)


def _reversed(mark: dict, what: str, t) -> str:
    """An act reversed on an upheld appeal: which appeal, when, why."""
    return t(f"依申诉 {mark['appeal']} 于 {mark['on']} {what}：{mark['reason']}", f"{what} on {mark['on']} on appeal {mark['appeal']}: {mark['reason']}")
