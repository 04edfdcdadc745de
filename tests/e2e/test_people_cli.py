"""The register of people on the command line (issue 15): the commands built from the catalogue, the
views with --as-of, Chinese by default and English with --lang en, and a bad input refused with exit
code 1, the rule named, no traceback and nothing written."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import root
from tests.staff import ADMIN_NUMBER

WANG = "11010519491231002X"


def test_people_commands_and_views_on_the_command_line(tmp_path):
    db = str(tmp_path / "people.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0  # a new ledger is made by init (D57)

    def run(*args: str):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False)

    assert run("people", "register", "--name", "张伟", "--number", ADMIN_NUMBER, "--on", "2026-01-05").exit_code == 0  # themself first (D37)
    r = run("people", "register", "--name", "王芳", "--number", WANG.lower(), "--joined-on", "2020-03-01", "--on", "2026-01-05")
    assert r.exit_code == 0 and "人员已登记" in r.stdout and WANG in r.stdout
    r = run("people", "grant", "--person", "王芳", "--role", "审核员", "--role", "lead auditor", "--on", "2026-01-05", "--lang", "en")
    assert r.exit_code == 0 and "Roles granted" in r.stdout
    assert run("people", "ccaa", "--person", WANG, "--number", "2021-N1QMS-1", "--category", "高级审核员", "--valid-from", "2025-01-01",
               "--valid-to", "2027-12-31", "--on", "2026-02-01").exit_code == 0
    assert run("people", "leave", "--person", "王芳", "--left-on", "2026-06-30", "--on", "2026-07-01").exit_code == 0
    r = run("people", "show", "王芳")
    assert r.exit_code == 0 and "审核组长" in r.stdout and "高级审核员" in r.stdout and "离职: 2026-06-30" in r.stdout
    r = run("people", "show", "王芳", "--as-of", "2026-01-31", "--lang", "en")
    assert r.exit_code == 0 and "lead auditor" in r.stdout and "CCAA" not in r.stdout and "left" not in r.stdout
    listed = json.loads(run("people", "list", "--json", "--role", "auditor").stdout)
    assert [p["document_number"] for p in listed] == [WANG] and listed[0]["left_on"] == "2026-06-30"
    assert json.loads(run("people", "list", "--json", "--as-of", "2026-01-04").stdout) == []

    # bad input: exit 1, the rule named, no traceback, nothing written
    from ledger.bootstrap import bootstrap

    app = bootstrap(db)
    before = app.event_count()
    app.close()
    r = run("people", "register", "--name", "李强", "--number", "110105194912310021", "--lang", "en")
    assert r.exit_code == 1 and "GB 11643-1999" in r.stderr and "check character should be X" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    r = run("people", "grant", "--person", "王芳", "--role", "decider")
    assert r.exit_code == 1 and "已于 2026-06-30 离开本机构" in r.stderr and "Traceback" not in r.stderr
    app = bootstrap(db)
    assert app.event_count() == before
    app.close()
    assert "register" in run("people", "--help").stdout


def test_declarations_and_the_impartiality_view_on_the_command_line(tmp_path):
    db = str(tmp_path / "people.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0  # a new ledger is made by init (D57)

    def run(*args: str):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args], catch_exceptions=False)

    uscc = "91330100716105852F"
    assert run("application", "submit", "--client", uscc, "--name", "杭州某科技有限公司", "--address", "杭州市", "--scheme", "zgc-ru015",
               "--scope", "企业质量信用管理", "--site", "总部=杭州市", "--headcount", "30", "--on", "2026-03-02").exit_code == 0
    assert run("people", "register", "--name", "张伟", "--number", ADMIN_NUMBER, "--on", "2026-03-02").exit_code == 0
    assert run("people", "register", "--name", "王芳", "--number", WANG, "--on", "2026-03-02").exit_code == 0
    r = run("people", "declare", "--person", "王芳", "--client", uscc, "--kind", "直系亲属在该组织担任高级管理职务", "--detail", "配偶任副总经理",
            "--on", "2026-03-03")
    assert r.exit_code == 0 and "利益冲突声明已记录" in r.stdout
    r = run("people", "impartiality", uscc, "--lang", "en")
    assert r.exit_code == 0 and "a close relative in the client's senior management" in r.stdout and "004 §4.2 d) 4)" in r.stdout
    r = run("people", "impartiality", uscc, "--as-of", "2026-03-02")
    assert r.exit_code == 0 and "未声明" in r.stdout
    r = run("people", "declare", "--person", "王芳", "--client", uscc, "--kind", "financial", "--lang", "en")  # no --detail
    assert r.exit_code == 1 and "004 §4.2 d) 5)" in r.stderr and "Traceback" not in r.stderr


def test_an_act_dated_before_its_persons_registration_leaves_the_person_out_of_that_day_without_a_traceback(tmp_path):
    """A role granted with a business date before the day the person's registration is dated: as of a
    day between the two the person is not in the register (nothing to apply the grant to), said plainly
    with exit code 1, never the library's AssertionError; from the registration's day on, with the role."""
    db = str(tmp_path / "people.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0

    def run(*args: str):
        return CliRunner().invoke(root, ["--db", db, "--actor", "张伟", *args])

    assert run("people", "register", "--name", "张伟", "--number", ADMIN_NUMBER, "--on", "2026-01-05").exit_code == 0
    assert run("people", "register", "--name", "王芳", "--number", WANG, "--joined-on", "2025-01-02", "--on", "2026-03-01").exit_code == 0
    assert run("people", "grant", "--person", "王芳", "--role", "审核员", "--on", "2025-01-03").exit_code == 0
    r = run("people", "show", "王芳", "--as-of", "2025-06-01", "--lang", "en")
    assert r.exit_code == 1 and "was not in the register of people as of 2025-06-01" in r.stderr, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.stderr + r.stdout
    assert [p["name"] for p in json.loads(run("people", "list", "--json", "--as-of", "2025-06-01").stdout)] == []
    r = run("people", "show", "王芳", "--as-of", "2026-03-01", "--lang", "en")
    assert r.exit_code == 0 and "auditor" in r.stdout, r.output
