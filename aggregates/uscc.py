"""统一社会信用代码 (Unified Social Credit Code, USCC), GB 32100-2015.

18 characters from a 31-character alphabet (digits and upper-case letters without I, O, S, V, Z):
position 1 registration authority, 2 organisation type, 3-8 administrative division (digits),
9-17 organisation code, 18 the check character computed over positions 1-17 with weights
3^(i-1) mod 31.
"""

from __future__ import annotations

import functools
import uuid

from aggregates.digests import uuid5  # not hashlib's SHA-1: OpenSSL's load at every start (D68)
from aggregates.errors import RuleViolation

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
RULE = "GB 32100-2015"

# The namespace under which a client's aggregate id is derived from its USCC (uuid5). Changing it
# would orphan every stored aggregate: it is part of the data format.
CLIENT_NAMESPACE = uuid.UUID("6f1d3c1e-1c2b-5d55-9a37-5c0e2f1b7a10")


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


@functools.lru_cache(maxsize=4096)
def normalise_uscc(raw: str) -> str:
    """Return the canonical (upper-case, trimmed) code, or raise RuleViolation saying what is wrong."""
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise RuleViolation(
            RULE,
            f"统一社会信用代码“{raw}”应为 18 位，实际为 {len(code)} 位；请核对营业执照上的代码。",
            f"USCC '{raw}' must have 18 characters, it has {len(code)}; check the code on the business licence.",
        )
    bad = [f"{i + 1}:{c}" for i, c in enumerate(code) if c not in _VALUE]
    if bad:
        raise RuleViolation(
            RULE,
            f"统一社会信用代码“{raw}”含有不允许的字符（位置:字符 {', '.join(bad)}）；"
            "只允许数字和除 I、O、S、V、Z 以外的大写字母。",
            f"USCC '{raw}' has characters that are not allowed (position:char {', '.join(bad)}); "
            "only digits and upper-case letters other than I, O, S, V, Z are allowed.",
        )
    if not code[2:8].isdigit():
        raise RuleViolation(
            RULE,
            f"统一社会信用代码“{raw}”第 3-8 位（登记管理机关行政区划码）应为数字。",
            f"USCC '{raw}': positions 3-8 (administrative division code) must be digits.",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise RuleViolation(
            RULE,
            f"统一社会信用代码“{raw}”校验码错误：第 18 位应为 {expected}，实际为 {code[17]}；"
            "请核对是否有抄写错误。",
            f"USCC '{raw}' fails its check character: position 18 should be {expected}, "
            f"it is {code[17]}; look for a typing error.",
        )
    return code


@functools.lru_cache(maxsize=4096)
def client_id_for(uscc: str) -> uuid.UUID:
    """The aggregate id of the client with this (valid) USCC: deterministic, so the code is the key."""
    return uuid5(CLIENT_NAMESPACE, normalise_uscc(uscc))


def make_uscc(body17: str) -> str:
    """Complete 17 characters with their check character (used by the demo and tests)."""
    return body17 + check_character(body17)
