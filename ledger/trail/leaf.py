"""The canonical encoding of a stored event as a Merkle leaf (docs/audit-trail.md, "Leaf").

    "certledger-event-v1"                19 ASCII bytes
    position                             8 bytes, unsigned big-endian (the notification id)
    client (originator id)               16 bytes (the UUID's bytes)
    version (originator version)         8 bytes, unsigned big-endian
    len(type) || type                    4-byte big-endian length, UTF-8 topic ("module:Class.Event")
    len(recorded) || recorded            4-byte big-endian length, UTF-8 recorded time as stored
    len(state) || state                  4-byte big-endian length, the stored state bytes

The leaf hash is SHA-256(0x00 || leaf bytes) (RFC 6962).
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Sequence

MAGIC = b"certledger-event-v1"
_HEAD = struct.Struct(">19sQ16sQI")
_HASHED_HEAD = struct.Struct(">20sQ16sQI")  # 0x00 || MAGIC, then the same fields
_LEN = struct.Struct(">I")
_FAST = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
_FAST_LEN = len(_FAST)
_U32 = 1 << 32
_U64 = 1 << 64

# A stored event row: (position, originator id, version, topic, state). The originator id is the
# UUID's 16 bytes, or (rows read from SQLite) its 32 hex digits as text.
Row = tuple[int, "bytes | str", int, str, bytes]


class MalformedEvent(ValueError):
    """A stored row that cannot be encoded (not written by the ledger). ``str()`` is the English
    reason, ``zh`` the Chinese one (a Chinese report quotes it: trial item 12)."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh or en


def _first_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def recorded_time(state: bytes) -> bytes:
    """The recorded time inside a stored state: the string value of ``timestamp._data_`` at the top
    level of the JSON object (the first member of a name if repeated), as UTF-8.

    Fast path, equal to the JSON reading for every state the library writes: if the state starts
    with ``{"timestamp":{"_type_":"datetime_iso","_data_":"``, the bytes up to the next ``"`` when
    they hold no backslash and that quote is followed by ``}``."""
    if state[:_FAST_LEN] == _FAST:
        end = state.find(b'"', _FAST_LEN)
        if end > 0 and b"\\" not in state[_FAST_LEN:end] and state[end + 1:end + 2] == b"}":
            return state[_FAST_LEN:end]
    try:
        obj = json.loads(state, object_pairs_hook=_first_pairs)
        ts = obj["timestamp"]
        if ts["_type_"] != "datetime_iso" or not isinstance(ts["_data_"], str):
            raise TypeError
        return ts["_data_"].encode()
    except (ValueError, TypeError, KeyError, IndexError, UnicodeError, RecursionError):
        raise MalformedEvent("the stored state has no recorded time (timestamp._data_)", "存储的事件内容中没有记录时间（timestamp._data_）") from None


def _oid_bytes(originator_id: bytes | str) -> bytes:
    if isinstance(originator_id, str):
        try:
            originator_id = bytes.fromhex(originator_id)
        except ValueError:
            raise MalformedEvent("the originator id is not 32 hexadecimal digits", "事件所属对象的编号不是 32 位十六进制数") from None
    if not isinstance(originator_id, (bytes, bytearray, memoryview)) or len(originator_id) != 16:
        raise MalformedEvent("the originator id is not a 16-byte UUID", "事件所属对象的编号不是 16 字节的 UUID")
    return bytes(originator_id)


def encode_leaf(position: int, originator_id: bytes | str, version: int, topic: str, state: bytes) -> bytes:
    """The leaf bytes of one stored event; MalformedEvent says why a row cannot be encoded."""
    if type(position) is not int or not 0 <= position < _U64:
        raise MalformedEvent(f"the position {position!r} is not an unsigned 64-bit integer", f"位置 {position!r} 不是 64 位无符号整数")
    if type(version) is not int or not 0 <= version < _U64:
        raise MalformedEvent(f"the version {version!r} is not an unsigned 64-bit integer", f"版本号 {version!r} 不是 64 位无符号整数")
    oid = _oid_bytes(originator_id)
    if not isinstance(topic, str):
        raise MalformedEvent("the event has no topic (type)", "事件没有类型（topic）")
    if not isinstance(state, bytes):
        raise MalformedEvent("the stored state is not bytes", "存储的事件内容不是字节串")
    try:
        t = topic.encode()
    except UnicodeError:
        raise MalformedEvent("the topic is not valid UTF-8 text", "事件类型不是有效的 UTF-8 文本") from None
    r = recorded_time(state)
    if len(t) >= _U32 or len(state) >= _U32:
        raise MalformedEvent("the topic or state is longer than 2^32 - 1 bytes", "事件类型或内容超过 2^32 - 1 字节")
    return _HEAD.pack(MAGIC, position, oid, version, len(t)) + t + _LEN.pack(len(r)) + r + _LEN.pack(len(state)) + state


def _fast_hashes(rows: Sequence[Row], hex_ids: bool) -> list[bytes]:
    """Leaf hashes of rows the library wrote; raises on anything unusual (the caller then encodes
    row by row to find out which). Same bytes as ``encode_leaf``, written for speed."""
    sha, fast, fl, fromhex, join = hashlib.sha256, _FAST, _FAST_LEN, bytes.fromhex, b"".join
    head, ln, prefix = _HASHED_HEAD.pack, _LEN.pack, b"\x00" + MAGIC
    out: list[bytes] = []
    append = out.append
    for pos, oid, ver, topic, state in rows:
        end = state.find(b'"', fl)
        if not state.startswith(fast) or state[end + 1] != 0x7D:  # '}' closes the timestamp object
            raise MalformedEvent("slow path")
        r = state[fl:end]
        if b"\\" in r:
            raise MalformedEvent("slow path")
        if hex_ids:
            oid = fromhex(oid)
        if len(oid) != 16:
            raise MalformedEvent("slow path")
        t = topic.encode()
        append(sha(join((head(prefix, pos, oid, ver, len(t)), t, ln(len(r)), r, ln(len(state)), state))).digest())
    return out


def hash_rows(rows: Sequence[Row], hex_ids: bool = False) -> tuple[list[bytes], list[tuple[int, MalformedEvent]]]:
    """Leaf hashes of a batch of stored event rows, and the rows that cannot be encoded as
    (index in the batch, reason: ``str()`` in English, ``.zh`` in Chinese). A row that cannot be encoded gets the leaf hash of a marker that
    no event encodes to, so the tree still has one leaf per row (and cannot match a checkpoint)."""
    try:
        return _fast_hashes(rows, hex_ids), []
    except Exception:  # noqa: BLE001 - any oddity in a row: find it row by row below
        pass
    out: list[bytes] = []
    bad: list[tuple[int, MalformedEvent]] = []
    for i, row in enumerate(rows):
        try:
            out.append(hashlib.sha256(b"\x00" + encode_leaf(*row)).digest())
        except MalformedEvent as e:
            out.append(hashlib.sha256(b"\x00certledger-malformed-row" + repr(row).encode()).digest())
            bad.append((i, e))
    return out, bad
