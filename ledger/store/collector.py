"""Python's cyclic garbage collector tuned for bulk work on the store: an import's session and a
rebuild's workers (docs/decisions.md D16).

A full collection walks every object in the process. During an import a worker holds a session of
up to 2,000 clients (``ledger.app.SESSION_CLIENTS``), some hundred megabytes of small objects, and
the interpreter's default thresholds started a full collection every time a quarter as many new
objects had survived as were already old: 28 of them per worker in a 10,000-client import, about a
tenth of its CPU, and together they found no garbage at all (the ledger's objects form no reference
cycles; freeing them is reference counting's work). ``few_full_collections`` keeps the young
collections as they are, makes full ones rare, and freezes what was in memory before the work
began (modules, schemes, the application) out of every collection; both are undone after.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

THRESHOLD = (700, 10, 10_000)  # Python's defaults are (700, 10, 10): a full collection after 100x as many young ones


def tune() -> tuple[int, int, int]:
    """Freeze what is in memory now and make full collections rare, for the rest of this process
    (a worker that does nothing else) or until ``restore``; returns the thresholds it replaced."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*THRESHOLD)
    return old


def restore(old: tuple[int, int, int]) -> None:
    gc.set_threshold(*old)
    gc.unfreeze()


@contextlib.contextmanager
def few_full_collections() -> Iterator[None]:
    old = tune()
    try:
        yield
    finally:
        restore(old)
