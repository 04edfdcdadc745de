"""The database tamper suite: what an attacker with ``sqlite3`` or ``psql`` and the table owner's
rights can do to a checkpointed ledger, one kind of change per case, on SQLite and PostgreSQL.

For every case: ``verify`` never says "Verified" and exits 1 (with the checkpoints stored in the
database, and with the latest checkpoint kept outside it), and neither ``verify`` nor a command that
reads the altered client (``history``, ``show``, ``explain``) ends in a traceback. A few cases wipe the
evidence inside the database too; for those, only the checkpoint kept outside catches the change,
and the case says so (``outside_only``). The counts are in docs/audit-trail.md, "The tamper suite".
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from aggregates.uscc import client_id_for
from cli.main import root
from ledger.demo import play
from ledger.trail import make_checkpoint
from ledger.trail.note import Signer
from tests.owner import Owner

TODAY = date(2026, 11, 20)


@dataclass
class Ledger:
    """A demo year checkpointed twice (a complaint in between), as the owner sees it."""

    db_url: str
    owner: Owner
    codes: list[str]
    key: str
    outside: str  # the latest checkpoint, as published outside the database
    first_size: int
    size: int

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.owner.sql(statement, params)

    def trail(self, name: str) -> str:
        return self.owner.trail(name)

    def pos(self, client: int, version: int) -> int:
        """The position of a client's event (client: index in the demo's codes)."""
        oid = client_id_for(self.codes[client])
        for pos, stored, ver in self.sql("SELECT POS, originator_id, originator_version FROM EVENTS ORDER BY POS"):
            if str(stored).replace("-", "") == oid.hex and ver == version:
                return pos
        raise AssertionError((client, version))

    def last_version(self, client: int) -> int:
        oid = client_id_for(self.codes[client])
        return max(ver for stored, ver in self.sql("SELECT originator_id, originator_version FROM EVENTS")
                   if str(stored).replace("-", "") == oid.hex)

    def state(self, pos: int) -> bytes:
        return self.owner.row(pos)[3]

    def set_state(self, pos: int, state: bytes | None) -> None:
        self.sql("UPDATE EVENTS SET state = ? WHERE POS = ?", (state, pos))

    def edit(self, pos: int, change: Callable[[dict[str, Any]], None]) -> None:
        body = json.loads(self.state(pos))
        change(body)
        self.set_state(pos, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())

    def oid_text(self, value: uuid.UUID) -> str:
        return value.hex if self.owner.sqlite else str(value)

    def unprotect(self, *names: str) -> None:
        for name in names:
            self.owner.unprotect(name)

    def last_pos(self) -> int:
        return self.sql("SELECT max(POS) FROM EVENTS")[0][0]


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Ledger], None]
    outside_only: bool = False  # the evidence inside the database is wiped too
    only: str | None = None  # "sqlite" or "postgres" where the change exists on one only


def _field(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        assert name in body, (name, sorted(body))
        body[name] = value
    return change


def _swap_positions(t: Ledger, a: int, b: int) -> None:
    t.sql("UPDATE EVENTS SET POS = ? WHERE POS = ?", (-a, a))
    t.sql("UPDATE EVENTS SET POS = ? WHERE POS = ?", (a, b))
    t.sql("UPDATE EVENTS SET POS = ? WHERE POS = ?", (b, -a))


def _copy_row(t: Ledger, pos: int, *, version: str = "originator_version", position: str | None = None,
              oid: str = "originator_id") -> None:
    """INSERT a copy of the event at ``pos`` with the given column expressions."""
    cols = "originator_id, originator_version, topic, state"
    if position is None:
        t.sql(f"INSERT INTO EVENTS ({cols}) SELECT {oid}, {version}, topic, state FROM EVENTS WHERE POS = ?", (pos,))
    else:
        t.sql(f"INSERT INTO EVENTS (POS, {cols}) SELECT {position}, {oid}, {version}, topic, state FROM EVENTS WHERE POS = ?", (pos,))


def _recompute_leaf(t: Ledger, pos: int) -> None:
    """Rewrite the stored leaf hash of ``pos`` to match the (altered) event: a careful attacker."""
    from ledger.trail.leaf import encode_leaf
    from ledger.trail.merkle import leaf_hash

    oid, version, topic, state = t.owner.row(pos)
    h = leaf_hash(encode_leaf(pos, oid.bytes, version, topic, state))
    t.sql(f"UPDATE {t.trail('trail_leaves')} SET leaf_hash = ? WHERE position = ?", (h, pos))


def _drop(t: Ledger, *names: str) -> None:
    for name in names:
        t.sql(f"DROP TABLE {t.trail(name)}")


CASES = [
    # --- an event's content (state) ---
    Case("state: one byte changed", lambda t: t.set_state(5, t.state(5).replace(b'"', b"'", 1))),
    Case("state: a space appended", lambda t: t.set_state(5, t.state(5) + b" ")),
    Case("state: emptied", lambda t: t.set_state(5, b"")),
    Case("state: NULL", lambda t: t.set_state(5, None)),
    Case("state: not JSON", lambda t: t.set_state(5, b"\x00\xff garbage")),
    Case("state: another event's state of the same client", lambda t: t.set_state(t.pos(0, 4), t.state(t.pos(0, 5)))),
    Case("state: another client's state", lambda t: t.set_state(t.pos(0, 2), t.state(t.pos(1, 2)))),
    Case("state: the actor renamed", lambda t: t.edit(t.pos(0, 3), _field("actor", "局长"))),
    Case("state: the business date moved", lambda t: t.edit(t.pos(0, 3), _field("occurred_on", {"_type_": "date_iso", "_data_": "2020-01-01"}))),
    Case("state: the recorded time moved", lambda t: t.edit(t.pos(0, 3), _field("timestamp", {"_type_": "datetime_iso", "_data_": "2020-01-01T00:00:00+00:00"}))),
    Case("state: the registered name changed", lambda t: t.edit(t.pos(1, 1), _field("name", "某某公司"))),
    Case("state: a field removed", lambda t: t.edit(t.pos(0, 3), lambda b: b.pop("actor"))),
    Case("state: a field added", lambda t: t.edit(t.pos(0, 3), lambda b: b.update(extra=1))),
    Case("state: the last checkpointed event changed", lambda t: t.set_state(t.first_size, t.state(t.first_size) + b" ")),
    Case("state: the newest event changed", lambda t: t.set_state(t.size, t.state(t.size) + b" ")),
    # --- an event's type (topic) ---
    Case("topic: a module to import", lambda t: t.sql("UPDATE EVENTS SET topic = 'os:system' WHERE POS = 3")),
    Case("topic: another event class", lambda t: t.sql("UPDATE EVENTS SET topic = 'aggregates.client:Client.Withdrawn' WHERE POS = 3")),
    Case("topic: emptied", lambda t: t.sql("UPDATE EVENTS SET topic = '' WHERE POS = 3")),
    Case("topic: NULL", lambda t: t.sql("UPDATE EVENTS SET topic = NULL WHERE POS = 3"), only="sqlite"),
    Case("topic: the registration's class", lambda t: t.sql("UPDATE EVENTS SET topic = 'aggregates.client:Client.Registered' WHERE POS = 4")),
    # --- versions and owners ---
    Case("version: jumped", lambda t: t.sql("UPDATE EVENTS SET originator_version = originator_version + 1000 WHERE POS = ?", (t.pos(0, 3),))),
    Case("version: two swapped", lambda t: (
        t.sql("UPDATE EVENTS SET originator_version = -1 WHERE POS = ?", (t.pos(0, 3),)),
        t.sql("UPDATE EVENTS SET originator_version = 3 WHERE POS = ?", (t.pos(0, 4),)),
        t.sql("UPDATE EVENTS SET originator_version = 4 WHERE POS = ?", (t.pos(0, 3),)))),
    Case("version: zero", lambda t: t.sql("UPDATE EVENTS SET originator_version = 0 WHERE POS = ?", (t.pos(0, 1),))),
    Case("version: text", lambda t: t.sql("UPDATE EVENTS SET originator_version = 'x' WHERE POS = 3"), only="sqlite"),
    Case("owner: moved to a new client id", lambda t: t.sql("UPDATE EVENTS SET originator_id = ? WHERE POS = ?",
                                                              (t.oid_text(uuid.UUID(int=0xDEADBEEF)), t.pos(0, 3)))),
    Case("owner: moved to another client", lambda t: t.sql(
        "UPDATE EVENTS SET originator_id = (SELECT originator_id FROM EVENTS WHERE POS = ?), originator_version = ? WHERE POS = ?",
        (t.pos(1, 1), t.last_version(1) + 1, t.pos(0, t.last_version(0))))),
    Case("owner: not a UUID", lambda t: t.sql("UPDATE EVENTS SET originator_id = 'not-a-uuid' WHERE POS = 3"), only="sqlite"),
    # --- deletions ---
    Case("delete: the first event", lambda t: t.sql("DELETE FROM EVENTS WHERE POS = 1")),
    Case("delete: an event in the middle", lambda t: t.sql("DELETE FROM EVENTS WHERE POS = ?", (t.pos(2, 4),))),
    Case("delete: a client's last checkpointed event", lambda t: t.sql("DELETE FROM EVENTS WHERE POS = ?", (t.pos(1, t.last_version(1)),))),
    Case("delete: a client's whole history", lambda t: [t.sql("DELETE FROM EVENTS WHERE POS = ?", (t.pos(3, v),))
                                                         for v in range(t.last_version(3), 0, -1)]),
    Case("delete: the newest event", lambda t: t.sql("DELETE FROM EVENTS WHERE POS = ?", (t.last_pos(),))),
    Case("delete: every event after the first checkpoint", lambda t: t.sql("DELETE FROM EVENTS WHERE POS > ?", (t.first_size,))),
    Case("delete: every event", lambda t: t.sql("DELETE FROM EVENTS")),
    Case("truncate: the events table", lambda t: t.sql("TRUNCATE EVENTS"), only="postgres"),
    # --- insertions and order ---
    Case("insert: a copy with a repeated version", lambda t: _copy_row(t, t.pos(0, 2), version="originator_version + 100000")),
    Case("insert: a forged event before the first", lambda t: _copy_row(t, 1, position="0", version="originator_version + 500")),
    Case("insert: a forged event at a negative position", lambda t: _copy_row(t, 2, position="-7", version="originator_version + 600")),
    Case("reorder: two events swapped", lambda t: _swap_positions(t, 20, 30)),
    Case("reorder: an event moved to the end", lambda t: t.sql("UPDATE EVENTS SET POS = ? WHERE POS = 12", (t.last_pos() + 1,))),
    Case("change and recompute its leaf hash", lambda t: (t.set_state(7, t.state(7) + b" "), _recompute_leaf(t, 7))),
    # --- the trail's own tables ---
    Case("leaves: one hash changed", lambda t: t.sql(f"UPDATE {t.trail('trail_leaves')} SET leaf_hash = ? WHERE leaf_index = 9", (b"\x07" * 32,))),
    Case("leaves: one row deleted", lambda t: t.sql(f"DELETE FROM {t.trail('trail_leaves')} WHERE leaf_index = 9")),
    Case("leaves: the last row deleted", lambda t: t.sql(f"DELETE FROM {t.trail('trail_leaves')} WHERE leaf_index = (SELECT max(leaf_index) FROM {t.trail('trail_leaves')})")),
    Case("leaves: every row deleted", lambda t: t.sql(f"DELETE FROM {t.trail('trail_leaves')}")),
    Case("leaves: a position changed", lambda t: t.sql(f"UPDATE {t.trail('trail_leaves')} SET position = position + 1 WHERE leaf_index = 9")),
    Case("checkpoints: the note's text edited", lambda t: t.sql(
        f"UPDATE {t.trail('trail_checkpoints')} SET note = substr(note, 1, 12) || 'X' || substr(note, 14) WHERE id = 1")),
    Case("checkpoints: the root column changed", lambda t: t.sql(f"UPDATE {t.trail('trail_checkpoints')} SET root = ? WHERE id = 1", (b"\x01" * 32,))),
    Case("checkpoints: the size column changed", lambda t: t.sql(f"UPDATE {t.trail('trail_checkpoints')} SET tree_size = tree_size - 1 WHERE id = 1")),
    Case("checkpoints: the compact range changed", lambda t: t.sql(f"UPDATE {t.trail('trail_checkpoints')} SET nodes = ? WHERE id = 1", (b"\x02" * 64,))),
    Case("checkpoints: the latest deleted", lambda t: t.sql(f"DELETE FROM {t.trail('trail_checkpoints')} WHERE id = (SELECT max(id) FROM {t.trail('trail_checkpoints')})")),
    Case("checkpoints: every one deleted", lambda t: t.sql(f"DELETE FROM {t.trail('trail_checkpoints')}")),
    Case("meta: the origin changed", lambda t: t.sql(f"UPDATE {t.trail('trail_meta')} SET value = 'certledger/forged' WHERE key = 'origin'")),
    Case("heads cache: a version changed", lambda t: t.sql(f"UPDATE {t.trail('trail_heads')} SET version = version + 1 WHERE position = (SELECT max(position) FROM {t.trail('trail_heads')})")),
    Case("heads cache: a row deleted", lambda t: t.sql(f"DELETE FROM {t.trail('trail_heads')} WHERE position = (SELECT max(position) FROM {t.trail('trail_heads')})")),
    # --- the evidence inside the database wiped as well: only the published checkpoint tells ---
    Case("the latest checkpoint, its leaves and heads deleted", lambda t: (
        t.sql(f"DELETE FROM {t.trail('trail_checkpoints')} WHERE id = (SELECT max(id) FROM {t.trail('trail_checkpoints')})"),
        t.sql(f"DELETE FROM {t.trail('trail_leaves')} WHERE leaf_index >= ?", (t.first_size,)),
        t.sql(f"DELETE FROM {t.trail('trail_heads')}"),
        t.sql("DELETE FROM EVENTS WHERE POS > ?", (t.first_size,))), outside_only=True),
    Case("an event changed and every trail table dropped", lambda t: (
        t.set_state(5, t.state(5) + b" "), _drop(t, "trail_checkpoints", "trail_leaves", "trail_heads", "trail_meta")), outside_only=True),
]


@pytest.fixture
def ledger(app, db_url, tmp_path) -> Ledger:
    codes = play(app, today=TODAY)
    signer = Signer.generate("测试认证机构")
    key = tmp_path / "signing.key"
    key.write_text(signer.encode() + "\n", encoding="utf-8")
    (tmp_path / "signing.key.pub").write_text(signer.verifier.encode() + "\n", encoding="utf-8")
    first = make_checkpoint(app, signer)
    app.receive_complaint(client=codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
    latest = make_checkpoint(app, signer)
    owner = Owner(app, db_url)
    return Ledger(db_url, owner, codes, str(key), latest.note, first.checkpoint.size, latest.checkpoint.size)


def run(t: Ledger, *args: str):
    return CliRunner().invoke(root, ["--lang", "en", "--db", t.db_url, *args])


def refused_cleanly(r, what: str) -> None:
    assert isinstance(r.exception, SystemExit), (what, r.exception, r.output)
    assert r.exit_code == 1, (what, r.exit_code, r.output)
    assert "Verified" not in r.stdout and "Traceback" not in r.output, (what, r.output)


def no_traceback(r, what: str) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), (what, repr(r.exception))
    assert r.exit_code in (0, 1) and "Traceback" not in r.output, (what, r.exit_code, r.output)


def test_the_suite_has_the_kinds_it_claims():
    assert len({c.name for c in CASES}) == len(CASES) >= 50


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_change_is_detected_without_a_traceback(ledger, case, db_url, tmp_path):
    backend = "sqlite" if ledger.owner.sqlite else "postgres"
    if case.only and case.only != backend:
        pytest.skip(f"{case.name}: {case.only} only")
    ledger.owner.drop_triggers()
    ledger.unprotect("trail_leaves", "trail_checkpoints", "trail_meta")
    case.change(ledger)

    outside = tmp_path / "published.checkpoint"
    outside.write_text(ledger.outside, encoding="utf-8")
    with_outside = run(ledger, "verify", "--key", ledger.key, "--checkpoint", str(outside))
    refused_cleanly(with_outside, "verify --checkpoint")
    inside = run(ledger, "verify", "--key", ledger.key)
    if case.outside_only:
        no_traceback(inside, "verify")
    else:
        refused_cleanly(inside, "verify")
    for code in ledger.codes[:4]:
        for args in (["history", code], ["show", code], ["explain", code]):
            no_traceback(run(ledger, *args), " ".join(args))
    no_traceback(run(ledger, "clients"), "clients")
