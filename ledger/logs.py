"""The application's logs: structlog, configured once per process, JSON lines on stderr when stderr
is not a terminal, console rendering when it is; context (command, client, actor) bound per
command. Logs never go to stdout, which belongs to the command's output (``--json``).

The machinery lives in ``ledger.store.log`` (the read models' catch-up logs through it too, and
that room may not import this one): structlog is imported only when a line at or above the level
is written (D41)."""

from __future__ import annotations

from ledger.store.log import Logger, bind, bind_command, configure, get_logger, reset

__all__ = ["Logger", "bind", "bind_command", "configure", "get_logger", "reset"]
