"""With ``--json``, every refusal is one JSON object on stdout (issue 18 item 7, user trial): a rule
that says no, a value that is not a choice, a click usage error, a missing ledger, an unreachable
database, damaged data. Through the real ``certledger`` process, on SQLite and PostgreSQL, in both
languages, ``--json`` before or after the subcommand; each stdout parsed with ``json.loads``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.owner import Owner

USCC = "91330100716105852F"
APPLY = ["application", "submit", "--client", USCC, "--name", "杭州某科技有限公司", "--address", "杭州市西湖区",
         "--scheme", "zgc-ru015", "--scope", "企业质量信用管理", "--site", "总部=杭州市西湖区", "--headcount", "30", "--on", "2026-03-02"]
DAMAGED = "914403001922038216"


def certledger(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTLEDGER_")} | {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    return subprocess.run([shutil.which("certledger"), *args], capture_output=True, text=True, env=env, timeout=120)


def refusal(proc: subprocess.CompletedProcess, lang: str) -> dict:
    """The refusal object of a finished process: its stdout is exactly one JSON object."""
    assert "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout)
    assert data["refused"] is True and data["exit_code"] == proc.returncode != 0, data
    assert data["message"] == (data["message_en"] if lang == "en" else data["message_zh"]) and data["lang"] == lang
    assert data["rule"] and data["message"] and data["kind"] in ("refusal", "error", "usage")
    return data


@pytest.fixture
def ledger(app, db_url, tmp_path):
    """One client applied; another whose first event is damaged (its state does not decode)."""
    for code, name in ((USCC, "杭州某科技有限公司"), (DAMAGED, "深圳某商贸有限公司")):
        words = [*APPLY]
        words[words.index(USCC)], words[words.index("杭州某科技有限公司")] = code, name
        proc = certledger("--db", db_url, "--actor", "张伟", *words, tmp_path=tmp_path)
        assert proc.returncode == 0, proc.stderr
    owner = Owner(app, db_url)
    owner.drop_triggers()
    from aggregates.uscc import client_id_for

    oid = client_id_for(DAMAGED)
    position = next(pos for pos, stored, ver in owner.sql("SELECT POS, originator_id, originator_version FROM EVENTS")
                    if str(stored).replace("-", "") == oid.hex and ver == 1)
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (b"\x00\xffnot json", position))
    return db_url, owner


ROADS = [  # (words after --db URL, rule or None for any, exit code)
    (["show", "91330100716105852X"], "GB 32100-2015", 1),  # a rule said no (the check character)
    (["application", "review", "--client", USCC, "--application", "AP1", "--accept"], "ledger: every record names its actor", 1),
    (["--actor", "张伟", "application", "review", "--client", USCC, "--application", "AP9", "--accept"], None, 1),  # the aggregate refuses
    (["clients", "--stage", "bogus"], "ledger: vocabulary", 1),  # not a choice
    (["clients", "--grade", "五星级"], "ledger: vocabulary", 1),  # ambiguous
    (["due", "--within", "abc"], "ledger: input format", 1),
    (["history", USCC, "--from", "2026-02-30"], "ledger: input format", 1),
    (["clients", "--bogus"], "usage", 2),  # click usage errors
    (["show"], "usage", 2),
    (["due", "--limit"], "usage", 2),
    (["history", DAMAGED], "001 §12 audit trail", 1),  # damaged data
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_road_gives_one_json_object_on_stdout(ledger, tmp_path, lang):
    ledger, owner = ledger
    before = owner.sql("SELECT count(*) FROM EVENTS")[0][0]
    for words, rule, code in ROADS:
        for args in (["--json", "--db", ledger, "--lang", lang, *words], ["--db", ledger, *words, "--lang", lang, "--json"]):
            proc = certledger(*args, tmp_path=tmp_path)
            assert proc.returncode == code, (args, proc.stdout, proc.stderr)
            data = refusal(proc, lang)
            assert rule is None or data["rule"] == rule, (args, data)
            assert data["kind"] == ("usage" if code == 2 else data["kind"])
    assert owner.sql("SELECT count(*) FROM EVENTS")[0][0] == before  # nothing written
    # without --json the same refusal is text on stderr, stdout empty
    proc = certledger("--db", ledger, "--lang", lang, "clients", "--stage", "bogus", tmp_path=tmp_path)
    assert proc.returncode == 1 and proc.stdout == "" and ("Refused" if lang == "en" else "拒绝") in proc.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refused_import_and_a_missing_or_unreachable_ledger_are_json_too(tmp_path, lang):
    missing = str(tmp_path / "missing" / "l.sqlite")
    data = refusal(certledger("--json", "--lang", lang, "--db", missing, "clients", tmp_path=tmp_path), lang)
    assert data["rule"] == "ledger: database" and data["kind"] == "error" and missing in data["message"]
    assert not (tmp_path / "missing").exists()
    unreachable = "postgresql://postgres@127.0.0.1:1/nothing"
    data = refusal(certledger("--db", unreachable, "--lang", lang, "due", "--json", tmp_path=tmp_path), lang)
    assert data["rule"].startswith("ledger: database")
    foreign = tmp_path / "notes.sqlite"
    foreign.write_text("not a ledger")
    data = refusal(certledger("--json", "--lang", lang, "--db", str(foreign), "clients", tmp_path=tmp_path), lang)
    assert data["rule"].startswith("ledger: database") and foreign.read_text() == "not a ledger"
    proc = certledger("--db", str(tmp_path / "l.sqlite"), "--lang", lang, "import", "--json", str(tmp_path / "absent.jsonl"), tmp_path=tmp_path)
    assert proc.returncode == 2 and refusal(proc, lang)["kind"] == "usage"
    assert refusal(certledger("--json", "--lang", lang, "--no-such-option", tmp_path=tmp_path), lang)["rule"] == "usage"


def test_an_option_value_that_reads_json_does_not_make_the_refusal_json(tmp_path):
    """``--subject --json`` gives --subject the value "--json": --json was not set, so the usage error
    (the missing --client) is click's text on stderr. The words count only when the parsing stopped
    before the options were processed (an unknown option), where nothing else tells."""
    db = str(tmp_path / "l.sqlite")
    proc = certledger("--db", db, "complaint", "receive", "--subject", "--json", "--complainant", "顾客", tmp_path=tmp_path)
    assert proc.returncode == 2 and proc.stdout == "" and "Missing option '--client'" in proc.stderr
    proc = certledger("--db", "--json", "--lang", "en", "show", tmp_path=tmp_path)  # a root option's value
    assert proc.returncode == 2 and proc.stdout == "" and "Missing argument" in proc.stderr
    proc = certledger("--db", db, "complaint", "receive", "--subject", "x", "--json", tmp_path=tmp_path)  # set: JSON
    assert refusal(proc, "zh")["message"] == "Missing option '--client'."
    proc = certledger("--db", db, "complaint", "receive", "--bogus", "--json", tmp_path=tmp_path)  # stopped before: the words
    assert refusal(proc, "zh")["message"] == "No such option '--bogus'."
    assert not (tmp_path / "l.sqlite").exists()
