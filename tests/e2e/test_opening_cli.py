"""Opening a ledger through the real ``certledger`` process (issue 18, item 7; D57): a new ledger is
made only by ``init`` (and ``demo``); a mistyped path, another program's file or a PostgreSQL schema
holding no ledger is refused, naming it, and nothing is created or changed; a ledger this user may
not write is read without leaving files beside it, and a write to it says what to change."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, drop_pg_schema

ROOT = Path(__file__).resolve().parents[2]

USCC = "91330100716105852F"
APPLY = ["application", "submit", "--client", USCC, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scheme", "zgc-ru015", "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--headcount", "30", "--on", "2026-03-02"]
COMPLAINT = ["complaint", "receive", "--client", USCC, "--complainant", "顾客", "--subject", "服务", "--on", "2026-03-03"]


def certledger(*args: str, cwd: Path | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("certledger")
    assert exe, "certledger is not installed in this environment (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTLEDGER_")}
    env["CERTLEDGER_ACTOR"] = "张伟"
    return subprocess.run([*prefix, exe, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def refused(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content's hash: what a refusal must leave as it was."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def test_writes_to_a_mistyped_path_create_nothing_and_name_init(tmp_path):
    (tmp_path / "h.jsonl").write_text(json.dumps({"command": "complaint receive", "client": USCC, "complainant": "顾客",
                                                  "subject": "服务", "on": "2026-03-03"}, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "typo2").mkdir()
    before = files(tmp_path)
    for db, args, lang in (("nodir/sub/ledger.sqlite", COMPLAINT, "zh"), ("typo2/ledgr.sqlite", APPLY, "en"),
                           ("typo3/x.sqlite", ["import", "h.jsonl"], "en"), ("typo2/ledgr.sqlite", ["clients"], "zh")):
        proc = certledger("--db", db, "--lang", lang, *args, cwd=tmp_path)
        if lang == "en":
            refused(proc, db, f"certledger --db {db} init", "Nothing was created or changed")
        else:
            refused(proc, db, f"certledger --db {db} init", "本次没有创建或改动任何文件")
    assert files(tmp_path) == before


def test_init_is_the_road_to_a_new_ledger_and_leaves_one_there_as_it_is(tmp_path):
    made = certledger("--db", "new/folder/ledger.sqlite", "init", cwd=tmp_path)
    assert made.returncode == 0 and "已创建新账本" in made.stdout, made.stderr
    assert certledger("--db", "new/folder/ledger.sqlite", *APPLY, cwd=tmp_path).returncode == 0
    again = certledger("--db", "new/folder/ledger.sqlite", "--json", "init", cwd=tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout) == {"ledger": "new/folder/ledger.sqlite", "created": False}
    shown = certledger("--db", "new/folder/ledger.sqlite", "--json", "show", USCC, cwd=tmp_path)
    assert json.loads(shown.stdout)["events"] == 2  # init left the ledger as it was

    (tmp_path / "touched.sqlite").touch()  # what `touch` makes: refused by every command but init
    refused(certledger("--db", "touched.sqlite", "--lang", "en", "clients", cwd=tmp_path), "touched.sqlite is an empty file",
            "certledger --db touched.sqlite init")
    refused(certledger("--db", "touched.sqlite", *APPLY, cwd=tmp_path), "是空文件")
    assert (tmp_path / "touched.sqlite").stat().st_size == 0
    made = certledger("--db", "touched.sqlite", "--lang", "en", "init", cwd=tmp_path)
    assert made.returncode == 0 and "Created a new ledger: touched.sqlite" in made.stdout
    assert certledger("--db", "touched.sqlite", *APPLY, cwd=tmp_path).returncode == 0


def test_another_programs_sqlite_file_is_left_alone(tmp_path):
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('买牛奶')")
    conn.close()
    before = files(tmp_path)
    refused(certledger("--db", str(other), "clients"), "另一个程序的 SQLite 数据库", "不是 certledger 账本")
    refused(certledger("--db", str(other), "--lang", "en", "show", USCC), "another program's SQLite database",
            "not a certledger ledger")
    refused(certledger("--db", str(other), "--lang", "en", *APPLY), "another program's SQLite database")
    refused(certledger("--db", str(other), "--lang", "en", "init"), "another program's SQLite database")
    assert files(tmp_path) == before  # not a byte changed, no -wal or -shm beside it


@pytest.fixture
def pg_base():
    if not PG_URL:
        pytest.skip("CERTLEDGER_TEST_PG_URL is not set")
    return PG_URL + ("&" if "?" in PG_URL else "?")


def schemas(names: list[str]) -> list[str]:
    import psycopg

    from ledger.config import resolve_database

    pg = resolve_database(PG_URL).pg
    with psycopg.connect(dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"] or None,
                         password=pg["password"] or None) as conn:
        return [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", (names,))]


def test_postgresql_a_schema_holding_no_ledger_is_refused_and_schema_names_are_checked(pg_base):
    import uuid

    typo = "t_typo_" + uuid.uuid4().hex[:8]
    try:
        refused(certledger("--db", f"{pg_base}schema={typo}", "clients"), f"模式 {typo} 中没有 certledger 账本", "init")
        refused(certledger("--db", f"{pg_base}schema={typo}", "--lang", "en", *APPLY), f"holds no certledger ledger in schema {typo}")
        assert schemas([typo]) == []
        for bad in ("Bad-Name;drop", "1abc", "a b"):
            refused(certledger("--db", f"{pg_base}schema={bad}", "--lang", "en", "clients"), "is not valid",
                    "Nothing was created or changed")
            refused(certledger("--db", f"{pg_base}schema={bad}", "init"), "模式名", "无效")
        assert schemas(["Bad-Name;drop", "1abc", "a b"]) == []
        made = certledger("--db", f"{pg_base}schema={typo}", "init")
        assert made.returncode == 0 and "已创建新账本" in made.stdout, made.stderr
        assert certledger("--db", f"{pg_base}schema={typo}", *APPLY).returncode == 0
        listed = certledger("--db", f"{pg_base}schema={typo}", "--json", "clients")
        assert [c["uscc"] for c in json.loads(listed.stdout)] == [USCC]
    finally:
        drop_pg_schema(typo)


def unprivileged() -> tuple[str, ...]:
    """How to run a command that file modes bind: as it is for a user; for root, without the
    capabilities that let it pass them (so a 555 folder is read-only to it as to anyone)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is needed to run as root without CAP_DAC_OVERRIDE")
    return ("setpriv", "--bounding-set", "-dac_override,-dac_read_search")


