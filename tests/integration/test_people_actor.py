"""Every writer is a registered person (issue 15, item 4, first sentence; ledger/people_actor.py, D37),
on SQLite and PostgreSQL: once the register holds anyone, every write (a client's act, the register's,
the body's, an import's lines) names a registered person who had not left and holds a role that may
write; the register's writes are an administrator's, except a person's own declarations and keys;
the first person registered on an empty register is the actor themself, the administrator. Each
refusal cites the rule, says what to do and writes nothing."""

import json
from datetime import date

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from aggregates.policy.people import id_check_character
from aggregates.uscc import check_character
from cli.main import root
from ledger.importer import run_import
from ledger.people_actor import RULE
from ledger.signing import init_personal_key
from tests.integration.test_people import HZX, LI, WANG, ZGC, ZHAO, _contracted, _staff
from tests.refusals import refused
from tests.staff import ADMIN_NUMBER, register_admin

ON = date(2026, 3, 2)


def _refused(app, fn, rule=RULE):
    return refused(app, fn, rule)


def _actors(app, aggregate_id):
    return [e.actor for e in app.events.get(aggregate_id)]


def _submit(app, uscc, actor, on=ON):
    return app.submit_application(client=uscc, name="某公司", address="某地", scheme="zgc-ru015", scope="s",
                                  site=[{"name": "总部", "address": "某地"}], headcount=30, actor=actor, on=on)


def test_an_empty_register_lets_any_named_actor_write_as_before(app):
    _submit(app, ZGC, "任何人")
    app.review_application(client=ZGC, application="AP1", accept=True, actor="另一个人", on=ON)
    app.submit_report(month="2026-02", reference="R-1", actor="某人", on=ON)
    assert [r["actor"] for r in app.history(ZGC)] == ["任何人", "任何人", "另一个人"]
    assert not app.has_people()


def test_the_first_registration_is_the_actor_themself_and_makes_the_administrator(app):
    e = _refused(app, lambda: app.register_person(name="王芳", number=WANG, actor="张伟", on=ON))
    assert "张伟" in e.message_zh and "people register --name 张伟" in e.message_en and "themself" in e.message_en
    assert not app.has_people()
    admin = register_admin(app, on=ON)  # 张伟 registers themself
    assert sorted(admin.roles) == ["administrator"] and admin.roles["administrator"]["granted_by"] == "张伟"
    assert [type(ev).__name__ for ev in app.events.get(admin.id)] == ["Registered", "RolesGranted"]  # one save, two events
    assert _actors(app, admin.id) == ["张伟", "张伟"]
    # later registrations are an administrator's
    app.register_person(name="王芳", number=WANG, actor="张伟", on=ON)
    assert app.find_person("王芳").roles == {}  # no role until one is granted


def test_the_first_administrator_may_give_their_document_number_and_the_name_is_stored(app):
    app.register_person(name="张伟", number=ADMIN_NUMBER.lower(), actor=ADMIN_NUMBER.lower(), on=ON)
    admin = app.find_person("张伟")
    assert _actors(app, admin.id) == ["张伟", "张伟"] and "administrator" in admin.roles


def test_an_unregistered_actor_is_refused_everywhere_with_nothing_written(app):
    _staff(app)
    e = _refused(app, lambda: _submit(app, ZGC, "路人甲"))
    assert "路人甲" in e.message_zh and "people register --name 路人甲" in e.message_en and "people grant" in e.message_en
    assert not app._exists(ZGC)
    _contracted(app, ZGC, "zgc-ru015")  # 张伟, the administrator, writes
    _refused(app, lambda: app.plan_audit(client=ZGC, kind="stage1", member=["王芳"], start=date(2026, 3, 5), actor="路人甲",
                                         on=date(2026, 3, 4)))
    _refused(app, lambda: app.grant_roles(person="王芳", role=["decider"], actor="路人甲", on=ON))
    _refused(app, lambda: app.register_person(name="路人甲", number=resident_id("11010119900101001"), actor="路人甲", on=ON))
    _refused(app, lambda: app.submit_report(month="2026-02", reference="R-1", actor="路人甲", on=ON))
    _refused(app, lambda: app.execute("application review", {"client": ZGC, "application": "AP1", "accept": True}, actor="路人甲"))


