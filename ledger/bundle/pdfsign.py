"""The report's PAdES signature (docs/inspection-bundle.md, "The report's signature"; D20).

The export signs report.pdf with the body's checkpoint key (Ed25519, the key whose public half the
inspector holds as ``--public-key``): a self-signed X.509 certificate is made for that key (subject
CN = the key's name, key usage digitalSignature and nonRepudiation) and the PDF gets one PAdES
baseline B-B signature (pyHanko, ``/SubFilter /ETSI.CAdES.detached``) as an incremental update.
Ed25519 in CMS digests the signed attributes with SHA-512 (RFC 8419), so the document digest is
SHA-512; pyHanko declares the ISO 32002 extension (EdDSA in PDF) in the catalogue.

``signature_problems`` checks a report against the inspector's key. The certificate travels in the
PDF, so it proves nothing by itself: its public key must be the inspector's key, byte for byte,
before it is made the one trust root of pyHanko's validation. The signature must then be the only
one, intact, cryptographically valid, trusted, and cover the entire file (nothing appended after
signing). Problems come back as (Chinese, English) sentences; a damaged PDF never raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # pragma: no cover
    from ledger.trail.note import Signer, Verifier

FIELD = "certledger"  # the signature field's name
DIGEST = "sha512"  # RFC 8419: with signed attributes, Ed25519 signs a SHA-512 message digest
NOT_AFTER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)  # RFC 5280 §4.1.2.5: no well-defined expiry
CN_MAX = 64  # RFC 5280 ub-common-name
REASON = "认证机构签署的检查包报告 / certledger inspection bundle report"
REPORT = "report.pdf"

Problem = tuple[str, str]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko imports DSA (a CryptographyDeprecationWarning) and logs what it finds wrong with a
    PDF: the findings are returned as problems instead, so neither reaches the user."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _private_key(signer: "Signer") -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(signer.seed)


def common_name(name: str) -> str:
    """The certificate's CN: the key's name (Chinese allowed), cut with "…" to the 64 bytes of UTF-8
    that ``cryptography`` allows (RFC 5280's ub-common-name; 21 Chinese characters fit whole)."""
    if len(name.encode()) <= CN_MAX:
        return name
    while len(name.encode()) > CN_MAX - len("…".encode()):
        name = name[:-1]
    return name + "…"


def certificate(signer: "Signer", when: datetime) -> bytes:
    """A self-signed certificate (DER) for the signer's Ed25519 key, valid from a day before
    ``when`` (clocks differ) with no expiry: it only carries the key, whose trust comes from the
    inspector's copy of the public key, and a bundle must verify for as long as it is kept. The
    serial number is derived from the key and ``when``, so the same export makes the same
    certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    key = _private_key(signer)
    public = key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    when = when.astimezone(timezone.utc).replace(microsecond=0)
    serial = int.from_bytes(hashlib.sha256(raw + when.isoformat().encode()).digest()[:16], "big") >> 1 | 1
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name(signer.name))])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public).serial_number(serial)
               .not_valid_before(when - timedelta(days=1)).not_valid_after(NOT_AFTER)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False))
    return builder.sign(key, None).public_bytes(serialization.Encoding.DER)


def sign_pdf(pdf: bytes, signer: "Signer", when: datetime) -> bytes:
    """``pdf`` with one PAdES B-B signature by ``signer`` (an incremental update)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    with _quiet():
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        cert = asn1_x509.Certificate.load(certificate(signer, when))
        key = asn1_keys.PrivateKeyInfo.load(_private_key(signer).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        cms = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore())  # the certificate once
        meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=SigSeedSubFilter.PADES, md_algorithm=DIGEST,
                                            name=signer.name, reason=REASON)
        out = signers.PdfSigner(meta, cms).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
        return bytes(out.getbuffer())


