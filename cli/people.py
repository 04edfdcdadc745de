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
    if p.get("logins"):  # PostgreSQL login roles (item 5)
        lines.append(f"  {t('数据库登录', 'Database logins')}: {', '.join(p['logins'])}")
    for k in p.get("keys") or []:  # signing keys (item 4)
        until = f"  {t('吊销于', 'revoked from')} {k['revoked_on']}" if k.get("revoked_on") else ""
        lines.append(f"  {t('签名密钥', 'Signing key')}: {k['key_id']}  {t('自', 'from')} {k['valid_from']}{until}")
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
    from ledger.people import WORDS

    if role is not None:  # its code or its word (审核员); an unknown role is a usage error, not "no one"
        role = next((c for c, pair in WORDS["role"].items() if role.strip() in (c, *pair)), None) or _unknown_role(role)
    people = [p.summary() for p in settings().app(existing=True).people(as_of=as_of) if role is None or role in p.roles]

    def render(s: Any) -> str:
        if not people and role is not None:  # the register is not empty: nobody holds the role (trial item 14)
            return s.t(f"没有人具有角色“{_words('role', role, 'zh')}”。", f"No one holds the role {_words('role', role, 'en')}.")
        if not people:
            return "人员名册为空。" if s.lang != "en" else "The register of people is empty."
        return "\n".join(render_person(p, s.lang) for p in people)

    emit(people, render)


def _unknown_role(role: str) -> str:
    from ledger.people import WORDS

    raise click.BadParameter(f"unknown role {role!r}; one of: {', '.join(WORDS['role'])}", param_hint="'--role'")


@click.command("impartiality")
@click.argument("client")
@as_of_option
@common_options
def impartiality(client: str, as_of: date | None) -> None:
    """For inspectors: every person's current declaration of interest about a client and what bars
    them from its teams and decisions (004 §4.2 d), §4.3), as of a business date with --as-of."""
    from ledger import clock

    app = settings().app(existing=True)
    rows = app.impartiality(client, as_of=as_of)
    day = as_of or clock.today()
    body = app.body_conflicts(client, day, as_of=as_of)  # body-level conflicts (004 §4.2 d) 1)-3))
    ended = app.ended_body_conflicts(client, day)

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
        if not rows:
            out.append("The register of people is empty." if en else "人员名册为空。")
        return "\n".join(out)

    emit({"body_conflicts": body, "ended_body_conflicts": ended, "people": rows}, render)
