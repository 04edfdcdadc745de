"""The checks at the acts that need the register of people (issue 15, item 2): they need a second
aggregate, so they live in the application (docs/architecture.md) and run before the client's
command. Each refusal cites the clause and names the command that would put it right.

Enforcement (docs/people.md, decision D31): the checks apply once the register holds at least one
person; a ledger whose register is empty (every ledger written before issue 15) behaves as before.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from aggregates.errors import RuleViolation, shell_arg
from aggregates.policy.people import competent_for, conflicts, line_code, registration_on
from aggregates.vocabulary import INTEREST_KINDS, PERSON_ROLES, word


def _registered(ledger: Any, name: str, rule: str, what_zh: str, what_en: str) -> Any:
    try:
        return ledger.find_person(name)
    except RuleViolation as e:
        raise RuleViolation(rule, f"{what_zh} {name}：{e.message_zh}", f"{what_en} {name}: {e.message_en}") from None


def _holding(person: Any, roles: tuple[str, ...], on: date, rule: str, what_zh: str, what_en: str) -> None:
    """The person had not left by ``on`` and holds one of ``roles`` (the first is the one to grant)."""
    if person.has_left(on):
        raise RuleViolation(rule, f"{what_zh} {person.name} 已于 {person.left_on} 离开本机构，不能担任；请另选人员。",
                            f"{what_en} {person.name} left the body on {person.left_on} and cannot act; choose someone else.")
    if not any(r in person.roles for r in roles):
        zh = "或".join(f"“{word(PERSON_ROLES, r)}”" for r in roles)
        en = " or ".join(word(PERSON_ROLES, r, "en") for r in roles)
        raise RuleViolation(rule, f"{what_zh} {person.name} 不具有{zh}角色（{rule}）；如其具备资格，请先授予：people grant --person {shell_arg(person.name)} --role {roles[0]}。",
                            f"{what_en} {person.name} does not hold the role {en} ({rule}); if qualified, grant it first: "
                            f"people grant --person {shell_arg(person.name)} --role {roles[0]}.")


def audit_days(start: date, man_days: Decimal, auditors: int, calendar: Any) -> list[date]:
    """The days of an audit: from its first day, as many working days as its man-days shared by its
    auditors need (rounded up; technical experts do not count, 001 §4.3.2.2)."""
    days = int((man_days / max(auditors, 1)).to_integral_value(rounding=ROUND_CEILING)) or 1
    end = calendar.add_working_days(start, days - 1).due if days > 1 else start
    return [start + timedelta(d) for d in range((end - start).days + 1)]


def check_team(ledger: Any, client: Any, *, members: list[str], leader: str, experts: list[str], start: date,
               man_days: Decimal, scheme_id: str, procedure_id: str) -> None:
    """An audit team against the register: each member an auditor (or lead auditor) not gone, with a
    CCAA registration valid on every day of the audit (001 §3.1); the leader a lead auditor (004
    §5.2.2 (1)); each technical expert registered as one (001 §4.3.2.2); under 004, at least one
    member competent for the scheme and the client's business lines (004 §5.2.2 (2), §5.1.4 4))."""
    overlap = sorted(set(members) & set(experts))
    if overlap:
        raise RuleViolation("001 §4.3.2.2", f"技术专家不作为审核员实施审核，不计入审核时间；{'、'.join(overlap)} 不能同时是审核组成员（--member）和技术专家（--expert）。",
                            f"A technical expert does not audit and does not count in audit time; {', '.join(overlap)} cannot be both a "
                            "member (--member) and a technical expert (--expert).")
    if not ledger.has_people():
        return
    team = [m.strip() for m in members if m and m.strip()]
    days = audit_days(start, man_days, len(team), ledger.calendar)
    people = []
    for name in team:
        person = _registered(ledger, name, "001 §3.1", "审核组成员", "Audit team member")
        _holding(person, ("auditor", "lead_auditor"), days[-1], "001 §3.1", "审核组成员", "Audit team member")
        lapsed = [d for d in days if registration_on(person, d) is None]
        if lapsed:
            raise RuleViolation(
                "001 §3.1",
                f"审核员 {person.name} 在审核日 {lapsed[0]} 没有有效的 CCAA 注册（审核日 {days[0]} 至 {days[-1]}）；"
                f"请记录其有效注册：people ccaa --person {shell_arg(person.name)} --number 注册号 --category auditor --valid-from 日期 --valid-to 日期，或另选审核员。",
                f"Auditor {person.name} has no CCAA registration valid on {lapsed[0]} (audit days {days[0]} to {days[-1]}); record a valid "
                f"one: people ccaa --person {shell_arg(person.name)} --number NUMBER --category auditor --valid-from DATE --valid-to DATE, or choose another auditor.")
        _trained(person, scheme_id, procedure_id, days[0])
        people.append(person)
    head = _registered(ledger, (leader or team[0]).strip(), "004 §5.2.2", "审核组长", "Team leader")
    _holding(head, ("lead_auditor",), days[-1], "004 §5.2.2", "审核组长", "Team leader")
    for name in experts:
        expert = _registered(ledger, name, "001 §4.3.2.2", "技术专家", "Technical expert")
        _holding(expert, ("technical_expert",), days[-1], "001 §4.3.2.2", "技术专家", "Technical expert")
        _impartial(expert, client, start, "技术专家", "Technical expert")
    for person in people:
        _impartial(person, client, start, "审核组成员", "Audit team member")
    if procedure_id == "004":
        lines = list(client.business_lines)
        if not any(competent_for(p, scheme_id, lines) for p in people):
            shown = "、".join(lines) or "—"
            uncoded = [x for x in lines if line_code(x) is None]  # competence is by code: a line without one is matched by no code
            hint_zh = (f"业务范围“{'、'.join(uncoded)}”未注明代码（业务范围代码同质量管理体系代码，004 §5.1.4 4)）：请按代码申报经营类别，"
                       f"例如 application lines --application 申请编号 --line \"29.09 日用百货批发\"；") if uncoded else ""
            hint_en = (f"the business line(s) {', '.join(uncoded)} carry no scope code (the quality management system's code, "
                       "004 §5.1.4 4)): declare the lines with their codes, e.g. application lines --application ID --line \"29.09 ...\"; "
                       ) if uncoded else ""
            raise RuleViolation(
                "004 §5.2.2",
                f"审核组内应至少有一名专业评价人员，其专业能力满足申请的业务范围（{scheme_id}：{shown}，004 §5.2.2 (2)、§5.1.4 4)）；{hint_zh}"
                f"请记录某成员的专业能力：people competence --person 姓名 --scheme {scheme_id} --code 业务范围代码，或调整审核组。",
                f"The team needs at least one evaluator competent for the scope applied for ({scheme_id}: {', '.join(lines) or '—'}, "
                f"004 §5.2.2 (2), §5.1.4 4)); {hint_en}record a member's competence: people competence --person NAME --scheme {scheme_id} "
                "--code CODE, or change the team.")


