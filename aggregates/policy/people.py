"""The checks of the body's people (issue 15): identity documents, roles, CCAA registrations,
training, competence, leaving. Pure functions over a ``Person``'s state that refuse with
``RuleViolation`` naming the rule, or return the cleaned values.

A 居民身份证号码 is checked as GB 11643-1999 says: 17 digits (6 of the address code, 8 of the
birth date YYYYMMDD, 3 of the sequence) and a check character computed with ISO 7064 MOD 11-2
(weights 2^(17-i) mod 11; the remainder maps to 1 0 X 9 8 7 6 5 4 3 2). Other documents are taken
as given, trimmed and upper-cased, with their kind.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.common import not_before, require, require_choice, require_text
from aggregates.vocabulary import CCAA_CATEGORIES, IDENTITY_DOCUMENTS, INTEREST_KINDS, PERSON_ROLES, word

GB11643 = "GB 11643-1999"
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK = "10X98765432"  # the check character for each remainder 0..10
EARLIEST_BIRTH = date(1900, 1, 1)
REGISTER = "ledger: register of people"


def id_check_character(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of a 居民身份证号码."""
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def check_resident_id(number: str, on: date | None = None) -> str:
    """A 居民身份证号码, upper-cased (a final ``x`` is ``X``): 18 characters, its check character
    right, its birth date a real day between 1900 and ``on``. Refuses naming what is wrong."""
    text = (number or "").strip().upper()

    def bad(zh: str, en: str) -> RuleViolation:
        return RuleViolation(GB11643, f"居民身份证号码“{text}”无效：{zh}请核对证件号码。",
                             f"Resident identity number '{text}' is not valid: {en} Check the number.")

    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise bad("应为 17 位数字加 1 位校验码（数字或 X）。", "it must be 17 digits and a check character (a digit or X).")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise bad(f"第 7-14 位的出生日期 {text[6:14]} 不是有效日期。", f"positions 7-14, the birth date {text[6:14]}, are not a real date.") from None
    if born < EARLIEST_BIRTH or (on is not None and born > on):
        raise bad(f"出生日期 {born} 不合理。", f"the birth date {born} is not plausible.")
    expected = id_check_character(text[:17])
    if text[17] != expected:
        raise bad(f"校验码应为 {expected}，实为 {text[17]}。", f"its check character should be {expected}, not {text[17]}.")
    return text


def normalise_document(kind: str, number: str, on: date | None = None) -> tuple[str, str]:
    """The document's kind and number as stored and keyed: a resident identity number checked
    (GB 11643-1999), any other document's number trimmed, inner spaces removed, upper-cased."""
    require_choice(kind, IDENTITY_DOCUMENTS, "证件类型", "identity document kind")
    if kind == "resident_id":
        return kind, check_resident_id(number, on)
    text = "".join((number or "").split()).upper()
    require(bool(text), REGISTER, f"必须填写{word(IDENTITY_DOCUMENTS, kind)}号码（--number）。",
            f"The {word(IDENTITY_DOCUMENTS, kind, 'en')} number is required (--number).")
    return kind, text


def check_registration(*, name: str, document_kind: str, document_number: str, joined_on: date,
                       occurred_on: date) -> tuple[str, str, str]:
    """A person joining the body's register: a name, a valid document. Returns name, kind, number."""
    name = require_text(name, "姓名（--name）", "The name (--name)", REGISTER)
    kind, number = normalise_document(document_kind, document_number, occurred_on)
    not_before(occurred_on, joined_on, "入职日期", "the date the person joined")
    return name, kind, number


def _active(person: Any, occurred_on: date) -> None:
    not_before(occurred_on, person.joined_on, f"{person.name} 的入职日期", f"the date {person.name} joined")
    require(person.left_on is None, REGISTER,
            f"{person.name} 已于 {person.left_on} 离开本机构，不能再为其记录变更。",
            f"{person.name} left the body on {person.left_on}; nothing more is recorded for them.")


def check_roles(person: Any, roles: list[str], *, grant: bool, occurred_on: date) -> list[str]:
    """Roles to grant (none held already) or withdraw (each held). Returns them, in order, once each."""
    _active(person, occurred_on)
    chosen = list(dict.fromkeys(r.strip() for r in roles if r and r.strip()))
    require(bool(chosen), REGISTER, "请至少指明一个角色（--role）。", "Name at least one role (--role).")
    for role in chosen:
        require_choice(role, PERSON_ROLES, "角色", "role")
        held = role in person.roles
        if grant:
            require(not held, REGISTER, f"{person.name} 已具有角色“{word(PERSON_ROLES, role)}”。",
                    f"{person.name} already holds the role {word(PERSON_ROLES, role, 'en')}.")
        else:
            require(held, REGISTER, f"{person.name} 没有角色“{word(PERSON_ROLES, role)}”，无从撤销。",
                    f"{person.name} does not hold the role {word(PERSON_ROLES, role, 'en')}; nothing to withdraw.")
    return chosen


