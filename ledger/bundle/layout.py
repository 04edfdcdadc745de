"""The bundle's file names and line formats, shared by export and verify (docs/inspection-bundle.md).

events.jsonl: one line per exported event, in position order; the six fields of the event's
Merkle leaf (ledger/trail/leaf.py) as canonical JSON: keys sorted, no spaces, UTF-8, "\\n" after
each line. ``state`` is the stored state exactly (it is UTF-8 JSON text); a state that is not
UTF-8 would be given as ``state_base64`` instead.

proofs.jsonl: one line per event, same order: the leaf index in the tree, the position, the leaf
hash and the RFC 9162 inclusion path (hex), as canonical JSON.

heads.jsonl: one line per exported client: its head (last version and the position of its last
event) as the checkpoint signed it, with the head's index and inclusion path in the checkpoint's
tree of client heads (ledger/trail/heads.py), as canonical JSON. The client's events in the bundle
must end at that head: a bundle that leaves out a client's latest events does not verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "certledger-inspection-bundle-v2"  # v2: heads.jsonl (v1 bundles cannot show completeness)
EVENTS = "events.jsonl"
PROOFS = "proofs.jsonl"
CHECKPOINT = "checkpoint.txt"
PUBLIC_KEY = "public-key.txt"
REPORT = "report.pdf"
HEADS = "heads.jsonl"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FILES = (EVENTS, PROOFS, HEADS, CHECKPOINT, PUBLIC_KEY, REPORT)
# The checkpoint's RFC 3161 time stamp token (DER TimeStampResp over the checkpoint's body), when
# the checkpoint has one: listed in the manifest and SHA256SUMS like the others.
TIMESTAMP = "timestamp.tsr"
# The public keys, with their validity, of the people who signed the exported acts (issue 15, item 4;
# ledger/signing_verify.py), when the bundle holds a signed act.
SIGNERS = "signers.json"
OPTIONAL_FILES = (TIMESTAMP, SIGNERS)

EVENT_KEYS = frozenset({"position", "client", "version", "type", "recorded", "state"})
EVENT_KEYS_B64 = frozenset({"position", "client", "version", "type", "recorded", "state_base64"})
PROOF_KEYS = frozenset({"leaf_index", "position", "leaf_hash", "path"})
HEAD_KEYS = frozenset({"client", "version", "position", "index", "path"})

# Renders ``app.explain(...)`` as text (ledger.explain_text.render_explanation with lang "zh").
ExplainText = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class ExportedEvent:
    """One exported event: its leaf, its stored fields and its inclusion proof."""

    leaf_index: int
    position: int
    client: bytes
    version: int
    topic: str
    recorded: bytes
    state: bytes
    leaf_hash: bytes
    path: list[bytes]


def canonical(obj: dict[str, Any]) -> bytes:
    """One canonical JSON line: sorted keys, no insignificant whitespace, UTF-8, newline-terminated."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def event_line(position: int, client: bytes, version: int, topic: str, recorded: bytes, state: bytes) -> bytes:
    obj: dict[str, Any] = {"position": position, "client": client.hex(), "version": version, "type": topic,
                           "recorded": recorded.decode("utf-8")}
    try:
        obj["state"] = state.decode("utf-8")
    except UnicodeDecodeError:
        obj["state_base64"] = base64.b64encode(state).decode("ascii")
    return canonical(obj)


def proof_line(leaf_index: int, position: int, leaf_hash: bytes, path: list[bytes]) -> bytes:
    return canonical({"leaf_index": leaf_index, "position": position, "leaf_hash": leaf_hash.hex(),
                      "path": [p.hex() for p in path]})


def head_line(client: bytes, version: int, position: int, index: int, path: list[bytes]) -> bytes:
    return canonical({"client": client.hex(), "version": version, "position": position, "index": index,
                      "path": [p.hex() for p in path]})


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, as the manifest and SHA256SUMS record it (hex)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