def resident_id(first17):
    return first17 + id_check_character(first17)


def test_a_person_who_left_writes_nothing_from_the_day_they_left(app):
    _staff(app)
    app.record_leaving(person="李强", left_on=date(2026, 3, 31), actor="张伟", on=date(2026, 4, 1))
    with app.session():  # an import's line dated the day before: still with the body (outside a session, trial 12 item 3)
        _submit(app, HZX, "李强", on=date(2026, 3, 30))
    e = _refused(app, lambda: _submit(app, ZGC, "李强", on=date(2026, 3, 31)))
    assert "2026-03-31" in e.message_zh and "left the body" in e.message_en
    _refused(app, lambda: app.declare_interest(person="李强", client=HZX, kind="none", actor="李强", on=date(2026, 4, 1)))


def test_an_inspector_or_a_person_without_a_role_writes_nothing(app):
    _staff(app)
    app.register_person(name="检查员", number=resident_id("11010119800101003"), actor="张伟", on=ON)
    e = _refused(app, lambda: _submit(app, ZGC, "检查员"))
    assert "no role" in e.message_en and "people grant --person 检查员" in e.message_en
    app.grant_roles(person="检查员", role=["inspector"], actor="张伟", on=ON)
    e = _refused(app, lambda: _submit(app, ZGC, "检查员"))
    assert "inspector" in e.message_en and "只读检查人员" in e.message_zh
    _refused(app, lambda: app.submit_report(month="2026-02", reference="R", actor="检查员", on=ON))
    # any other role may write a client's act
    _submit(app, ZGC, "李强")
    assert app.history(ZGC)[0]["actor"] == "李强"


def test_the_register_is_written_by_administrators_except_own_declarations_and_keys(app, tmp_path):
    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    e = _refused(app, lambda: app.register_person(name="新人", number=resident_id("11010119950101002"), actor="王芳", on=ON))
    assert "administrator" in e.message_en and "people grant --person 王芳 --role administrator" in e.message_en
    _refused(app, lambda: app.grant_roles(person="王芳", role=["decider"], actor="王芳", on=ON))  # not even to herself
    _refused(app, lambda: app.record_ccaa(person="李强", number="X-1", category="auditor", valid_from=date(2026, 1, 1),
                                          valid_to=date(2028, 1, 1), actor="王芳", on=ON))
    _refused(app, lambda: app.record_leaving(person="李强", actor="王芳", on=ON))
    _refused(app, lambda: app.map_login(person="王芳", role="wang_fang", actor="王芳", on=ON))
    # someone else's declaration or key: an administrator's
    e = _refused(app, lambda: app.declare_interest(person="李强", client=ZGC, kind="none", actor="王芳", on=ON))
    assert "own declarations" in e.message_en
    files = init_personal_key(str(tmp_path / "wang.key"), "王芳")
    _refused(app, lambda: app.add_person_key(person="李强", public_key=str(files.public), actor="王芳", on=ON))
    # one's own: allowed
    app.declare_interest(person="王芳", client=ZGC, kind="none", actor="王芳", on=ON)
    added = app.add_person_key(person="王芳", public_key=str(files.public), actor="王芳", on=ON)
    app.revoke_person_key(person=WANG, key_id=added["id"], reason="丢失", actor="王芳", on=ON)
    assert _actors(app, app.find_person("王芳").id)[-3:] == ["王芳", "王芳", "王芳"]
    # an administrator does all of it for anyone
    app.grant_roles(person="王芳", role=["administrator"], actor="张伟", on=ON)
    app.register_person(name="新人", number=resident_id("11010119950101002"), actor="王芳", on=ON)


