"""Commands of the documents the body gives out: each a method decorated with ``@command("group verb")``
(see ledger/handlers.py). ``certificate print`` is not in the catalogue (ledger/commands.py): it
writes a file, so it is run by ledger/documents/certificate.py (``print_certificate``), which
builds the PDF and records it through this command; an import line cannot print.

The certificate's status on the day printed is the one derivation's
(ledger.rules.certificate_status.certificate_status), computed here and checked by the aggregate
(aggregates/documents.py, ``check_printable``)."""

from __future__ import annotations

from datetime import date

from aggregates.client import Client
from ledger.acts import Act, Step, command
from ledger.rules.certificate_status import certificate_status


def status_on(c: Client, number: str | None, day: date) -> str | None:
    """The status of certificate ``number`` (default: the current one) on ``day``, or None when the
    client has no such certificate or it was not issued yet."""
    cert = c.certificates.get((number or "").strip() or (c.current_certificate or ""))
    return certificate_status(cert, day, c.suspensions) if cert is not None else None


class DocumentHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py)."""

    @command("certificate print")
    def record_certificate_print(self, act: Act, *, number: str, certificate_version: int, as_of: date, sha256: str,
                                 file_name: str = "") -> Step:
        """A certificate printed as of ``as_of``: its version and the file's SHA-256 (001 §8.1)."""
        return lambda c: c.record_print(number=number, certificate_version=certificate_version,
                                        status=status_on(c, number, as_of), as_of=as_of, sha256=sha256,
                                        file_name=file_name, **act.recorded)
