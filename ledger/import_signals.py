"""An import's signals (D56): SIGINT (Ctrl-C) or SIGTERM stops it and its workers cleanly.

- ``stoppable``: in the main thread, SIGTERM raises ``Stopped`` as SIGINT raises
  ``KeyboardInterrupt``; the first one caught sets both signals to ignored until the import's
  cleanup (stopping and joining its workers, closing their queues, counting what was applied) is
  over, so that a second Ctrl-C or SIGTERM cannot break into it with a traceback or a hang. Every
  handler this replaced is put back at the end, whatever it was (``SIG_DFL`` where Python could
  not tell: a handler set from C).
- ``sigint_ignored``: around starting the workers, so that each starts with SIGINT ignored (an
  ignored signal is kept across ``exec``; a Ctrl-C in that moment is not seen: press it again).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator

from aggregates.errors import RuleViolation


class Stopped(BaseException):
    """SIGTERM during an import, raised like ``KeyboardInterrupt`` (SIGINT) so that both stop it the same way."""


def _restore(signum: int, previous: Any) -> None:
    signal.signal(signum, signal.SIG_DFL if previous is None else previous)


@contextlib.contextmanager
def stoppable(app: Any, source: str) -> Iterator[None]:
    """SIGINT or SIGTERM during the block: its workers are stopped (``run_import_in_workers``), what
    was saved stands (every transaction is whole: its lines and their events, or nothing) and the
    import ends with a refusal saying how far it got and that running it again continues."""
    if threading.current_thread() is not threading.main_thread():
        try:
            yield
        except KeyboardInterrupt:
            raise interrupted(app, source) from None
        return

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # until the cleanup is over (the module's doc)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt if signum == signal.SIGINT else Stopped

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except (KeyboardInterrupt, Stopped):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a KeyboardInterrupt not from our handler
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise interrupted(app, source) from None
    finally:
        for signum, handler in previous.items():
            _restore(signum, handler)


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored for the block, in the main thread (the module's doc)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        _restore(signal.SIGINT, previous)


def interrupted(app: Any, source: str) -> RuleViolation:
    try:
        applied: int | None = app.recorder.applied_count(source)
    except Exception:  # noqa: BLE001 - the connection may have been cut by the signal: the count is left out
        applied = None
    zh = f"导入已中断（来源“{source}”）：已保存的记录完整保留"
    en = f"The import was interrupted (source '{source}'): what was saved stands"
    if applied is not None:
        zh += f"，此来源已有 {applied} 行写入账本"
        en += f", {applied} lines of this source are applied in the ledger"
    return RuleViolation("ledger: import interrupted",
                         zh + "；未保存的行未写入。重新运行同一命令即从中断处继续（已写入的行跳过，每行只写一次）。",
                         en + "; lines not saved were not written. Run the same command again to continue "
                         "(lines applied are skipped, each line is written once).")
