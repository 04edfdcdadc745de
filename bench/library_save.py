"""The library's own batched save of a ledger's events: the baseline of the import's figure (issue 18, item 8).

The events an import wrote are read back from its ledger, decoded with the ledger's mapper, and saved
again with eventsourcing's ``Application.save(*events)`` into a fresh ledger of the same kind: the
same persistence module and settings (``backend.eventsourcing_env()``: SQLite's WAL as the library
sets it, the same tables) but the library's own application recorder, not this project's
(``library_env``: without ``APPLICATION_RECORDER_TOPIC``, so no write turn around each save on SQLite
and no pipelined commit with the catch-up probe on PostgreSQL), and the ledger's transcoder and
mapper, so the stored rows come out the same bytes. No command, no rule, no read
model, no import-line bookkeeping: one ``save`` per batch of as many events as the import's
transactions hold (``CHUNK`` lines' worth), one transaction each.

It runs in a fresh process, like the import: interpreter start-up, the imports (eventsourcing, the
ledger's event classes and codec) and opening (creating) the fresh ledger count, as they do for
``certledger import``. What the import never does is taken out: opening the source ledger, reading
its rows and decoding them into events (measured in the process, around each read, and subtracted
from the process's wall time). The events are read and saved a batch at a time, so memory stays flat.

    python -m bench.library_save SOURCE TARGET BATCH     # prints one JSON object (the child's side)
    run(source, target, batch, env)                      # the parent's side: that process, timed
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(source: str, target: str, batch: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Save the events of the ledger ``source`` again, ``batch`` at a time, into the fresh ledger
    ``target`` (a SQLite path or a PostgreSQL URL, as ``--db`` takes them), in a fresh process.

    ``seconds``: the process's wall time less its reading and decoding (``prep_s``), so start-up,
    imports, opening the ledger and the saves; ``events_per_s`` from it. ``save_s``: the saves alone.
    ``cpu_s``: the process's CPU time less the CPU of its reading and decoding."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.library_save", source, target, str(batch)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
        raise SystemExit(f"bench.library_save exited {proc.returncode}")
    child = json.loads(out.decode().strip().splitlines()[-1])
    seconds = wall - child["prep_s"]
    return {**child, "wall_s": wall, "seconds": seconds, "events_per_s": child["events"] / seconds if seconds > 0 else 0.0,
            "save_only_per_s": child["events"] / child["save_s"] if child["save_s"] > 0 else 0.0}


def _library_ledger(db: str, existing: bool) -> Any:
    """The library's plain ``Application`` on the ledger ``db``, with the ledger's persistence
    settings, transcoder and mapper (no commands, no rules, no read models, no trail)."""
    from eventsourcing.application import Application
    from eventsourcing.persistence import JSONTranscoder

    from ledger.config import resolve_database
    from ledger.store import codec

    class LibraryLedger(Application[Any]):
        name = "certledger"  # as CertLedger: the same environment prefix

        def register_transcodings(self, transcoder: JSONTranscoder) -> None:
            super().register_transcodings(transcoder)
            codec.register_transcodings(transcoder)

        def construct_mapper(self) -> Any:
            return codec.construct_mapper(self)

    backend = resolve_database(db).backend()
    with backend.prepare(existing):
        return LibraryLedger(env=library_env(backend.eventsourcing_env()))


def library_env(env: dict[str, str]) -> dict[str, str]:
    """The ledger's settings less this project's own: the library's plain application recorder (its
    own batched save: not ``SqliteTurnRecorder``'s flock around each save, not
    ``PostgresLinesRecorder``'s pipelined commit and catch-up probe) and no mark of ours; the
    persistence module, database, pool, lock timeout and table settings stay (SQLite's WAL is the
    library's own; the ledger sets no other pragma on the event store's connection)."""
    return {k: v for k, v in env.items() if k != "APPLICATION_RECORDER_TOPIC" and not k.startswith("CERTLEDGER_")}


def child(source: str, target: str, batch: int) -> dict[str, Any]:
    """The process's work: returns the events saved, the seconds (wall and CPU) of reading and
    decoding (``prep_s``, ``prep_cpu_s``), of the saves alone (``save_s``) and of opening the target."""
    import resource

    from ledger.store import codec

    codec.event_topics()  # the event classes imported now: start-up, as for the import

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    prep = prep_cpu = save = 0.0
    t, c = time.perf_counter(), cpu()
    src = _library_ledger(source, existing=True)
    prep, prep_cpu = time.perf_counter() - t, cpu() - c
    t = time.perf_counter()
    dst = _library_ledger(target, existing=False)
    open_s = time.perf_counter() - t
    events = 0
    start = 1
    try:
        while True:
            t, c = time.perf_counter(), cpu()
            page = src.recorder.select_notifications(start, batch)
            decoded = [src.mapper.to_domain_event(n) for n in page]
            prep += time.perf_counter() - t
            prep_cpu += cpu() - c
            if not page:
                break
            t = time.perf_counter()
            dst.save(*decoded)
            save += time.perf_counter() - t
            events += len(decoded)
            start = page[-1].id + 1
    finally:
        src.close()
        dst.close()
    return {"events": events, "batch": batch, "prep_s": prep, "prep_cpu_s": prep_cpu, "save_s": save, "open_s": open_s,
            "cpu_s": cpu() - prep_cpu, "recorder": type(dst.recorder).__name__}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        sys.stderr.write("usage: python -m bench.library_save SOURCE TARGET BATCH\n")
        return 2
    print(json.dumps(child(args[0], args[1], int(args[2]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
