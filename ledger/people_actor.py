"""Who may write (issue 15, item 4, first sentence; docs/people.md, "Who may write"; decision D37):
every writer is a registered person. The one rule, called from the one place every write names its
actor (``CertLedger._actor``, which the ``@command`` wrapper, ``application submit``, the people's
and the body's commands call) and, for the register's own commands, from ``_person_run`` and
``people register`` (ledger/people.py).

Enforcement as for the other checks of the register (D31): nothing changes while the register is
empty. Once it holds anyone, an actor (``--actor``, by a name held by one person or by the document
number) must be registered, not gone by the act's business date (nor, for a single write outside an
import's session, by today: a leaver does not write by backdating), and hold a role that may write
(any but ``inspector``); the event stores the registered name. The register's own writes need the
``administrator`` role, except a person's own declarations and own keys. On an empty register the
first ``people register`` registers the actor themself, who becomes the administrator in the same
save (so the register never lacks one).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import NotFound, RuleViolation, shell_arg

RULE = "ledger: every writer is a registered person"
BASIS = ("（依据：电子签名法 §13，记录可归属于作出者；001 §3 人员）", " (basis: 电子签名法 §13, a record attributable to who made it; 001 §3, personnel)")

# the register's writes that only an administrator makes (ledger/commands_people.py; ``people signing``,
# the body's signing policy, is checked by its own aggregate command: aggregates/person_keys.py)
ADMINISTERED = frozenset({"people register", "people grant", "people withdraw-role", "people ccaa", "people train",
                          "people competence", "people leave", "people login", "people logout"})
# writes a person may make about themself; an administrator may make them for anyone
OWN = frozenset({"people declare", "people key add", "people key revoke"})
READ_ONLY_ROLES = frozenset({"inspector"})


def _refuse(zh: str, en: str) -> RuleViolation:
    return RuleViolation(RULE, zh + BASIS[0], en + BASIS[1])


def writer(ledger: Any, actor: str, on: date) -> str:
    """The registered name of the person ``actor`` names, once the register holds anyone (else
    ``actor`` as given): registered, not gone by ``on``, holding a role that may write."""
    if not ledger.has_people():
        return actor
    try:
        person = ledger.find_person(actor)
    except NotFound:
        raise _refuse(
            f"操作人 {actor} 不在本机构的人员名册中：人员名册建立后，每项写入都须由已登记的人员作出（--actor 填写其姓名或证件号码）。"
            f"如其为本机构人员，请管理员先登记并授予角色：people register --name {shell_arg(actor)} --number 证件号码，"
            f"people grant --person {shell_arg(actor)} --role 角色。",
            f"Actor {actor} is not in the body's register of people: once the register holds anyone, every write is made by a "
            f"registered person (--actor gives their name or document number). If they are the body's staff, an administrator "
            f"registers them and grants a role first: people register --name {shell_arg(actor)} --number NUMBER, "
            f"people grant --person {shell_arg(actor)} --role ROLE.") from None
    except RuleViolation as e:  # a name two people share: the number is asked for
        raise _refuse(f"操作人 {actor}：{e.message_zh}", f"Actor {actor}: {e.message_en}") from None
    # the actor is who did the act on its business date (an import of the body's earlier records, in a
    # session, names people who have left since); a single write outside a session (the CLI's) is made
    # today, so it is refused to whoever has left by today, whatever its --on (trial 12, item 3; D-entry
    # "leavers"); a signature, made today, is refused to a leaver (ledger/signing.py)
    if person.has_left(on):
        raise _refuse(f"操作人 {person.name} 已于 {person.left_on} 离开本机构，不能在 {on} 写入记录；请由在职人员操作。",
                      f"Actor {person.name} left the body on {person.left_on} and cannot write a record dated {on}; "
                      "someone still with the body must act.")
    if getattr(ledger, "_uow", None) is None:
        from ledger import clock

        today = clock.today()
        if person.has_left(today):
            raise _refuse(
                f"操作人 {person.name} 已于 {person.left_on} 离开本机构：今天（{today}）由其作出的写入不予记录，即使业务日期（{on}）早于离开日期；"
                "离开前的工作请由在职人员补记（以 --note 说明原委），或以导入（import）录入本机构的原始记录。",
                f"Actor {person.name} left the body on {person.left_on}: a write made today ({today}) in their name is refused even "
                f"when dated earlier ({on}); a late entry of their earlier work is made by someone still with the body (explain it "
                "with --note), or by importing the body's original records (import).")
    if not set(person.roles) - READ_ONLY_ROLES:
        held_en = "only the read-only inspector role" if person.roles else "no role"
        raise _refuse(f"操作人 {person.name} 不具有可写入的角色（现有：{'只读检查人员' if person.roles else '无'}）；只读检查人员不写入记录。"
                      f"如其应当操作，请管理员授予角色：people grant --person {shell_arg(person.name)} --role 角色。",
                      f"Actor {person.name} holds {held_en} and may not write; an inspector writes nothing. If they should act, "
                      f"an administrator grants them a role: people grant --person {shell_arg(person.name)} --role ROLE.")
    if actor != person.name and sum(p.name == person.name for p in ledger.people()) > 1:
        return person.document_number  # a name two people share: the number keeps who acted
    return person.name


def register_writer(ledger: Any, actor: str, action: str, subject: Any = None) -> None:
    """A write to the register (``action``) by ``actor`` (already ``writer``'s registered name):
    an administrator's act, except a person's own declarations and own keys (``subject``: the
    person the act is about)."""
    if action not in ADMINISTERED and action not in OWN:
        return
    if not ledger.has_people():
        return
    person = ledger.find_person(actor)
    if "administrator" in person.roles:
        return
    if action in OWN and subject is not None and subject.id == person.id:
        return
    own_zh = "（本人的利益声明和本人的签名密钥除外）" if action in OWN else ""
    own_en = " (a person's own declarations and keys excepted)" if action in OWN else ""
    raise _refuse(f"{action} 须由管理员记录{own_zh}；{person.name} 不具有“管理员”角色。请由管理员操作，或由管理员授予："
                  f"people grant --person {shell_arg(person.name)} --role administrator。",
                  f"{action} is recorded by an administrator{own_en}; {person.name} does not hold the administrator role. "
                  f"Ask an administrator, or have one grant it: people grant --person {shell_arg(person.name)} --role administrator.")


def first_administrator(actor: str, name: str, number: str) -> str:
    """On an empty register, the first ``people register`` registers its actor (by name or by the
    document number): returns the name to record as actor; refuses anyone else."""
    key = "".join(actor.split()).upper()
    if actor.strip() == name.strip() or key == number:
        return name.strip()
    raise _refuse(
        f"人员名册为空：第一位登记的人员应是操作人本人（管理员先登记自己，随即取得“管理员”角色），而 --actor {shell_arg(actor)} 与 --name {shell_arg(name)} 不同。"
        f"请先运行：people register --name {shell_arg(actor)} --number 本人证件号码 --actor {shell_arg(actor)}，再登记其他人员。",
        f"The register of people is empty: the first person registered is the actor themself (the administrator registers "
        f"themself first and holds the administrator role from then on), but --actor {shell_arg(actor)} is not --name {shell_arg(name)}. "
        f"First run: people register --name {shell_arg(actor)} --number YOUR_NUMBER --actor {shell_arg(actor)}, then register the others.")


def keeps_an_administrator(ledger: Any, ref: str, action: str, roles: list[str] | None = None, actor: str | None = None) -> None:
    """``people leave`` of a person, or ``people withdraw-role`` of their administrator role
    (``roles``), never leaves the register without an administrator still with the body (trial 12,
    item 3): the last one stays until another is granted the role. ``actor``: checked first as the
    register's writer (a non-administrator hears that, not this)."""
    if roles is not None and "administrator" not in {r.strip() for r in roles if r}:
        return
    if not ledger.has_people():
        return
    try:
        person = ledger.find_person(ref)
    except (NotFound, RuleViolation):
        return  # the command's own check names the person not found
    if actor is not None:
        register_writer(ledger, actor, action, person)
    if "administrator" not in person.roles or person.left_on is not None:
        return
    if any(p.id != person.id and "administrator" in p.roles and p.left_on is None for p in ledger.people()):
        return
    what_zh, what_en = ("离职", "leaving") if roles is None else ("撤销其“管理员”角色", "withdrawing their administrator role")
    raise _refuse(
        f"{person.name} 是名册中唯一的管理员：{action}（{what_zh}）后名册将没有管理员，无人能再登记人员或授予角色。"
        f"请先为另一位在职人员授予管理员角色：people grant --person 姓名 --role administrator，再{what_zh}。",
        f"{person.name} is the register's only administrator: after {action} ({what_en}) no one could register people or grant "
        f"roles. First grant the role to someone else still with the body: people grant --person NAME --role administrator, "
        f"then record the {what_en}.")


BODY_WRITERS = frozenset({"administrator", "senior_manager"})


def body_conflict_writer(ledger: Any, actor: str, action: str) -> None:
    """``body conflict`` / ``body conflict-end`` (the body's own conflict with a client, 004 §4.2 d) 1))
    by an administrator or a senior manager only (trial 12, item 6): an auditor ending one would
    unlock the client's evaluation for themself."""
    if not ledger.has_people():
        return
    person = ledger.find_person(actor)
    if BODY_WRITERS & set(person.roles):
        return
    raise _refuse(
        f"{action} 记录的是本机构自身的利益冲突（004 §4.2 d) 1)），须由管理员或高级管理人员记录；{person.name} 不具有这两个角色"
        f"（公正性原则：审核、决定人员不判定解除本机构对其所评价客户的冲突）。请由管理员或高级管理人员以 --actor 操作。",
        f"{action} records the body's own conflict with a client (004 §4.2 d) 1)) and is recorded by an administrator or a senior "
        f"manager; {person.name} holds neither role (impartiality: those who evaluate a client do not judge the body's conflict with "
        "it). Ask an administrator or a senior manager to record it with --actor.")
