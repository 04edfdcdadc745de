"""PostgreSQL access by person (issue 15 item 5, docs/people.md "PostgreSQL logins", D32): the
database itself refuses an event whose actor is not the person of the session's login role.

- ``certledger_logins`` (in the ledger's schema): login role -> person (id, name, document number),
  derived from the register's events only: a ``people login`` event (``Person.LoginMapped``) adds
  or moves a role, ``people logout`` (``Person.LoginUnmapped``) removes it. An AFTER INSERT trigger
  on the events table keeps it current in the same transaction as the event; opening the ledger as
  the owner rebuilds it from the events. Owned by the tables' owner; no other role has any
  privilege on it (the trigger functions are SECURITY DEFINER).
- A BEFORE INSERT trigger on the events table checks every event against ``session_user`` (the
  login role: ``current_user`` inside a SECURITY DEFINER function is the owner, and ``SET ROLE``
  changes ``current_user`` but never ``session_user``):
  the owner's sessions (and its members', superusers') are exempt: they can drop the trigger anyway;
  a login event from any other session is refused (mapping a login is the owner's act);
  no mapped role at all: enforcement off, every event accepted as before;
  otherwise the session's role must be mapped, and the event's ``actor`` (the top-level ``actor``
  of the stored state, plain UTF-8 JSON: ledger/store/codec.py) must be the mapped person's name
  or document number.

A refusal raises SQLSTATE 42501 with the message ``certledger-login`` and a JSON detail; the
application turns it into a ``RuleViolation`` (``login_refusal``)."""

from __future__ import annotations

import json
from typing import Any

from aggregates.errors import RuleViolation, shell_arg

LOGINS = "certledger_logins"
MAPPED = "aggregates.people:Person.LoginMapped"
UNMAPPED = "aggregates.people:Person.LoginUnmapped"
TAG = "certledger-login"
RULE = "ledger: a database login writes as its own person"
_CHECK, _MAP, _APPLY = "certledger_login_check", "certledger_login_map", "certledger_login_apply"


def _trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_login_check", f"{table}_login_map"


def _statements(schema: str, table: str) -> list[Any]:
    from psycopg import sql

    s, t, logins = sql.Identifier(schema), sql.Identifier(schema, table), sql.Identifier(schema, LOGINS)
    check, mapper = _trigger_names(table)
    names = {"logins": logins, "events": t, "apply": sql.Identifier(schema, _APPLY), "check": sql.Identifier(schema, _CHECK),
             "map": sql.Identifier(schema, _MAP), "mapped": sql.Literal(MAPPED), "unmapped": sql.Literal(UNMAPPED),
             "tag": sql.Literal(TAG), "check_trigger": sql.Identifier(check), "map_trigger": sql.Identifier(mapper), "schema": s}

    def q(text: str) -> Any:
        return sql.SQL(text).format(**names)

    refuse = ("RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = {tag}, "
              "DETAIL = json_build_object('reason', {reason}, 'role', who, 'person', mapped.name, "
              "'document_number', mapped.document_number, 'actor', actor)::text;")
    return [
        q("CREATE TABLE IF NOT EXISTS {logins} (role text PRIMARY KEY, person_id uuid NOT NULL, name text NOT NULL, "
          "document_number text NOT NULL, position bigint NOT NULL)"),
        q("REVOKE ALL ON {logins} FROM PUBLIC"),
        # One mapping event applied to the table (the AFTER trigger, and the rebuild at install).
        q("CREATE OR REPLACE FUNCTION {apply}(topic text, person uuid, state bytea, pos bigint) RETURNS void "
          "LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ DECLARE doc jsonb := convert_from(state, 'UTF8')::jsonb; "
          "BEGIN IF topic = {mapped} THEN "
          "INSERT INTO {logins} (role, person_id, name, document_number, position) "
          "VALUES (doc->>'role', person, doc->>'name', doc->>'document_number', pos) ON CONFLICT (role) DO UPDATE SET "
          "person_id = EXCLUDED.person_id, name = EXCLUDED.name, document_number = EXCLUDED.document_number, position = EXCLUDED.position; "
          "ELSIF topic = {unmapped} THEN DELETE FROM {logins} WHERE role = doc->>'role' AND person_id = person; "
          "END IF; END $$"),
        q("REVOKE ALL ON FUNCTION {apply}(text, uuid, bytea, bigint) FROM PUBLIC"),
        q("CREATE OR REPLACE FUNCTION {map}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
          "SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
          "PERFORM {apply}(NEW.topic, NEW.originator_id, NEW.state, NEW.notification_id); RETURN NULL; END $$"),
        q("CREATE OR REPLACE FUNCTION {check}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
          "SET search_path = pg_catalog, pg_temp AS $$ DECLARE who text := session_user; mapped {logins}%ROWTYPE; "
          "actor text; BEGIN "
          "IF pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN RETURN NEW; END IF; "
          "IF NEW.topic IN ({mapped}, {unmapped}) THEN " + refuse.replace("{reason}", "'mapping'") + " END IF; "
          "IF NOT EXISTS (SELECT 1 FROM {logins}) THEN RETURN NEW; END IF; "
          "SELECT * INTO mapped FROM {logins} WHERE role = who; "
          "IF NOT FOUND THEN " + refuse.replace("{reason}", "'unmapped'") + " END IF; "
          "BEGIN actor := convert_from(NEW.state, 'UTF8')::jsonb ->> 'actor'; EXCEPTION WHEN others THEN actor := NULL; END; "
          "IF actor IS NULL OR actor NOT IN (mapped.name, mapped.document_number) THEN "
          + refuse.replace("{reason}", "'actor'") + " END IF; "
          "RETURN NEW; END $$"),
        q("DROP TRIGGER IF EXISTS {check_trigger} ON {events}"),
        q("CREATE TRIGGER {check_trigger} BEFORE INSERT ON {events} FOR EACH ROW EXECUTE FUNCTION {check}()"),
        q("DROP TRIGGER IF EXISTS {map_trigger} ON {events}"),
        q("CREATE TRIGGER {map_trigger} AFTER INSERT ON {events} FOR EACH ROW WHEN (NEW.topic IN ({mapped}, {unmapped})) "
          "EXECUTE FUNCTION {map}()"),
    ]


