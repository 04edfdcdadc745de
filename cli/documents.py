"""Documents the body gives out (issue 17): ``certificate print``, ``certificate verify-statement``
and ``register publish``. Parse, call the ledger (ledger/documents/), render."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from cli.output import DateParam, common_options, emit, refusals, settings

KEY_HELP = "The body's signing key file (default: $CERTLEDGER_KEY or signing.key beside the default ledger)."
BODY_HELP = "The body's name printed as issuer (001 §8.1 e; default: $CERTLEDGER_BODY, else the signing key's name)."


@click.command("print")
@click.option("--client", required=True, metavar="USCC", help="The client's USCC (统一社会信用代码).")
@click.option("--out", metavar="FILE.pdf", help="The PDF to write (default: certificate-<number>-v<version>.pdf here).")
@click.option("--as-of", "as_of", type=DateParam(), help="Print the certificate as it stood on this business date (default: today).")
@click.option("--number", metavar="NUMBER", help="The certificate's number (default: the client's current certificate).")
@click.option("--key", "key", metavar="PATH", help=KEY_HELP)
@click.option("--body", metavar="NAME", help=BODY_HELP)
@common_options
def print_certificate(client: str, out: str | None, as_of: date | None, number: str | None, key: str | None, body: str | None) -> None:
    """Print the certificate as a PDF/A document in Chinese (证书打印, 001 §8.1), with a QR code
    holding a signed statement of its status; the print is recorded on the client with the file's
    SHA-256. Only a certificate valid on the day printed as of is printed."""
    from ledger.documents.certificate import print_certificate as run
    from ledger.trail.keys import load_signer

    s = settings()
    with refusals():
        result = run(s.app(existing=True), client, out=out, as_of=as_of, number=number, signer=load_signer(key),
                     body=body, actor=s.actor)
    emit(result, lambda st: st.t(
        f"证书已打印：{result['number']} 第 {result['version']} 版（截至 {result['as_of']}）→ {result['file']}\n"
        f"  打印记录 {result['print']}，SHA-256 {result['sha256']}",
        f"Certificate printed: {result['number']} version {result['version']} (as of {result['as_of']}) → {result['file']}\n"
        f"  print {result['print']}, SHA-256 {result['sha256']}"))


@click.command("verify-statement")
@click.argument("text", required=False)
@click.option("--file", "path", metavar="FILE", help="Read the statement from FILE ('-': standard input), e.g. a QR scan saved as text.")
@click.option("--public-key", required=True, metavar="KEY|FILE", help="The body's public key (name+id+base64) or its file (keys init's .pub).")
@common_options
def verify_statement(text: str | None, path: str | None, public_key: str) -> None:
    """Verify a certificate status statement (the QR code's text) offline with the body's public
    key: exit 0 and its contents when it verifies, exit 1 with the reason when it does not."""
    from ledger.documents.statement import RULE, verify
    from ledger.errors import RuleViolation
    from ledger.trail.keys import load_verifier
    from ledger.words import word

    with refusals():
        if (text is None) == (path is None):
            raise RuleViolation(RULE, "请给出声明的文本，或用 --file 给出其文件（二者选一）。",
                                "Give the statement's text, or its file with --file (one of them).")
        if path is not None:
            try:
                text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
            except (OSError, UnicodeDecodeError) as e:
                raise RuleViolation(RULE, f"无法读取声明文件 {path}：{getattr(e, 'strerror', None) or e}。",
                                    f"Cannot read the statement file {path}: {getattr(e, 'strerror', None) or e}.") from None
        statement = verify(str(text), load_verifier(public_key))
    data: dict[str, Any] = {"ok": True, **statement.to_dict()}

    def render(st: Any) -> str:
        status = word("certificate_status", statement.status, st.lang)
        return st.t(
            f"证书状态声明已验证：证书 {statement.number}（{statement.uscc}）截至 {statement.as_of} 的状态为{status}，"
            f"等级 {statement.grade or '—'}，有效期至 {statement.valid_until}。当前状态请查询证书登记册。",
            f"Statement verified: certificate {statement.number} ({statement.uscc}) was {status} as of {statement.as_of}, "
            f"grade {statement.grade or '—'}, valid until {statement.valid_until}. Check the register for its status now.")

    emit(data, render)


@click.command("publish")
@click.option("--out", required=True, metavar="DIR", help="The folder to write the register into (created if missing).")
@click.option("--as-of", "as_of", type=DateParam(), help="The register as of this business date (default: today).")
@click.option("--key", "key", metavar="PATH", help=KEY_HELP)
@click.option("--body", metavar="NAME", help=BODY_HELP)
@common_options
def publish(out: str, as_of: date | None, key: str | None, body: str | None) -> None:
    """Publish the register as a static, signed site: register.json, its signature, the public key
    and one self-contained index.html that verifies the signature and searches it in the browser."""
    from ledger.documents.register_site import publish as run
    from ledger.trail.keys import load_signer

    s = settings()
    with refusals():
        result = run(s.app(existing=True), out, signer=load_signer(key), body=body, as_of=as_of)
    emit(result, lambda st: st.t(
        f"登记册已发布：{result['certificates']} 张证书（截至 {result['as_of']}，签名密钥 {result['key']}）→ {result['folder']}/index.html",
        f"Register published: {result['certificates']} certificates (as of {result['as_of']}, key {result['key']}) → {result['folder']}/index.html"))


@click.command("verify")
@click.argument("folder", metavar="DIR")
@click.option("--public-key", required=True, metavar="KEY|FILE", help="The body's public key (name+id+base64) or its file (keys init's .pub).")
@common_options
def verify_register(folder: str, public_key: str) -> None:
    """Check a published register offline: register.json signed by the body's key, and the page's
    inlined data the same; exit 1 naming what is wrong."""
    from ledger.documents.register_site import verify_site
    from ledger.trail.keys import load_verifier

    with refusals():
        result = verify_site(folder, load_verifier(public_key))
    emit(result, lambda st: st.t(
        f"登记册已验证：{result['body']}，{result['certificates']} 张证书，截至 {result['as_of']}，签名密钥 {result['key']}。",
        f"Register verified: {result['body']}, {result['certificates']} certificates as of {result['as_of']}, key {result['key']}."))
