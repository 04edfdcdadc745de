"""Checkpointing and verifying the audit trail: the ledger methods behind ``certledger
checkpoint`` and ``certledger verify``."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from aggregates.errors import RuleViolation
from ledger.trail.leaf import MalformedEvent, encode_leaf, leaf_hashes
from ledger.trail.merkle import TreeBuilder, consistency_ranges, leaf_hash, verify_consistency
from ledger.trail.note import Checkpoint, NoteError, Signer, Verifier, open_checkpoint
from ledger.trail.store import EventRow, LeafRow, store_for

RULE = "001 §12 audit trail"
Progress = Callable[[int], None]


def install_append_only(app: Any) -> None:
    """Create the trail's tables and the triggers that refuse UPDATE, DELETE (and TRUNCATE) of
    events, checkpoints and leaf hashes; idempotent, cheap when already installed."""
    store_for(app).install()


def _topic_name(topic: str) -> str:
    return topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


@dataclass
class Finding:
    kind: str  # changed | missing | inserted | truncated | gap | malformed | checkpoint | external | leaves
    message_zh: str
    message_en: str
    position: int | None = None
    client: str | None = None
    version: int | None = None
    event: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "position": self.position, "client": self.client, "version": self.version,
                "event": self.event, "message_zh": self.message_zh, "message_en": self.message_en}


@dataclass
class Report:
    origin: str | None
    size: int
    root: bytes
    positions: tuple[int, int] | None
    gaps: int
    checkpoints_checked: int
    external: Checkpoint | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        located = [f for f in self.findings if f.position is not None]
        if located:  # at one position, what the checkpointed leaves say beats a bare gap
            return min(located, key=lambda f: (f.position, f.kind in ("gap", "malformed")))
        return self.findings[0] if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        import base64

        return {
            "verified": self.ok, "origin": self.origin, "tree_size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "first_position": self.positions[0] if self.positions else None,
            "last_position": self.positions[1] if self.positions else None,
            "gaps": self.gaps, "checkpoints_checked": self.checkpoints_checked,
            "external_checkpoint": {"origin": self.external.origin, "tree_size": self.external.size} if self.external else None,
            "first_bad": self.first.to_dict() if self.first else None,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class CheckpointResult:
    id: int | None
    note: str
    checkpoint: Checkpoint
    new_events: int


class _Clients:
    """Originator ids to USCCs, read from each client's first (Registered) event when needed."""

    def __init__(self, store: Any) -> None:
        self.store, self.cache = store, {}

    def __call__(self, oid: bytes) -> str:
        if oid not in self.cache:
            label = oid.hex()
            try:
                state = self.store.first_event(oid)
                if state:
                    label = json.loads(state).get("uscc") or label
            except Exception:  # a label for a report; the finding stands without it
                pass
            self.cache[oid] = label
        return self.cache[oid]


def _hash_batch(rows: list[EventRow]) -> tuple[list[bytes], list[tuple[int, str]]]:
    try:
        return leaf_hashes(rows), []
    except (MalformedEvent, TypeError, AttributeError, ValueError, OverflowError):
        out, bad = [], []
        for r in rows:
            try:
                out.append(leaf_hash(encode_leaf(*r)))
            except (MalformedEvent, TypeError, AttributeError, ValueError, OverflowError) as e:
                out.append(leaf_hash(repr(r).encode()))
                bad.append((r[0], str(e)))
        return out, bad


def _leaf_stream(batches: Iterator[list[LeafRow]]) -> Callable[[int], list[LeafRow]]:
    buf: deque[LeafRow] = deque()

    def take(k: int) -> list[LeafRow]:
        while len(buf) < k:
            nxt = next(batches, None)
            if nxt is None:
                break
            buf.extend(nxt)
        return [buf.popleft() for _ in range(min(k, len(buf)))]

    return take


# ----------------------------------------------------------------------------------- checkpoint


