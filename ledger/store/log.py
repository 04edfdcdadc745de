"""The process's logs (the application's facade: ``ledger.logs``): structlog, configured once per
process, JSON lines on stderr when stderr is not a terminal, console rendering when it is. Context
(command, client, actor) is bound per command with contextvars. Logs never go to stdout, which
belongs to the command's output (``--json``). Here, below the read models and the application,
so that both log through it.

structlog itself is imported only when a line is written (D41): a command's usual lines are below
the level (WARNING unless ``CERTLEDGER_LOG_LEVEL`` says), and importing structlog costs a write
command about a fifth of its time. ``get_logger(name)`` gives a logger that drops a line below
the level at once; ``bind`` / ``reset`` keep the context in a ``ContextVar`` of this module, which
the configured processors merge into each line written (as ``structlog.contextvars`` did).
"""

from __future__ import annotations

import contextvars
import os
import sys
from typing import Any

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50, "FATAL": 50}
_configured = False
_structlog_ready = False
_threshold = 30
_level_name = "WARNING"
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("certledger_log_context", default=None)


def configure(level: str | None = None) -> None:
    """Fix the level (once per process); structlog is configured when the first line is written."""
    global _configured, _threshold, _level_name
    if _configured:
        return
    _level_name = (level or os.environ.get("CERTLEDGER_LOG_LEVEL") or "WARNING").upper()
    _threshold = _LEVELS.get(_level_name, 30)
    _configured = True


def _merge_context(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key, value in (_context.get() or {}).items():
        event_dict.setdefault(key, value)
    return event_dict


def _structlog() -> Any:
    global _structlog_ready
    import structlog

    if not _structlog_ready:
        renderer = (
            structlog.dev.ConsoleRenderer(colors=False)
            if sys.stderr.isatty()
            else structlog.processors.JSONRenderer(ensure_ascii=False)
        )
        structlog.configure(
            processors=[
                _merge_context,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                renderer,
            ],
            wrapper_class=structlog.make_filtering_bound_logger(_threshold),
            logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
            cache_logger_on_first_use=True,
        )
        _structlog_ready = True
    return structlog


class Logger:
    """A named logger that imports structlog only for a line at or above the configured level."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _emit(self, method: str, level: int, event: str, kw: dict[str, Any]) -> None:
        configure()
        if level < _threshold:
            return
        getattr(_structlog().get_logger(self.name), method)(event, **kw)

    def debug(self, event: str, **kw: Any) -> None:
        self._emit("debug", 10, event, kw)

    def info(self, event: str, **kw: Any) -> None:
        self._emit("info", 20, event, kw)

    def warning(self, event: str, **kw: Any) -> None:
        self._emit("warning", 30, event, kw)

    def error(self, event: str, **kw: Any) -> None:
        self._emit("error", 40, event, kw)

    def exception(self, event: str, **kw: Any) -> None:
        self._emit("exception", 40, event, kw)


def get_logger(name: str) -> Logger:
    return Logger(name)


def bind(**kw: Any) -> contextvars.Token[dict[str, Any] | None]:
    """Add keys to the context of every line written from here (``reset`` with the token undoes it)."""
    return _context.set({**(_context.get() or {}), **kw})


def reset(token: contextvars.Token[dict[str, Any] | None]) -> None:
    _context.reset(token)


def bind_command(command: str, actor: str | None) -> None:
    """Bind the command and actor to every log line of this invocation (the client is bound by the
    application when it loads one)."""
    configure()
    bind(command=command, actor=actor or "")
