"""Documents the body gives out about a client: each printed certificate recorded (001 §8.1, 004 §9),
with the SHA-256 of the file, the certificate's version printed (换证) and the status it stated.

An area of ``Client``: events as classes with ``apply``, stored as ``aggregates.client:Client.<Event>``
(docs/architecture.md, "A new event of an area").

The area's state is one JSON-shaped dict, ``certificate_prints`` (created by its first event, so the
``Registered`` event stays as it is): ``{"PR1": {"id", "number", "certificate_version", "as_of",
"sha256", "file_name", "on", "actor"}}``.

The rule of what may be printed lives here (``check_printable``): only a certificate that stands
valid on the day it is printed as of (001 §8.1; a suspended one may not be used at all, 001 §7.2.3;
a withdrawn, cancelled, expired or replaced one is no longer valid, 001 §7.5). The status itself
is the one derivation's (ledger.rules.certificate_status.certificate_status), given by the caller.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.policy.common import require

PRINT_RULE = "001 §8.1"
STATUS_RULES = {"suspended": "001 §7.2.3", "withdrawn": "001 §7.5", "cancelled": "001 §7.5", "expired": "001 §8.2",
                "replaced": "001 §7.5"}
STATUS_WORDS = {"valid": ("有效", "valid"), "suspended": ("暂停", "suspended"), "withdrawn": ("撤销", "withdrawn"),
                "cancelled": ("注销", "cancelled"), "expired": ("过期", "expired"), "replaced": ("已换发", "replaced")}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_printable(client: Any, *, number: str | None, status: str | None, as_of: date) -> dict[str, Any]:
    """The certificate to print: ``number`` (default: the current one), whose status on ``as_of`` is
    ``status`` (the one derivation's). Refused unless it is valid then, naming the status and the
    rule. Returns the certificate."""
    number = (number or "").strip() or client.current_certificate
    require(
        bool(number) and number in client.certificates, PRINT_RULE,
        f"{client.name} 没有编号为 {number or '（无）'} 的证书；现有证书：{'、'.join(client.certificates) or '无'}。"
        "请先颁发证书（certificate issue），或用 --number 给出其中之一。",
        f"{client.name} has no certificate {number or '(none)'}; its certificates: {', '.join(client.certificates) or 'none'}. "
        "Issue one first (certificate issue) or name one of them with --number.",
    )
    cert = client.certificates[number]
    require(
        status is not None, PRINT_RULE,
        f"证书 {number} 于 {cert['issued_on']} 颁发，{as_of} 尚未颁发，不能打印；请用 --as-of 给出颁发之后的日期。",
        f"Certificate {number} was issued on {cert['issued_on']}; on {as_of} it did not exist yet. Give --as-of on or after its issue.",
    )
    word = STATUS_WORDS.get(status or "", (status, status))
    require(
        status == "valid", STATUS_RULES.get(status or "", PRINT_RULE),
        f"证书 {number} 在 {as_of} 的状态为“{word[0]}”，不予打印：只有有效的证书才能作为证书交付和使用"
        f"（暂停期间不得以任何方式使用证书，001 §7.2.3；撤销、注销、过期的证书不得继续使用，001 §7.5）。"
        "要查询其状态，请用 certledger show 或公开的证书登记册（register publish）；如需打印证书在有效时的版本，请用 --as-of 给出当时的日期。",
        f"Certificate {number} is {word[1]} on {as_of}: it is not printed, only a valid certificate may be delivered and used "
        "(no use during a suspension, 001 §7.2.3; no further use of a withdrawn, cancelled or expired one, 001 §7.5). "
        "Its status is shown by certledger show and the public register (register publish); to print it as it stood "
        "while valid, give that day with --as-of.",
    )
    return cert


def check_print(client: Any, *, number: str, certificate_version: int, status: str | None, as_of: date, sha256: str,
                occurred_on: date) -> dict[str, Any]:
    """A print to record: the certificate printable on ``as_of`` (not after the day recorded), its
    version one it has had, the file's SHA-256 as 64 hex digits."""
    require(
        as_of <= occurred_on, PRINT_RULE,
        f"打印所依据的日期 {as_of} 晚于记录日期 {occurred_on}；证书只能按已发生的状态打印。",
        f"The date printed as of ({as_of}) is after the day recorded ({occurred_on}); a certificate is printed only as it stood.",
    )
    cert = check_printable(client, number=number, status=status, as_of=as_of)
    current = int(cert.get("version") or 1)
    require(
        1 <= certificate_version <= current, "004 §9.3 2)",
        f"证书 {number} 没有第 {certificate_version} 版（现为第 {current} 版）。",
        f"Certificate {number} has no version {certificate_version} (it is at version {current}).",
    )
    require(
        bool(_SHA256.match(sha256 or "")), PRINT_RULE,
        "打印文件的 SHA-256 应为 64 个小写十六进制字符。",
        "The printed file's SHA-256 must be 64 lower-case hexadecimal digits.",
    )
    return cert


class DocumentsArea:
    """Commands and events of this area (mixed into ``Client``)."""

    certificates: dict[str, dict[str, Any]]
    current_certificate: str | None
    name: str

    @property
    def certificate_prints(self) -> dict[str, dict[str, Any]]:
        """Every recorded print of a certificate, by id (PR1, PR2...)."""
        return self.__dict__.get("certificate_prints") or {}

    def record_print(self, *, number: str, certificate_version: int, status: str | None, as_of: date, sha256: str,
                     file_name: str, actor: str, occurred_on: date) -> str:
        """A certificate printed as of ``as_of`` (its ``status`` then, by the one derivation), the
        file's SHA-256 and name. Returns the print's id."""
        check_print(self, number=number, certificate_version=certificate_version, status=status, as_of=as_of,
                    sha256=sha256, occurred_on=occurred_on)
        print_id = f"PR{len(self.certificate_prints) + 1}"
        self.trigger_event(self.CertificatePrinted, print_id=print_id, number=number,  # type: ignore[attr-defined]
                           certificate_version=certificate_version, as_of=as_of, sha256=sha256,
                           file_name=(file_name or "").strip(), actor=actor, occurred_on=occurred_on)
        return print_id

    class CertificatePrinted(AreaEvent):
        """A certificate printed (001 §8.1, 004 §9): the version printed, the day it states, the file's SHA-256."""

        print_id: str
        number: str
        certificate_version: int
        as_of: date
        sha256: str
        file_name: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            table = aggregate.__dict__.get("certificate_prints")
            if table is None:
                table = aggregate.__dict__["certificate_prints"] = {}
            table[self.print_id] = {
                "id": self.print_id, "number": self.number, "certificate_version": self.certificate_version,
                "as_of": self.as_of, "sha256": self.sha256, "file_name": self.file_name, "on": self.occurred_on,
                "actor": self.actor,
            }
