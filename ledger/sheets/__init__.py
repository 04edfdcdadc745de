"""Score sheets (.xlsx) the auditors fill in the field (issue 17, item 1; docs/sheets.md).

``layout.py`` says where everything is (one layout for the writer and the reader, built from the
scheme file and the business lines); ``write.py`` writes a template with XlsxWriter; ``read.py``
reads a filled workbook with python-calamine and checks its structure (sheet names, headers, rows,
merged cells and formulas); ``load.py`` turns its cells into ``score enter`` / ``score correct`` /
``score exclude`` commands and runs them through ``CertLedger.execute`` in one session: all or
nothing per workbook.
"""

from ledger.sheets.load import SheetReport, import_sheet
from ledger.sheets.write import write_template

__all__ = ["SheetReport", "import_sheet", "write_template"]
