"""Read commands of the register of people (issue 15): ``people show`` and ``people list``, now or
``--as-of`` a business date (replayed from the events). The writes (``people register``...) are
built from the catalogue (ledger/commands_people.py) by cli/writes.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from cli.output import common_options, emit, settings


def _as_of(ctx: click.Context, _p: click.Parameter, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


as_of_option = click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
                            help="the register as the events dated on or before this business date make it")


def _words(table: str, code: str, lang: str) -> str:
    from ledger.people import people_word

    return people_word(table, code, lang)


def declaration_lines(declarations: list[dict[str, Any]], lang: str, indent: str = "    ") -> list[str]:
    """Every declaration about one client, the latest first: its date, kind, detail, who recorded it
    and what replaced it (trial 12, item 5: a cleared interest stays visible)."""
    en = lang == "en"
    out = []
    for d in declarations:
        what = _words("interest", d["kind"], lang) + (f" ({d['detail']})" if d.get("detail") else "")
        if d.get("ended_on"):
            what += f" ({'until' if en else '至'} {d['ended_on']})"
        by = d.get("recorded_by") or "—"
        r = d.get("replaced_by")
        if r is None:
            state = "standing" if en else "现行"
        else:
            state = (f"replaced on {r['declared_on']} by {_words('interest', r['kind'], lang)}, recorded by {r['recorded_by']}" if en
                     else f"已于 {r['declared_on']} 被“{_words('interest', r['kind'], lang)}”取代（{r['recorded_by']} 记录）")
        out.append(f"{indent}{d['declared_on']}  {what}  " + (f"recorded by {by}; {state}" if en else f"{by} 记录；{state}"))
    return out


def render_person(p: dict[str, Any], lang: str) -> str:
    en = lang == "en"
    t = (lambda zh, e: e) if en else (lambda zh, e: zh)
    roles = "、".join(_words("role", r, lang) for r in p["roles"]) if not en else ", ".join(_words("role", r, lang) for r in p["roles"])
    lines = [
        f"{p['name']}  ({_words('document', p['document_kind'], lang)} {p['document_number']})",
        f"  {t('入职', 'Joined')}: {p['joined_on']}" + (f"  {t('离职', 'left')}: {p['left_on']}" if p["left_on"] else ""),
        f"  {t('角色', 'Roles')}: {roles or '—'}",
    ]
    for r in p["ccaa"]:
        lines.append(f"  CCAA: {r['number']}  {_words('ccaa', r['category'], lang)}  {r['valid_from']} — {r['valid_to']}")
    for tr in p["trainings"]:
        lines.append(f"  {t('培训', 'Training')}: {tr['scheme_id']}  {tr['trained_on']}  {tr['hours']} {t('学时', 'hours')}  ({', '.join(tr['evidence'])})")
    for scheme, codes in p["competence"].items():
        lines.append(f"  {t('专业能力', 'Competence')}: {scheme}  {', '.join(codes) or t('（未限定业务范围代码）', '(no business scope code)')}")
    for r in p["former_roles"]:
        lines.append(f"  {t('已撤销角色', 'Role withdrawn')}: {_words('role', r['role'], lang)}  {r['granted_on']} — {r['withdrawn_on']}  ({r['reason']})")
    for uscc, record in (p.get("interests") or {}).items():  # declarations of interest, current standing first (trial 12, item 5)
        standing = ("; ".join(_words("interest", i["kind"], lang) + (f" ({i['detail']})" if i.get("detail") else "") for i in record["items"])
                    or _words("interest", "none", lang))
        lines.append(f"  {t('利益声明', 'Declared interest')}: {uscc}  {t('现为', 'now')} {standing}")
        lines += declaration_lines(list(reversed(record.get("history") or [])), lang)
    if p.get("logins"):  # PostgreSQL login roles (item 5)
        lines.append(f"  {t('数据库登录', 'Database logins')}: {', '.join(p['logins'])}")
    for k in p.get("keys") or []:  # signing keys (item 4)
        until = f"  {t('吊销于', 'revoked from')} {k['revoked_on']}" if k.get("revoked_on") else ""
        lines.append(f"  {t('签名密钥', 'Signing key')}: {k['key_id']}  {t('自', 'from')} {k['valid_from']}{until}")
    for x in p.get("signing_policies") or []:  # the body's signing requirement as this administrator recorded it (trial 12, item 4)
        if x.get("required_from") is not None:
            what = t(f"自 {x['required_from']} 起要求签名", f"signing required from {x['required_from']}")
        else:
            why = x.get("reason") or t("未记录理由", "no reason recorded")
            what = t(f"停止要求签名（理由：{why}）", f"signing no longer required (reason: {why})")
        from datetime import datetime

        from ledger.clock import event_time

        lines.append(f"  {t('签名要求', 'Signing requirement')}: {x['set_on']}  {what}  "
                     f"({t('记录于', 'recorded')} {event_time(datetime.fromisoformat(x['recorded_at']))})")
    return "\n".join(lines)


@click.command("show")
@click.argument("person")
@as_of_option
@common_options
def show(person: str, as_of: date | None) -> None:
    """One person of the register, by name or document number: roles, CCAA registrations, training,
    competence (as of a business date with --as-of)."""
    found = settings().app(existing=True).person(person, as_of=as_of).summary()
    emit(found, lambda s: render_person(found, s.lang))


@click.command("list")
@as_of_option
@click.option("--role", default=None, help="only the people holding this role (its code, e.g. auditor)")
@common_options
def list_(as_of: date | None, role: str | None) -> None:
    """Every person in the register (as of a business date with --as-of)."""
    if role is not None:  # its code or its word (审核员), as every choice; an unknown role is refused, not "no one"
        from ledger.commands import Param, choice_code
        from ledger.people import WORDS

        role = choice_code(Param("role", choices=tuple(WORDS["role"])), role)
    people = [p.summary() for p in settings().app(existing=True).people(as_of=as_of) if role is None or role in p.roles]

    def render(s: Any) -> str:
        if not people and role is not None:  # the register is not empty: nobody holds the role (trial item 14)
            return s.t(f"没有人具有角色“{_words('role', role, 'zh')}”。", f"No one holds the role {_words('role', role, 'en')}.")
        if not people:
            return "人员名册为空。" if s.lang != "en" else "The register of people is empty."
        return "\n".join(render_person(p, s.lang) for p in people)

    emit(people, render)


@click.command("impartiality")
@click.argument("client")
@as_of_option
@common_options
def impartiality(client: str, as_of: date | None) -> None:
    """For inspectors: every person's current declaration of interest about a client and what bars
    them from its teams and decisions (004 §4.2 d), §4.3), as of a business date with --as-of."""
    app = settings().app(existing=True)
    rows = app.impartiality(client, as_of=as_of)
    views = app.body_conflict_views(client, as_of=as_of)  # body-level conflicts (004 §4.2 d) 1)-3))
    body, ended = views["body_conflicts"], views["ended_body_conflicts"]

    def render(s: Any) -> str:
        en = s.lang == "en"
        out = []
        for c in body:
            what = c["what_en"] if en else c["what_zh"]
            since = (f", since {c['since']}" if en else f"，{c['since']} 起") if c.get("since") else ""
            out.append(("⚠ The body may not evaluate this client: " if en else "⚠ 本机构不得对该组织提供评价：")
                       + f"{c['id'] + ' ' if c['id'] else ''}{what} ({c['detail']}{since}) [{c['clause']}]")
        for c in ended:
            what = c["what_en"] if en else c["what_zh"]
            e = c["ended"]
            out.append(f"{c['id']} {what} ({c['detail']}): " + (f"{c['on']} to {e['on']}, ended: {e['reason']}" if en
                                                                 else f"{c['on']} 至 {e['on']}，已解除：{e['reason']}"))
        for r in rows:
            if r["declared_on"] is None:
                state = "no declaration" if en else "未声明"
            elif not r["interests"]:
                state = (f"declared no conflict on {r['declared_on']}" if en else f"{r['declared_on']} 声明无利益冲突")
            else:
                state = "; ".join(f"{_words('interest', i['kind'], s.lang)} ({i['detail']}"
                                  + (f", {'until' if en else '至'} {i['ended_on']}" if i.get("ended_on") else "") + ")" for i in r["interests"])
            barred = ("  ⚠ " + ("stands aside: " if en else "应回避：") + ", ".join(c["clause"] for c in r["conflicts"])) if r["conflicts"] else ""
            out.append(f"{r['name']}  ({r['document_number']})  {state}{barred}")
            if r.get("declarations"):
                out += declaration_lines(r["declarations"], s.lang)  # what was declared before, and by whom (trial 12, item 5)
        if not rows:
            out.append("The register of people is empty." if en else "人员名册为空。")
        return "\n".join(out)

    emit({**views, "people": rows}, render)
