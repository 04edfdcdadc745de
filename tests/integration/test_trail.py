"""The audit trail on SQLite and PostgreSQL: the database refuses to change events, and when the
table owner changes them anyway (triggers dropped), verify names the first bad position, the
client and the event there."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from aggregates.errors import RuleViolation
from aggregates.uscc import client_id_for
from ledger.demo import play
from ledger.trail import make_checkpoint, verify_trail
from ledger.trail.note import Signer
from tests.owner import Owner

TODAY = date(2026, 11, 20)


# ------------------------------------------------------------------------------------- helpers


@pytest.fixture
def signer():
    return Signer.generate("test.body")


@pytest.fixture
def owner(app, db_url):
    return Owner(app, db_url)


@pytest.fixture
def played(app, signer):
    """A year of the demo, checkpointed: (app, the clients' USCCs, the checkpoint)."""
    codes = play(app, today=TODAY)
    return app, codes, make_checkpoint(app, signer)


def uscc_of(codes, client_id) -> str:
    return next(c for c in codes if client_id_for(c) == client_id)


def event_name(topic: str) -> str:
    return topic.rsplit(".", 1)[-1]


# ------------------------------------------------------------------------------ append-only


def test_the_database_refuses_to_update_an_event(played, owner):
    app, _, _ = played
    with pytest.raises(owner.refusal(), match="append-only"):
        owner.sql("UPDATE EVENTS SET topic = topic WHERE POS = 3")


def test_the_database_refuses_to_delete_an_event(played, owner):
    app, _, _ = played
    with pytest.raises(owner.refusal(), match="append-only"):
        owner.sql("DELETE FROM EVENTS WHERE POS = 3")
    assert app.event_count() == played[2].checkpoint.size


def test_postgresql_refuses_to_truncate_the_events(played, owner):
    app, _, _ = played
    if owner.sqlite:
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(owner.refusal(), match="append-only"):
        owner.sql("TRUNCATE EVENTS")


def test_the_trail_tables_refuse_changes_too(played, owner):
    app, _, _ = played
    with pytest.raises(owner.refusal(), match="append-only"):
        owner.sql("DELETE FROM trail_checkpoints" if owner.sqlite else f'DELETE FROM "{owner.schema}".trail_checkpoints')
    with pytest.raises(owner.refusal(), match="append-only"):
        owner.sql("UPDATE trail_leaves SET leaf_hash = leaf_hash" if owner.sqlite else f'UPDATE "{owner.schema}".trail_leaves SET leaf_hash = leaf_hash')


def test_a_new_start_puts_a_dropped_trigger_back(played, db_url, owner):
    from ledger.bootstrap import bootstrap

    app, _, _ = played
    owner.drop_triggers()
    again = bootstrap(db_url)
    try:
        with pytest.raises(owner.refusal(), match="append-only"):
            owner.sql("UPDATE EVENTS SET topic = topic WHERE POS = 3")
    finally:
        again.close()


def test_writing_events_still_works_with_the_triggers_installed(played, signer):
    app, codes, first = played
    app.receive_complaint(client=codes[0], complainant="顾客 赵某", subject="发票开具延误", actor="张伟", on=TODAY)
    assert app.event_count() == first.checkpoint.size + 1


# ----------------------------------------------------------------------------------- verify


def test_a_clean_ledger_verifies_against_its_checkpoint(played, signer):
    app, _, cp = played
    report = verify_trail(app, signer.verifier)
    assert report.ok, report.findings
    assert report.size == cp.checkpoint.size == app.event_count()
    assert report.root == cp.checkpoint.root
    assert report.checkpoints_checked == 1


def test_a_ledger_without_any_checkpoint_is_not_called_verified(app, signer):
    play(app, today=TODAY)
    report = verify_trail(app, signer.verifier)
    assert not report.ok and not report.altered
    assert [f.kind for f in report.findings] == ["unchecked"]


def test_an_update_is_detected_and_named(played, signer, owner):
    app, codes, _ = played
    client_id, version, topic, state = owner.row(10)
    owner.drop_triggers()
    owner.sql("UPDATE EVENTS SET state = ? WHERE POS = 10", (state.replace(b'"actor":"', b'"actor":"X', 1),))
    report = verify_trail(app, signer.verifier)
    first = report.first
    assert report.altered
    assert (first.kind, first.position, first.client, first.version, first.event) == (
        "changed", 10, uscc_of(codes, client_id), version, event_name(topic))
    assert "root" in {f.kind for f in report.findings}  # and the signed root no longer matches


def test_a_delete_is_detected_and_named(played, signer, owner):
    app, codes, _ = played
    client_id, version, _, _ = owner.row(25)
    owner.drop_triggers()
    owner.sql("DELETE FROM EVENTS WHERE POS = 25")
    first = verify_trail(app, signer.verifier).first
    assert (first.kind, first.position, first.client, first.version) == ("missing", 25, uscc_of(codes, client_id), version)


def test_a_forged_insert_before_the_first_event_is_detected_and_named(played, signer, owner):
    app, codes, _ = played
    client_id, version, topic, state = owner.row(1)
    owner.drop_triggers()
    forged_id = client_id.hex if owner.sqlite else client_id
    owner.sql("INSERT INTO EVENTS (POS, originator_id, originator_version, topic, state) VALUES (0, ?, ?, ?, ?)",
              (forged_id, 999, topic, state))
    report = verify_trail(app, signer.verifier)
    first = report.first
    assert (first.kind, first.position, first.client, first.version, first.event) == (
        "inserted", 0, uscc_of(codes, client_id), 999, event_name(topic))


def test_a_forged_insert_into_a_postgresql_gap_is_detected_and_named(app, signer, owner):
    if owner.sqlite:
        pytest.skip("SQLite numbers events without gaps")
    codes = play(app, today=TODAY)
    owner.sql("SELECT nextval(pg_get_serial_sequence(?, 'notification_id'))", (owner.qualified,))  # a gap, as a rollback leaves
    app.receive_complaint(client=codes[1], complainant="顾客 孙某", subject="服务态度", actor="张伟", on=TODAY)
    make_checkpoint(app, signer)
    assert verify_trail(app, signer.verifier).gaps == 1
    gap = owner.sql("SELECT max(POS) - 1 FROM EVENTS")[0][0]
    client_id, version, topic, state = owner.row(gap + 1)
    owner.drop_triggers()
    owner.sql("INSERT INTO EVENTS (POS, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
              (gap, client_id, version + 1, topic, state))
    first = verify_trail(app, signer.verifier).first
    assert (first.kind, first.position, first.client, first.version) == ("inserted", gap, uscc_of(codes, client_id), version + 1)


def test_a_reordering_is_detected_and_named(played, signer, owner):
    app, codes, _ = played
    client_a, version_a, topic_a, _ = owner.row(30)
    owner.drop_triggers()
    owner.sql("UPDATE EVENTS SET POS = -30 WHERE POS = 30")
    owner.sql("UPDATE EVENTS SET POS = 30 WHERE POS = 31")
    owner.sql("UPDATE EVENTS SET POS = 31 WHERE POS = -30")
    client_b, version_b, topic_b, _ = owner.row(30)
    assert (client_b, version_b) != (client_a, version_a)
    first = verify_trail(app, signer.verifier).first
    assert (first.kind, first.position, first.client, first.version, first.event) == (
        "replaced", 30, uscc_of(codes, client_b), version_b, event_name(topic_b))
    assert "reordered" in first.message_en and "position 31" in first.message_en


def test_a_truncation_after_a_checkpoint_is_detected_and_named(played, signer, owner):
    app, codes, cp = played
    keep = cp.checkpoint.size - 7
    client_id, version, _, _ = owner.row(keep + 1)
    owner.drop_triggers()
    owner.sql("DELETE FROM EVENTS WHERE POS > ?", (keep,))
    report = verify_trail(app, signer.verifier)
    first = report.first
    assert report.size == keep
    assert (first.kind, first.position, first.client, first.version) == ("truncated", keep + 1, uscc_of(codes, client_id), version)


def test_a_truncate_of_the_whole_postgresql_table_is_detected(played, signer, owner):
    app, codes, _ = played
    if owner.sqlite:
        pytest.skip("SQLite has no TRUNCATE")
    client_id, version, _, _ = owner.row(1)
    owner.drop_triggers()
    owner.sql("TRUNCATE EVENTS")
    first = verify_trail(app, signer.verifier).first
    # with every event gone, no registration names the client: its id does
    assert (first.kind, first.position, first.client, first.version) == ("truncated", 1, client_id.hex, version)


def test_an_external_checkpoint_catches_what_the_owner_hid_by_wiping_the_trail_tables(played, signer, owner):
    app, _, cp = played
    owner.drop_triggers()
    owner.sql("UPDATE EVENTS SET state = state || ? WHERE POS = 5", (b" ",))
    prefix = "" if owner.sqlite else f'"{owner.schema}".'
    owner.sql(f"DROP TABLE {prefix}trail_checkpoints")
    owner.sql(f"DROP TABLE {prefix}trail_leaves")
    inside = verify_trail(app, signer.verifier)
    assert not inside.ok  # no stored checkpoint is left: never "verified"
    outside = verify_trail(app, signer.verifier, external=cp.note)
    assert outside.altered
    assert {"root", "consistency"} <= {f.kind for f in outside.findings}


def test_a_changed_leaf_hash_alone_blames_the_leaf_store_not_the_event(played, signer, owner):
    app, codes, _ = played
    leaves = owner.trail("trail_leaves")
    owner.unprotect("trail_leaves")
    owner.sql(f"UPDATE {leaves} SET leaf_hash = ? WHERE leaf_index = 4", (b"\x01" * 32,))
    report = verify_trail(app, signer.verifier)
    assert report.altered
    kinds = {f.kind for f in report.findings}
    assert kinds == {"leaves"}, report.findings  # no "changed": the event is intact
    assert report.first.position == 5 and "trail_leaves" in report.first.message_en
    assert "was changed, not the event" in report.first.message_en


def test_deleting_the_latest_stored_checkpoint_is_reported_and_no_checkpoint_is_signed_after_it(played, signer, owner):
    app, codes, first = played
    app.receive_complaint(client=codes[0], complainant="顾客", subject="交付延误", actor="张伟", on=TODAY)
    second = make_checkpoint(app, signer)
    table = owner.trail("trail_checkpoints")
    owner.unprotect("trail_checkpoints")
    owner.sql(f"DELETE FROM {table} WHERE id = ?", (second.id,))
    report = verify_trail(app, signer.verifier)
    assert report.altered and report.first.kind == "checkpoint-deleted", report.findings
    assert f"record {second.checkpoint.size} events" in report.first.message_en
    outside = verify_trail(app, signer.verifier, external=second.note)
    assert outside.findings[0].kind == "checkpoint-deleted" and "not among the stored" in outside.findings[0].message_en
    with pytest.raises(RuleViolation, match="之后的检查点被删除"):
        make_checkpoint(app, signer)


def test_each_checkpoint_reads_only_the_new_events_and_stays_consistent(played, signer):
    app, codes, first = played
    for i in range(3):
        app.receive_complaint(client=codes[i], complainant=f"顾客 {i}", subject="交付延误", actor="张伟", on=TODAY)
    seen: list[int] = []
    second = make_checkpoint(app, signer, progress=seen.append)
    assert second.new_events == sum(seen) == 3
    assert second.checkpoint.size == first.checkpoint.size + 3
    assert make_checkpoint(app, signer).id == second.id  # nothing new: the latest checkpoint again
    report = verify_trail(app, signer.verifier, external=first.note)
    assert report.ok, report.findings
    assert report.checkpoints_checked == 3  # two stored and the external one


def test_a_checkpoint_is_refused_with_another_key(played):
    from aggregates.errors import RuleViolation

    app, _, _ = played
    with pytest.raises(RuleViolation) as refused:
        make_checkpoint(app, Signer.generate("someone.else"))
    assert "not signed by this key" in refused.value.message_en


# ------------------------------------------------------------------------------ client heads


def heads_from_events(app, size: int):
    """Every client's (last version, position) among the first ``size`` events, read plainly."""
    from ledger.store import trail_store
    from ledger.trail.heads import Heads

    heads, left = Heads(), size
    with trail_store(app).snapshot() as snap:
        for rows in snap.events():
            for r in rows[:left]:
                oid = bytes.fromhex(r[1]) if isinstance(r[1], str) else bytes(r[1])
                heads.add(oid, r[2], r[0])
            left -= min(left, len(rows))
    return heads


def test_a_checkpoint_signs_every_clients_head_and_its_time(played, signer):
    from ledger.trail.heads import heads_of, time_of

    app, codes, cp = played
    heads = heads_from_events(app, cp.checkpoint.size)
    assert heads_of(cp.checkpoint.extensions) == (len(codes), heads.root())
    assert {c.hex() for c in heads.by_client} == {client_id_for(c).hex for c in codes}
    shenzhen = heads.by_client[client_id_for(codes[1]).bytes]
    assert shenzhen[0] == app.client(codes[1]).version  # the last version...
    assert time_of(cp.checkpoint.extensions) is not None  # ...and when it was signed
    lines = cp.note.split("\n")
    assert lines[3].startswith("heads ") and lines[4].startswith("time ") and lines[4].endswith("Z")


def test_the_next_checkpoint_extends_the_heads_with_the_new_events(played, signer):
    from ledger.trail.heads import heads_of

    app, codes, first = played
    app.receive_complaint(client=codes[0], complainant="顾客", subject="交付延误", actor="张伟", on=TODAY)
    second = make_checkpoint(app, signer)
    assert heads_of(second.checkpoint.extensions) == (len(codes), heads_from_events(app, second.checkpoint.size).root())
    assert heads_of(second.checkpoint.extensions) != heads_of(first.checkpoint.extensions)
    assert verify_trail(app, signer.verifier, external=first.note).ok


def test_an_altered_heads_cache_is_reported_and_the_next_checkpoint_rebuilds_it_from_the_events(played, signer, owner):
    app, codes, cp = played
    heads = owner.trail("trail_heads")
    owner.sql(f"UPDATE {heads} SET version = version + 1 WHERE version = (SELECT max(version) FROM {heads})")
    report = verify_trail(app, signer.verifier)
    assert not report.ok and [f.kind for f in report.findings] == ["leaves"]
    assert "trail_heads" in report.findings[0].message_en
    app.receive_complaint(client=codes[0], complainant="顾客", subject="交付延误", actor="张伟", on=TODAY)
    nxt = make_checkpoint(app, signer)  # the cache does not give the signed root: rebuilt from the events, which do
    assert nxt.new_events == 1
    assert verify_trail(app, signer.verifier, external=cp.note).ok


def test_a_checkpoint_signed_with_wrong_heads_is_reported(played, signer):
    """A checkpoint whose signed heads do not follow from its events (as if the signer had been fed a
    tampered cache) is named by verify, though its tree root is right."""
    from datetime import datetime

    from ledger.trail.heads import extension_lines
    from ledger.trail.note import Checkpoint, open_checkpoint

    app, codes, cp = played
    wrong = heads_from_events(app, cp.checkpoint.size)
    some = next(iter(wrong.by_client))
    wrong.add(some, wrong.by_client[some][0] - 1, wrong.by_client[some][1])  # one client's head a version short
    head = open_checkpoint(cp.note, signer.verifier)
    forged = Checkpoint(head.origin, head.size, head.root, extension_lines(wrong, datetime.now(UTC)))
    report = verify_trail(app, signer.verifier, external=forged.sign(signer))
    assert [f.kind for f in report.findings] == ["heads"] and "external checkpoint" in report.findings[0].message_en
    assert verify_trail(app, signer.verifier, external=cp.note).ok  # the genuine one still verifies


def test_a_checkpoint_from_before_client_heads_is_followed_by_one_with_them(app, signer, owner):
    """Upgrading: the latest checkpoint carries no heads line (signed before they existed); the next
    checkpoint, even with no new event, signs one with the heads computed from the events."""
    from ledger.trail.heads import heads_of

    codes = play(app, today=TODAY)
    cp = make_checkpoint(app, signer)
    from ledger.store import trail_store
    from ledger.trail.note import Checkpoint

    legacy = Checkpoint(cp.checkpoint.origin, cp.checkpoint.size, cp.checkpoint.root).sign(signer)
    owner.sql("DROP TRIGGER trail_checkpoints_append_only_update" if owner.sqlite else
              f'DROP TRIGGER "trail_checkpoints_append_only_row" ON {owner.trail("trail_checkpoints")}')
    owner.sql(f"UPDATE {owner.trail('trail_checkpoints')} SET note = ?", (legacy,))
    owner.sql(f"DELETE FROM {owner.trail('trail_heads')}")
    again = make_checkpoint(app, signer)
    assert again.id != cp.id and again.new_events == 0
    assert heads_of(again.checkpoint.extensions) == (len(codes), heads_from_events(app, again.checkpoint.size).root())
    with trail_store(app).snapshot() as snap:
        assert len(snap.heads()) == len(codes)
