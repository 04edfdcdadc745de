"""The ledger's configuration, read from the environment in one place: where the ledger lives and
the settings of bulk work (docs: README, Configuration).

Where the ledger lives: the ``--db`` option, then ``CERTLEDGER_DB``, then the default SQLite file
``$XDG_DATA_HOME/certledger/ledger.sqlite`` (``~/.local/share/certledger/ledger.sqlite``); the forms
it may take are ledger.store.database's.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from aggregates.errors import RuleViolation
from ledger.store.database import Database, parse_database

ENV_DB = "CERTLEDGER_DB"
ENV_BUSY_TIMEOUT = "CERTLEDGER_SQLITE_BUSY_TIMEOUT"  # seconds a command waits for a busy SQLite ledger
ENV_MAX_UNCOVERED = "CERTLEDGER_MAX_UNCOVERED"  # the oldest event verify accepts without a checkpoint over it
DEFAULT_MAX_UNCOVERED = "2d"


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "certledger" / "ledger.sqlite"


def resolve_database(db: str | None = None) -> Database:
    """The ledger's database: ``db`` (the ``--db`` option), else ``CERTLEDGER_DB``, else the default
    SQLite file; with the SQLite busy timeout (``CERTLEDGER_SQLITE_BUSY_TIMEOUT``)."""
    raw = (db or os.environ.get(ENV_DB) or "").strip() or str(default_db_path())
    return parse_database(raw, busy_timeout=positive_int_setting(ENV_BUSY_TIMEOUT, 30))


def positive_int_setting(name: str, default: int) -> int:
    """A whole-number setting from the environment (``default`` when unset or empty); anything
    but a whole number of at least 1 is refused, naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise RuleViolation(
            "ledger: configuration",
            f"环境变量 {name} 的值“{raw}”无效：应为不小于 1 的整数；请改正或删除该变量（默认 {default}）。",
            f"Environment variable {name} is '{raw}': it must be a whole number of at least 1; correct it or unset it "
            f"(default {default}).",
        )
    return int(raw)


def parse_age(text: str) -> timedelta:
    """An age: a number with d (days), h (hours) or m (minutes); a bare number is days. Raises
    ValueError for anything else, or an age that is not positive."""
    text = str(text).strip().lower()
    unit = text[-1:] if text[-1:] in ("d", "h", "m") else "d"
    number = text[:-1] if text[-1:] in ("d", "h", "m") else text
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if not 0 < amount < 100_000:
        raise ValueError(f"{text!r} is not an age such as 7d, 36h or 90m")
    return timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})


def max_uncovered() -> timedelta:
    """How old an event may be with no signed checkpoint over it before ``verify`` fails with its own
    exit code (``CERTLEDGER_MAX_UNCOVERED``, default two days: a daily checkpoint and a margin)."""
    raw = os.environ.get(ENV_MAX_UNCOVERED, "").strip() or DEFAULT_MAX_UNCOVERED
    try:
        return parse_age(raw)
    except ValueError:
        raise RuleViolation(
            "ledger: configuration",
            f"环境变量 {ENV_MAX_UNCOVERED} 的值“{raw}”无效：应为 7d、36h 或 90m 这样的时长；请改正或删除该变量（默认 {DEFAULT_MAX_UNCOVERED}）。",
            f"Environment variable {ENV_MAX_UNCOVERED} is '{raw}': it must be an age such as 7d, 36h or 90m; correct it or "
            f"unset it (default {DEFAULT_MAX_UNCOVERED}).",
        ) from None


def is_service_url(url: str) -> bool:
    """Whether ``url`` can name a time-stamping authority or a witness: http(s)://host..."""
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


ENV_TSA_URL = "CERTLEDGER_TSA_URL"  # the time-stamping authority checkpoint asks for an RFC 3161 token
ENV_TSA_CERT = "CERTLEDGER_TSA_CERT"  # its certificate chain (PEM), to check each token on receipt
ENV_WITNESS_URL = "CERTLEDGER_WITNESS_URL"  # witnesses checkpoint asks to cosign, space-separated
ENV_WITNESS_KEY = "CERTLEDGER_WITNESS_KEY"  # their cosignature keys (vkey or file), in the same order


def attestation_settings(tsa_url: str | None, tsa_cert: str | None, witness_urls: tuple[str, ...],
                         witness_keys: tuple[str, ...]) -> tuple[str | None, str | None, list[tuple[str, str]]]:
    """Who ``checkpoint`` asks to attest its checkpoint: the options given, else the environment.
    Returns (TSA URL, TSA chain file, [(witness URL, witness key)]); a witness without its key (or a
    key without its witness) is refused, naming the options and variables."""
    tsa_url = tsa_url or os.environ.get(ENV_TSA_URL, "").strip() or None
    tsa_cert = tsa_cert or os.environ.get(ENV_TSA_CERT, "").strip() or None
    if not witness_urls and not witness_keys:
        witness_urls = tuple(os.environ.get(ENV_WITNESS_URL, "").split())
        witness_keys = tuple(os.environ.get(ENV_WITNESS_KEY, "").split())
    if len(witness_urls) != len(witness_keys):
        raise RuleViolation(
            "ledger: configuration",
            f"给出了 {len(witness_urls)} 个见证方地址、{len(witness_keys)} 个见证方公钥：每个 --witness（{ENV_WITNESS_URL}）须配一个 "
            f"--witness-key（{ENV_WITNESS_KEY}），按顺序对应。",
            f"{len(witness_urls)} witness URL(s) and {len(witness_keys)} witness key(s) were given: each --witness "
            f"({ENV_WITNESS_URL}) needs its --witness-key ({ENV_WITNESS_KEY}), in the same order.",
        )
    return tsa_url, tsa_cert, list(zip(witness_urls, witness_keys))


ENV_BODY_APPROVAL = "CERTLEDGER_BODY_APPROVAL"  # the body's approval number (认证机构批准号), e.g. CNCA-R-2021-123 (issue 17)


def body_approval(option: str | None = None) -> str | None:
    """The body's approval number: ``option`` (``report cnca --approval``), else
    ``CERTLEDGER_BODY_APPROVAL``, else None; upper-cased, letters, digits and hyphens only."""
    import re

    raw = (option if option is not None else os.environ.get(ENV_BODY_APPROVAL, "")).strip()
    if not raw:
        return None
    code = raw.upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{2,39}", code):
        where = "--approval" if option is not None else f"环境变量 {ENV_BODY_APPROVAL}"
        where_en = "--approval" if option is not None else f"environment variable {ENV_BODY_APPROVAL}"
        raise RuleViolation(
            "ledger: configuration",
            f"{where} 的认证机构批准号“{raw}”无效：应由字母、数字和连字符组成（3-40 个字符），例如 CNCA-R-2021-123。",
            f"The approval number '{raw}' of {where_en} is invalid: letters, digits and hyphens (3-40 characters), e.g. CNCA-R-2021-123.",
        )
    return code