@pytest.fixture
def written(tmp_path) -> Path:
    folder = tmp_path / "rodir"
    folder.mkdir()
    db = folder / "l.sqlite"
    assert certledger("--db", str(db), "init").returncode == 0
    assert certledger("--db", str(db), *APPLY).returncode == 0
    yield db
    os.chmod(folder, 0o755)  # so that the test's folder can be removed
    if db.exists():
        os.chmod(db, 0o644)


def test_a_ledger_in_a_read_only_folder_is_read_and_a_write_says_what_to_change(written):
    folder = written.parent
    os.chmod(folder, 0o555)
    before = files(folder)
    run = unprivileged()
    shown = certledger("--db", str(written), "show", USCC, prefix=run)
    assert shown.returncode == 0 and "杭州某科技有限公司" in shown.stdout, shown.stderr
    for args in (["clients"], ["history", USCC], ["--lang", "en", "--json", "show", USCC]):
        proc = certledger("--db", str(written), *args, prefix=run)
        assert proc.returncode == 0 and USCC in proc.stdout, proc.stderr
    refused(certledger("--db", str(written), "--lang", "en", *COMPLAINT, prefix=run), f"This user may not write the SQLite ledger {written}",
            "chmod", "Nothing was written")
    refused(certledger("--db", str(written), *COMPLAINT, prefix=run), "当前用户无权写入 SQLite 账本", "本次没有写入任何内容")
    assert files(folder) == before  # nothing written, no -wal, -shm or lock file made


def test_a_read_only_ledger_file_is_read_without_leaving_files_beside_it(written):
    os.chmod(written, 0o444)
    before = files(written.parent)
    run = unprivileged()
    for args in (["clients"], ["show", USCC], ["--lang", "en", "explain", USCC]):
        proc = certledger("--db", str(written), *args, prefix=run)
        assert "Traceback" not in proc.stderr and USCC in proc.stdout + proc.stderr, proc.stderr
    refused(certledger("--db", str(written), "--lang", "en", *COMPLAINT, prefix=run), "may not write the SQLite ledger")
    assert files(written.parent) == before  # no -wal or -shm owned by the reader