def check_ccaa(person: Any, *, number: str, category: str, valid_from: date, valid_to: date,
               occurred_on: date) -> str:
    """A CCAA registration (001 §3.1): a number, a category, a period that ends after it starts.
    A renewal is a new record; the same number with the same period twice is refused."""
    _active(person, occurred_on)
    number = "".join(require_text(number, "CCAA 注册号（--number）", "The CCAA registration number (--number)", "001 §3.1").split()).upper()
    require_choice(category, CCAA_CATEGORIES, "CCAA 注册级别", "CCAA registration category")
    require(valid_to >= valid_from, "001 §3.1", f"CCAA 注册有效期止 {valid_to} 早于起始日 {valid_from}。",
            f"The CCAA registration's end {valid_to} is before its start {valid_from}.")
    require(not any(r["number"] == number and r["valid_from"] == valid_from and r["valid_to"] == valid_to for r in person.registrations),
            REGISTER, f"{person.name} 的 CCAA 注册 {number}（{valid_from} 至 {valid_to}）已记录。",
            f"{person.name}'s CCAA registration {number} ({valid_from} to {valid_to}) is already recorded.")
    return number


def check_training(person: Any, *, scheme_id: str, trained_on: date, hours: Decimal, evidence: list[str],
                   occurred_on: date) -> list[str]:
    """Training on a scheme's standard (001 §3.2): a day not after it is recorded, hours above 0,
    its evidence kept (at least one reference). Returns the references trimmed, once each."""
    _active(person, occurred_on)
    require(trained_on <= occurred_on, "001 §3.2", f"培训日期 {trained_on} 晚于记录日期 {occurred_on}。",
            f"The training date {trained_on} is after the date it is recorded ({occurred_on}).")
    require(hours > 0, "001 §3.2", f"培训学时必须大于 0，实为 {hours}。", f"Training hours must be above 0; got {hours}.")
    refs = list(dict.fromkeys(str(e).strip() for e in ([evidence] if isinstance(evidence, str) else evidence) if str(e).strip()))
    require(bool(refs), "001 §3.2", "必须给出培训证据（--evidence：证书编号、签到表等）。",
            "The training's evidence is required (--evidence: certificate number, attendance sheet…).")
    return refs


# A business scope code (004 §5.1.4 4): "同质量管理体系代码，评审到大类"): a major group, then sub-codes,
# dot-separated digits (29, 29.09, 29.09.01). A business line may start with its code ("29.09 日用百货批发").
SCOPE_CODE = re.compile(r"\d{1,3}(?:\.\d{1,3})*")
COMPETENCE_RULE = "004 §5.1.4 4)"


def check_competence(person: Any, *, scheme_id: str, codes: list[str], occurred_on: date) -> list[str]:
    """Competence for a scheme and its business scope codes (004 §5.2.2 (2), §5.1.4 4)). Returns the codes,
    trimmed and once each (none: competent for the scheme's clients that declare no business line).
    Each is a scope code (``SCOPE_CODE``: 29, 29.09); the record replaces the scheme's earlier one
    (the event has always meant that: docs/people.md, trial item 15)."""
    _active(person, occurred_on)
    chosen = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    bad = [c for c in chosen if not SCOPE_CODE.fullmatch(c)]
    require(not bad, COMPETENCE_RULE,
            f"业务范围代码 {'、'.join(bad)} 格式不正确：业务范围代码同质量管理体系代码（{COMPETENCE_RULE}），为以点分隔的数字，"
            "如大类 29 或小类 29.09；请按代码记录：people competence --person 姓名 --scheme 方案 --code 29 --code 29.09。",
            f"Business scope code(s) {', '.join(bad)} are not codes: a business scope code is the quality management system's "
            f"code ({COMPETENCE_RULE}), digits separated by dots, such as the major group 29 or the sub-code 29.09; record them "
            "as codes: people competence --person NAME --scheme SCHEME --code 29 --code 29.09.")
    return chosen


def line_code(line: str) -> str | None:
    """The scope code a business line starts with ("29.09 日用百货批发", "51.1"), or None."""
    m = re.match(r"\s*(\d{1,3}(?:\.\d{1,3})*)(?![\d.])", line or "")
    return m.group(1) if m else None


def check_leaving(person: Any, *, left_on: date, occurred_on: date) -> None:
    _active(person, occurred_on)
    not_before(left_on, person.joined_on, f"{person.name} 的入职日期", f"the date {person.name} joined")
    require(left_on <= occurred_on, REGISTER, f"离职日期 {left_on} 晚于记录日期 {occurred_on}。",
            f"The leaving date {left_on} is after the date it is recorded ({occurred_on}).")


