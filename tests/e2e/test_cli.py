"""The command line as a user meets it: CliRunner for most, one real subprocess of the installed
``certledger``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from cli.main import root

USCC = "91330100716105852F"
APPLY = ["application", "submit", "--client", USCC, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scheme", "zgc-ru015", "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--headcount", "30", "--on", "2026-03-02"]


@pytest.fixture
def run(tmp_path):
    db = str(tmp_path / "cli.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0  # the one road to a new ledger (D57)

    def invoke(*args: str, actor: str | None = "张伟", input: str | None = None):
        base = ["--db", db] + (["--actor", actor] if actor else [])
        return CliRunner().invoke(root, base + list(args), input=input, catch_exceptions=False)

    invoke.db = db
    return invoke


def events(db: str) -> int:
    from ledger.bootstrap import bootstrap

    app = bootstrap(db)
    try:
        return app.event_count()
    finally:
        app.close()


def all_commands() -> list[tuple[str, ...]]:
    ctx = click.Context(root)
    out = []
    for name in root.list_commands(ctx):
        cmd = root.get_command(ctx, name)
        out.append((name,))
        if isinstance(cmd, click.Group):
            out += [(name, sub) for sub in cmd.list_commands(ctx)]
    return out


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_text(path):
    result = CliRunner().invoke(root, [*path, "--help"])
    assert result.exit_code == 0, result.output
    ctx = click.Context(root)
    cmd = root.get_command(ctx, path[0])
    if len(path) == 2:
        cmd = cmd.get_command(ctx, path[1])
    assert cmd.help and len(cmd.help) > 20
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts} has no help"


def test_a_write_records_and_the_client_can_be_shown(run):
    r = run(*APPLY)
    assert r.exit_code == 0, r.stderr
    assert "申请已记录" in r.stdout and "AP1" in r.stdout
    shown = run("show", USCC, "--json")
    data = json.loads(shown.stdout)
    assert data["uscc"] == USCC and data["stage"] == "applied" and data["events"] == 2
    english = run("--lang", "en", "show", USCC)
    assert "applied (under review)" in english.stdout
    assert "已申请" in run("show", USCC).stdout


def test_history_lists_events_with_both_dates_and_the_actor(run):
    run(*APPLY)
    r = run("history", USCC, "--json")
    rows = json.loads(r.stdout)
    assert [x["type"] for x in rows] == ["Registered", "ApplicationSubmitted"]
    assert rows[1]["occurred_on"] == "2026-03-02" and rows[1]["actor"] == "张伟" and rows[1]["recorded_at"]
    text = run("history", USCC).stdout
    assert "2026-03-02" in text and "提交认证申请" in text and "ApplicationSubmitted" not in text  # issue 9: events by their words


def test_a_write_without_an_actor_is_refused_and_writes_nothing(run):
    r = run(*APPLY, actor=None)
    assert r.exit_code == 1
    assert "CERTLEDGER_ACTOR" in r.stderr and "Traceback" not in r.stderr
    assert events(run.db) == 0


def test_the_actor_may_come_from_the_environment(run, monkeypatch):
    monkeypatch.setenv("CERTLEDGER_ACTOR", "李四")
    r = run(*APPLY, actor=None)
    assert r.exit_code == 0, r.stderr
    assert json.loads(run("history", USCC, "--json").stdout)[0]["actor"] == "李四"


@pytest.mark.parametrize("args,needle", [
    (["application", "submit", "--client", "91330100716105852E"] + APPLY[4:], "GB 32100-2015"),
    (APPLY[:-1] + ["2026-02-30"], "YYYY-MM-DD"),
    (APPLY[:-1] + ["2999-01-01"], "no future dates"),
    (["application", "submit", "--client", USCC, "--name", "x", "--address", "y", "--scheme", "nope", "--scope", "s",
      "--site", "a=b", "--headcount", "3"], "unknown-scheme"),
    (APPLY[:-4] + ["--headcount", "many", "--on", "2026-03-02"], "whole number"),
    (["application", "submit", "--client", USCC, "--scheme", "zgc-ru015", "--scope", "s", "--site", "a=b", "--headcount", "3",
      "--on", "2026-03-02"], "001 §8.1 a"),
])
def test_bad_input_is_refused_with_the_rule_exit_1_and_nothing_written(run, args, needle):
    r = run(*args, "--lang", "en")
    assert r.exit_code == 1, r.output
    assert needle in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert events(run.db) == 0


def test_a_rule_refusal_names_the_rule_in_chinese_by_default(run):
    run(*APPLY)
    r = run("application", "contract", "--client", USCC, "--contract-no", "HT-1", "--on", "2026-03-03")
    assert r.exit_code == 1
    assert "拒绝" in r.stderr and "001 §4.2.2" in r.stderr
    assert events(run.db) == 2


def test_usage_errors_exit_2(run):
    assert run("application", "submit", "--client", USCC).exit_code == 2  # required options missing
    assert run("decide", "--client", USCC).exit_code == 2
    assert run("audit", "complete", "--client", USCC, "--conclusion", "x").exit_code == 2
    assert run("no-such-command").exit_code == 2
    assert run("show").exit_code == 2


def test_an_unknown_client_is_refused_not_a_traceback(run):
    run(*APPLY)
    r = run("show", "914403001922038216")
    assert r.exit_code == 1 and "914403001922038216" in r.stderr


def test_import_reports_bad_lines_and_goes_on(run, tmp_path):
    good = {"command": "application submit", "client": USCC, "name": "杭州某科技有限公司", "address": "杭州",
            "scheme": "zgc-ru015", "scope": "s", "site": [{"name": "总部", "address": "杭州"}], "headcount": 30, "on": "2026-03-02"}
    lines = [
        json.dumps(good, ensure_ascii=False),
        '{"command": "application review", "client": "' + USCC + '", "application": "AP1", "accept": true, "on": "2026-03-03"}',
        "{not json",
        '{"command": "application contract", "client": "' + USCC + '", "contract_no": "K1", "bogus": 1}',
        '{"command": "application contract", "client": "' + USCC + '", "contract-no": "K1", "on": "2026-03-04", "actor": "王五"}',
        '{"command": "application contract", "client": "' + USCC + '", "contract-no": "K2", "on": "2026-03-04"}',
    ]
    path = tmp_path / "batch.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"command": "\xff"}\n')
    r = run("import", str(path), "--lang", "en")
    assert r.exit_code == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith(str(path))]
    assert [e.split(":")[1] for e in errors] == ["3", "4", "6", "7"], r.stderr
    assert "bogus" in errors[1] and "001 §4.2.2" in errors[2] and "UTF-8" in errors[3]
    assert "6 written" not in r.stdout and "3 written" in r.stdout
    history = json.loads(run("history", USCC, "--json").stdout)
    assert [h["type"] for h in history][-1] == "ContractSigned" and history[-1]["actor"] == "王五"
    assert events(run.db) == 4


def test_atomic_import_writes_all_or_nothing(run, tmp_path):
    good = {"command": "application submit", "client": USCC, "name": "杭州某科技有限公司", "address": "杭州",
            "scheme": "zgc-ru015", "scope": "s", "site": ["总部=杭州"], "headcount": 30, "on": "2026-03-02"}
    bad = {"command": "application contract", "client": USCC, "contract-no": "K1", "on": "2026-03-03"}
    path = tmp_path / "atomic.jsonl"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    r = run("import", str(path), "--atomic")
    assert r.exit_code == 1 and ":2:" in r.stderr
    assert events(run.db) == 0
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    r = run("import", str(path), "--atomic", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["written"] == 1
    assert events(run.db) == 2


def test_help_does_not_import_the_database_stack():
    code = ("import sys\nsys.argv=['certledger','--help']\nfrom cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('eventsourcing','sqlalchemy','psycopg','structlog') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_installed_command_runs_the_demo_in_a_subprocess(tmp_path):
    exe = shutil.which("certledger")
    assert exe, "certledger is not installed in this environment (pip install -e .)"
    db = tmp_path / "demo.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTLEDGER_")}
    proc = subprocess.run([exe, "demo", "--db", str(db), "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["events"] > 200 and len(summary["clients"]) == 6
    shown = subprocess.run([exe, "--db", str(db), "show", summary["clients"][1]["uscc"], "--lang", "en"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and "Active" in shown.stdout
    again = subprocess.run([exe, "demo", "--db", str(db)], capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 2 and "exists" in again.stderr + again.stdout or "已存在" in again.stderr


def test_demo_with_clients_imports_a_synthetic_body_of_that_size(run, tmp_path):
    """``demo --clients N``: the product's one generator (ledger.synthetic) written as an import file
    beside the ledger and imported through the import road; every line is legal, the ledger holds N
    clients and what the summary counts is what ``clients`` lists."""
    from ledger.synthetic import generate

    db = tmp_path / "body" / "ledger.sqlite"
    r = CliRunner().invoke(root, ["demo", "--clients", "25", "--seed", "7", "--db", str(db), "--json"])
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["clients"] == 25 and summary["failed"] == 0
    assert summary["lines"] == summary["written"] == len(list(generate(25, 7)))
    listed = json.loads(CliRunner().invoke(root, ["--db", str(db), "clients", "--json"]).stdout)
    assert len(listed) == 25 and sum(summary["stages"].values()) == 25
    assert summary["stages"].get("valid", 0) == sum(1 for c in listed if c["stage"] == "valid") > 0
    with open(summary["import_file"], encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == summary["lines"]
    bad = CliRunner().invoke(root, ["demo", "--clients", "0", "--db", str(tmp_path / "other.sqlite")])
    assert bad.exit_code == 2 and not (tmp_path / "other.sqlite").exists()


def test_logs_are_json_on_stderr_with_command_client_and_actor(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTLEDGER_")}
    env.update(CERTLEDGER_LOG_LEVEL="INFO", CERTLEDGER_ACTOR="张伟", CERTLEDGER_DB=str(tmp_path / "l.sqlite"))
    subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "init"], env=env, check=True, capture_output=True,
                   timeout=120)  # a new ledger is made by init (D57)
    proc = subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *APPLY, "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"] == "AP1"  # stdout is only the command's JSON
    logs = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]
    recorded = [x for x in logs if x["event"] == "recorded"]
    assert recorded and recorded[0]["command"] == "application submit" and recorded[0]["actor"] == "张伟"
    assert recorded[0]["client"] == USCC and recorded[0]["level"] == "info"


def test_show_as_of_and_as_recorded_with_a_late_recorded_event(run):
    import time
    from datetime import datetime, timezone

    run(*APPLY)
    time.sleep(0.01)
    moment = datetime.now(timezone.utc).isoformat()  # after the application, before the late entry
    time.sleep(0.01)
    late = run("change", "notify", "--client", USCC, "--kind", "address", "--changed-on", "2026-03-03",
               "--description", "迁址至余杭区", "--on", "2026-03-04")  # recorded now, happened in March
    assert late.exit_code == 0, late.stderr
    as_of = json.loads(run("show", USCC, "--as-of", "2026-03-05", "--json").stdout)
    assert [c["kind"] for c in as_of["recent_changes"]] == ["address"]
    before_it = json.loads(run("show", USCC, "--as-of", "2026-03-03", "--json").stdout)
    assert before_it["recent_changes"] == []
    known_then = json.loads(run("show", USCC, "--as-of", "2026-03-05", "--as-recorded", moment, "--json").stdout)
    assert known_then["recent_changes"] == [] and known_then["events"] == 2
    now = json.loads(run("show", USCC, "--json").stdout)
    assert [c["kind"] for c in now["recent_changes"]] == ["address"]
    r = run("show", USCC, "--as-of", "2026-01-01")
    assert r.exit_code == 1 and "no such client then" in r.stderr


def test_a_file_that_is_not_a_ledger_is_refused_not_a_traceback(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_bytes(b"this is not a database" * 100)
    r = CliRunner().invoke(root, ["--db", str(bogus), "--lang", "en", "clients"])
    assert r.exit_code == 1 and "is not a SQLite database" in r.stderr and "Traceback" not in r.stderr
    assert bogus.read_bytes() == b"this is not a database" * 100


def test_the_demo_refuses_a_postgresql_url_and_writes_nothing_locally(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(root, ["--db", "postgresql://postgres@127.0.0.1:5432/test?schema=x", "demo"])
    assert r.exit_code == 2 and list(tmp_path.iterdir()) == []


def test_register_csv_cells_that_would_run_as_formulas_are_neutralised():
    import io

    from projections.export import _cell, write_csv

    assert _cell('=HYPERLINK("http://x","点我")') == '\'=HYPERLINK("http://x","点我")'
    assert _cell("-1") == "'-1" and _cell("2026-01-05") == "2026-01-05" and _cell("") == ""
    out = io.StringIO()
    assert write_csv([], out) == 0 and out.getvalue().startswith("\ufeff")


@pytest.mark.parametrize("variable, command", [("CERTLEDGER_IMPORT_WORKERS", "import"), ("CERTLEDGER_IMPORT_CHUNK", "import"),
                                               ("CERTLEDGER_BUILD_WORKERS", "rebuild")])
@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5"])
def test_a_bad_worker_or_chunk_setting_is_refused_naming_the_variable(run, tmp_path, monkeypatch, variable, command, value):
    assert run(*APPLY).exit_code == 0
    line = {"command": "complaint receive", "client": USCC, "complainant": "顾客", "subject": "服务", "on": "2026-03-03"}
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    monkeypatch.setenv(variable, value)
    r = run(*(["import", str(path)] if command == "import" else ["rebuild"]))
    assert r.exit_code == 1 and variable in r.stderr and "ledger: configuration" in r.stderr
    assert "Traceback" not in r.stderr
    assert events(run.db) == 2  # nothing written


def test_a_write_to_a_ledger_held_by_another_process_is_refused_clearly_after_the_wait(run, monkeypatch):
    import sqlite3

    assert run(*APPLY).exit_code == 0
    monkeypatch.setenv("CERTLEDGER_SQLITE_BUSY_TIMEOUT", "1")
    holder = sqlite3.connect(run.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing (a rebuild, a large import...)
    try:
        r = run("complaint", "receive", "--client", USCC, "--complainant", "顾客", "--subject", "服务", "--on", "2026-03-03")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 1, r.output
    assert "ledger: database busy" in r.stderr and "CERTLEDGER_SQLITE_BUSY_TIMEOUT" in r.stderr
    assert "Traceback" not in r.stderr
    assert events(run.db) == 2  # nothing written


def test_a_bad_busy_timeout_is_refused_naming_the_variable(run, monkeypatch):
    monkeypatch.setenv("CERTLEDGER_SQLITE_BUSY_TIMEOUT", "soon")
    r = run(*APPLY)
    assert r.exit_code == 1 and "CERTLEDGER_SQLITE_BUSY_TIMEOUT" in r.stderr and "Traceback" not in r.stderr


def test_an_import_in_workers_that_outwaits_a_held_lock_stops_with_the_busy_rule(run, tmp_path, monkeypatch):
    import sqlite3

    assert run(*APPLY).exit_code == 0
    lines = [{"command": "complaint receive", "client": USCC, "complainant": f"顾客{i}", "subject": "服务", "on": "2026-03-03"}
             for i in range(5)]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    monkeypatch.setenv("CERTLEDGER_SQLITE_BUSY_TIMEOUT", "1")
    monkeypatch.setenv("CERTLEDGER_IMPORT_WORKERS", "2")
    holder = sqlite3.connect(run.db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = run("import", str(path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 1, r.output
    assert "ledger: database busy" in r.stderr and "Traceback" not in r.stderr
    assert events(run.db) == 2
