"""Read-model tables (``rm_*``) beside the event table, and the tracking table ``rm_tracking``.

Every read model is derived from the events and may be dropped at any time: ``certledger rebuild``
recreates it from the first event. Decimal scores are stored as their exact text (``"85.50"``),
never as floats; dates as SQL dates; structured values (sites, the show summary) as JSON text.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
)

metadata = MetaData()

USCC = 18  # characters of a 统一社会信用代码

tracking = Table(
    "rm_tracking", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),  # the last notification id applied
    Column("fingerprint", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

clients = Table(
    "rm_clients", metadata,
    Column("uscc", String(USCC), primary_key=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("scheme_id", String(64)),
    Column("certificate_no", String(64)),
    Column("certificate_status", String(16)),
    Column("grade", String(16)),
    Column("events", Integer, nullable=False),
    # What the status as of a day is derived from (ledger.rules.certificate_status.certificate_status).
    Column("certificate_issued_on", Date),
    Column("certificate_valid_until", Date),
    Column("certificate_status_changed_on", Date),
)

grades = Table(
    "rm_grades", metadata,
    Column("uscc", String(USCC), primary_key=True),
    Column("name", Text, nullable=False),
    Column("grade", String(16)),  # the grade in force: that of a valid or suspended certificate
    Column("grade_zh", Text),
    Column("grade_en", Text),
    Column("certificate_no", String(64)),
    Column("certificate_status", String(16)),
    Column("decision_id", String(16), nullable=False),  # the latest certification decision
    Column("decided_on", Date, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("scheme_id", String(64), nullable=False),
    Column("scheme_version", String(32), nullable=False),
    Column("score", String(32), nullable=False),
    Column("max_score", String(32), nullable=False),
    Column("percent", String(32)),
    Column("decision_grade", String(16)),
)

certificates = Table(
    "rm_certificates", metadata,
    Column("certification_id", String(96), primary_key=True),  # IAF: Certification Identity Number
    Column("certificate_no", String(64), nullable=False),
    Column("uscc", String(USCC), nullable=False),
    Column("name", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("current", Boolean, nullable=False),
    Column("grade", String(16)),
    Column("scheme_id", String(64), nullable=False),
    Column("scheme_version", String(32), nullable=False),
    Column("standard", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("sites", Text, nullable=False),  # JSON list of {"name", "address"}
    Column("original_issue_on", Date, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("status_changed_on", Date, nullable=False),
    Column("reported_on", Date),
    Column("version", Integer, nullable=False),  # the contents' version (换证), 1 until reissued
    Column("version_on", Date, nullable=False),  # the day that version was issued
    Index("rm_certificates_uscc", "uscc"),
    Index("rm_certificates_status", "status"),
)

open_nonconformities = Table(
    "rm_open_nonconformities", metadata,
    Column("uscc", String(USCC), primary_key=True),
    Column("nc_id", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("audit_id", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("clause", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("responded_on", Date),
    Column("actor", Text, nullable=False),
)

open_deadlines = Table(
    "rm_open_deadlines", metadata,
    Column("uscc", String(USCC), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("since", Date, nullable=False),
    Column("due", Date),  # None: a suspension until the licensing decision (001 §7.2.2)
    Column("row", Text, nullable=False),  # the whole row of ledger.rules.deadlines.client_deadlines, JSON
    Index("rm_open_deadlines_due", "due"),
)

audit_trail = Table(
    "rm_audit_trail", metadata,
    Column("position", BigInteger, primary_key=True),  # notification id
    Column("uscc", String(USCC), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("actor", Text),
    Column("occurred_on", Date),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("rm_audit_trail_uscc", "uscc", "version"),
    Index("rm_audit_trail_occurred_on", "occurred_on"),
)

client_summaries = Table(
    "rm_client_summaries", metadata,
    Column("uscc", String(USCC), primary_key=True),
    Column("events", Integer, nullable=False),
    Column("summary", Text, nullable=False),  # JSON of projections.summaries.client_summary
)
# PostgreSQL 14 or later built with lz4: the summary, written whole after every event of its client (110 kB
# for a client with 600 open complaints), compressed with lz4 rather than the default pglz: 0.5 against
# 1.2 ms of the server's CPU a write of that row (D64). Where lz4 is not there, the default stays.
event.listen(client_summaries, "after_create", DDL(
    "DO $$ BEGIN ALTER TABLE %(fullname)s ALTER COLUMN summary SET COMPRESSION lz4; "
    "EXCEPTION WHEN OTHERS THEN NULL; END $$").execute_if(dialect="postgresql"))


def table(key: "Table | str") -> Table:
    """A table given itself or its name (projections compute rows keyed by the table's name)."""
    return metadata.tables[key] if isinstance(key, str) else key