@pytest.mark.skipif(os.geteuid() != 0, reason="making the ledger another user's needs root (chown)")
def test_another_users_ledger_that_they_may_still_write_is_refused_rather_than_left_files(written):
    shutil.chown(written.parent, "nobody")
    shutil.chown(written, "nobody")
    before = files(written.parent)
    run = unprivileged()
    refused(certledger("--db", str(written), "--lang", "en", "clients", prefix=run), "while others may still write it",
            f"chmod a-w {written}")
    refused(certledger("--db", str(written), "show", USCC, prefix=run), "其他用户仍可能写入它")
    assert files(written.parent) == before


def test_an_import_into_a_ledger_this_user_may_not_write_is_refused_before_any_line(written, tmp_path):
    lines = tmp_path / "lines.jsonl"
    lines.write_text("".join(json.dumps({"command": "complaint receive", "client": USCC, "complainant": f"顾客{i}", "subject": "服务",
                                         "on": "2026-03-03"}, ensure_ascii=False) + "\n" for i in range(50)), encoding="utf-8")
    os.chmod(written, 0o444)
    before = files(written.parent)
    proc = certledger("--db", str(written), "--lang", "en", "import", str(lines), prefix=unprivileged())
    refused(proc, "may not write the SQLite ledger", "Nothing was written")
    assert proc.stderr.count("may not write") == 1, proc.stderr  # one refusal, not one per line
    assert files(written.parent) == before


TURN_HOLDER = ("import sys\nfrom ledger.store.sqlite_turn import write_turn\nwith write_turn(sys.argv[1], 5):\n"
               "    print('held', flush=True)\n    sys.stdin.read()\n")


def hold_write_turn(db: Path, prefix: tuple[str, ...] = ()) -> subprocess.Popen:
    holder = subprocess.Popen([*prefix, sys.executable, "-c", TURN_HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout.readline().strip() == "held", holder.stderr.read()
    return holder


@pytest.mark.skipif(os.geteuid() != 0, reason="making the ledger another user's needs root (chown)")
def test_a_user_who_may_only_read_the_ledger_cannot_hold_its_writers_back(written):
    from ledger.store.sqlite_turn import write_turn

    for leftover in written.parent.glob("l.sqlite-*"):
        leftover.unlink()
    shutil.chown(written, "nobody")  # the test, without CAP_DAC_OVERRIDE, is "others" to it: 0644 reads only
    reader = hold_write_turn(written, unprivileged())
    try:
        assert not Path(f"{written}-write").exists()  # a reader makes no lock file, holds no turn
        with write_turn(str(written), 1):  # the writer (root) has the turn at once
            pass
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)


@pytest.mark.skipif(os.geteuid() != 0, reason="making the ledger another user's needs root (chown)")
def test_a_group_shared_ledgers_lock_files_have_its_mode_and_one_a_writer_cannot_write_is_refused(written):
    from ledger.store.sqlite_turn import write_turn

    for leftover in written.parent.glob("l.sqlite-*"):
        leftover.unlink()
    shutil.chown(written, "nobody", "root")
    os.chmod(written, 0o664)  # D57: a group shares the ledger
    with write_turn(str(written), 1):
        pass
    made = os.stat(f"{written}-write")
    assert (made.st_mode & 0o777, made.st_gid) == (0o664, os.stat(written).st_gid)
    # a lock file left 0644 by another member (an older version): refused, not written without the turn
    shutil.chown(f"{written}-write", "nobody", "root")
    os.chmod(f"{written}-write", 0o644)
    check = ("import sys\nfrom ledger.store.sqlite_turn import write_turn\nfrom ledger.store.errors import DatabaseUnavailable\n"
             "try:\n    with write_turn(sys.argv[1], 1):\n        print('written without the turn')\n"
             "except DatabaseUnavailable as e:\n    print(e.rule, '|', e.message_en)\n")
    proc = subprocess.run([*unprivileged(), sys.executable, "-c", check, str(written)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.startswith("ledger: lock file not writable |"), (proc.stdout, proc.stderr)
    assert f"{written}-write" in proc.stdout and "mode" in proc.stdout
