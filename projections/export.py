"""The certificate register as CSV or JSON Lines, with IAF CertSearch column names and CNCA status words.

CSV is UTF-8 with a byte-order mark and CRLF line ends, which spreadsheet programs (Excel, WPS,
LibreOffice) need to recognise Chinese text without an import dialogue. Dates are ISO
(YYYY-MM-DD), which spreadsheets read as dates (IAF's upload template itself wants YYYYMMDD; an
upload is a separate step). JSON Lines is UTF-8 without a BOM, one certificate per line.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Any, Iterable

from aggregates.vocabulary import CERTIFICATE_STATUSES

# (column, how to get it from a register row). Names from the IAF CertSearch certification
# template where it has the field; from "Standard" on they are ours (marked in docs/read-models.md).
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("Certification Identity Number", lambda r: r["certification_id"]),
    ("Certificate Number", lambda r: r["certificate_no"]),
    ("Certification Status", lambda r: CERTIFICATE_STATUSES[r["status"]][0]),
    ("Certified Entity Unique ID", lambda r: r["uscc"]),
    ("Certified Entity Name", lambda r: r["name"]),
    ("Certification Scope", lambda r: r["scope"]),
    ("Certification Original Issue Date", lambda r: _day(r["original_issue_on"])),
    ("Certification Issue Date", lambda r: _day(r["issued_on"])),
    ("Certification Expiry Date", lambda r: _day(r["valid_until"])),
    ("Standard", lambda r: r["standard"]),
    ("Scheme", lambda r: r["scheme_id"]),
    ("Scheme Version", lambda r: r["scheme_version"]),
    ("Grade", lambda r: r["grade"] or ""),
    ("Certification Sites", lambda r: "；".join(f"{s['name']}：{s['address']}" for s in r["sites"])),
    ("Status Last Changed", lambda r: _day(r["status_changed_on"])),
    ("Certificate Version", lambda r: str(r.get("version") or 1)),
    ("Version Issue Date", lambda r: _day(r.get("version_on") or r["issued_on"])),
)
HEADER = [name for name, _ in COLUMNS]


def _day(d: Any) -> str:
    return "" if d is None else (d if isinstance(d, str) else d.isoformat())


def export_row(row: dict[str, Any]) -> dict[str, str]:
    return {name: get(row) for name, get in COLUMNS}


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write the header and rows; ``out`` is a text stream opened with newline="" (the BOM is
    written here, so open it as plain utf-8)."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    n = 0
    for row in rows:
        writer.writerow([_cell(get(row)) for _, get in COLUMNS])
        n += 1
    return n


def _cell(value: str) -> str:
    """A spreadsheet would run a cell starting with = + - @ (or a tab / carriage return) as a
    formula; such text (a name someone typed) is written with a leading apostrophe (OWASP CSV
    injection). Dates and numbers never start that way."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(export_row(row), ensure_ascii=False) + "\n")
        n += 1
    return n
