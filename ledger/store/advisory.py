"""The namespaces of certledger's PostgreSQL advisory locks (issue 18 review, D52/D56/D60).

Every lock is taken in the two-integer form ``pg_advisory_lock(<namespace>, <key>)``, the key
``hashtext`` of a text or, for a client's write turn, a hash of the schema and the client's id
(``applied_pg.client_turn_key``); the namespace fixed per kind of lock: a key chosen by a user (an
import's ``--source``) can only ever meet keys of its own kind, never a write turn's or the catch-up's. A lock's shared and
exclusive takers use the same pair. (Locks taken with one integer, as the opening's, live apart:
PostgreSQL tells the two forms apart.) No psycopg here: SQLite ledgers import this too."""

from __future__ import annotations

WRITE_TURN = 0x434C0001  # retired: the whole ledger's write turn of D52's last point (earlier versions); not reused
CLIENT_TURN = 0x434C0005  # one client's write turn (applied_pg, D60: a command exclusive, every other save shared)
CATCH_UP = 0x434C0002  # the read models' quick catch-up after a write (projections/quick_pg.py)
IMPORT_TURN = 0x434C0003  # one import of a source at a time (ledger/store/import_turn.py)
READ_MODELS = 0x434C0004  # preparing the read models' tables (projections/db.py)
