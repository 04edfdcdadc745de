"""JSON Lines import: one command per line, with the same names and fields as the CLI.

``{"command": "audit plan", "client": "9133...", "kind": "stage1", "member": ["王芳"], ...}``;
``actor`` may be given per line, else the importer's actor is used. Errors are data: each is
reported as ``FILE:LINE: message`` and the batch goes on (the failed line writes nothing), unless
the import is atomic, in which case any error means nothing at all is written.

An import with a ``source`` (``certledger import`` always has one: the file's name or
``--source``) can be run again: every line has an identity (``ledger.import_lines``: a ``line_id``
given in the line, or derived from the source, the line's bytes and its earlier copies), each
applied line's identity is recorded in the transaction of its events (``ledger/store/applied.py``),
and a line whose identity is recorded is skipped. So running the same file again after a crash, a
kill or refused lines applies exactly what is missing, once.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from aggregates.errors import RuleViolation
from ledger.import_lines import TooLong, given_key, identified, line_id_reused, parse, too_long
from ledger.store.collector import few_full_collections


@dataclass(frozen=True)
class LineError:
    line: int
    rule: str
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass
class ImportReport:
    lines: int = 0
    written: int = 0
    errors: list[LineError] = field(default_factory=list)
    atomic: bool = False
    skipped: int = 0  # lines applied before (by an earlier run of the same file): not run again
    source: str | None = None  # what the lines' identities were derived from (ledger.import_sources)
    source_how: str = ""  # how it was chosen: "given", "same file", "new name", "continued", "new import"

    @property
    def ok(self) -> bool:
        return not self.errors


def _execute(app: Any, data: dict[str, Any], default_actor: str | None) -> Any:
    data = dict(data)
    name = data.pop("command", None)
    if not name:
        raise RuleViolation("ledger: input format", "缺少字段 command（命令名，例如 \"audit plan\"）。", 'Missing field "command" (the command name, e.g. "audit plan").')
    actor = data.pop("actor", None)
    if actor is not None and not isinstance(actor, str):
        raise RuleViolation("ledger: input format", "字段 actor 应为文本（操作人姓名）。", 'Field "actor" must be text (the name of who records it).')
    return app.execute(str(name), data, actor=actor or default_actor)


CHUNK = 2000  # lines per transaction in a non-atomic import (CERTLEDGER_IMPORT_CHUNK sets another)
ENV_CHUNK = "CERTLEDGER_IMPORT_CHUNK"


def chunk_size() -> int:
    from ledger.config import positive_int_setting

    return positive_int_setting(ENV_CHUNK, CHUNK)


def events_per_transaction(events: int, lines: int) -> int:
    """Events an import's transaction holds on average (``CHUNK`` lines' worth), for ``events``
    written by ``lines`` lines: the batch of the benchmark's library-save baseline (D53)."""
    return max(1, round(CHUNK * events / max(1, lines)))


Progress = Callable[[int, int], None]  # (position reached, last position): the read models' progress


def import_file(app: Any, db: str | None, lines: Iterable[bytes], *, size: int, actor: str | None, atomic: bool = False,
                progress: Callable[[int], None] | None = None,
                read_model_bar: Callable[[int], contextlib.AbstractContextManager[Progress]] | None = None,
                source: str | None = None, name: str | None = None, on_wait: Callable[[], None] | None = None) -> ImportReport:
    """The one road for an import (``certledger import``): it chooses how to run the lines and
    brings the read models up to date.

    - A file of ``size`` bytes at or above ``PARALLEL_MIN_BYTES`` (not atomic) runs in worker
      processes dealt by client (``run_import_in_workers``, D13), which gather the read models'
      rows (``projections.gather``, D14); at the end those rows are installed if provably
      complete, else the read models are brought up to date from the log (caught up, or rebuilt
      when most of it is new).
    - Otherwise the lines run in this process (``run_import``) with a follower that keeps the read
      models current from the events each save returns (no read-back).

    ``progress`` sees the bytes of each line read; ``read_model_bar(last)`` gives the progress
    callback of the bulk update at the end. The events are saved before the read models are
    touched: a failure there is logged and left to the next command's catch-up. ``source`` names
    the lines' source (``certledger import``: the file's name or ``--source``): each line's
    identity is recorded with its events and a line applied before is skipped (see the module).
    Without a ``source``, ``name`` (the file's name, without its folder) and the file's content
    choose it: the import that file continues, or a new one (``ledger.import_sources``; ``lines``
    is then a binary file object, read twice). One import of a source runs at a time
    (``ledger.store.import_turn``, D56): another import of it holding the turn is waited for
    (``on_wait`` is told), then what it applied is skipped. SIGINT or SIGTERM stops the import and
    its workers: a refusal says how far it got and that running it again continues."""
    getattr(app, "refuse_if_read_only", lambda: None)()  # before anything (a standby, a SQLite ledger this user may not write)
    how = "given" if source is not None else ""
    if source is None and name is not None and hasattr(app.recorder, "import_files"):
        from ledger import import_sources

        lines = import_sources.seekable(lines)
        choice = import_sources.choose(app.recorder, name, import_sources.identify(lines))  # type: ignore[arg-type]
        source, how = choice.source, choice.how
    if source is None:
        report = _import(app, db, lines, size=size, actor=actor, atomic=atomic, progress=progress, read_model_bar=read_model_bar,
                         source=source)
    else:
        from ledger.import_signals import stoppable
        from ledger.store.import_turn import import_turn

        with stoppable(app, source), import_turn(app, source, on_wait):
            report = _import(app, db, lines, size=size, actor=actor, atomic=atomic, progress=progress,
                             read_model_bar=read_model_bar, source=source)
    report.source, report.source_how = source, how
    return report


