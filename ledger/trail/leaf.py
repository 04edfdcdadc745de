"""The canonical encoding of a stored event as a Merkle leaf (docs/audit-trail.md, "Leaf").

    "certledger-event-v1"                19 ASCII bytes
    position                             8 bytes, unsigned big-endian (the notification id)
    client (originator id)               16 bytes (the UUID's bytes)
    version (originator version)        8 bytes, unsigned big-endian
    len(type) || type                    4-byte big-endian length, UTF-8 topic ("module:Class.Event")
    len(recorded) || recorded            4-byte big-endian length, UTF-8 recorded time as stored
    len(state) || state                  4-byte big-endian length, the stored state bytes
"""

from __future__ import annotations

import hashlib
import json
import struct

MAGIC = b"certledger-event-v1"
_HEAD = struct.Struct(">19sQ16sQI")
_LEN = struct.Struct(">I")
_FAST = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
_FAST_LEN = len(_FAST)


class MalformedEvent(ValueError):
    """A stored row that cannot be encoded (not written by the ledger)."""


def _first_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def recorded_time(state: bytes) -> bytes:
    """The recorded time inside a stored state: the ``_data_`` string of the top-level ``timestamp``
    member (the first one if repeated), as UTF-8. Fast path for states written by the library."""
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
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise MalformedEvent("the stored state has no recorded time (timestamp)") from None


def encode_leaf(position: int, originator_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    if len(originator_id) != 16 or position < 0 or version < 0:
        raise MalformedEvent("the stored event has no valid position, originator id or version")
    t = topic.encode()
    r = recorded_time(state)
    return _HEAD.pack(MAGIC, position, originator_id, version, len(t)) + t + _LEN.pack(len(r)) + r + _LEN.pack(len(state)) + state


def leaf_hashes(rows: list[tuple[int, bytes, int, str, bytes]]) -> list[bytes]:
    """Leaf hashes of a batch of event rows; raises MalformedEvent naming nothing (the caller
    re-encodes one by one to find the row)."""
    sha, head, ln, fast, fl = hashlib.sha256, _HEAD.pack, _LEN.pack, _FAST, _FAST_LEN
    out = []
    append = out.append
    for pos, oid, ver, topic, state in rows:
        if state[:fl] == fast:
            end = state.find(b'"', fl)
            r = state[fl:end]
            if end < 0 or b"\\" in r or state[end + 1:end + 2] != b"}":
                r = recorded_time(state)
        else:
            r = recorded_time(state)
        if len(oid) != 16:
            raise MalformedEvent("the stored event has no valid originator id")
        t = topic.encode()
        append(sha(b"\x00" + head(MAGIC, pos, oid, ver, len(t)) + t + ln(len(r)) + r + ln(len(state)) + state).digest())
    return out