def installed(conn: Any, schema: str, table: str) -> bool:
    """The mapping table and both triggers are there."""
    from psycopg.rows import tuple_row

    cur = conn.cursor(row_factory=tuple_row)
    cur.execute("SELECT to_regclass(%s) IS NOT NULL, (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid = to_regclass(%s) AND tgname = ANY(%s))",
                (f'"{schema}"."{LOGINS}"', f'"{schema}"."{table}"', list(_trigger_names(table))))
    table_there, triggers = cur.fetchone()
    return bool(table_there) and triggers == 2


def install(conn: Any, schema: str, table: str) -> None:
    """Create the mapping table, its functions and the triggers (inside the caller's transaction,
    as the tables' owner), and rebuild the mapping from the events."""
    from psycopg import sql
    from psycopg.rows import tuple_row

    for s in _statements(schema, table):
        conn.execute(s)
    conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, LOGINS)))
    cur = conn.cursor(row_factory=tuple_row)
    rows = cur.execute(sql.SQL("SELECT topic, originator_id, state, notification_id FROM {} WHERE topic = ANY(%s) "
                               "ORDER BY notification_id").format(sql.Identifier(schema, table)), ([MAPPED, UNMAPPED],)).fetchall()
    for row in rows:
        conn.execute(sql.SQL("SELECT {}(%s, %s, %s, %s)").format(sql.Identifier(schema, _APPLY)), row)


def login_refusal(error: BaseException | None) -> RuleViolation | None:
    """The refusal for a database error raised by the login check (found in the exception's
    causes), or None when the error is something else."""
    for _ in range(10):
        if error is None:
            return None
        diag = getattr(error, "diag", None)
        if getattr(error, "sqlstate", None) == "42501" and diag is not None and diag.message_primary == TAG:
            try:
                detail = json.loads(diag.message_detail or "{}")
            except ValueError:
                detail = {}
            return _refusal(detail)
        error = error.__cause__ or error.__context__
    return None


def _refusal(d: dict[str, Any]) -> RuleViolation:
    role, person, number, actor = d.get("role") or "?", d.get("person"), d.get("document_number"), d.get("actor")
    reason = d.get("reason")
    if reason == "mapping":
        zh = (f"数据库登录角色 {role} 不能记录 people login / people logout：登录角色与人员的对应关系只能由数据表的所有者角色记录"
              "（见 docs/people.md「PostgreSQL 登录」）。本次没有写入任何内容。")
        en = (f"The database login {role} may not record people login / people logout: only the tables' owner role maps logins "
              "to people (docs/people.md, \"PostgreSQL logins\"). Nothing was written.")
    elif reason == "unmapped":
        zh = (f"数据库登录角色 {role} 未对应人员名册中的任何人，而本账本已启用按人登录：请所有者角色运行 "
              f"certledger people login --person 姓名 --role {role}，或使用您本人的登录角色。本次没有写入任何内容。")
        en = (f"The database login {role} is not mapped to anyone in the register of people, and this ledger enforces logins "
              f"by person: have the owner role run certledger people login --person NAME --role {role}, or use your own login. "
              "Nothing was written.")
    else:
        named = f"{person}（{number}）" if person else role
        named_en = f"{person} ({number})" if person else role
        zh = (f"数据库登录角色 {role} 属于 {named}，但该记录的操作人是 {actor or '（无）'}：每人只能以本人名义写入。"
              f"请以 --actor {shell_arg(person)} 写入，或由 {actor or '该操作人'} 用其本人的登录角色写入。本次没有写入任何内容。")
        en = (f"The database login {role} belongs to {named_en}, but the record's actor is {actor or '(none)'}: each person "
              f"writes in their own name only. Write with --actor {shell_arg(person)}, or let {actor or 'that actor'} write with their own "
              "login. Nothing was written.")
    return RuleViolation(RULE, zh, en)
