"""A local RFC 3161 time-stamping authority on 127.0.0.1, for the demo and the tests: a body runs a
real authority (a TSA of its choosing, configured with ``CERTLEDGER_TSA_URL``); the demo, which has no
network, stands this one up so that its checkpoint is stamped as a real one would be.

``local_tsa(folder)`` creates a CA and a TSA certificate (extendedKeyUsage critical timeStamping)
with the ``cryptography`` package, writes an ``openssl ts`` configuration, and serves
``http://127.0.0.1:<ephemeral port>/`` from a thread: every POSTed TimeStampReq is answered by
``openssl ts -reply`` with a DER TimeStampResp (``Content-Type: application/timestamp-reply``).
It listens on 127.0.0.1 only and stops when the context manager exits.

It needs the ``openssl`` command (``openssl ts``). A test can make it misbehave by setting ``tsa.mode``:

``"reply"``          the normal answer (default);
``"http500"``        HTTP 500 with a text body;
``"garbage"``        HTTP 200 with bytes that are not a TimeStampResp;
``"rejection"``      a well-formed TimeStampResp with status rejection and no token;
``"stale"``          the response it gave to the previous request (other nonce, other imprint);
``"other_imprint"``  a signed response with the request's nonce but the imprint of other data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
MAX_QUERY_BYTES = 64 * 1024
# TimeStampResp { status PKIStatusInfo { status rejection(2) } }
REJECTION_DER = bytes.fromhex("3005300302 0102".replace(" ", ""))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certledger local TSA"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_ca(common_name: str = "certledger local CA") -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA key and certificate, valid from a day ago for a year."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_tsa_certificate(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
                         common_name: str = "certledger local TSA") -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A TSA key and certificate issued by the CA, with extendedKeyUsage critical timeStamping."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _config(folder: Path) -> str:
    return f"""\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class LocalTSA:
    """A running local TSA: its URL, certificates (PEM) and folder; ``mode`` changes its answers."""

    folder: Path
    url: str = ""
    ca_pem: bytes = b""
    tsa_pem: bytes = b""
    mode: str = "reply"
    requests: int = 0
    last_response: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def chain_pem(self) -> bytes:
        """The TSA certificate followed by its CA certificate."""
        return self.tsa_pem + self.ca_pem

    def reply(self, query: bytes) -> bytes:
        """The DER TimeStampResp ``openssl ts -reply`` gives for a DER TimeStampReq."""
        with self._lock:
            self.requests += 1
            qfile = self.folder / f"query-{self.requests}.tsq"
            rfile = self.folder / f"reply-{self.requests}.tsr"
            qfile.write_bytes(query)
            subprocess.run([OPENSSL, "ts", "-reply", "-queryfile", str(qfile), "-config", str(self.folder / "tsa.cnf"),
                            "-section", "tsa_config1", "-out", str(rfile)],
                           check=True, capture_output=True, timeout=30)
            return rfile.read_bytes()

    def answer(self, query: bytes) -> tuple[int, str, bytes]:
        """(HTTP status, content type, body) for a POSTed query, according to ``mode``."""
        if self.mode == "http500":
            return 500, "text/plain", b"internal error"
        if self.mode == "garbage":
            return 200, "application/timestamp-reply", b"<html>not a time stamp</html>"
        if self.mode == "rejection":
            return 200, "application/timestamp-reply", REJECTION_DER
        if self.mode == "stale" and self.last_response is not None:
            return 200, "application/timestamp-reply", self.last_response
        if self.mode == "other_imprint":
            from rfc3161_client import _rust

            digest = _rust.parse_timestamp_request(query).message_imprint.message
            other = hashlib.new({32: "sha256", 48: "sha384", 64: "sha512"}[len(digest)], b"other data").digest()
            if query.count(digest) != 1:
                raise ValueError("the imprint occurs more than once in the query")
            query = query.replace(digest, other)
        body = self.reply(query)
        self.last_response = body
        return 200, "application/timestamp-reply", body


class _Handler(http.server.BaseHTTPRequestHandler):
    tsa: LocalTSA

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_QUERY_BYTES:
            self.send_error(400, "bad length")
            return
        query = self.rfile.read(length)
        try:
            status, ctype, body = self.server.tsa.answer(query)  # type: ignore[attr-defined]
        except (ValueError, OSError, subprocess.SubprocessError) as exc:  # a broken query: say so, keep serving
            status, ctype, body = 400, "text/plain", f"cannot answer: {exc}".encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@contextmanager
def local_tsa(folder: Path) -> Iterator[LocalTSA]:
    """Create the CA, TSA certificate and openssl configuration in ``folder`` and serve on 127.0.0.1."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = make_ca()
    tsa_key, tsa_cert = make_tsa_certificate(ca_key, ca_cert)
    (folder / "ca.pem").write_bytes(_pem(ca_cert))
    (folder / "tsa.pem").write_bytes(_pem(tsa_cert))
    (folder / "tsa.key").write_bytes(_key_pem(tsa_key))
    (folder / "tsa.key").chmod(0o600)
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(_config(folder))
    tsa = LocalTSA(folder=folder, ca_pem=_pem(ca_cert), tsa_pem=_pem(tsa_cert))

    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    server.tsa = tsa  # type: ignore[attr-defined]
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="local-tsa", daemon=True)
    thread.start()
    try:
        yield tsa
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
