"""PostgreSQL access by person (issue 15 item 5, docs/people.md "PostgreSQL logins", D32).

The register's side (``people login`` / ``people logout`` and their refusals) on SQLite and
PostgreSQL; the database's side against the real server: each person logs in with their own role,
and the events table's trigger refuses an event whose actor is not the person of the session's
login, an unmapped login once enforcement is on, and a login mapping written by anyone but the
owner; the mapping table is closed to the application's roles; the CLI shows the refusal cleanly.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from click.testing import CliRunner

from aggregates.policy.people import REGISTER, id_check_character
from cli.main import root
from ledger.store.pg_logins import LOGINS, RULE
from tests.conftest import PG_URL

WANG = "33010619850312002" + id_check_character("33010619850312002")  # 王芳
LI = "33010219900101001" + id_check_character("33010219900101001")  # 李强
ON = date(2026, 1, 5)


def _staff(app, actor="张伟"):
    """张伟 registers themself first (the administrator, D37), then 王芳 and 李强, also administrators:
    the application lets them write to the register, so what is refused below is the database's doing."""
    register_admin(app, on=ON, name=actor)
    for name, number in (("王芳", WANG), ("李强", LI)):
        app.register_person(name=name, number=number, joined_on=date(2020, 3, 1), actor=actor, on=ON)
        app.grant_roles(person=name, role=["administrator"], actor=actor, on=ON)


from tests.refusals import refused as _refused  # noqa: E402
from tests.staff import register_admin  # noqa: E402


# ---------------------------------------------------------------------- the register (both backends)

def test_login_and_logout_are_recorded_and_checked(app):
    _staff(app)
    app.map_login(person="王芳", role="wang_fang", actor="张伟", on=ON)
    assert app.person("王芳").logins == ["wang_fang"]
    assert app.person("王芳").summary()["logins"] == ["wang_fang"]
    assert app.find_person(WANG).logins == ["wang_fang"]
    e = _refused(app, lambda: app.map_login(person="李强", role="wang_fang", actor="张伟", on=ON), REGISTER)
    assert "王芳" in e.message_zh and f"people logout --person {WANG} --role wang_fang" in e.message_en
    _refused(app, lambda: app.map_login(person="王芳", role="wang_fang", actor="张伟", on=ON), REGISTER)
    for bad in ("Wang", "pg_monitor", "王芳", "a-b", ""):
        _refused(app, lambda bad=bad: app.map_login(person="王芳", role=bad, actor="张伟", on=ON), REGISTER)
    _refused(app, lambda: app.unmap_login(person="李强", role="wang_fang", actor="张伟", on=ON), REGISTER)
    app.unmap_login(person="王芳", role="wang_fang", actor="张伟", on=ON)
    assert app.person("王芳").logins == []
    app.map_login(person="李强", role="wang_fang", actor="张伟", on=ON)  # free again: now 李强's
    assert app.person("李强").logins == ["wang_fang"]
    app.record_leaving(person="王芳", actor="张伟", on=ON)
    _refused(app, lambda: app.map_login(person="王芳", role="wang_2", actor="张伟", on=ON), REGISTER)


# ---------------------------------------------------------------------- the database (PostgreSQL)

def _admin():
    import psycopg

    pg = _pg()
    return psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"] or None,
                           password=pg["password"] or None, autocommit=True)


class Logins:
    """Throw-away login roles, members of a group role holding the documented grants (SELECT and
    INSERT on the events, nothing on the mapping table), dropped at the end."""

    def __init__(self, schema: str) -> None:
        self.schema, self.tag = schema, uuid.uuid4().hex[:8]
        self.group = f"cl_writers_{self.tag}"
        self.roles: list[str] = []
        with _admin() as c:
            c.execute(f"CREATE ROLE {self.group} NOLOGIN")

    def role(self, name: str) -> str:
        role = f"cl_{name}_{self.tag}"
        with _admin() as c:
            c.execute(f"CREATE ROLE {role} LOGIN IN ROLE {self.group}")
        self.roles.append(role)
        return role

    def grant(self) -> None:
        s, g = self.schema, self.group
        with _admin() as c:
            for stmt in (
                f"GRANT USAGE ON SCHEMA {s} TO {g}",
                f"GRANT SELECT, INSERT ON {s}.certledger_events TO {g}",
                f"GRANT USAGE ON SEQUENCE {s}.certledger_events_notification_id_seq TO {g}",
                f"GRANT SELECT ON {s}.trail_meta TO {g}",
                f"GRANT SELECT, INSERT ON {s}.trail_checkpoints, {s}.trail_leaves, {s}.trail_attestations TO {g}",
                f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {g}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.trail_heads TO {g}",
            ):
                c.execute(stmt)
            for (table,) in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename NOT IN "
                                      "('certledger_events', 'certledger_logins') AND tablename NOT LIKE 'trail%%'", (s,)).fetchall():
                c.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {s}."{table}" TO {g}')  # the read models

    def url(self, role: str) -> str:
        pg = _pg()
        return f"postgresql://{role}@{pg['host']}:{pg['port']}/{pg['dbname']}?schema={self.schema}&db_functions=y&create_tables=n"

    def drop(self) -> None:
        with _admin() as c:
            for role in [*self.roles, self.group]:
                c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
                c.execute(f"DROP OWNED BY {role}")
                c.execute(f"DROP ROLE {role}")