def test_a_document_number_as_actor_stores_the_registered_name(app):
    _staff(app)
    _submit(app, ZGC, ZHAO)
    app.grant_roles(person="王芳", role=["decider"], actor=ADMIN_NUMBER, on=ON)
    assert app.history(ZGC)[0]["actor"] == "赵敏"
    assert app.find_person("王芳").roles["decider"]["granted_by"] == "张伟"
    # a name two people share: refused as an actor by name; by number the number is kept (it says who acted)
    twin = resident_id("11010119850101004")
    app.register_person(name="王芳", number=twin, actor="张伟", on=ON)
    app.grant_roles(person=twin, role=["auditor"], actor="张伟", on=ON)
    e = _refused(app, lambda: app.review_application(client=ZGC, application="AP1", accept=True, actor="王芳", on=ON))
    assert WANG in e.message_en and twin in e.message_en
    app.review_application(client=ZGC, application="AP1", accept=True, actor=twin, on=ON)
    assert app.history(ZGC)[-1]["actor"] == twin


def test_an_import_line_with_an_unregistered_actor_fails_alone(app):
    _staff(app)
    lines = [json.dumps(x, ensure_ascii=False).encode() for x in (
        {"command": "application submit", "client": ZGC, "name": "某公司", "address": "某地", "scheme": "zgc-ru015", "scope": "s",
         "site": ["总部=某地"], "headcount": 30, "on": "2026-03-02"},
        {"command": "application submit", "client": HZX, "name": "另一公司", "address": "某地", "scheme": "hzx-mr0118", "scope": "s",
         "site": ["总部=某地"], "headcount": 30, "on": "2026-03-02", "actor": "路人甲"},
        {"command": "application review", "client": ZGC, "application": "AP1", "accept": True, "on": "2026-03-03", "actor": LI},
        {"command": "people grant", "person": "李强", "role": ["decider"], "on": "2026-03-03", "actor": "李强"},
    )]
    report = run_import(app, lines, actor="张伟")
    assert report.written == 2 and [(x.line, x.rule) for x in report.errors] == [(2, RULE), (4, RULE)]
    assert not app._exists(HZX) and "decider" not in app.find_person("李强").roles
    assert [r["actor"] for r in app.history(ZGC)] == ["张伟", "张伟", "李强"]


def test_an_import_reads_the_register_once_not_per_line(app, monkeypatch):
    _staff(app)
    _contracted(app, ZGC, "zgc-ru015")
    calls = []
    real = app.recorder.select_notifications

    def counted(*args, **kwargs):
        if kwargs.get("topics"):
            calls.append(kwargs["topics"])
        return real(*args, **kwargs)

    monkeypatch.setattr(app.recorder, "select_notifications", counted)
    since = getattr(app.recorder, "select_since_with_last", None)  # PostgreSQL's one-round-trip read (D51)
    if since is not None:
        monkeypatch.setattr(app.recorder, "select_since_with_last", lambda start, topics, limit: calls.append(topics) or since(start, topics, limit))
    codes = [f"91330100MA{i:07d}" for i in range(300)]
    lines = [json.dumps({"command": "application submit", "client": c + check_character(c), "name": "某公司", "address": "某地",
                         "scheme": "zgc-ru015", "scope": "s", "site": ["总部=某地"], "headcount": 30, "on": "2026-03-05"}).encode()
             for c in codes]
    report = run_import(app, lines, actor=LI)
    assert report.errors == [] and report.written == 300
    assert app.history(codes[-1] + check_character(codes[-1]))[0]["actor"] == "李强"
    people_reads = [t for t in calls if any("aggregates.people:Person." in x for x in t)]
    assert 1 <= len(people_reads) <= 2, len(people_reads)  # once per session (and one empty batch), not once per line