def make_checkpoint(app: Any, signer: Signer, progress: Progress | None = None) -> CheckpointResult:
    """Sign the tree head over every committed event, store it with the new leaf hashes, and
    return it (an unchanged tree returns the latest checkpoint)."""
    store = store_for(app)
    store.install()
    with store.snapshot() as snap:
        origin = snap.origin()
        stored = snap.checkpoints()
        builder, last_position, last_note = TreeBuilder(), 0, None
        if stored:
            last = stored[-1]
            try:
                head = open_checkpoint(last.note, signer.verifier)
            except NoteError:
                raise RuleViolation(
                    RULE,
                    f"最近的检查点 #{last.id} 不是由此密钥（{signer.name}）签名的：请使用签发它的密钥，或先运行 certledger verify。",
                    f"The latest checkpoint #{last.id} is not signed by this key ({signer.name}): use the key that "
                    "signed it, or run certledger verify first.",
                ) from None
            try:
                builder = TreeBuilder(head.size, last.nodes)
            except ValueError:
                builder = None
            if builder is None or builder.root() != head.root or head.origin != origin or snap.count < head.size:
                raise RuleViolation(
                    RULE,
                    "账本与最近的检查点不一致，拒绝签发新检查点；请运行 certledger verify 查明改动。",
                    "The ledger does not match its latest checkpoint; no new checkpoint is signed. Run certledger "
                    "verify to find the change.",
                )
            tail = snap.leaves(head.size - 1) if head.size else iter(())
            last_leaf = next(tail, [])
            last_position = last_leaf[0][1] if last_leaf else 0
            last_note = last
        with store.writer() as w:
            done = 0
            for rows in snap.events(after=last_position):
                hashes, bad = _hash_batch(rows)
                if bad:
                    pos, why = bad[0]
                    raise RuleViolation(RULE, f"位置 {pos} 的事件无法编码（{why}）；拒绝签发检查点，请运行 certledger verify。",
                                        f"The event at position {pos} cannot be encoded ({why}); no checkpoint is signed. "
                                        "Run certledger verify.")
                start = builder.size
                w.add_leaves([(start + i, r[0], r[1], r[2], h) for i, (r, h) in enumerate(zip(rows, hashes))])
                builder.extend(hashes)
                done += len(rows)
                if progress:
                    progress(len(rows))
            if last_note is not None and done == 0:
                return CheckpointResult(last_note.id, last_note.note, open_checkpoint(last_note.note, signer.verifier), 0)
            cp = Checkpoint(origin or "certledger", builder.size, builder.root())
            note = cp.sign(signer)
            created = datetime.now(timezone.utc).isoformat()
            new_id = w.add_checkpoint(cp.size, cp.root, note, builder.nodes, created)
    return CheckpointResult(new_id, note, cp, done)


# --------------------------------------------------------------------------------------- verify


