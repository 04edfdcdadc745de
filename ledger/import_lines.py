"""An import's lines before they run: read with a bounded length, a UTF-8 byte-order mark accepted at
the start of the file, each given its identity, and parsed into one command's fields (README,
"Import"; D-import-lines in docs/decisions.md).

A line's identity (the first 16 bytes of a SHA-256) is

- given: ``{"line_id": "...", ...}`` — 1 to 128 characters, none of them a control character;
  the same ``line_id`` is the same line in the whole ledger, whatever the file. ``line_id``, not
  ``id``: ``certificate report-act`` and ``certificate publish`` have a field ``id`` of their own.
- else derived from the import's source (``--source``, or chosen from the file's name and content
  by ``ledger.import_sources``), the SHA-256 of
  the line's bytes (without the whitespace at either end) and the number of lines with the same
  bytes earlier in the file. Editing, inserting, deleting or moving other lines changes no other
  line's identity (only deleting an earlier exact copy of a line renumbers its later copies).

The ledger records each applied line's identity in the transaction of its events
(``ledger/store/applied.py``); ``ledger.importer`` skips a line whose identity is recorded.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from array import array
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Iterator

from aggregates.errors import RuleViolation

MAX_LINE_BYTES = 1_000_000  # a longer line is refused alone (the longest command is a few kilobytes)
MAX_DEPTH = 16  # JSON nesting a line may have (a command's fields go three levels deep at most)
MAX_LINE_ID = 128  # characters of a given line_id
BOM = b"\xef\xbb\xbf"
KEY_BYTES = 16  # an identity is the first 128 bits of its SHA-256: a collision among 10^9 lines has odds of about 10^-21
FORMAT = "ledger: input format"

Item = tuple[int, "bytes | TooLong", "bytes | None", "bytes | None"]  # number, line, digest, derived identity


@dataclass(frozen=True)
class TooLong:
    """A line over ``MAX_LINE_BYTES``, not kept: its length only."""

    length: int


def read(lines: Iterable[bytes]) -> Iterator["bytes | TooLong"]:
    """The lines of a file object (read with a bounded length: a line of a gigabyte is not held in
    memory) or of any iterable of bytes."""
    readline = getattr(lines, "readline", None)
    if readline is None:
        for raw in lines:
            yield TooLong(len(raw)) if len(raw) > MAX_LINE_BYTES else raw
        return
    while raw := readline(MAX_LINE_BYTES + 1):
        if len(raw) <= MAX_LINE_BYTES:
            yield raw
            continue
        length = len(raw)
        while not raw.endswith(b"\n") and (raw := readline(1 << 20)):
            length += len(raw)
        yield TooLong(length)


class _Seen:
    """A set of non-zero 64-bit numbers in one flat array (open addressing, at most half full): 16 to
    32 bytes a line where a Python set of ints takes about 70 (a 540,000-line file: 17 MB, not 38)."""

    def __init__(self) -> None:
        self.slots = array("Q", bytes(8 * 1024))
        self.used = 0

    def add(self, x: int) -> bool:
        """Add ``x``; False if it was there already."""
        slots = self.slots
        mask = len(slots) - 1
        i = x & mask
        while (v := slots[i]) != 0:
            if v == x:
                return False
            i = (i + 1) & mask
        slots[i] = x
        self.used += 1
        if self.used * 2 > mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self.slots
        self.slots = array("Q", bytes(16 * len(old)))
        self.used = 0
        for x in old:
            if x:
                self.add(x)


class Identities:
    """The derived identities of one source's lines, in file order."""

    def __init__(self, source: str) -> None:
        self.prefix = b"certledger import line\x00" + source.encode("utf-8", "surrogateescape") + b"\x00"
        self.seen = _Seen()
        self.copies: dict[int, int] = {}  # lines met more than once: how many so far

    def derive(self, text: bytes) -> tuple[bytes, bytes]:
        """(digest of the line's bytes, its identity) for the next line with these bytes."""
        digest = hashlib.sha256(text).digest()
        first = int.from_bytes(digest[:8], "big") | 1
        if self.seen.add(first):
            k = 0
        else:
            k = self.copies.get(first, 1)
            self.copies[first] = k + 1
        return digest, hashlib.sha256(self.prefix + digest + k.to_bytes(4, "big")).digest()[:KEY_BYTES]