@pytest.mark.parametrize("lang", ["en"])
def test_the_command_line_refuses_an_unregistered_actor_and_names_the_line(db_url, tmp_path, lang):
    run = lambda *args, actor="张伟": CliRunner().invoke(root, ["--db", db_url, "--actor", actor, "--lang", lang, *args])  # noqa: E731
    assert run("init").exit_code == 0  # a new ledger is made by init (D57)
    assert run("people", "register", "--name", "张伟", "--number", ADMIN_NUMBER, "--on", "2026-01-05").exit_code == 0
    r = run("people", "register", "--name", "王芳", "--number", WANG, "--on", "2026-01-05", actor="路人甲")
    assert r.exit_code == 1 and "every writer is a registered person" in r.stderr and "Traceback" not in r.stderr + r.stdout
    r = run("people", "list", "--json")
    assert [p["name"] for p in json.loads(r.stdout)] == ["张伟"]
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in (
        {"command": "application submit", "client": ZGC, "name": "某公司", "address": "某地", "scheme": "zgc-ru015", "scope": "s",
         "site": ["总部=某地"], "headcount": 30, "on": "2026-03-02"},
        {"command": "application review", "client": ZGC, "application": "AP1", "accept": True, "on": "2026-03-03", "actor": "路人甲"},
    )) + "\n", encoding="utf-8")
    r = run("import", str(path), "--json")
    assert r.exit_code == 1 and f"{path}:2: " in r.stderr and "路人甲" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["written"] == 1


# ------------------------------------------------------------------ what a failed save or a backdated write must not open

def test_a_failed_save_in_a_session_forgets_the_sessions_people_body_and_register(app, db_url):
    """A session's save refused (another writer changed one of its clients meanwhile) drops every
    copy the session holds: the register is read again, so the writer check stays on, and the body's
    unsaved events are not left behind to make a gap in its versions."""
    from ledger.bootstrap import bootstrap

    _submit(app, ZGC, "张伟")  # the register is empty yet
    other = bootstrap(db_url, existing=True)
    try:
        with pytest.raises(RuntimeError):
            with app.session():  # an import that registers the first administrator, then goes on
                app.execute("people register", {"name": "张伟", "number": ADMIN_NUMBER, "on": "2026-03-02"}, actor="张伟")
                app.flush()  # 张伟 saved in the session: from here the session keeps its register in memory
                app.execute("report submit", {"month": "2026-02", "reference": "R-1", "on": "2026-03-02"}, actor="张伟")
                app.execute("complaint receive", {"client": ZGC, "complainant": "甲", "subject": "s", "on": "2026-03-02"}, actor="张伟")
                other.execute("complaint receive", {"client": ZGC, "complainant": "乙", "subject": "s", "on": "2026-03-02"}, actor="张伟")
                try:
                    app.flush()  # refused as a whole: another writer changed ZGC
                except RuleViolation as e:
                    assert e.rule == "ledger: concurrent writes"
                # the session goes on: someone not in the register is still refused
                with pytest.raises(RuleViolation) as refused_:
                    app.execute("complaint receive", {"client": ZGC, "complainant": "丙", "subject": "s", "on": "2026-03-02"},
                                actor="mallory")
                assert refused_.value.rule == RULE
                app.execute("report submit", {"month": "2026-02", "reference": "R-2", "on": "2026-03-02"}, actor="张伟")
                app.flush()
                raise RuntimeError("end of the session")  # nothing unsaved is left: the block ends here
    finally:
        other.close()
    from aggregates.body import BODY_ID

    versions = [e.originator_version for e in app.events.get(BODY_ID)]
    assert versions == list(range(1, len(versions) + 1)), versions  # no gap where R-1's unsaved events were
    assert [getattr(e, "reference", None) for e in app.events.get(BODY_ID) if hasattr(e, "reference")] == ["R-2"]  # R-1 never saved
    assert list(app.find_person("张伟").roles) == ["administrator"]