def _import(app: Any, db: str | None, lines: Iterable[bytes], *, size: int, actor: str | None, atomic: bool,
            progress: Callable[[int], None] | None,
            read_model_bar: Callable[[int], contextlib.AbstractContextManager[Progress]] | None,
            source: str | None) -> ImportReport:
    workers = workers_for(size, atomic)
    if workers > 1:
        gathered = _gathered(app)  # opens (or creates) the ledger before the workers do
        from projections.gather import Gatherer

        report = run_import_in_workers(db, lines, actor=actor, workers=workers, progress=progress,
                                       gather=Gatherer if gathered else None, sink=gathered, source=source)
        if report.written:
            _after_workers(app, gathered, read_model_bar)
        return report
    follower = _follower(app)
    report = run_import(app, lines, actor=actor, atomic=atomic, progress=progress, on_saved=follower.saved if follower else None,
                        source=source)
    if follower:
        follower.finish()
    if report.written:
        app.update_read_models()
    return report


def _follower(app: Any) -> Any:
    """Read models kept current during the import from the events just saved (no read-back)."""
    from projections.runner import Follower

    try:
        return Follower(app)
    except RuleViolation:
        return None


def _gathered(app: Any) -> Any:
    """The read models' rows gathered by the import's workers (projections.gather), installed at the end."""
    from projections.gather import Gathered

    try:
        return Gathered(app)
    except RuleViolation:
        return None


def _after_workers(app: Any, gathered: Any, bar: Callable[[int], contextlib.AbstractContextManager[Progress]] | None) -> None:
    """After an import in workers, which did not follow its events: the gathered rows installed,
    or the read models brought up to date from the log (``projections.runner.bring_up_to_date``)."""
    from projections import runner

    try:
        with bar(app.recorder.max_notification_id() or 0) if bar else contextlib.nullcontext(None) as progress:
            if gathered is None or not gathered.install(progress=progress):
                runner.bring_up_to_date(app, progress=progress)
    except Exception:  # noqa: BLE001 - the events are saved; the next read catches up
        from ledger.logs import get_logger

        get_logger("certledger").warning("read models not caught up; the next read will", exc_info=True)


