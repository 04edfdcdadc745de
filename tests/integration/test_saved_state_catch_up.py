"""The catch-up after a write starts from the client its command just saved (projections.states,
D54) instead of loading and replaying it again: over a demo year written command by command, each
save followed by the catch-up as ``execute`` runs it, no client is replayed for a one-event save and
every read-model table equals a rebuild (SQLite and PostgreSQL); a write of another ledger object (a
second process) between the save and the catch-up, before or after that catch-up, is applied on
top of the state taken; a save that fails leaves nothing to take."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_crash_safety import assert_read_models_agree

ADMIN = "张伟"
HZ = "91330100716105852F"
SZ = "91320500MA1MXQ7P1R"


def submit(app: Any, uscc: str) -> None:
    app.execute("application submit", {"client": uscc, "name": "某科技有限公司", "address": "某市某区", "scheme": "zgc-ru015",
                                       "scope": "企业质量信用管理", "site": ["总部=某市某区"], "headcount": "30"}, actor=ADMIN)


def receive(app: Any, uscc: str, subject: str = "交货延迟") -> None:
    """A complaint saved without the catch-up after it (the method, not ``execute``)."""
    app.receive_complaint(client=uscc, complainant="顾客", subject=subject, actor=ADMIN)


def last(app: Any) -> int:
    return app.recorder.max_notification_id()


def positions(app: Any) -> set[int]:
    from projections import engine_for, tables as t
    from sqlalchemy import select

    with engine_for(app).connect() as conn:
        return {int(r[0]) for r in conn.execute(select(t.tracking.c.position))}


def test_a_year_written_command_by_command_gives_the_rows_of_a_rebuild(app, monkeypatch):
    from ledger.app import CertLedger
    from ledger.demo import play

    app.update_read_models()  # the read models exist, at the first event
    replays = []
    saves = {"one event": 0, "several": 0}
    catching_up = [False]
    get = app.repository.get

    def counted_get(*args: Any, **kwargs: Any) -> Any:
        if catching_up[0]:
            replays.append(args)
        return get(*args, **kwargs)

    monkeypatch.setattr(app.repository, "get", counted_get)
    commit = CertLedger._commit

    def commit_then_catch_up(self: Any, client: Any) -> None:
        new = len(client.pending_events)
        commit(self, client)
        if self is not app or self._uow is not None:
            return
        assert self.__dict__.get("_saved_client") is client
        before = len(replays)
        catching_up[0] = True
        try:
            self.update_read_models(after_write=True)  # what ``execute`` does after the command
        finally:
            catching_up[0] = False
        assert "_saved_client" not in self.__dict__  # taken by the catch-up
        assert positions(self) == {last(self)}
        if new == 1:
            saves["one event"] += 1
            assert len(replays) == before, "the client just saved was replayed again"
        else:
            saves["several"] += 1

    monkeypatch.setattr(CertLedger, "_commit", commit_then_catch_up)
    play(app, to_the_end=True)  # people, the body, every area's events; each client's save caught up at once
    assert saves["one event"] > 100
    monkeypatch.undo()
    assert_read_models_agree(app)  # every table equal to a rebuild, show's and clients' rows to a replay


@pytest.fixture
def two_writers(sqlite_url):
    """Two ledger objects on one file: two processes writing the same ledger."""
    from ledger.bootstrap import bootstrap
    from projections import dispose

    a, b = bootstrap(sqlite_url), bootstrap(sqlite_url)
    submit(a, HZ)
    submit(a, SZ)
    yield a, b
    for app in (a, b):
        dispose(app)
        app.close()


def test_another_writer_between_the_save_and_its_catch_up(two_writers):
    a, b = two_writers
    receive(a, HZ)  # saved, not caught up yet
    saved = a._saved_client
    receive(b, HZ, "包装破损")  # the same client again, by another process, after it
    receive(b, SZ)
    assert a.repository.get(saved.id).version == saved.version + 1
    a.update_read_models(after_write=True)  # the state a saved, then b's events of that client on top of it
    assert positions(a) == {last(a)}
    assert_read_models_agree(a)


def test_a_state_taken_after_another_catch_up_is_moved_on_by_the_events_after_it(two_writers):
    a, b = two_writers
    receive(a, HZ)  # saved, not caught up
    b.execute("complaint receive", {"client": HZ, "complainant": "顾客", "subject": "包装破损"}, actor=ADMIN)  # b catches up a's event too
    a.update_read_models(after_write=True)  # nothing new: a's saved state is kept, two versions behind soon
    receive(b, HZ, "标识错误")
    receive(b, SZ)
    a.update_read_models(after_write=True)  # the kept state moved on through b's events
    assert positions(a) == {last(a)}
    assert_read_models_agree(a)
    a.execute("complaint receive", {"client": HZ, "complainant": "顾客", "subject": "发票错误"}, actor=ADMIN)
    assert positions(a) == {last(a)}
    assert_read_models_agree(a)


def test_a_save_that_fails_leaves_no_state_to_take(sqlite_url, monkeypatch):
    from ledger.app import CertLedger
    from ledger.bootstrap import bootstrap
    from projections import dispose

    app = bootstrap(sqlite_url)
    try:
        submit(app, HZ)
        assert "_saved_client" not in app.__dict__  # taken by execute's catch-up

        def refuse(self: Any, *objs: Any, **kwargs: Any) -> Any:
            raise OSError("disk full")

        monkeypatch.setattr(CertLedger, "save", refuse)
        with pytest.raises(OSError):
            receive(app, HZ)
        assert "_saved_client" not in app.__dict__
        monkeypatch.undo()
        app.execute("complaint receive", {"client": HZ, "complainant": "顾客", "subject": "交货延迟"}, actor=ADMIN)
        assert positions(app) == {last(app)}
        assert_read_models_agree(app)
    finally:
        dispose(app)
        app.close()