def registration_on(person: Any, day: date) -> dict[str, Any] | None:
    """The CCAA registration valid on ``day`` (the latest recorded, if several), or None."""
    valid = [r for r in person.registrations if r["valid_from"] <= day <= r["valid_to"]]
    return valid[-1] if valid else None


def code_covers(code: str, line: str) -> bool:
    """A competence code covers a business line: the line's code (the one it starts with, else the
    whole line) is the same code or one of its sub-codes (``29`` covers ``29.09`` and "29.09 日用百货批发":
    004 §5.1.4 4), "评审到大类"), compared without case or surrounding spaces."""
    code = code.strip().casefold()
    line = (line_code(line) or line).strip().casefold()
    return line == code or line.startswith(code + ".")


def competent_for(person: Any, scheme_id: str, lines: list[str]) -> bool:
    """Whether the person's recorded competence covers the scheme and every business line."""
    codes = person.competence.get(scheme_id)
    if codes is None:
        return False
    return all(any(code_covers(c, line) for c in codes) for line in lines)


# --- impartiality (issue 15, item 3): declarations of interest per person and client --------------
CONFLICT_CLAUSES = {"employment": "004 §4.2 d) 4)", "relative": "004 §4.2 d) 4)", "financial": "004 §4.2 d) 5)", "consultancy": "004 §4.3"}


def check_declaration(person: Any, *, uscc: str, kind: str, detail: str, ended_on: date | None, occurred_on: date) -> str:
    """A declaration of interest in a client (004 §4.2 d), §4.3): its kind, what it is (not for
    "none"), and for past employment the day it ended (none: still employed), not after the
    declaration. Returns the detail trimmed."""
    _active(person, occurred_on)
    require_choice(kind, INTEREST_KINDS, "利益关系类型", "kind of interest")
    if kind == "none":
        require(ended_on is None, REGISTER, "声明“无利益冲突”时不填写 --ended-on。", "A declaration of no conflict takes no --ended-on.")
        return (detail or "").strip()
    detail = require_text(detail, "利益关系的说明（--detail）", "What the interest is (--detail)", CONFLICT_CLAUSES[kind])
    if ended_on is not None:
        require(ended_on <= occurred_on, REGISTER, f"结束日期 {ended_on} 晚于声明日期 {occurred_on}。",
                f"The end date {ended_on} is after the date of the declaration ({occurred_on}).")
    return detail


def conflicts(person: Any, uscc: str, on: date) -> list[dict[str, Any]]:
    """The person's declared interests in the client that bar them from its team or its decisions on
    ``on``: employment that ended less than a year before (or has not ended), a relative in its
    senior management, a financial interest (004 §4.2 d) 4), 5)), consultancy given (004 §4.3). The
    current declaration counts: a later "none" clears the earlier ones."""
    record = getattr(person, "interests", {}).get(uscc)
    if record is None:
        return []
    out = []
    for item in record["items"]:
        ended = item.get("ended_on")
        if item["kind"] == "employment" and ended is not None:
            try:
                year_after = ended.replace(year=ended.year + 1)
            except ValueError:  # 29 February
                year_after = ended.replace(year=ended.year + 1, day=28)
            if on > year_after:
                continue
        out.append({**item, "clause": CONFLICT_CLAUSES[item["kind"]]})
    return out


# --- PostgreSQL logins by person (issue 15, item 5; docs/people.md, D32) ----------------------------
# A login role as PostgreSQL stores an unquoted name (CREATE ROLE wang_fang): what session_user gives.
PG_ROLE = re.compile(r"[a-z_][a-z0-9_$]{0,62}")


def check_login(person: Any, role: str, *, mapped: bool, occurred_on: date) -> str:
    """A database login role to map to the person (``mapped=False``) or to unmap (``mapped=True``:
    it must be theirs). Returns the role name."""
    role = (role or "").strip()
    require(bool(PG_ROLE.fullmatch(role)) and not role.startswith("pg_"), REGISTER,
            f"数据库登录角色名 {role!r} 无效：请使用小写字母、数字和下划线（以字母或下划线开头，至多 63 个字符，不以 pg_ 开头），"
            "与 CREATE ROLE 中不加引号的名称一致。",
            f"The database login {role!r} is not a valid role name: use lower-case letters, digits and underscores (starting "
            "with a letter or underscore, at most 63 characters, not starting with pg_), as CREATE ROLE names it unquoted.")
    held = role in getattr(person, "logins", [])
    if mapped:
        require(held, REGISTER, f"数据库登录角色 {role} 并不对应 {person.name}，无从解除。",
                f"The database login {role} is not mapped to {person.name}; nothing to unmap.")
        return role
    _active(person, occurred_on)
    require(not held, REGISTER, f"数据库登录角色 {role} 已对应 {person.name}。", f"The database login {role} is already mapped to {person.name}.")
    return role