def _trained(person: Any, scheme_id: str, procedure_id: str, first_day: date) -> None:
    """An auditor trained on the scheme's standard (001 §3.2; 004 §17.1 c)): a training recorded for
    the client's scheme, dated on or before the audit's first day (trial item 7; docs/people.md)."""
    if any(t["scheme_id"] == scheme_id and t["trained_on"] <= first_day for t in person.trainings):
        return
    clause = "004 §17.1 c)" if procedure_id == "004" else "001 §3.2"
    later = sorted(t["trained_on"] for t in person.trainings if t["scheme_id"] == scheme_id)
    when_zh = f"（其培训记于 {later[0]}，晚于审核首日）" if later else ""
    when_en = f" (their training is dated {later[0]}, after the audit's first day)" if later else ""
    raise RuleViolation(
        clause,
        f"审核员 {person.name} 在审核首日 {first_day} 前没有 {scheme_id} 所依据标准的培训记录{when_zh}（{clause}：认证人员应经过培训）；"
        f"请记录其培训：people train --person {shell_arg(person.name)} --scheme {scheme_id} --hours 学时 --evidence 培训证书编号 --trained-on 日期，或另选审核员。",
        f"Auditor {person.name} has no training on the standard of {scheme_id} dated on or before the audit's first day {first_day}"
        f"{when_en} ({clause}: auditors are trained); record it: people train --person {shell_arg(person.name)} --scheme {scheme_id} --hours HOURS "
        "--evidence CERTIFICATE --trained-on DATE, or choose another auditor.")


def check_role(ledger: Any, names: list[str], role: str, on: date, rule: str, what_zh: str, what_en: str) -> None:
    """Each named person is registered, had not left by ``on`` and holds ``role`` (once the register holds anyone)."""
    if not ledger.has_people():
        return
    for name in names:
        _holding(_registered(ledger, name, rule, what_zh, what_en), (role,), on, rule, what_zh, what_en)


def _impartial(person: Any, client: Any, on: date, what_zh: str, what_en: str) -> None:
    """No declared interest in the client bars the person on ``on`` (004 §4.2 d) 4)-5), §4.3; item 3)."""
    found = conflicts(person, client.uscc, on)
    if not found:
        return
    c = found[0]
    since = f"，至 {c['ended_on']}" if c.get("ended_on") else ""
    since_en = f", until {c['ended_on']}" if c.get("ended_on") else ""
    raise RuleViolation(
        c["clause"],
        f"{what_zh} {person.name} 已声明与 {client.name}（{client.uscc}）存在利益关系：{word(INTEREST_KINDS, c['kind'])}（{c['detail']}{since}），"
        f"应予回避（{c['clause']}）；请另选人员。如声明已不再属实，请更新：people declare --person {shell_arg(person.name)} --client {client.uscc} --kind none。",
        f"{what_en} {person.name} declared an interest in {client.name} ({client.uscc}): {word(INTEREST_KINDS, c['kind'], 'en')} "
        f"({c['detail']}{since_en}) and must stand aside ({c['clause']}); choose someone else. If the declaration is no longer true, "
        f"make it current: people declare --person {shell_arg(person.name)} --client {client.uscc} --kind none.")


def check_impartial(ledger: Any, names: list[str], client: Any, on: date, what_zh: str, what_en: str) -> None:
    """Each named (registered) person has declared no interest that bars them from acting for the client on ``on``."""
    if not ledger.has_people():
        return
    for name in names:
        _impartial(_registered(ledger, name, "004 §4.2", what_zh, what_en), client, on, what_zh, what_en)


def team_identities(ledger: Any, members: list[str], leader: str, experts: list[str]) -> list[dict[str, str]]:
    """The identity documents of an audit's team as the register holds them (the CNCA report's
    auditors' ID numbers, 市监认证函〔2021〕102号; issue 15 item 6): the leader, the members and the
    technical experts, each once; empty while the register is empty. Run after ``check_team``, so
    every name is a registered person."""
    if not ledger.has_people():
        return []
    team = [m.strip() for m in members if m and m.strip()]
    head = (leader or (team[0] if team else "")).strip()
    named = [(head, "leader")] + [(m, "member") for m in team] + [(x.strip(), "expert") for x in experts if x and x.strip()]
    out: list[dict[str, str]] = []
    for name, role in named:
        if not name or any(o["name"] == name for o in out):
            continue
        person = ledger.find_person(name)
        out.append({"name": name, "role": role, "document_kind": person.document_kind, "document_number": person.document_number})
    return out
