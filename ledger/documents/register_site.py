"""The public register as a static, signed site (docs/certificate.md, "The public register"):

- ``register.json``: every certificate's number, holder, USCC, status, grade and validity as of a
  day, as canonical JSON (keys sorted, no spaces, UTF-8), from the same read as ``certledger
  register`` (projections/read.py), so the statuses are the one derivation's;
- ``register.json.sig``: the body's Ed25519 signature over those exact bytes, as a C2SP
  signed-note signature line ``— <key name> <base64(key id || signature)>``;
- ``public-key.txt``: the body's public key (``certledger keys init``'s ``.pub``);
- ``index.html``: one self-contained page (no server, no external resource) with the three
  inlined, which verifies the signature in the browser (WebCrypto Ed25519) before it shows
  anything, and searches a certificate number or holder name (``index.html#q=...`` searches on
  opening).
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation

FORMAT = "certledger-register/v1"
DATA, SIGNATURE, PUBLIC_KEY, PAGE = "register.json", "register.json.sig", "public-key.txt", "index.html"
PLACEHOLDER = "/*REGISTER_DATA*/"
RULE = "001 §8.3 certificate information disclosure"


def register_data(rows: list[dict[str, Any]], *, as_of: date, body: str, published_at: datetime) -> bytes:
    """The register's data file: canonical JSON bytes."""
    from ledger.words import grade_word

    certificates = [{
        "number": r["certificate_no"], "name": r["name"], "uscc": r["uscc"], "status": r["status"],
        "grade": r.get("grade"), "grade_word": grade_word(r["scheme_id"], r["scheme_version"], r.get("grade")),
        "scheme": f"{r['scheme_id']} {r['scheme_version']}", "issued_on": str(r["issued_on"]),
        "valid_from": str(r["valid_from"]), "valid_until": str(r["valid_until"]),
        "original_issue_on": str(r["original_issue_on"]), "status_changed_on": str(r["status_changed_on"]),
    } for r in rows]
    certificates.sort(key=lambda c: c["number"])
    doc = {"format": FORMAT, "body": body, "as_of": as_of.isoformat(), "published_at": published_at.isoformat(timespec="seconds"),
           "certificates": certificates}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature_line(data: bytes, signer: Any) -> str:
    """``— <name> <base64(key id || Ed25519 signature over data)>``."""
    return f"\u2014 {signer.name} {base64.b64encode(signer.verifier.key_id + signer.sign(data)).decode()}\n"


def verify_signature(data: bytes, line: str, verifier: Any) -> None:
    """Refuses (RuleViolation) unless ``line`` is ``verifier``'s signature over ``data``."""
    import binascii

    head, _, b64 = line.strip().rpartition(" ")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if head != f"\u2014 {verifier.name}" or len(raw) != 68 or raw[:4] != verifier.key_id:
        raise RuleViolation(RULE, f"登记册的签名不是由 {verifier.name}（{verifier.key_id.hex()}）作出的，或格式不正确。",
                            f"The register's signature is not by {verifier.name} ({verifier.key_id.hex()}), or it is malformed.")
    if not verifier.verify(data, raw[4:]):
        raise RuleViolation(RULE, "登记册的签名无效：数据在签名后被改动。", "The register's signature does not verify: the data was changed after signing.")


def page(data: bytes, line: str, public_key: str) -> str:
    """The self-contained page with the data, its signature and the public key inlined."""
    template = resources.files("ledger.documents").joinpath("register.html").read_text(encoding="utf-8")
    embedded = json.dumps({"data": base64.b64encode(data).decode(), "signature": line.strip(), "public_key": public_key},
                          ensure_ascii=True).replace("</", "<\\/")
    return template.replace(PLACEHOLDER, embedded)


def publish(app: Any, out: str, *, signer: Any, body: str | None, as_of: date | None = None,
            published_at: datetime | None = None) -> dict[str, Any]:
    """Write the signed register into the folder ``out`` (created if missing). Returns the files and
    the number of certificates."""
    from ledger import clock
    from ledger.documents.certificate import body_name
    from projections import read

    today = clock.today()
    day = as_of or today
    if day > today:
        raise RuleViolation(RULE, f"--as-of {day} 晚于今天 {today}；登记册只能公布已发生的状态。",
                            f"--as-of {day} is after today ({today}); the register states only what has happened.")
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise RuleViolation(RULE, f"{folder} 已存在且不是目录；请用 --out 给出一个目录。", f"{folder} exists and is not a folder; give --out a folder.")
    rows = read.register(app, today=today, as_of=as_of if as_of and as_of < today else None)
    data = register_data(rows, as_of=day, body=body_name(body, signer), published_at=published_at or datetime.now().astimezone())
    line = signature_line(data, signer)
    public_key = signer.verifier.encode()
    folder.mkdir(parents=True, exist_ok=True)
    files = {DATA: data, SIGNATURE: line.encode("utf-8"), PUBLIC_KEY: (public_key + "\n").encode("utf-8"),
             PAGE: page(data, line, public_key).encode("utf-8")}
    for name, content in files.items():
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.replace(folder / name)
    return {"folder": str(folder), "files": list(files), "certificates": len(rows), "as_of": day.isoformat(),
            "key": f"{signer.name}+{signer.verifier.key_id.hex()}"}


def verify_site(out: str, verifier: Any) -> dict[str, Any]:
    """Check a published register offline (``certledger register verify``): register.json signed by
    ``verifier`` (register.json.sig), and the page's inlined data, signature and key the same.
    Returns what the register states; refuses (RuleViolation) naming the file and what is wrong."""
    folder = Path(out).expanduser()
    try:
        data = (folder / DATA).read_bytes()
        line = (folder / SIGNATURE).read_text(encoding="utf-8")
        html = (folder / PAGE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RuleViolation(RULE, f"无法读取 {getattr(e, 'filename', None) or folder}：{getattr(e, 'strerror', None) or e}；"
                            f"登记册目录应含 {DATA}、{SIGNATURE}、{PAGE}。",
                            f"Cannot read {getattr(e, 'filename', None) or folder}: {getattr(e, 'strerror', None) or e}; a register "
                            f"folder holds {DATA}, {SIGNATURE} and {PAGE}.") from None
    verify_signature(data, line, verifier)
    if page(data, line, verifier.encode()) != html:
        raise RuleViolation(RULE, f"{PAGE} 内嵌的数据、签名或公钥与 {DATA} 及其签名不一致（页面被改动，或不是这次发布的）。",
                            f"The data, signature or key inlined in {PAGE} differ from {DATA} and its signature (the page was "
                            "changed, or is from another publication).")
    doc = json.loads(data)
    return {"ok": True, "as_of": doc["as_of"], "body": doc["body"], "certificates": len(doc["certificates"]),
            "key": f"{verifier.name}+{verifier.key_id.hex()}"}