def run_import(app: Any, lines: Iterable[bytes], *, actor: str | None, atomic: bool = False,
               progress: Callable[[int], None] | None = None,
               on_saved: Callable[[list[Any]], None] | None = None, numbered: bool = False,
               on_leave: Callable[[Any], None] | None = None, source: str | None = None) -> ImportReport:
    """Run the lines as commands in one session: clients stay in memory between lines and the
    events are saved in transactions of ``CHUNK`` lines (atomic: one transaction, or none).
    ``progress`` is called with the byte length of each line read; ``on_saved`` with the
    recordings of each transaction once it is committed, e.g. ``projections.Follower(app).saved``
    to keep the read models current without reading back; ``on_leave`` with each client, as saved,
    when it leaves the session's memory (both are the session's hooks: ``CertLedger.session``).
    ``numbered``: ``lines`` gives ``ledger.import_lines.identified`` items (a worker's share of a file).

    With a ``source``, each applied line's identity is saved in the transaction of its events, and
    a line whose identity the ledger holds is skipped (looked up ``AHEAD`` lines at a time). A
    transaction refused as a whole (a concurrent writer changed one of its clients, or another
    import applied one of its lines) is run again line by line, each line in its own transaction
    on freshly loaded clients, so that only a line that is wrong or in genuine conflict fails."""
    report = ImportReport(atomic=atomic)
    recorder = app.recorder if source is not None and hasattr(app.recorder, "applied_lines") else None
    unsaved: list[_Line] = []  # lines run since the last save
    chunk = chunk_size()
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def fail(number: int, e: BaseException) -> None:
        report.errors.append(LineError(number, getattr(e, "rule", type(e).__name__), e.message_zh, e.message_en))  # type: ignore[attr-defined]

    def done_before(line: _Line, found: tuple[bytes, str, int] | None) -> bool:
        """Whether the line was applied before (skipped, or refused if its line_id names other content)."""
        if found is None:
            return False
        if found[0] != line.digest and line.line_id is not None:
            fail(line.number, line_id_reused(line.line_id, found[1], found[2]))
        else:
            report.skipped += 1
        return True

    def run(line: _Line) -> bool:
        try:
            _execute(app, line.data, actor)
        except RuleViolation as e:
            fail(line.number, e)
            return False
        except Exception as e:  # a library error that names the problem (calendar data...)
            if not hasattr(e, "message_zh"):
                raise
            fail(line.number, e)
            return False
        return True

    def save(lines_: list[_Line]) -> None:
        rows = [(x.key, x.digest if x.line_id is not None else None, source, x.number, x.line_id, stamp)
                for x in lines_ if x.key is not None] if recorder else []
        app.flush(**({"import_lines": rows} if rows else {}))

    def flush() -> None:
        if not unsaved:
            return
        pending = list(unsaved)
        unsaved.clear()
        try:
            save(pending)
        except RuleViolation:  # refused as a whole: nothing of it is written; again line by line
            report.written -= len(pending)
            for line in pending:
                one_by_one(line)

    def one_by_one(line: _Line) -> None:
        # a concurrent writer (another import of the same file, say) may commit to this line's client
        # again and again; giving up early would let the client's later lines be applied before this
        # one by the other writer, out of the file's order: so wait a little, longer each time
        for attempt in range(LINE_ATTEMPTS):
            if line.key is not None and recorder is not None and done_before(line, recorder.applied_lines([line.key]).get(line.key)):
                return
            if not run(line):
                return
            try:
                save([line])
            except RuleViolation as e:  # a concurrent writer again: reload and run it again
                if attempt == LINE_ATTEMPTS - 1:
                    fail(line.number, e)
                else:
                    time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            report.written += 1
            return

    def batch(items: list[_Line]) -> None:
        found: dict[bytes, tuple[bytes, str, int]] = {}
        if recorder is not None:
            found = recorder.applied_lines([x.key for x in items if x.key is not None])
            # lines run and not saved yet are not in the table: their line_ids are looked up here
            found.update((x.key, (x.digest, source, x.number)) for x in unsaved if x.line_id is not None)
        for line in items:
            if line.key is not None and recorder is not None:
                if done_before(line, found.get(line.key)):
                    continue
                if line.line_id is not None:
                    found[line.key] = (line.digest, source, line.number)
            if not run(line):
                continue
            report.written += 1
            unsaved.append(line)
            if not atomic and len(unsaved) >= chunk:
                flush()

    def each() -> None:
        items: list[_Line] = []
        for number, raw, digest, key in (lines if numbered else identified(lines, source)):
            if isinstance(raw, TooLong):
                if progress is not None:
                    progress(raw.length)
                report.lines += 1
                fail(number, too_long(raw))
                continue
            if progress is not None:
                progress(len(raw))
            if not raw.strip():
                continue
            report.lines += 1
            try:
                data, line_id = parse(raw)
            except RuleViolation as e:
                fail(number, e)
                continue
            if line_id is not None and digest is not None:
                key = given_key(line_id)
            items.append(_Line(number, data, digest, key, line_id))
            if len(items) >= AHEAD:
                batch(items)
                items = []
        if items:
            batch(items)

    class _Abort(Exception):
        pass

    try:
        with few_full_collections(), app.session(on_saved=on_saved, on_leave=on_leave):
            each()
            if atomic and report.errors:
                raise _Abort
            if atomic:  # a concurrent writer refuses the whole batch: raised, nothing written
                save(unsaved)
            else:
                flush()
    except _Abort:
        report.written = 0
    report.errors.sort(key=lambda x: x.line)
    return report


