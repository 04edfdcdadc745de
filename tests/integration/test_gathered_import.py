"""Read models gathered by an import's workers (projections.gather), on SQLite and PostgreSQL: what
``install`` writes is row for row what a rebuild from the log writes, and it writes nothing (for the
log to decide) whenever it cannot prove its rows complete."""

from __future__ import annotations

from ledger.importer import run_import, run_import_in_workers
from projections.gather import Gathered, Gatherer
from tests.integration.test_parallel_import import lines
from tests.integration.test_projections import table_rows


def rebuilt_rows(app) -> dict:
    from projections import rebuild

    rebuild(app)
    return table_rows(app)


def positions(app) -> set[int]:
    from projections import engine_for
    from projections.registry import all_projections
    from projections.writer import tracked

    with engine_for(app).connect() as conn:
        return {pos for pos, _ in tracked(conn, [p.name for p in all_projections()]).values()}


def gather_in_process(app, data: list[bytes]) -> Gathered:
    """The workers' part run in this process: a Gatherer on the import's session, its batches
    handed to a Gathered as a worker's would be."""
    gathered = Gathered(app)
    gatherer = Gatherer(app, gathered.receive)
    report = run_import(app, data, actor="导入员", on_saved=gatherer.saved, on_leave=gatherer.left)
    assert report.ok
    gathered.worker_done(gatherer.finish())
    return gathered


def test_rows_gathered_by_two_workers_are_the_rows_a_rebuild_writes(app, db_url):
    data = lines()
    gathered = Gathered(app)
    report = run_import_in_workers(db_url, data, actor="导入员", workers=2, gather=Gatherer, sink=gathered)
    assert report.ok and report.written == len(data)
    assert gathered.events == app.event_count() and gathered.complete and gathered.batches > 0
    assert gathered.install() is True
    installed = table_rows(app)
    assert positions(app) == {app.recorder.max_notification_id()}
    assert installed["rm_audit_trail"] and installed["rm_clients"]
    assert installed == rebuilt_rows(app)


def test_a_ledger_with_read_models_gets_its_clients_rows_replaced(app):
    """Half the file first (read models current), then the rest gathered: clients of both halves
    have their earlier rows replaced, not doubled."""
    from projections import catch_up

    data = lines(6)
    half = len(data) // 2
    assert run_import(app, data[:half], actor="导入员").ok
    catch_up(app)
    gathered = gather_in_process(app, data[half:])
    assert gathered.start > 0
    assert gathered.install() is True
    assert table_rows(app) == rebuilt_rows(app)


def test_a_client_that_leaves_memory_and_comes_back_keeps_its_later_rows(app, monkeypatch):
    import ledger.app

    monkeypatch.setattr(ledger.app, "SESSION_CLIENTS", 1)  # every flush evicts all but one client
    monkeypatch.setenv("CERTLEDGER_IMPORT_CHUNK", "7")
    emitted: list[str] = []
    left = Gatherer.left

    def counting(self, client):
        before = len(self.out_clients)
        left(self, client)
        if len(self.out_clients) > before:
            emitted.append(client.uscc)

    monkeypatch.setattr(Gatherer, "left", counting)
    gathered = gather_in_process(app, lines(5))
    assert max(emitted.count(u) for u in emitted) > 2  # rows of one client sent several times
    assert gathered.install() is True
    assert table_rows(app) == rebuilt_rows(app)


def test_read_models_moved_by_another_process_meanwhile_are_left_to_the_log(app):
    from projections import catch_up
    from projections.runner import bring_up_to_date

    gathered = gather_in_process(app, lines(3))
    catch_up(app)  # say, a `show` during the import: it applied some of the import's events itself
    before = table_rows(app)
    assert gathered.install() is False
    assert table_rows(app) == before  # nothing written
    bring_up_to_date(app)
    assert table_rows(app) == rebuilt_rows(app)


def test_an_event_saved_by_another_writer_meanwhile_is_not_missed(app):
    from ledger.synthetic import uscc

    from projections.runner import bring_up_to_date

    gathered = gather_in_process(app, lines(3))
    app.receive_complaint(client=uscc(0, 5), complainant="某消费者", subject="证书使用", actor="王芳")
    assert gathered.install() is False  # the log has one event the workers did not save
    bring_up_to_date(app)
    assert table_rows(app) == rebuilt_rows(app)


def test_rows_missing_for_a_saved_client_make_the_gathering_incomplete(app):
    """A session whose clients never left it as saved (as when a refused save drops them): the
    gatherer has events without their client's rows, and says so."""
    gathered = Gathered(app)
    gatherer = Gatherer(app, gathered.receive)
    assert run_import(app, lines(2), actor="导入员", on_saved=gatherer.saved).ok  # no on_leave
    gathered.worker_done(gatherer.finish())
    assert gathered.complete is False
    assert gathered.install() is False
    assert positions(app) == {0}
