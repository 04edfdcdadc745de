"""The demo's documents (issue 12): one certificate printed (PDF/A, its QR code a signed status
statement; the print recorded), the public register published as a static signed page, with the
body's key that signs the day's checkpoint, and last month's report to the CNCA written and its
submission recorded (ledger/demo_trail.py calls this before it signs, so the checkpoint covers the
print's and the submission's events)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.demo_cast import ADMIN

BODY_NAME = "某某质量认证有限公司"  # the demo body's name on its certificates and register
APPROVAL = "CNCA-R-2021-123"  # the demo body's approval number (audit plan numbers in the CNCA report)


def print_and_publish(app: Any, folder: Path, signer: Any, uscc: str) -> dict[str, str]:
    """Print ``uscc``'s certificate to ``folder``/certificate.pdf and publish the register to
    ``folder``/register/; returns the paths (and the certificate's number and version)."""
    from ledger.documents.certificate import print_certificate
    from ledger.documents.register_site import publish

    printed = print_certificate(app, uscc, out=str(folder / "certificate.pdf"), as_of=None, number=None, signer=signer,
                                body=BODY_NAME, actor=ADMIN)
    site = publish(app, str(folder / "register"), signer=signer, body=BODY_NAME)
    report = monthly_report(app, folder)
    return {"certificate_pdf": printed["file"], "certificate_no": printed["number"], "certificate_version": str(printed["version"]),
            "register": site["folder"], "register_certificates": str(site["certificates"]), **report}


def monthly_report(app: Any, folder: Path) -> dict[str, str]:
    """The reports to the CNCA (市监认证函〔2021〕102号) of the year's months with something to report,
    each written to ``folder``/cnca/ and its submission recorded on the 8th of the month after (by the
    10th, as the regulator asks); returns the latest."""
    from datetime import timedelta

    from ledger import clock
    from ledger.cnca_report import build, write_workbook

    today = clock.today()
    (folder / "cnca").mkdir(exist_ok=True)
    first = (today - timedelta(days=365)).replace(day=1)
    latest: dict[str, str] = {}
    while first < today.replace(day=1):
        month = first.strftime("%Y-%m")
        following = (first + timedelta(days=32)).replace(day=1)
        report = build(app, month, APPROVAL)
        if any(report.rows.values()):
            path = folder / "cnca" / f"cnca-{month}.xlsx"
            rows = write_workbook(report, str(path))
            app.submit_report(month=month, reference=f"CNCA-RCPT-{month}", actor=ADMIN, on=min(following + timedelta(days=7), today))
            latest = {"cnca_report": str(path), "cnca_month": month, "cnca_rows": str(sum(rows.values()))}
        first = following
    return latest
