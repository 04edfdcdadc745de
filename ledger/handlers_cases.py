"""Commands of complaints and appeals beyond their first steps: each a method decorated with ``@command("group verb")`` (see
ledger/handlers.py) with its entry in ledger/commands.py; rules that need the calendar or a procedure
run here, from ledger/rules/, before the aggregate's command."""

from __future__ import annotations


class CaseHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py)."""