def _raw_ed25519(cert: Any) -> bytes | None:
    """The certificate's raw Ed25519 public key, or None if it holds another kind of key or is not
    self-signed by that key (a certificate changed after the export: its name, say)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    parsed = x509.load_der_x509_certificate(cert.dump())
    public = parsed.public_key()
    if not isinstance(public, Ed25519PublicKey):
        return None
    try:
        parsed.verify_directly_issued_by(parsed)
    except (ValueError, TypeError, InvalidSignature):
        return None
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signature_problems(pdf: bytes, verifier: "Verifier") -> list[Problem]:
    """What is wrong with the report's signature, checked against ``verifier`` (the body's key as
    the inspector holds it): [] if ``pdf`` carries exactly one signature, intact and valid, by a
    certificate for that very key, covering the entire file."""
    try:
        return _problems(pdf, verifier)
    except Exception as e:  # noqa: BLE001 - any failure on an untrusted PDF is a finding, not a crash
        return [(f"{REPORT} 的签名无法核验（{type(e).__name__}）：报告被改动或损坏。",
                 f"The signature of {REPORT} cannot be checked ({type(e).__name__}): the report was altered or is corrupt.")]


def _problems(pdf: bytes, verifier: "Verifier") -> list[Problem]:
    with _quiet():
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

        try:
            signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        except Exception as e:  # noqa: BLE001 - untrusted input
            return [(f"{REPORT} 无法作为已签名的 PDF 读取（{type(e).__name__}）：报告被改动或损坏。",
                     f"{REPORT} cannot be read as a signed PDF ({type(e).__name__}): the report was altered or is corrupt.")]
        if not signatures:
            return [(f"{REPORT} 没有签名：认证机构导出的报告都由其检查点密钥签名（PAdES），这份报告不是导出时的那份。",
                     f"{REPORT} is not signed: every report the body exports is signed with its checkpoint key (PAdES); this "
                     "is not the report as exported.")]
        if len(signatures) > 1:
            return [(f"{REPORT} 有 {len(signatures)} 个签名，导出的报告只有一个：签名后又被加签或改动。",
                     f"{REPORT} carries {len(signatures)} signatures; an exported report has one: it was signed again or "
                     "altered after signing.")]
        sig = signatures[0]
        try:
            cert = sig.signer_cert
            raw = _raw_ed25519(cert)
        except Exception as e:  # noqa: BLE001 - a damaged CMS blob
            return [(f"{REPORT} 的签名数据已损坏（{type(e).__name__}）：报告被改动。",
                     f"The signature data of {REPORT} is damaged ({type(e).__name__}): the report was altered.")]
        if raw != verifier.public_key:
            return [(f"{REPORT} 不是用认证机构的密钥 {verifier.name}（{verifier.key_id.hex()}）签名的：签名证书中的公钥是另一把密钥，"
                     "或证书不是由该密钥自签的（证书被改动），报告被替换或改动。",
                     f"{REPORT} is not signed with the body's key {verifier.name} ({verifier.key_id.hex()}): the signing "
                     "certificate holds another key, or is not self-signed by it (the certificate was altered); the report "
                     "was replaced or altered.")]
        # The certificate holds the inspector's key: it is the one trust anchor, and nothing is fetched.
        context = ValidationContext(trust_roots=[cert], allow_fetching=False)
        status = validate_pdf_signature(sig, context)
        problems: list[Problem] = []
        if not status.intact:
            problems.append((f"{REPORT} 在签名后被改动：签名所覆盖的内容与签名时不同。",
                             f"{REPORT} was changed after signing: the content the signature covers differs from what was signed."))
        elif not status.valid:
            problems.append((f"{REPORT} 的签名值无效：签名被改动或损坏。",
                             f"The signature value of {REPORT} does not verify: the signature was altered or is corrupt."))
        elif not status.trusted:
            problems.append((f"{REPORT} 的签名证书未通过校验（用途或有效期不符）。",
                             f"The signing certificate of {REPORT} does not validate (its key usage or validity)."))
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append((f"{REPORT} 在签名后被追加了内容（增量更新或文件尾之后的数据）：签名没有覆盖整个文件，可见内容可能已被替换。",
                             f"{REPORT} was appended to after signing (an incremental update, or data after its end): the "
                             "signature does not cover the whole file, and what it shows may have been replaced."))
        return problems
