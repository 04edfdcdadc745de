"""The catalogue entries of the register of people (issue 15), as data that ``ledger.commands`` turns
into its ``Command`` entries (so the CLI's options, ``--help`` and the JSON Lines import come from
one place, as for every write). Stdlib and the vocabularies only: this module imports nothing of
``ledger.commands`` (no import loop).

Each entry: (name, the CertLedger method, help, parameters as ``Param`` keyword arguments). A
person's command takes ``person`` (a name held by one person, or a document number) where a
client's takes ``client``.
"""

from __future__ import annotations

from typing import Any

from aggregates.vocabulary import CCAA_CATEGORIES, IDENTITY_DOCUMENTS, INTEREST_KINDS, PERSON_ROLES


def _one_of(table: dict[str, tuple[str, str]]) -> str:
    keys = list(table)
    return f"{', '.join(keys[:-1])} or {keys[-1]}, or its word in Chinese or English (e.g. {table[keys[-1]][0]})"


PERSON: dict[str, Any] = {"name": "person", "help": "the person: a name held by one registered person, or their document number"}
ON: dict[str, Any] = {"name": "on", "type": "date", "required": False,
                      "help": "business date YYYY-MM-DD on which it happened (default: today, Asia/Shanghai)"}

PEOPLE_COMMANDS: tuple[tuple[str, str, str, tuple[dict[str, Any], ...]], ...] = (
    ("people register", "register_person", "Register one of the body's people (人员登记) with their identity document "
     "(居民身份证 checked under GB 11643-1999).", (
        {"name": "name", "help": "the person's name as on the document"},
        {"name": "number", "help": "the document's number (a 居民身份证号码: 18 characters with its check character)"},
        {"name": "document", "required": False, "default": "resident_id", "choices": tuple(IDENTITY_DOCUMENTS),
         "help": "the identity document: " + _one_of(IDENTITY_DOCUMENTS) + " (default resident_id)"},
        {"name": "joined-on", "type": "date", "required": False, "help": "the day the person joined the body (default: the business date)"},
        ON,
    )),
    ("people grant", "grant_roles", "Grant roles to a person (授予角色).", (
        PERSON,
        {"name": "role", "multiple": True, "choices": tuple(PERSON_ROLES), "help": "a role; repeat for each: " + _one_of(PERSON_ROLES)},
        ON,
    )),
    ("people withdraw-role", "withdraw_roles", "Withdraw roles from a person (撤销角色), with the reason.", (
        PERSON,
        {"name": "role", "multiple": True, "choices": tuple(PERSON_ROLES), "help": "a role held; repeat for each: " + _one_of(PERSON_ROLES)},
        {"name": "reason", "help": "why the role is withdrawn, as it should stand in the record"},
        ON,
    )),
    ("people ccaa", "record_ccaa", "Record a CCAA registration (CCAA 注册, 001 §3.1); a renewal is a new record.", (
        PERSON,
        {"name": "number", "help": "the CCAA registration number"},
        {"name": "category", "choices": tuple(CCAA_CATEGORIES), "help": "the registration's category: " + _one_of(CCAA_CATEGORIES)},
        {"name": "valid-from", "type": "date", "help": "first day of validity"},
        {"name": "valid-to", "type": "date", "help": "last day of validity"},
        ON,
    )),
    ("people train", "record_training", "Record training on a scheme's standard (培训, 001 §3.2).", (
        PERSON,
        {"name": "scheme", "help": "the scheme whose standard was taught, e.g. zgc-ru015"},
        {"name": "hours", "type": "decimal", "help": "hours of training"},
        {"name": "evidence", "multiple": True, "help": "the evidence: certificate number, attendance sheet…; repeat for each"},
        {"name": "trained-on", "type": "date", "required": False, "help": "the day of the training (default: the business date)"},
        ON,
    )),
    ("people competence", "record_competence", "Record a person's competence for a scheme and business scope codes "
     "(专业能力, 004 §5.2.2 (2)); replaces that scheme's earlier record.", (
        PERSON,
        {"name": "scheme", "help": "the scheme, e.g. hzx-mr0118"},
        {"name": "code", "multiple": True, "required": False,
         "help": "a business scope code or business line the person is competent for (a major group such as 29 covers 29.09); repeat for each"},
        ON,
    )),
    ("people declare", "declare_interest", "Record a person's declaration of interest in a client (利益冲突声明, 004 §4.2 d), §4.3): "
     "an interest bars them from its audit teams and decisions; none clears the current declaration.", (
        PERSON,
        {"name": "client", "help": "the client's USCC (统一社会信用代码)"},
        {"name": "kind", "choices": tuple(INTEREST_KINDS), "help": "the interest: " + _one_of(INTEREST_KINDS)},
        {"name": "detail", "required": False, "default": "", "help": "what the interest is (required unless none)"},
        {"name": "ended-on", "type": "date", "required": False, "help": "past employment: the day it ended (none: still employed)"},
        ON,
    )),
    ("people login", "map_login", "Map a PostgreSQL login role to a person (数据库登录): the database then accepts from that "
     "login only records whose actor is this person (docs/people.md); on PostgreSQL only the tables' owner may record it.", (
        PERSON,
        {"name": "role", "help": "the PostgreSQL login role, as CREATE ROLE names it unquoted (e.g. wang_fang)"},
        ON,
    )),
    ("people logout", "unmap_login", "Unmap a PostgreSQL login role from its person (解除数据库登录).", (
        PERSON,
        {"name": "role", "help": "the PostgreSQL login role mapped to the person"},
        ON,
    )),
    ("people leave", "record_leaving", "Record that a person left the body (离职).", (
        PERSON,
        {"name": "left-on", "type": "date", "required": False, "help": "the last day with the body (default: the business date)"},
        ON,
    )),
)
