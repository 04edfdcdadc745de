"""Damaged data never crashes: when the owner of the database alters a client's stored events (a
forged type, a state that does not decode, a state with the wrong content, an event deleted), every
command that replays that client says which client and event, points to ``certledger verify``, exits
1 and writes nothing; a forged type is never imported; the other clients are read and written as
before. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sys
from datetime import date

import pytest
from click.testing import CliRunner

from aggregates.uscc import client_id_for
from cli.main import root
from ledger.demo import play
from tests.owner import Owner

TODAY = date(2026, 11, 20)
# A module of the standard library that prints when imported: a forged topic naming it must not be
# imported (the library's mapper would import whatever module a stored row names).
FORGED_TOPIC = "this:Zen"


@pytest.fixture
def ledger(app, db_url):
    """The demo's year, its read models built (as a ledger in use has them), and its owner."""
    codes = play(app, today=TODAY)
    assert run(db_url, "rebuild").exit_code == 0
    return db_url, codes, Owner(app, db_url)


def position_of(owner: Owner, uscc: str, version: int) -> int:
    oid = client_id_for(uscc)
    for pos, stored_oid, ver in owner.sql("SELECT POS, originator_id, originator_version FROM EVENTS ORDER BY POS"):
        if str(stored_oid).replace("-", "") == oid.hex and ver == version:
            return pos
    raise AssertionError(f"no version {version} of {uscc}")


def damage(owner: Owner, kind: str, position: int) -> None:
    owner.drop_triggers()  # the ledger puts them back each time it opens
    if kind == "forged type":
        owner.sql("UPDATE EVENTS SET topic = ? WHERE POS = ?", (FORGED_TOPIC, position))
    elif kind == "state that does not decode":
        owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (b"\x00\xffnot json", position))
    elif kind == "state with the wrong content":
        owner.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (b'{"timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-01T00:00:00+00:00"}}', position))
    elif kind == "event deleted":
        owner.sql("DELETE FROM EVENTS WHERE POS = ?", (position,))
    elif kind == "another event's type":
        owner.sql("UPDATE EVENTS SET topic = 'aggregates.client:Client.Withdrawn' WHERE POS = ?", (position,))
    else:
        raise AssertionError(kind)


def run(db_url: str, *args: str):
    return CliRunner().invoke(root, ["--lang", "en", "--db", db_url, "--actor", "审核员 王敏", *args])


def event_count(owner: Owner) -> int:
    return owner.sql("SELECT count(*) FROM EVENTS")[0][0]


KINDS = ["forged type", "state that does not decode", "state with the wrong content", "event deleted", "another event's type"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_client_is_refused_by_name_and_the_others_carry_on(ledger, kind):
    db_url, codes, owner = ledger
    damaged, other = codes[0], codes[1]
    damage(owner, kind, position_of(owner, damaged, 3))
    before = event_count(owner)
    sys.modules.pop("this", None)

    for args in (["history", damaged], ["explain", damaged], ["explain", damaged, "--as-of", "2026-06-01"],
                 ["certificate", "suspend", "--client", damaged, "--reason-code", "7.2.1a", "--reason", "未按期监督"],
                 ["change", "notify", "--client", damaged, "--kind", "address", "--changed-on", "2026-11-10",
                  "--description", "迁至浙江省杭州市余杭区1号"],
                 ["rebuild"]):
        r = run(db_url, *args)
        assert r.exit_code == 1, (args, r.output)
        assert isinstance(r.exception, SystemExit) and "Traceback" not in r.output, (args, r.exception)
        assert f"client {damaged}" in r.stderr, (args, r.stderr)
        assert "Run certledger verify" in r.stderr and "(rule: 001 §12 audit trail)" in r.stderr, (args, r.stderr)
        if kind != "event deleted":
            assert "version 3" in r.stderr, (args, r.stderr)
    assert event_count(owner) == before  # nothing written
    assert "this" not in sys.modules  # the forged topic was never imported

    assert run(db_url, "history", other).exit_code == 0
    assert run(db_url, "show", other).exit_code == 0
    assert run(db_url, "clients").exit_code == 0
    r = run(db_url, "complaint", "receive", "--client", other, "--complainant", "消费者 张某", "--subject", "证书信息有误")
    assert r.exit_code == 0, r.output
    assert event_count(owner) == before + 1
    assert "证书信息有误" in run(db_url, "history", other).stdout


def test_an_import_reports_the_damaged_clients_line_and_writes_the_others(ledger, tmp_path):
    db_url, codes, owner = ledger
    damage(owner, "forged type", position_of(owner, codes[0], 3))
    before = event_count(owner)
    lines = [{"command": "complaint receive", "client": code, "complainant": "消费者 张某", "subject": "证书信息有误",
              "on": "2026-11-18"} for code in (codes[0], codes[1])]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    r = run(db_url, "import", str(path))
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert f"{path}:1:" in r.stderr and f"client {codes[0]}" in r.stderr and "version 3" in r.stderr, r.stderr
    assert f"{path}:2:" not in r.stderr
    assert event_count(owner) == before + 1


def test_the_refusal_is_in_chinese_by_default(ledger):
    db_url, codes, owner = ledger
    damage(owner, "forged type", position_of(owner, codes[0], 3))
    r = CliRunner().invoke(root, ["--db", db_url, "history", codes[0]])
    assert r.exit_code == 1
    assert f"客户 {codes[0]} 的第 3 版事件无法重放（未知的事件类型 '{FORGED_TOPIC}'）" in r.stderr
    assert "请运行 certledger verify" in r.stderr


def test_read_models_that_must_be_built_from_the_first_event_name_the_damaged_client(app, db_url):
    """A ledger whose read models were never built (or must be rebuilt after an upgrade): they are
    all-or-nothing, so the read is refused, naming the client to look into."""
    codes = play(app, today=TODAY)
    owner = Owner(app, db_url)
    damage(owner, "forged type", position_of(owner, codes[2], 3))
    r = run(db_url, "clients")
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert f"client {codes[2]}" in r.stderr and "version 3" in r.stderr and "Run certledger verify" in r.stderr
    assert run(db_url, "history", codes[0]).exit_code == 0  # replayed from its own events


def test_a_rebuild_that_meets_a_damaged_event_leaves_the_read_models_as_they_were(ledger):
    db_url, codes, owner = ledger
    listed = run(db_url, "clients").stdout
    damage(owner, "state that does not decode", position_of(owner, codes[0], 3))
    r = run(db_url, "rebuild")
    assert r.exit_code == 1
    assert f"position {position_of(owner, codes[0], 3)}" in r.stderr
    assert run(db_url, "clients").stdout == listed
