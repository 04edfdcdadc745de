"""The certificate register as the IAF CertSearch upload workbook (.xlsx, issue 17 item 5), beside the
CSV and JSON Lines of projections/export.py: the same columns and rows, with the IAF status words
(Active, Suspended, Withdrawn, Cancelled, Expired: the English words of
``aggregates.vocabulary.CERTIFICATE_STATUSES``) and dates as YYYYMMDD text, as IAF's upload template
wants them. Written with XlsxWriter; every cell is text (a name someone typed is never a formula).
"""

from __future__ import annotations

from typing import Any, Iterable

from aggregates.vocabulary import CERTIFICATE_STATUSES
from projections.export import COLUMNS, HEADER

SHEET = "Certifications"  # the upload sheet's name (inferred; docs/read-models.md)
STATUS = "Certification Status"
DATES = ("Certification Original Issue Date", "Certification Issue Date", "Certification Expiry Date", "Status Last Changed",
         "Version Issue Date")


def iaf_row(row: dict[str, Any]) -> list[str]:
    """One register row as the upload's cells: the IAF status word, dates YYYYMMDD."""
    out = []
    for name, get in COLUMNS:
        value = get(row)
        if name == STATUS:
            value = CERTIFICATE_STATUSES[row["status"]][1]
        elif name in DATES:
            value = value.replace("-", "")
        out.append(value)
    return out


def write_xlsx(rows: Iterable[dict[str, Any]], path: str) -> int:
    """Write the header and one row per certificate to the workbook ``path``; returns the number of certificates."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(SHEET)
    head = wb.add_format({"bold": True})
    ws.write_row(0, 0, HEADER, head)
    ws.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(rows, start=1):
        for j, value in enumerate(iaf_row(row)):
            ws.write_string(n, j, value)
    for j, name in enumerate(HEADER):
        ws.set_column(j, j, max(12, min(40, len(name) + 2)))
    wb.close()
    return n