def verify_trail(app: Any, verifier: Verifier, external: str | None = None,
                 progress: Progress | None = None, on_size: Callable[[int], None] | None = None) -> Report:
    """Recompute the tree from the stored events and check it against every stored checkpoint,
    the stored leaf hashes and, if given, a checkpoint kept outside the database."""
    store = store_for(app)
    clients = _Clients(store)
    with store.snapshot() as snap:
        origin = snap.origin()
        n = snap.count
        if on_size:
            on_size(n)
        findings: list[Finding] = []
        heads: list[tuple[str, str, Checkpoint]] = []  # (label zh, label en, checkpoint)
        for cp in snap.checkpoints():
            try:
                head = open_checkpoint(cp.note, verifier)
            except NoteError as e:
                findings.append(Finding("checkpoint", f"库内检查点 #{cp.id}：{e.message_zh}", f"Stored checkpoint #{cp.id}: {e.message_en}"))
                continue
            if head.origin != origin:
                findings.append(Finding("checkpoint", f"库内检查点 #{cp.id} 属于另一本账（来源 {head.origin}，本账为 {origin}）。",
                                        f"Stored checkpoint #{cp.id} belongs to another ledger (origin {head.origin}; this ledger is {origin})."))
                continue
            if head.size != cp.size or head.root != cp.root:
                findings.append(Finding("checkpoint", f"库内检查点 #{cp.id} 的大小或根哈希列与其签名正文不符。",
                                        f"The size or root columns of stored checkpoint #{cp.id} differ from its signed text."))
            heads.append((f"库内检查点 #{cp.id}", f"stored checkpoint #{cp.id}", head))
        ext: Checkpoint | None = None
        if external is not None:
            try:
                ext = open_checkpoint(external, verifier)
            except NoteError as e:
                findings.append(Finding("external", f"外部检查点：{e.message_zh}", f"External checkpoint: {e.message_en}"))
            else:
                if ext.origin != origin:
                    findings.append(Finding("external", f"外部检查点属于另一本账：来源为 {ext.origin}，本账为 {origin}。",
                                            f"The external checkpoint is for another ledger: its origin is {ext.origin}, this ledger's is {origin}."))
                    ext = None
                else:
                    heads.append(("外部检查点", "the external checkpoint", ext))
        sizes = {h.size for _, _, h in heads}
        builder, stored_tree = TreeBuilder(), TreeBuilder()
        builder.watch_roots(s for s in sizes if s <= n)
        stored_tree.watch_roots(sizes)
        if ext is not None and ext.size <= n:
            builder.watch(consistency_ranges(ext.size, n))
        take = _leaf_stream(snap.leaves(0))
        first_pos = last_pos = None
        prev, gaps, located = 0, 0, False
        for rows in snap.events():
            hashes, bad = _hash_batch(rows)
            for pos, why in bad:
                findings.append(Finding("malformed", f"位置 {pos} 的事件无法编码：{why}。", f"The event at position {pos} cannot be encoded: {why}.", pos))
            if first_pos is None:
                first_pos = rows[0][0]
            last_pos = rows[-1][0]
            # positions: strictly increasing; on SQLite without gaps
            if rows[-1][0] - prev != len(rows):
                for r in rows:
                    if r[0] != prev + 1:
                        gaps += r[0] - prev - 1
                        if not store.gaps_expected:
                            span = str(prev + 1) if r[0] - prev == 2 else f"{prev + 1}–{r[0] - 1}"
                            findings.append(Finding(
                                "gap", f"位置 {span} 没有事件：SQLite 按顺序编号不留空位，说明那里的事件被删除，或位置 {r[0]} 的事件是以伪造的位置插入的。",
                                f"No event at position {span}: SQLite numbers events without gaps, so events there were deleted, "
                                f"or the event at position {r[0]} was inserted with a forged position.",
                                prev + 1))
                    prev = r[0]
            prev = rows[-1][0]
            stored = take(len(rows))
            stored_tree.extend(s[4] for s in stored)
            if not located and stored and not ([s[4] for s in stored] == hashes[:len(stored)]
                                              and [s[1] for s in stored] == [r[0] for r in rows[:len(stored)]]):
                located = True
                findings.append(_first_difference(rows, hashes, stored, clients))
            builder.extend(hashes)
            if progress:
                progress(len(rows))
        rest = take(1 << 62)
        stored_tree.extend(s[4] for s in rest)
        if rest and not located:
            s = rest[0]
            findings.append(Finding(
                "truncated",
                f"账本在位置 {s[1]} 之后的事件缺失（检查点已记录 {s[0] + len(rest)} 个事件，现只有 {n} 个）：客户 {clients(s[2])}，版本 {s[3]}。",
                f"The ledger's events from position {s[1]} on are missing (checkpoints recorded {s[0] + len(rest)} events, "
                f"now there are {n}): client {clients(s[2])}, version {s[3]}.",
                s[1], clients(s[2]), s[3]))
        root = builder.root()
        for label_zh, label_en, head in heads:
            if head.size > n:
                if not any(f.kind == "truncated" for f in findings):
                    findings.append(Finding("truncated", f"{label_zh} 记录了 {head.size} 个事件，账本现只有 {n} 个：事件被删除。",
                                            f"{label_en[0].upper() + label_en[1:]} recorded {head.size} events; the ledger now has {n}: events were removed."))
                continue
            if builder.roots.get(head.size) != head.root:
                findings.append(Finding("checkpoint", f"{label_zh}（大小 {head.size}）的根哈希与重新计算的不符：其覆盖的事件被改动。",
                                        f"The root of {label_en} (size {head.size}) differs from the recomputed one: events it covers were changed."))
            if stored_tree.roots.get(head.size) != head.root:
                findings.append(Finding("leaves", f"库内叶哈希表与{label_zh}不符：该表也被改动，位置定位仅供参考。",
                                        f"The stored leaf hashes do not match {label_en}: that table was altered too; the located position is indicative only."))
        if ext is not None and ext.size <= n:
            proof = [builder.subtree(a, b) for a, b in consistency_ranges(ext.size, n)]
            if not verify_consistency(ext.size, n, ext.root, root, proof):
                findings.append(Finding("external", f"外部检查点（大小 {ext.size}）与当前账本（大小 {n}）的一致性证明不成立。",
                                        f"The consistency proof from the external checkpoint (size {ext.size}) to the current ledger (size {n}) fails."))
        if builder.size != n:
            findings.append(Finding("truncated", "读取期间事件数发生变化；请重新运行。", "The number of events changed while reading; run again."))
    positions = (first_pos, last_pos) if first_pos is not None else None
    return Report(origin, n, root, positions, gaps, len(heads), ext, findings)


def _first_difference(rows: list[EventRow], hashes: list[bytes], stored: list[LeafRow], clients: _Clients) -> Finding:
    for r, h, s in zip(rows, hashes, stored):
        if r[0] == s[1] and h == s[4]:
            continue
        name = _topic_name(r[3])
        if r[0] == s[1]:
            return Finding("changed", f"位置 {r[0]} 的事件在检查点之后被改动：客户 {clients(r[1])}，版本 {r[2]}，{name}。",
                           f"The event at position {r[0]} was changed after it was checkpointed: client {clients(r[1])}, version {r[2]}, {name}.",
                           r[0], clients(r[1]), r[2], name)
        if r[0] > s[1]:
            return Finding("missing", f"位置 {s[1]} 的事件已被删除：客户 {clients(s[2])}，版本 {s[3]}。",
                           f"The event at position {s[1]} was deleted: client {clients(s[2])}, version {s[3]}.",
                           s[1], clients(s[2]), s[3])
        return Finding("inserted", f"位置 {r[0]} 有一个检查点中没有的事件（伪造插入或顺序被改动）：客户 {clients(r[1])}，版本 {r[2]}，{name}。",
                       f"Position {r[0]} holds an event no checkpoint contains (a forged insert or a reordering): client {clients(r[1])}, version {r[2]}, {name}.",
                       r[0], clients(r[1]), r[2], name)
    s = stored[len(rows)] if len(stored) > len(rows) else stored[-1]
    return Finding("truncated", f"位置 {s[1]} 起的事件缺失。", f"Events from position {s[1]} on are missing.", s[1], clients(s[2]), s[3])
