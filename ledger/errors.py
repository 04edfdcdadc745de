"""The errors the ledger raises to its callers (the command line, an import, a script): a refusal by
a rule, naming the rule and what to change in Chinese and English (``RuleViolation``; ``NotFound``
for a reference that does not exist; ``DatabaseUnavailable`` when the database cannot serve), and
how to recognise a database that stayed busy beyond the wait. Callers import them from here, not
from the rooms that raise them (docs/architecture.md)."""

from __future__ import annotations

from aggregates.errors import NotFound, RuleViolation
from ledger.store.errors import DatabaseUnavailable, database_busy, lock_wait_exceeded, read_only_database, read_only_refusal

__all__ = ["DatabaseUnavailable", "NotFound", "RuleViolation", "database_busy", "lock_wait_exceeded", "read_only_database",
           "read_only_refusal"]
