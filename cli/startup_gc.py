"""The cyclic collector while a direct start imports the application (D65).

A command's imports make some 100,000 objects that live as long as the process (classes, functions,
their dictionaries); with the interpreter's thresholds its young collections walk them again and
again as they are made, and its full ones walk them all. ``pause`` (the console script,
cli/launch.py, before anything is imported) raises the threshold of the youngest generation, so
that the imports run with almost no collection; ``resume``, once the ledger is open
(cli/output.py ``Settings.app``), moves everything made so far out of the collector's way
(``gc.freeze``: the objects stay, only the collector no longer walks them) and gives the
thresholds back. A command that never opens the ledger (``show``'s fast road, ``demo``) keeps the
raised threshold to its end: it still collects, every ``START_THRESHOLD`` objects. Never for
``server`` (its forks would inherit it). A process that did not ``pause`` (the command server's
forks, tests) is left as it is.
"""

from __future__ import annotations

import gc

START_THRESHOLD = 100_000
_thresholds: tuple[int, ...] | None = None  # the interpreter's, while paused


def pause() -> None:
    global _thresholds
    if _thresholds is None and gc.isenabled():
        _thresholds = gc.get_threshold()
        gc.set_threshold(START_THRESHOLD, *_thresholds[1:])


def resume() -> None:
    global _thresholds
    if _thresholds is not None:
        gc.freeze()
        gc.set_threshold(*_thresholds)
        _thresholds = None