def _pg() -> dict[str, str]:
    from ledger.config import resolve_database

    return resolve_database(PG_URL).pg


@pytest.fixture
def pg(pg_url):
    """The owner's ledger (the test server's superuser opens it once with db_functions=y), two
    people, and login roles for 王芳, 李强 and one mapped to nobody."""
    from ledger.bootstrap import bootstrap
    from projections import dispose

    schema = pg_url.rsplit("schema=", 1)[1]
    owner = bootstrap(f"{pg_url}&db_functions=y")
    logins = Logins(schema)
    logins.owner_url = f"{pg_url}&db_functions=y"
    opened = []

    def open_as(role):
        ledger = bootstrap(logins.url(role))
        opened.append(ledger)
        return ledger

    try:
        _staff(owner, actor="张伟")
        roles = {"wang": logins.role("wang"), "li": logins.role("li"), "nobody": logins.role("nobody")}
        owner.update_read_models()
        logins.grant()
        yield owner, roles, open_as, logins
    finally:
        for ledger in [*opened, owner]:
            dispose(ledger)
            ledger.close()
        logins.drop()


def _rows(logins) -> int:
    """The events stored (``event_count`` is the highest position: a refused insert leaves a gap)."""
    with _admin() as c:
        return c.execute(f"SELECT count(*) FROM {logins.schema}.certledger_events").fetchone()[0]


def _mapped(owner, logins):
    with _admin() as c:
        return dict(c.execute(f"SELECT role, name FROM {logins.schema}.{LOGINS}").fetchall())


def test_before_any_mapping_every_login_writes_as_before(pg):
    owner, roles, open_as, logins = pg
    nobody = open_as(roles["nobody"])
    nobody.grant_roles(person="李强", role=["auditor"], actor="李强", on=ON)
    assert "auditor" in owner.find_person("李强").roles


def test_each_login_writes_as_its_own_person_only(pg):
    owner, roles, open_as, logins = pg
    owner.map_login(person="王芳", role=roles["wang"], actor="张伟", on=ON)  # the owner maps (exempt)
    owner.map_login(person="李强", role=roles["li"], actor="张伟", on=ON)
    assert _mapped(owner, logins) == {roles["wang"]: "王芳", roles["li"]: "李强"}

    wang = open_as(roles["wang"])
    wang.grant_roles(person="王芳", role=["auditor"], actor="王芳", on=ON)  # accepted: actor = the login's person
    wang.grant_roles(person="李强", role=["auditor"], actor=WANG, on=ON)  # the document number names her too
    assert "auditor" in owner.find_person("王芳").roles

    e = _refused(wang, lambda: wang.grant_roles(person="王芳", role=["lead_auditor"], actor="李强", on=ON), RULE)
    assert roles["wang"] in e.message_en and "王芳" in e.message_en and "李强" in e.message_en
    assert "lead_auditor" not in owner.find_person("王芳").roles

    nobody = open_as(roles["nobody"])  # enforcement is on: a login mapped to nobody may write nothing
    e = _refused(nobody, lambda: nobody.grant_roles(person="王芳", role=["lead_auditor"], actor="王芳", on=ON), RULE)
    assert roles["nobody"] in e.message_en and "people login" in e.message_en

    # mapping logins is the owner's act: 王芳 cannot map her own login to 李强, nor another to herself
    _refused(wang, lambda: wang.unmap_login(person="王芳", role=roles["wang"], actor="王芳", on=ON), RULE)
    e = _refused(wang, lambda: wang.map_login(person="王芳", role=roles["nobody"], actor="王芳", on=ON), RULE)
    assert "owner" in e.message_en

    # people logout (by the owner) removes the mapping in the same transaction
    owner.unmap_login(person="李强", role=roles["li"], actor="张伟", on=ON)
    assert _mapped(owner, logins) == {roles["wang"]: "王芳"}
    li = open_as(roles["li"])
    _refused(li, lambda: li.grant_roles(person="李强", role=["lead_auditor"], actor="李强", on=ON), RULE)