LINE_ATTEMPTS = 10  # a line refused by concurrent writes is run again this many times in all
AHEAD = 500  # lines parsed and looked up in the applied lines at a time


@dataclass(slots=True)
class _Line:
    number: int
    data: dict[str, Any]
    digest: bytes | None
    key: bytes | None  # the line's identity (None: not recorded)
    line_id: str | None


# ------------------------------------------------------------------------------ in worker processes

BATCH_LINES = 500  # lines per message to a worker
PARALLEL_MIN_BYTES = 4_000_000  # about 20,000 lines: below it, starting workers costs more than they save
MAX_WORKERS = 4
ENV_WORKERS = "CERTLEDGER_IMPORT_WORKERS"
_CLIENT = re.compile(rb'"client"\s*:\s*"([^"\\]*)"')


def workers_for(size: int, atomic: bool) -> int:
    """How many worker processes an import of ``size`` bytes uses (1: none, in this process).
    An atomic import is one transaction, so one process."""
    from ledger.config import positive_int_setting

    if atomic:
        return 1
    default = 1 if size < PARALLEL_MIN_BYTES else max(1, min(os.cpu_count() or 1, MAX_WORKERS))
    return positive_int_setting(ENV_WORKERS, default)


def worker_of(raw: bytes, workers: int) -> int:
    """Which worker runs a line: by its client, so that one client's lines run in one process, in
    the file's order. A line whose client cannot be read this way goes to worker 0, which reports
    what is wrong with it (and a line whose client is written unusually, say with escapes, at worst
    meets the other worker's save of that client and is refused as a concurrent write)."""
    m = _CLIENT.search(raw)
    return zlib.crc32(m.group(1).strip().upper()) % workers if m else 0


def run_import_in_workers(db: str | None, lines: Iterable[bytes], *, actor: str | None, workers: int,
                          progress: Callable[[int], None] | None = None, gather: Callable[..., Any] | None = None,
                          sink: Any = None, source: str | None = None) -> ImportReport:
    """A non-atomic import with the lines dealt to ``workers`` processes by client. Each worker opens
    the ledger ``db`` and runs its lines with ``run_import`` (its own session and transactions of
    ``CHUNK`` lines); this process reads the file and deals the lines. Clients are independent
    aggregates and each one's lines keep their order, so the result is the same as one process's;
    what differs is the order of different clients' events in the log. Workers are spawned (they
    share no connection with this process) and stop if this process dies. The read models are
    left to the caller: ``gather(app, send)``, an importable factory called in each worker,
    returns an object whose ``saved``/``left`` see the worker's saves and clients and whose
    ``finish()`` gives its summary; what it ``send``s and that summary reach ``sink.receive`` and
    ``sink.worker_done`` here (``projections.gather``); otherwise ``runner.bring_up_to_date``.
    The lines' identities (``source``) are derived here, in file order, and dealt with the lines;
    each worker records the lines it applies with their events, so a killed import run again
    applies what is missing whatever each worker had saved."""
    import multiprocessing
    import queue
    import threading

    ctx = multiprocessing.get_context("spawn")
    inboxes = [ctx.Queue(maxsize=8) for _ in range(workers)]
    outbox = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(db, actor, inboxes[k], outbox, os.getpid(), gather, source), daemon=True,
                         name=f"certledger-import-{k}") for k in range(workers)]
    from ledger.import_signals import sigint_ignored

    with sigint_ignored():  # each worker starts with SIGINT ignored: Ctrl-C is this process's to handle
        for proc in procs:
            proc.start()
    failure: list[BaseException] = []
    stopping = threading.Event()

    def deal() -> None:
        batches: list[list[Any]] = [[] for _ in range(workers)]
        try:
            for item in identified(lines, source):
                if stopping.is_set():
                    return
                raw = item[1]
                too_long_ = isinstance(raw, TooLong)
                if progress is not None:
                    progress(raw.length if too_long_ else len(raw))
                k = 0 if too_long_ else worker_of(raw, workers)
                batches[k].append(item)
                if len(batches[k]) >= BATCH_LINES:
                    _put(inboxes[k], batches[k], procs[k])
                    batches[k] = []
            for k in range(workers):
                if batches[k]:
                    _put(inboxes[k], batches[k], procs[k])
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            failure.append(e)
        finally:
            for k in range(workers):
                _put(inboxes[k], None, procs[k])

    dealer = threading.Thread(target=deal, name="certledger-import-dealer", daemon=True)
    dealer.start()
    report = ImportReport()
    results: list[tuple[Any, ...]] = []
    try:
        while len(results) < workers:
            try:
                message = outbox.get(timeout=0.5)
            except queue.Empty:
                if any(not p.is_alive() for p in procs) and outbox.empty():
                    finished = [p for p in procs if not p.is_alive()]
                    if len(finished) > len(results):  # a worker died without a word
                        raise RuntimeError(f"an import worker stopped unexpectedly (exit code {finished[0].exitcode})")
                continue
            if message[0] == "rows":  # gathered read-model rows, before that worker's result
                if sink is not None:
                    sink.receive(message[1])
            else:
                results.append(message)
    except BaseException:  # interrupted (SIGINT, SIGTERM) or a worker lost: stop the others, now
        stopping.set()
        for proc in procs:
            if proc.is_alive():
                proc.kill()  # a transaction in flight is rolled back, never half-written
        raise
    finally:
        for proc in procs:
            proc.join()
        dealer.join(timeout=5)
        for inbox in inboxes:  # lines a stopped worker never read: no thread waits at exit to write them
            inbox.cancel_join_thread()
            inbox.close()
        outbox.close()
    if failure:
        raise failure[0]
    for result in results:
        if result[0] == "refused":
            raise RuleViolation(*result[1:])
        if result[0] == "failed":
            raise RuntimeError(f"an import worker failed:\n{result[1]}")
        _, lines_, written, errors, gathered, skipped = result
        if sink is not None and gathered is not None:
            sink.worker_done(gathered)
        report.lines += lines_
        report.written += written
        report.skipped += skipped
        report.errors.extend(LineError(*e) for e in errors)
    report.errors.sort(key=lambda e: e.line)
    return report


