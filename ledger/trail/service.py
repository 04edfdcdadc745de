"""Checkpointing and verifying the audit trail: the ledger methods behind ``certledger
checkpoint`` and ``certledger verify`` (docs/audit-trail.md)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aggregates.errors import RuleViolation
from ledger.store import trail_store
from ledger.store.trail import META, EventRow
from ledger.trail.findings import Clients, Finding, advance_heads, check_leaf_rows, check_positions, check_versions, first_difference, oid_bytes, topic_name
from ledger.trail.heads import Heads, extension_lines, heads_of
from ledger.trail.leaf import hash_rows
from ledger.trail.merkle import TreeBuilder, consistency_ranges, verify_consistency
from ledger.trail.note import Checkpoint, NoteError, Signer, Verifier, open_checkpoint

RULE = "001 §12 audit trail"
Progress = Callable[[int], None]

# Findings that say the stored events (or the trail's own tables) were altered, as opposed to a
# checkpoint that cannot be used (bad signature, another ledger) or nothing to check against.
DATA_KINDS = frozenset({"changed", "replaced", "missing", "inserted", "truncated", "gap", "malformed", "leaves", "root",
                        "consistency", "sequence", "heads", "checkpoint-deleted", "attestation", "signature",
                        "authority"})  # authority: a register event its actor could not record (written past the ledger)


def install_append_only(app: Any) -> None:
    """Create the trail's tables and the triggers that refuse UPDATE, DELETE (and TRUNCATE) of
    events, checkpoints and leaf hashes; idempotent, cheap when already installed."""
    trail_store(app).install()


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
    unsigned: int = 0  # events recorded after the largest checkpoint: nothing signed vouches for them yet
    uncovered_since: datetime | None = None  # when the first of those was recorded
    signatures: int = 0  # personal signatures checked (issue 15, item 4)
    pending: list[Finding] = field(default_factory=list)  # panel acts awaiting a co-signature: listed, not findings

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def altered(self) -> bool:
        """Whether a finding says the stored data was changed (not only that a checkpoint is unusable)."""
        return any(f.kind in DATA_KINDS for f in self.findings)

    @property
    def first(self) -> Finding | None:
        located = [f for f in self.findings if f.position is not None]
        if located:  # at one position, what the checkpointed leaves say beats a bare gap
            return min(located, key=lambda f: (f.position, f.kind in ("gap", "malformed", "sequence")))
        return self.findings[0] if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.ok, "altered": self.altered, "origin": self.origin, "tree_size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "first_position": self.positions[0] if self.positions else None,
            "last_position": self.positions[1] if self.positions else None,
            "gaps": self.gaps, "checkpoints_checked": self.checkpoints_checked, "unsigned_events": self.unsigned,
            "signatures_checked": self.signatures,
            "awaiting_cosignature": [f.to_dict() for f in self.pending],
            "uncovered_since": self.uncovered_since.isoformat() if self.uncovered_since else None,
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


def _now() -> datetime:
    # The recording clock of the event store (eventsourcing stamps events with it), not a business date.
    from eventsourcing.domain import datetime_now_with_tzinfo

    return datetime_now_with_tzinfo()


# ----------------------------------------------------------------------------------- checkpoint


def _heads_at(snap: Any, head: Checkpoint | None) -> tuple[Heads, bool]:
    """Every client's head as of the latest checkpoint ``head`` (None: no checkpoint yet), and
    whether the cache had to be rebuilt. The cached heads are used when they give the heads root
    that checkpoint signed; otherwise they are recomputed from its events, which must give that
    root (or, for a checkpoint signed before client heads existed, are taken as they are)."""
    if head is None:
        return Heads(), True
    signed = heads_of(head.extensions)
    cached = Heads(snap.heads())
    if signed is not None and (len(cached.by_client), cached.root()) == signed:
        return cached, False
    rebuilt = Heads()
    left = head.size
    for rows in snap.events():
        for r in rows[:left]:
            rebuilt.add(oid_bytes(r[1]), r[2], r[0])
        left -= min(left, len(rows))
        if not left:
            break
    if signed is not None and (len(rebuilt.by_client), rebuilt.root()) != signed:
        raise RuleViolation(
            RULE,
            "账本中各组织的最新事件与最近的检查点所签的组织末端不符，拒绝签发新检查点；请运行 certledger verify 查明改动。",
            "The clients' latest events in the ledger do not match the client heads the latest checkpoint signed; no new "
            "checkpoint is signed. Run certledger verify to find the change.",
        )
    return rebuilt, True


def make_checkpoint(app: Any, signer: Signer, progress: Progress | None = None,
                    on_size: Callable[[int], None] | None = None) -> CheckpointResult:
    """Sign the tree head over every committed event, with every client's head and the time of
    signing, store it with the new leaf hashes and heads, and return it (an unchanged tree returns
    the latest checkpoint). Only the events after the latest checkpoint are read: the tree is
    resumed from that checkpoint's compact range, which must fold to its signed root, and the heads
    from their cache, which must give its signed heads root."""
    app.refuse_if_read_only()  # a standby signs nothing: checkpoints are the primary's
    store = trail_store(app)
    store.install()
    with store.snapshot() as snap:
        origin = snap.origin()
        stored = snap.checkpoints()
        builder, last_position, last_note, head = TreeBuilder(), None, None, None
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
            leaf = snap.leaf_row(head.size - 1) if head.size else None
            if (builder is None or builder.root() != head.root or head.origin != origin or snap.count < head.size
                    or (head.size and leaf is None)):
                raise RuleViolation(
                    RULE,
                    "账本与最近的检查点不一致，拒绝签发新检查点；请运行 certledger verify 查明改动。",
                    "The ledger does not match its latest checkpoint; no new checkpoint is signed. Run certledger "
                    "verify to find the change.",
                )
            last_position = leaf[1] if leaf else None
            last_note = last
        if snap.leaf_count() > (head.size if head else 0):
            raise RuleViolation(
                RULE,
                f"库内叶哈希表记录了 {snap.leaf_count()} 个事件，而最近的库内检查点只覆盖 {head.size if head else 0} 个：之后的检查点被删除；"
                "拒绝签发新检查点，请运行 certledger verify（并用 --checkpoint 给出保存在数据库之外的最近检查点）。",
                f"The stored leaf hashes record {snap.leaf_count()} events but the latest stored checkpoint covers "
                f"{head.size if head else 0}: a later checkpoint was deleted; no checkpoint is signed. Run certledger verify "
                "(with --checkpoint, the latest checkpoint kept outside the database).",
            )
        heads, rebuilt = _heads_at(snap, head)
        changed: set[bytes] = set()
        if on_size:
            on_size(snap.count - builder.size)
        with store.writer() as w:
            done = 0
            for rows in snap.events(after=last_position):
                hashes, bad = hash_rows(rows, store.hex_ids)
                if bad:
                    i, why = bad[0]
                    pos = rows[i][0]
                    raise RuleViolation(RULE, f"位置 {pos} 的事件无法编码（{why.zh}）；拒绝签发检查点，请运行 certledger verify。",
                                        f"The event at position {pos} cannot be encoded ({why}); no checkpoint is signed. "
                                        "Run certledger verify.")
                start = builder.size
                w.add_leaves([(start + i, r[0], oid_bytes(r[1]), r[2], h) for i, (r, h) in enumerate(zip(rows, hashes))])
                builder.extend(hashes)
                for r in rows:
                    client = oid_bytes(r[1])
                    heads.add(client, r[2], r[0])
                    changed.add(client)
                done += len(rows)
                if progress:
                    progress(len(rows))
            if builder.size != snap.count:
                # Events were inserted or deleted among the checkpointed positions: verify names them.
                raise RuleViolation(
                    RULE,
                    f"账本现有 {snap.count} 个事件，而检查点加新事件共 {builder.size} 个：已签名的范围内有事件被插入或删除；"
                    "拒绝签发检查点，请运行 certledger verify。",
                    f"The ledger holds {snap.count} events but the checkpointed ones plus the new ones make {builder.size}: "
                    "events were inserted or deleted in the signed range; no checkpoint is signed. Run certledger verify.",
                )
            if last_note is not None and done == 0 and head is not None and heads_of(head.extensions) is not None:
                return CheckpointResult(last_note.id, last_note.note, head, 0)
            signed_at = _now()
            cp = Checkpoint(origin or "certledger", builder.size, builder.root(), extension_lines(heads, signed_at))
            note = cp.sign(signer)
            new_id = w.add_checkpoint(cp.size, cp.root, note, builder.nodes, signed_at.isoformat())
            w.put_heads([(c, *heads.by_client[c]) for c in (heads.by_client if rebuilt else changed)], replace_all=rebuilt)
    return CheckpointResult(new_id, note, cp, done)


# --------------------------------------------------------------------------------------- verify


def verify_trail(app: Any, verifier: Verifier, external: str | None = None,
                 progress: Progress | None = None, on_size: Callable[[int], None] | None = None,
                 witness_keys: tuple[Any, ...] = (), tsa_chain: bytes | None = None) -> Report:
    """Recompute the tree from the stored events and check it against every stored checkpoint,
    the stored leaf hashes and, if given, a checkpoint kept outside the database. The checks and
    their order are those of docs/audit-trail.md, "What verify checks"."""
    store = trail_store(app)
    clients = Clients(store)
    with store.snapshot() as snap:
        origin = snap.origin()
        n = snap.count
        if on_size:
            on_size(n)
        findings: list[Finding] = []
        if snap.missing:
            gone = ", ".join(sorted(snap.missing))
            findings.append(Finding("leaves", f"审计记录自身的表已被删除：{gone}。", f"The audit trail's own tables were dropped: {gone}."))
        # 1. The stored checkpoints and the external one: signature, origin, columns.
        heads: list[tuple[str, str, Checkpoint, Any]] = []  # (label zh, label en, checkpoint, stored row)
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
                findings.append(Finding("leaves", f"库内检查点 #{cp.id} 的大小或根哈希列与其签名正文不符。",
                                        f"The size or root columns of stored checkpoint #{cp.id} differ from its signed text."))
            heads.append((f"库内检查点 #{cp.id}", f"stored checkpoint #{cp.id}", head, cp))
        ext: Checkpoint | None = None
        if external is not None:
            try:
                ext = open_checkpoint(external, verifier)
            except NoteError as e:
                findings.append(Finding("external", f"外部检查点：{e.message_zh}", f"External checkpoint: {e.message_en}"))
            else:
                if ext.origin != origin:
                    findings.append(Finding("external", f"外部检查点属于另一本账：来源为 {ext.origin}，本账为 {origin}。",
                                            f"The external checkpoint is for another ledger: its origin is {ext.origin}, this ledger's is {origin}."
                                            + (" (This ledger's origin was lost with its trail tables.)" if META in snap.missing else "")))
                    ext = None
                else:
                    heads.append(("外部检查点", "the external checkpoint", ext, None))
        sizes = {h.size for _, _, h, _ in heads}
        # The client heads checked: those the latest stored checkpoint and the external one signed.
        with_heads = [(zh, en, h, cp) for zh, en, h, cp in heads if heads_of(h.extensions) is not None]
        checked_heads = [x for x in with_heads if x[3] is not None][-1:] + [x for x in with_heads if x[3] is None]
        head_sizes = {h.size for _, _, h, _ in checked_heads if h.size <= n}
        if stored_latest := [x for x in heads if x[3] is not None][-1:]:
            head_sizes.add(stored_latest[0][2].size)  # the heads cache is of the latest checkpoint
        raw_heads: dict[Any, tuple[int, int]] = {}
        heads_at: dict[int, tuple[int, bytes]] = {}
        if 0 in head_sizes:
            heads_at[0] = (0, Heads().root())

        # 2. The events in position order: encode, hash, check the positions, compare with the
        #    stored leaf hashes, build the tree (capturing the roots at the checkpoints' sizes).
        builder = TreeBuilder()
        builder.watch_roots(s for s in sizes if s <= n)
        if ext is not None and ext.size <= n:
            builder.watch(consistency_ranges(ext.size, n))
        stored_tree: TreeBuilder | None = None  # the tree of the stored leaf hashes, once they differ
        fork = n  # below this size the stored leaf hashes equal the recomputed ones
        first_pos = last_pos = None
        prev, gaps, located, hex_ids = 0, 0, False, store.hex_ids
        differs_at: int | None = None  # the first leaf whose stored hash differs from its event's
        located_row = False  # a stored leaf row whose columns differ from its event was named
        versions: dict[Any, int] = {}  # each client's last version so far: they run 1, 2, 3...
        covered = max((h.size for _, _, h, _ in heads), default=0)  # the first uncovered event is at this index
        first_uncovered: EventRow | None = None
        with snap.leaf_hashes(0) as leaves:
            for rows in snap.events():
                if builder.size <= covered < builder.size + len(rows):
                    first_uncovered = rows[covered - builder.size]
                check_versions(rows, versions, findings, clients)
                base, base_nodes = builder.size, list(builder.nodes)
                hashes, bad = hash_rows(rows, hex_ids)
                for i, why in bad:
                    r = rows[i]
                    findings.append(Finding("malformed", f"位置 {r[0]} 的事件无法编码：{why.zh}。", f"The event at position {r[0]} cannot be encoded: {why}.",
                                            r[0], clients(r[1]) if r[1] else None, r[2] if type(r[2]) is int else None, topic_name(r[3])))
                if first_pos is None:
                    first_pos = rows[0][0]
                last_pos = rows[-1][0]
                if rows[-1][0] - prev != len(rows) or rows[0][0] <= prev:
                    prev, gaps = check_positions(rows, prev, gaps, store.gaps_expected, findings, clients)
                prev = rows[-1][0]
                stored = leaves.take(len(rows))
                if stored_tree is None and not located_row and stored == hashes[:len(stored)]:
                    located_row = check_leaf_rows(rows, leaves.rows, base, findings, clients)
                if stored_tree is not None:
                    stored_tree.extend(stored)
                elif stored and stored != hashes[:len(stored)]:
                    stored_tree, fork = TreeBuilder(base, base_nodes), base
                    stored_tree.watch_roots(s for s in sizes if s > base)
                    stored_tree.extend(stored)
                    if not located:
                        located = True
                        differs_at = base + next(i for i, (h, s) in enumerate(zip(hashes, stored)) if h != s)
                        findings.append(first_difference(snap, rows, hashes, stored, base, clients))
                builder.extend(hashes)
                advance_heads(rows, raw_heads, base, head_sizes, heads_at)
                if progress:
                    progress(len(rows))
            # 3. Stored leaves beyond the events: the ledger lost events that were checkpointed.
            for rest in leaves.rest():
                if stored_tree is None:
                    stored_tree, fork = TreeBuilder(builder.size, builder.nodes), builder.size
                    stored_tree.watch_roots(s for s in sizes if s > builder.size)
                    if not located:
                        located = True
                        s = snap.leaf_row(builder.size)
                        if s is not None:
                            total = snap.leaf_count()
                            findings.append(Finding(
                                "truncated",
                                f"位置 {s[1]} 起的事件缺失（检查点已记录 {total} 个事件，账本现只有 {n} 个）：第一个缺失的是{clients.zh(s[2])} 的第 {s[3]} 版事件。",
                                f"The events from position {s[1]} on are missing (checkpoints recorded {total} events; the ledger now has {n}): "
                                f"the first missing one is {clients.en(s[2])}, version {s[3]}.",
                                s[1], clients(s[2]), s[3]))
                stored_tree.extend(rest)
        root = builder.root()

        # 4. Every checkpoint against the recomputed tree (and the stored leaves).
        events_match = all(h.size > n or builder.roots.get(h.size) == h.root for _, _, h, _ in heads)
        for label_zh, label_en, head, cp in heads:
            label_en_cap = label_en[0].upper() + label_en[1:]
            if head.size > n:
                if not any(f.kind == "truncated" for f in findings):
                    findings.append(Finding("truncated", f"{label_zh}记录了 {head.size} 个事件，账本现只有 {n} 个：事件被删除。",
                                            f"{label_en_cap} recorded {head.size} events; the ledger now has {n}: events were removed."))
                continue
            if builder.roots.get(head.size) != head.root:
                findings.append(Finding("root", f"{label_zh}（{head.size} 个事件）的根哈希与重新计算的不符：其覆盖的事件被改动。",
                                        f"The root of {label_en} ({head.size} events) differs from the recomputed one: events it covers were changed."))
            stored_root = (stored_tree.roots if stored_tree is not None and head.size > fork else builder.roots).get(head.size)
            if stored_root != head.root and events_match:
                findings.append(Finding("leaves", f"库内叶哈希表与{label_zh}不符：被改动的是该表（trail_leaves），事件本身与所有签名的检查点一致。",
                                        f"The stored leaf hashes do not match {label_en}: that table (trail_leaves) was altered; the events "
                                        "themselves match every signed checkpoint."))
            elif stored_root != head.root:
                findings.append(Finding("leaves", f"库内叶哈希表与{label_zh}不符：该表也被改动，定位的位置仅供参考。",
                                        f"The stored leaf hashes do not match {label_en}: that table was altered too; the located position is indicative only."))
            if cp is not None and builder.compacts.get(head.size) != cp.nodes:
                findings.append(Finding("leaves", f"{label_zh}存储的紧凑范围（续签新检查点所用）与重新计算的不符：该行被改动。",
                                        f"The compact range stored with {label_en} (used to extend it) differs from the recomputed one: that row was altered."))
        # 4b. Every client's head: what the checkpoints signed, and the cache the next one extends.
        for label_zh, label_en, head, _ in checked_heads:
            if head.size <= n and heads_at.get(head.size) != heads_of(head.extensions):
                findings.append(Finding("heads", f"{label_zh}所签的各组织末端（最新版本及其位置）与其覆盖的事件不符：签名时的末端记录有误。",
                                        f"The client heads (last version and its position) that {label_en} signed do not match the events "
                                        "it covers: the heads were wrong when it was signed."))
        if stored_latest and stored_latest[0][2].size <= n:
            cache = Heads(snap.heads())
            if heads_at.get(stored_latest[0][2].size) != (len(cache.by_client), cache.root()):
                findings.append(Finding("leaves", "库内的组织末端缓存（trail_heads）与最近的检查点覆盖的事件不符：该表被改动；下一个检查点会从事件重建它。",
                                        "The stored client-heads cache (trail_heads) does not match the events the latest checkpoint "
                                        "covers: that table was altered; the next checkpoint rebuilds it from the events."))
        # 4c. The right culprit: a stored leaf hash that differs from its event while every signed
        #     checkpoint covering that leaf matches the events blames the leaf store, not the event.
        if differs_at is not None and any(differs_at < h.size <= n for _, _, h, _ in heads) and all(
                builder.roots.get(h.size) == h.root for _, _, h, _ in heads if differs_at < h.size <= n):
            for i, f in enumerate(findings):
                if f.kind in ("changed", "replaced", "missing", "inserted") and f.position is not None:
                    findings[i] = Finding(
                        "leaves",
                        f"库内叶哈希表第 {differs_at} 个叶（位置 {f.position}）的哈希被改动：该位置的事件与覆盖它的签名检查点一致，"
                        "被改动的是叶哈希表（trail_leaves），不是事件。",
                        f"The stored hash of leaf {differs_at} (position {f.position}) was altered: the event there matches the signed "
                        "checkpoints that cover it, so the leaf store (trail_leaves) was changed, not the event.",
                        f.position, f.client, f.version, f.event)
                    break
        # 4d. Deleted checkpoints: leaves are stored only with a checkpoint, and every checkpoint made
        #     is stored, so leaves beyond the latest stored one, or an external checkpoint that is
        #     not stored, mean stored checkpoints were deleted.
        latest_size = stored_latest[0][2].size if stored_latest else 0
        leaf_count = snap.leaf_count()
        if leaf_count > latest_size and not any(f.kind == "truncated" for f in findings):
            findings.insert(0, Finding(
                "checkpoint-deleted",
                f"库内叶哈希表记录了 {leaf_count} 个事件，而最近的库内检查点只覆盖 {latest_size} 个：之后签发的检查点已从数据库删除。",
                f"The stored leaf hashes record {leaf_count} events but the latest stored checkpoint covers {latest_size}: a "
                "checkpoint signed after it was deleted from the database."))
        if leaf_count < latest_size and not any(f.kind in ("leaves", "truncated") for f in findings):
            findings.append(Finding(
                "leaves",
                f"库内叶哈希表只有 {leaf_count} 行，而最近的库内检查点覆盖 {latest_size} 个事件：该表（trail_leaves）的行被删除"
                + ("；事件本身与所有签名的检查点一致。" if events_match else "。"),
                f"The stored leaf hashes have {leaf_count} rows but the latest stored checkpoint covers {latest_size} events: rows "
                "were deleted from that table (trail_leaves)" + ("; the events themselves match every signed checkpoint." if events_match else ".")))
        same_size = [cp for _, _, h, cp in heads if cp is not None and h.size == ext.size and h.root != ext.root] if ext else []
        if same_size:
            # Not a deleted checkpoint: the ledger signed another tree of that size (a fork).
            findings.insert(0, Finding(
                "consistency",
                f"外部检查点与库内检查点 #{same_size[0].id} 大小相同（{ext.size} 个事件）而根哈希不同：账本现有的历史与外部检查点所签的不是同一段（分叉或历史被改写）。",
                f"The external checkpoint and stored checkpoint #{same_size[0].id} have the same size ({ext.size} events) but "
                "different roots: the ledger's history is not the one the external checkpoint signed (a fork, or a rewritten "
                "history)."))
        elif ext is not None and not any((h.size, h.root) == (ext.size, ext.root) for _, _, h, cp in heads if cp is not None):
            findings.insert(0, Finding(
                "checkpoint-deleted",
                f"外部检查点（{ext.size} 个事件）不在库内的检查点中：每个签发的检查点都会存入数据库，它已被删除。",
                f"The external checkpoint ({ext.size} events) is not among the stored checkpoints: every checkpoint signed is "
                "stored, so it was deleted from the database."))
        # 5. The external checkpoint: a consistency proof from it to the current tree.
        if ext is not None and ext.size <= n:
            proof = [builder.subtree(a, b) for a, b in consistency_ranges(ext.size, n)]
            if not verify_consistency(ext.size, n, ext.root, root, proof):
                findings.append(Finding("consistency", f"从外部检查点（{ext.size} 个事件）到当前账本（{n} 个事件）的一致性证明不成立。",
                                        f"The consistency proof from the external checkpoint ({ext.size} events) to the current ledger ({n} events) fails."))
        if builder.size != n:
            findings.append(Finding("truncated", "读取期间事件数发生变化；请重新运行。", "The number of events changed while reading; run again."))
        # 5b. What witnesses and the time-stamping authority said of the stored checkpoints.
        from ledger.trail.attest import check_stored

        findings += check_stored(snap.attestations(), {cp.id: h.text() for _, _, h, cp in heads if cp is not None}, witness_keys,
                                 tsa_chain)
        # 5c. Personal signatures (issue 15, item 4): every signed act against its signer's key on the act's day.
        from ledger.signing_verify import check_signatures
        from ledger.trail.people_replay import people_findings

        register = people_findings(app)  # a person's altered event: named, not a stop (trial item 4); an unauthorised one
        unreadable = [f for f in register if f.kind == "malformed"]
        personal = check_signatures(app) if not unreadable else None
        findings += register + ([] if unreadable else [f for f in personal.findings if f.kind != "cosign"])
        pending = [] if unreadable else [f for f in personal.findings if f.kind == "cosign"]  # work in progress
        # 6. Nothing signed to compare with: the events hash to a root, but nothing vouches for it.
        if not heads and not findings:
            findings.append(Finding(
                "unchecked",
                "没有可核对的检查点：账本中没有检查点，也未给出外部检查点，因此无法证明事件未被改动。请先运行 certledger checkpoint，"
                "并用 --checkpoint 给出保存在数据库之外的检查点。",
                "There is no checkpoint to check against: none is stored and none was given, so nothing shows the events are "
                "unaltered. Run certledger checkpoint first, and give a checkpoint kept outside the database with --checkpoint."))
    positions = (first_pos, last_pos) if first_pos is not None else None
    report = Report(origin, n, root, positions, gaps, len(heads), ext, findings)
    report.unsigned = max(0, n - max((h.size for _, _, h, _ in heads), default=0))
    report.signatures = personal.checked if personal is not None else 0
    report.pending = pending
    if report.unsigned and first_uncovered is not None:
        report.uncovered_since = _recorded_at(app, first_uncovered)
    return report


def _recorded_at(app: Any, row: EventRow) -> datetime | None:
    """When an event row was recorded (the library's timestamp in its state); None if it does not
    decode (another finding names that row)."""
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    try:
        stored = StoredEvent(UUID(bytes=oid_bytes(row[1])), row[2], row[3], bytes(row[4]))
        return app.mapper.to_domain_event(stored).timestamp
    except Exception:  # noqa: BLE001 - damaged rows are reported by the checks above
        return None

