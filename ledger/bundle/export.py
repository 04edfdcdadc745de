"""Writing an inspection bundle: the events of one client (or all), the latest signed checkpoint,
an inclusion proof for each event against it, the body's public key, a PDF/A-3b report with the
events attached, and a manifest of SHA-256 hashes (docs/inspection-bundle.md).

The export reads the database and never writes to it: if the latest checkpoint does not cover
every exported event, it refuses and asks for ``certledger checkpoint`` first.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.uscc import client_id_for, normalise_uscc
from ledger.bundle import layout
from ledger.bundle.layout import ExplainText, ExportedEvent
from ledger.bundle.signers import aggregates_entry, register_ids
from ledger.trail.attest import cosignature_lines, cosigned_note, timestamp_token
from ledger.trail.leaf import hash_rows, recorded_time
from ledger.trail.heads import Heads, heads_of
from ledger.trail.merkle import TreeBuilder, inclusion_ranges
from ledger.trail.note import NoteError, Signer, Verifier, open_checkpoint

RULE = "001 §12 inspection bundle"

@dataclass
class ExportResult:
    directory: Path
    clients: list[str]
    events: int
    origin: str
    tree_size: int
    root: bytes
    checkpoint_id: int
    files: dict[str, str] = field(default_factory=dict)  # name -> SHA-256 (hex)
    witnesses: list[str] = field(default_factory=list)  # key names of the checkpoint's cosignatures
    time_stamped: bool = False

    def to_dict(self) -> dict[str, Any]:
        import base64

        return {"directory": str(self.directory), "clients": self.clients, "events": self.events, "origin": self.origin,
                "tree_size": self.tree_size, "root": base64.b64encode(self.root).decode(),
                "checkpoint_id": self.checkpoint_id, "files": self.files, "witnesses": self.witnesses,
                "time_stamped": self.time_stamped}


def _refuse(zh: str, en: str) -> RuleViolation:
    return RuleViolation(RULE, zh, en)


def _signers(app: Any, events: list[ExportedEvent]) -> bytes | None:
    """signers.json: the public keys with their validity of everyone who signed an exported act, or
    None when no exported act is signed."""
    from ledger.signing_verify import ACT_SIGNED, signers_file

    ids = {json.loads(e.state).get("signer_id", "") for e in events if e.topic == ACT_SIGNED}
    if not ids:
        return None
    return layout.canonical(signers_file(app, ids))


def _oid(value: bytes | str) -> bytes:
    return bytes.fromhex(value) if isinstance(value, str) else bytes(value)


def _check_out_dir(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise _refuse(f"导出目录 {out} 已存在且不为空：导出不覆盖已有文件，请指定新的目录。",
                      f"The output directory {out} exists and is not empty: an export overwrites nothing; name a new directory.")


def _clients(app: Any, usccs: Sequence[str] | None) -> list[tuple[str, bytes]]:
    """(USCC, client id bytes) of the clients to export; an unknown client is refused."""
    if usccs is None:
        found = [(c.uscc, c.id.bytes) for c in app.clients()]
        if not found:
            raise _refuse("账本中没有任何组织，无可导出的内容。", "The ledger has no clients: there is nothing to export.")
        return found
    out: list[tuple[str, bytes]] = []
    for raw in usccs:
        code = normalise_uscc(raw)
        app.client(code)  # NotFound (a RuleViolation) for an unknown client
        if code not in [c for c, _ in out]:
            out.append((code, client_id_for(code).bytes))
    return out


def collect(app: Any, verifier: Verifier, client_ids: set[bytes] | None) -> tuple[Any, int, str, list[ExportedEvent], Any, bytes | None]:
    """The latest stored checkpoint (as a Checkpoint), its id, its note (with the witnesses'
    cosignatures), the selected clients' events (None: every event) with their inclusion proofs
    against it, the heads of every client as of it, and its time stamp token (if any). Refuses if a selected event is not covered by the checkpoint, if the
    checkpoint commits to no client heads (signed before they existed), or if the stored events do
    not hash to its signed root or heads."""
    from ledger.store import trail_store

    store = trail_store(app)
    with store.snapshot() as snap:
        stored = snap.checkpoints()
        attestations = snap.attestations()
        if not stored:
            raise _refuse("账本中还没有检查点：请先运行 certledger checkpoint，再导出。",
                          "The ledger has no checkpoint yet: run certledger checkpoint first, then export.")
        latest = stored[-1]
        try:
            head = open_checkpoint(latest.note, verifier)
        except NoteError as e:
            raise _refuse(f"最近的检查点 #{latest.id} 无法用本机构公钥验证：{e.message_zh}",
                          f"The latest checkpoint #{latest.id} does not verify with the body's public key: {e.message_en}") from None
        size = head.size
        signed_heads = heads_of(head.extensions)
        if signed_heads is None:
            raise _refuse(
                f"最近的检查点 #{latest.id} 是在记录各组织末端之前签发的，检查人员无法据此证明事件完整：请先运行 certledger checkpoint，再导出。",
                f"The latest checkpoint #{latest.id} was signed before checkpoints committed to each client's head, so an "
                "inspector could not tell the events are complete: run certledger checkpoint first, then export.")
        # Pass 1: which leaves are exported (leaf index = place in position order), and every
        # client's head as of the checkpoint.
        selected: list[tuple[int, tuple[Any, ...]]] = []
        heads = Heads()
        index = 0
        uncovered = 0
        for rows in snap.events():
            for r in rows:
                oid = _oid(r[1])
                if index < size:
                    heads.add(oid, r[2], r[0])
                if client_ids is None or oid in client_ids:
                    if index < size:
                        selected.append((index, r))
                    else:
                        uncovered += 1
                index += 1
        if uncovered:
            raise _refuse(
                f"最近的检查点 #{latest.id} 只覆盖前 {size} 个事件，待导出的事件中有 {uncovered} 个在其后记录："
                "导出不会擅自写入数据库，请先运行 certledger checkpoint，再导出。",
                f"The latest checkpoint #{latest.id} covers the first {size} events; {uncovered} of the events to export were "
                "recorded after it. An export does not write to the database: run certledger checkpoint first, then export.")
        if index < size:
            raise _refuse(f"检查点 #{latest.id} 记录了 {size} 个事件，账本现只有 {index} 个：请运行 certledger verify。",
                          f"Checkpoint #{latest.id} recorded {size} events; the ledger now has {index}: run certledger verify.")
        # Pass 2: the tree up to the checkpoint's size, capturing the subtrees the proofs need.
        builder = TreeBuilder()
        for i, _ in selected:
            builder.watch(inclusion_ranges(i, size))
        wanted = {i for i, _ in selected}
        hashes_of: dict[int, bytes] = {}
        for rows in snap.events():
            rows = rows[: size - builder.size]
            if not rows:
                break
            hashes, bad = hash_rows(rows, store.hex_ids)
            if bad:
                i, why = bad[0]
                raise _refuse(f"位置 {rows[i][0]} 的事件无法编码（{why.zh}）：请运行 certledger verify。",
                              f"The event at position {rows[i][0]} cannot be encoded ({why}): run certledger verify.")
            base = builder.size
            for k, h in enumerate(hashes):
                if base + k in wanted:
                    hashes_of[base + k] = h
            builder.extend(hashes)
        if builder.root() != head.root or (len(heads.by_client), heads.root()) != signed_heads:
            raise _refuse(
                f"账本中的事件与检查点 #{latest.id} 的签名根哈希不符：事件在签名后被改动；拒绝导出，请运行 certledger verify 查明。",
                f"The stored events do not match the signed root of checkpoint #{latest.id}: events were changed after "
                "signing; nothing is exported. Run certledger verify to find the change.")
        events = []
        for i, r in selected:
            state = bytes(r[4])
            events.append(ExportedEvent(i, r[0], _oid(r[1]), r[2], r[3], recorded_time(state), state, hashes_of[i],
                                        [builder.subtree(a, b) for a, b in inclusion_ranges(i, size)]))
    # The note travels with its witnesses' cosignatures (further signature lines) and its time stamp.
    note = cosigned_note(latest.note, cosignature_lines(attestations, latest.id))
    return head, latest.id, note, events, heads, timestamp_token(attestations, latest.id)


def export_bundle(app: Any, out: str | os.PathLike[str], verifier: Verifier, usccs: Sequence[str] | None,
                  explain_text: ExplainText, *, signer: Signer) -> ExportResult:
    """Write the bundle of the clients ``usccs`` (None: every client) to the new directory ``out``.

    ``verifier`` is the body's public key (it must verify the latest checkpoint; it is bundled).
    ``explain_text`` renders an explanation as Chinese text for the report; ``signer`` is the
    body's checkpoint key (the private half of ``verifier``), which signs the report (PAdES)."""
    from eventsourcing.domain import datetime_now_with_tzinfo

    from ledger.bundle.report import ClientSection, build_report

    out = Path(out).expanduser()
    _check_out_dir(out)
    clients = _clients(app, usccs)
    # The events of the people whose keys and signing policy the bundle's signatures are checked
    # against travel with their inclusion proofs and heads (issue 15, item 4; ledger/bundle/signers.py).
    ids = None if usccs is None else {cid for _, cid in clients} | register_ids(app)
    head, cp_id, note, events, heads, token = collect(app, verifier, ids)
    others = sorted({e.client for e in events} - {cid for _, cid in clients})  # people (and, in an --all bundle, the body)
    exported_at = datetime_now_with_tzinfo()

    by_client: dict[bytes, list[ExportedEvent]] = {}
    for e in events:
        by_client.setdefault(e.client, []).append(e)
    events_bytes = b"".join(layout.event_line(e.position, e.client, e.version, e.topic, e.recorded, e.state) for e in events)
    proofs_bytes = b"".join(layout.proof_line(e.leaf_index, e.position, e.leaf_hash, e.path) for e in events)
    head_proofs = heads.proofs([*(cid for _, cid in clients), *others])
    heads_bytes = b"".join(layout.head_line(cid, *heads.by_client[cid], *head_proofs[cid]) for cid in [*(c for _, c in clients), *others])

    sections = []
    for uscc, cid in clients:
        mine = by_client.get(cid, [])
        sections.append(ClientSection.gather(app, uscc, mine, explain_text))
    # Before anything is written: a report that cannot show a character is refused here.
    pdf = build_report(sections, head, cp_id, verifier, exported_at, events_bytes, signer)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / layout.EVENTS).write_bytes(events_bytes)
        (tmp / layout.PROOFS).write_bytes(proofs_bytes)
        (tmp / layout.HEADS).write_bytes(heads_bytes)
        (tmp / layout.CHECKPOINT).write_bytes(note.encode("utf-8"))
        (tmp / layout.PUBLIC_KEY).write_bytes((verifier.encode() + "\n").encode("utf-8"))
        (tmp / layout.REPORT).write_bytes(pdf)
        if token is not None:
            (tmp / layout.TIMESTAMP).write_bytes(token)
        signers = _signers(app, events)  # personal signatures (issue 15, item 4): the signers' keys for an offline check
        if signers is not None:
            (tmp / layout.SIGNERS).write_bytes(signers)
        names = (*layout.FILES, *((layout.TIMESTAMP,) if token is not None else ()), *((layout.SIGNERS,) if signers is not None else ()))
        files = {name: layout.file_sha256(tmp / name) for name in names}
        manifest = {
            "format": layout.FORMAT,
            "exported_at": exported_at.isoformat(),
            "origin": head.origin,
            "tree_size": head.size,
            "checkpoint_id": cp_id,
            "public_key": verifier.encode(),
            "events": len(events),
            "scope": "all" if usccs is None else "named",
            "clients": [{"uscc": s.uscc, "name": s.name, "client_id": str(uuid.UUID(bytes=cid)),
                         "events": len(by_client.get(cid, []))} for s, (_, cid) in zip(sections, clients)],
            "files": {name: {"sha256": files[name], "bytes": (tmp / name).stat().st_size} for name in names},
        }
        if others:
            manifest["aggregates"] = aggregates_entry(by_client, others)
        (tmp / layout.MANIFEST).write_bytes(json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        files[layout.MANIFEST] = layout.file_sha256(tmp / layout.MANIFEST)
        (tmp / layout.SUMS).write_text("".join(f"{files[n]}  {n}\n" for n in (*names, layout.MANIFEST)), encoding="ascii")
        for p in tmp.iterdir():
            os.chmod(p, 0o644)
        os.chmod(tmp, 0o755)
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    from ledger.trail.note import split_note

    cosigners = [s.name for s in split_note(note)[1] if s.name != verifier.name or s.key_id != verifier.key_id]
    return ExportResult(out, [u for u, _ in clients], len(events), head.origin, head.size, head.root, cp_id, files,
                        cosigners, token is not None)