def _put(inbox: Any, item: Any, proc: Any) -> None:
    """Put without blocking forever on a worker that died (its queue would never drain)."""
    import queue

    while proc.is_alive():
        with contextlib.suppress(queue.Full):
            inbox.put(item, timeout=0.5)
            return


def _die_with(parent: int) -> None:
    """Be killed the moment the importing process dies (Linux PR_SET_PDEATHSIG), so that a killed
    import stops writing at once: a transaction in flight is rolled back, never half-written. Where
    that is not available, the worker checks its parent between batches."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # died before the request took effect
        os._exit(1)


def _worker(db: str | None, actor: str | None, inbox: Any, outbox: Any, parent: int, gather: Callable[..., Any] | None,
            source: str | None = None) -> None:
    import queue
    import signal
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the importing process stops us
    _die_with(parent)

    def mine() -> Iterator[Any]:
        while True:
            try:
                batch = inbox.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the importing process died: stop, saving nothing more
                    os._exit(1)
                continue
            if batch is None:
                return
            if os.getppid() != parent:
                os._exit(1)
            yield from batch

    try:
        from ledger.bootstrap import bootstrap

        app = bootstrap(db, existing=True)
        gatherer = gather(app, lambda payload: outbox.put(("rows", payload))) if gather is not None else None
        report = run_import(app, mine(), actor=actor, numbered=True, on_saved=gatherer.saved if gatherer else None,
                            on_leave=gatherer.left if gatherer else None, source=source)
        outbox.put(("done", report.lines, report.written,
                    [(e.line, e.rule, e.message_zh, e.message_en) for e in report.errors],
                    gatherer.finish() if gatherer else None, report.skipped))
    except RuleViolation as e:
        outbox.put(("refused", e.rule, e.message_zh, e.message_en))
    except BaseException as e:  # noqa: BLE001 - sent to the importing process, which raises it
        from ledger.store.errors import database_busy, lock_wait_exceeded

        if lock_wait_exceeded(e):  # what this worker saved stands; the rest of its lines were not run
            busy = database_busy()
            outbox.put(("refused", busy.rule, busy.message_zh, busy.message_en))
        else:
            outbox.put(("failed", traceback.format_exc()))