def test_the_database_refuses_a_forged_row_and_guards_the_mapping(pg):
    """Not the application's courtesy: a row inserted by hand with another actor is refused, and the
    mapping table takes no write from an application role."""
    import psycopg

    owner, roles, open_as, logins = pg
    owner.map_login(person="王芳", role=roles["wang"], actor="张伟", on=ON)
    s = logins.schema
    pg = _pg()
    with psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=roles["wang"], autocommit=True) as c:
        state = '{"actor": "李强", "occurred_on": {"_type_": "date_iso", "_data_": "2026-01-05"}}'.encode()
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
            c.execute(f"INSERT INTO {s}.certledger_events (originator_id, originator_version, topic, state) VALUES (%s, 99, %s, %s)",
                      (uuid.uuid4(), "aggregates.people:Person.RolesGranted", state))
        assert e.value.diag.message_primary == "certledger-login"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not JSON: no actor to check
            c.execute(f"INSERT INTO {s}.certledger_events (originator_id, originator_version, topic, state) VALUES (%s, 1, 't', %s)",
                      (uuid.uuid4(), b"\x00\x01"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # SET ROLE changes current_user, not session_user
            c.execute(f"SET ROLE {logins.group}")
            c.execute(f"INSERT INTO {s}.certledger_events (originator_id, originator_version, topic, state) VALUES (%s, 99, %s, %s)",
                      (uuid.uuid4(), "aggregates.people:Person.RolesGranted", state))
        c.execute("RESET ROLE")
        for stmt in (f"INSERT INTO {s}.{LOGINS} VALUES ('{roles['wang']}', gen_random_uuid(), '李强', 'x', 1)",
                     f"UPDATE {s}.{LOGINS} SET name = '李强'", f"DELETE FROM {s}.{LOGINS}", f"TRUNCATE {s}.{LOGINS}",
                     f"SELECT * FROM {s}.{LOGINS}",
                     f"DROP TRIGGER certledger_events_login_check ON {s}.certledger_events",
                     f"ALTER TABLE {s}.certledger_events DISABLE TRIGGER certledger_events_login_check"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(stmt)
    assert _mapped(owner, logins) == {roles["wang"]: "王芳"}


def test_the_owner_reopening_rebuilds_the_mapping_from_the_events(pg):
    owner, roles, open_as, logins = pg
    owner.map_login(person="王芳", role=roles["wang"], actor="张伟", on=ON)
    owner.map_login(person="李强", role=roles["li"], actor="张伟", on=ON)
    owner.unmap_login(person="李强", role=roles["li"], actor="张伟", on=ON)
    with _admin() as c:  # the owner can do anything to its own tables; reopening puts it back from the events
        c.execute(f"DROP TRIGGER certledger_events_login_check ON {logins.schema}.certledger_events")
        c.execute(f"DELETE FROM {logins.schema}.{LOGINS}")
    from ledger.bootstrap import bootstrap
    from projections import dispose

    again = bootstrap(logins.owner_url)
    dispose(again)
    again.close()
    assert _mapped(owner, logins) == {roles["wang"]: "王芳"}
    li = open_as(roles["li"])
    _refused(li, lambda: li.grant_roles(person="李强", role=["auditor"], actor="李强", on=ON), RULE)


def test_the_cli_shows_the_database_refusal_cleanly(pg):
    owner, roles, open_as, logins = pg
    owner.map_login(person="王芳", role=roles["wang"], actor="张伟", on=ON)
    before = _rows(logins)
    run = CliRunner()
    r = run.invoke(root, ["--db", logins.url(roles["wang"]), "--actor", "李强", "people", "grant", "--person", "王芳", "--role", "auditor",
                          "--on", ON.isoformat()])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and (r.exception is None or isinstance(r.exception, SystemExit))
    assert "拒绝" in r.output and "ledger: a database login writes as its own person" in r.output
    assert roles["wang"] in r.output and "王芳" in r.output and "李强" in r.output
    assert _rows(logins) == before
    r = run.invoke(root, ["--db", logins.url(roles["wang"]), "--actor", "王芳", "--lang", "en", "people", "grant", "--person", "王芳",
                          "--role", "auditor", "--on", ON.isoformat()])
    assert r.exit_code == 0, r.output
    assert _rows(logins) == before + 1


def test_an_import_under_a_login_writes_its_lines_and_reports_the_others(pg, tmp_path):
    import json

    owner, roles, open_as, logins = pg
    owner.map_login(person="王芳", role=roles["wang"], actor="张伟", on=ON)
    before = _rows(logins)
    lines = [{"command": "people grant", "person": "王芳", "role": ["auditor"], "on": ON.isoformat(), "actor": "王芳"},
             {"command": "people grant", "person": "李强", "role": ["auditor"], "on": ON.isoformat(), "actor": "李强"}]
    path = tmp_path / "staff.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    r = CliRunner().invoke(root, ["--db", logins.url(roles["wang"]), "--lang", "en", "import", str(path)])
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert ":2:" in r.output and "belongs to 王芳" in r.output and ":1:" not in r.output
    assert _rows(logins) == before + 1
    assert "auditor" in owner.find_person("王芳").roles and "auditor" not in owner.find_person("李强").roles
