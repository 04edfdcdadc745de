"""structlog, configured once per process: JSON lines on stderr when stderr is not a terminal,
console rendering when it is. Context (command, client, actor) is bound per command with
contextvars. Logs never go to stdout, which belongs to the command's output (``--json``)."""

from __future__ import annotations

import logging
import os
import sys

_configured = False


def configure(level: str | None = None) -> None:
    global _configured
    if _configured:
        return
    import structlog

    level_name = (level or os.environ.get("CERTLEDGER_LOG_LEVEL") or "WARNING").upper()
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False)
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level_name, logging.WARNING)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    _configured = True


def bind_command(command: str, actor: str | None) -> None:
    """Bind the command and actor to every log line of this invocation (the client is bound by the
    application when it loads one)."""
    import structlog

    configure()
    structlog.contextvars.bind_contextvars(command=command, actor=actor or "")