def given_key(line_id: str) -> bytes:
    """The identity of a line that names its own: the same in every file."""
    return hashlib.sha256(b"certledger line_id\x00" + line_id.encode("utf-8")).digest()[:KEY_BYTES]


def identified(lines: Iterable[bytes], source: str | None) -> Iterator[Item]:
    """Every line with its number, the digest of its bytes and its derived identity (None for a blank
    line, a line too long, or when there is no ``source``: nothing recorded). A byte-order mark at
    the start of the first line is dropped."""
    ids = Identities(source) if source is not None else None
    for number, raw in enumerate(read(lines), 1):
        if number == 1 and isinstance(raw, bytes) and raw.startswith(BOM):
            raw = raw[len(BOM):]
        if ids is None or not isinstance(raw, bytes) or not (text := raw.strip()):
            yield number, raw, None, None
            continue
        digest, key = ids.derive(text)
        yield number, raw, digest, key


# ------------------------------------------------------------------------------ one line's fields

_DECODER = json.JSONDecoder(parse_float=Decimal)  # one decoder: json.loads with options builds one per call


def too_long(line: TooLong) -> RuleViolation:
    return RuleViolation(FORMAT, f"该行长 {line.length} 字节，超过每行上限 {MAX_LINE_BYTES} 字节；请缩短或拆分该行。",
                         f"The line is {line.length} bytes long, over the limit of {MAX_LINE_BYTES} bytes a line; shorten or split it.")


def _too_deep() -> RuleViolation:
    return RuleViolation(FORMAT, f"JSON 嵌套超过 {MAX_DEPTH} 层；每行应为一条命令的字段（对象中的文本、数字或列表）。",
                         f"The JSON is nested more than {MAX_DEPTH} levels deep; a line is one command's fields (text, numbers or lists in one object).")


def _depth_within(data: Any, limit: int) -> bool:
    """Whether ``data`` nests no deeper than ``limit`` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    return True


def parse(raw: bytes) -> tuple[dict[str, Any], str | None]:
    """One line's command fields and its ``line_id`` (None if not given); a line that is not one
    JSON object of UTF-8 text, or nests too deep, or gives a bad ``line_id``, is refused alone."""
    raw = raw.rstrip(b"\r\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RuleViolation(FORMAT, f"该行不是有效的 UTF-8（第 {e.start + 1} 个字节）；请以 UTF-8 编码保存文件。",
                            f"The line is not valid UTF-8 (byte {e.start + 1}); save the file as UTF-8.") from None
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise RuleViolation(FORMAT, f"不是有效的 JSON：{e.msg}（第 {e.colno} 列）。", f"Not valid JSON: {e.msg} (column {e.colno}).") from None
    except RecursionError:
        raise _too_deep() from None
    if not isinstance(data, dict):
        raise RuleViolation(FORMAT, "每行应为一个 JSON 对象。", "Each line must be a JSON object.")
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and not _depth_within(data, MAX_DEPTH):
        raise _too_deep()
    line_id = data.pop("line_id", None)
    if line_id is not None:
        check_line_id(line_id)
    return data, line_id


def check_line_id(line_id: Any) -> None:
    if (not isinstance(line_id, str) or not 1 <= len(line_id) <= MAX_LINE_ID
            or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in line_id)):
        shown = json.dumps(line_id, ensure_ascii=False)[:60] if isinstance(line_id, (str, int, float, bool)) else type(line_id).__name__
        raise RuleViolation(
            FORMAT,
            f"字段 line_id（{shown}）应为 1 至 {MAX_LINE_ID} 个字符的文本，不含控制字符；它是这一行在账本中的标识。",
            f"Field line_id ({shown}) must be text of 1 to {MAX_LINE_ID} characters without control characters: it names this "
            "line in the ledger.",
        )


def line_id_reused(line_id: str, source: str, line: int) -> RuleViolation:
    return RuleViolation(
        "ledger: import line identity",
        f"line_id“{line_id}”已用于内容不同的一行（{source} 第 {line} 行，已写入）；同一 line_id 只能对应同一行内容，请给这一行一个新的 line_id。",
        f"line_id '{line_id}' was already applied with other content ({source} line {line}); a line_id names one line's "
        "content: give this line a new line_id.",
    )
