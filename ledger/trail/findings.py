"""What ``verify`` finds, and the checks over stored rows that find it: each finding names the
kind of alteration, the position, the client and the event where it can (docs/audit-trail.md,
"What verify checks"). Used by ``ledger.trail.service``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ledger.store.trail import EventRow
from ledger.trail.heads import Heads


def topic_name(topic: Any) -> str:
    return str(topic).rsplit(".", 1)[-1].rsplit(":", 1)[-1]


def oid_bytes(value: bytes | str) -> bytes:
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError:
            return value.encode()
    return bytes(value)


@dataclass
class Finding:
    """One thing that did not verify. ``kind`` is one of: changed, replaced, missing, inserted,
    truncated, gap, malformed, leaves, root, consistency, heads, checkpoint-deleted, attestation (the data was altered); checkpoint,
    external (a checkpoint cannot be used); unchecked (no checkpoint to check against); cosign (a panel's act awaiting a
    member's co-signature: work in progress, kept apart from the findings by ``verify``)."""

    kind: str
    message_zh: str
    message_en: str
    position: int | None = None
    client: str | None = None
    version: int | None = None
    event: str | None = None
    recorded_on: str | None = None  # "cosign" findings: the day the act awaiting co-signature was recorded

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "position": self.position, "client": self.client, "version": self.version,
                "event": self.event, "message_zh": self.message_zh, "message_en": self.message_en} | (
                    {"recorded_on": self.recorded_on} if self.recorded_on else {})


class Clients:
    """Originator ids to USCCs, read from each client's first (Registered) event when needed."""

    def __init__(self, store: Any) -> None:
        self.store, self.cache = store, {}

    def __call__(self, oid: bytes | str) -> str:
        return self._read(oid)[1]

    def _read(self, oid: bytes | str) -> tuple[str, str]:
        """(kind, label) of a stream: a client by its USCC, a person of the register by name, the body."""
        key = oid_bytes(oid)
        if key not in self.cache:
            kind, label = "client", key.hex()
            try:
                state = json.loads(self.store.first_event(key) or b"null")
                if isinstance(state, dict) and state.get("uscc"):
                    label = state["uscc"]
                elif isinstance(state, dict) and state.get("document_number") and state.get("name"):
                    kind, label = "person", state["name"]
                elif isinstance(state, dict) and "document_number" not in state:
                    kind = "body"
            except Exception:  # noqa: BLE001 - a label for a report; the finding stands without it
                pass
            self.cache[key] = (kind, label)
        return self.cache[key]

    def zh(self, oid: bytes | str) -> str:
        """Whose event, in words: 客户 USCC, 人员 王芳, or 本机构 (trial 12: a person is not a client)."""
        kind, label = self._read(oid)
        return {"person": f"人员 {label}", "body": f"本机构（{label}）"}.get(kind, f"客户 {label}")

    def en(self, oid: bytes | str) -> str:
        kind, label = self._read(oid)
        return {"person": f"person {label}", "body": f"the body ({label})"}.get(kind, f"client {label}")

    def event(self, oid: bytes | str, topic: Any, lang: str = "zh") -> str:
        """An event's type in words, by whose stream it is in (a person's Registered is not a client's)."""
        from ledger.words import PERSON_EVENTS, event_word

        name = topic_name(topic)
        if self._read(oid)[0] == "person" or str(topic).startswith("aggregates.people:"):
            pair = PERSON_EVENTS.get(name)
            if pair:
                return pair[1] if lang == "en" else pair[0]
        return event_word(name, lang)


def advance_heads(rows: list[EventRow], raw: dict[Any, tuple[int, int]], base: int, sizes: set[int],
                   at: dict[int, tuple[int, bytes]]) -> None:
    """Advance each client's head (as stored ids: converted only when a root is taken) over a
    batch of rows starting at leaf ``base``, taking (count, root) of the heads at each of ``sizes``
    that falls in the batch."""
    stops = sorted(s - base for s in sizes if base < s <= base + len(rows))
    start = 0
    for stop in [*stops, len(rows)]:
        raw.update((r[1], (r[2], r[0])) for r in rows[start:stop])
        if base + stop in sizes and stop in stops:
            heads = Heads({oid_bytes(k): v for k, v in raw.items()})
            at[base + stop] = (len(heads.by_client), heads.root())
        start = stop


def check_leaf_rows(rows: list[EventRow], stored: list[Any], base: int, findings: list[Finding], clients: Clients) -> bool:
    """The columns of the stored leaf rows (index, position, client, version) must be those of the
    events whose hashes they hold: the next checkpoint resumes from them. Names the first that is
    not, as an alteration of the leaf store; returns whether one was named."""
    for j, leaf in enumerate(stored):
        r = rows[j]
        if leaf[1] == base + j and leaf[2] == r[0] and leaf[4] == r[2] and bytes(leaf[3]) == oid_bytes(r[1]):
            continue
        findings.append(Finding(
            "leaves",
            f"库内叶哈希表第 {base + j} 行记的是位置 {leaf[2]}、第 {leaf[4]} 版，而它的哈希属于位置 {r[0]} 的事件（{clients.zh(r[1])}，"
            f"第 {r[2]} 版）：该表（trail_leaves）被改动，事件本身未变。",
            f"Stored leaf row {base + j} says position {leaf[2]}, version {leaf[4]}, but its hash is that of the event at position "
            f"{r[0]} ({clients.en(r[1])}, version {r[2]}): that table (trail_leaves) was altered, not the event.",
            r[0], clients(r[1]), r[2] if type(r[2]) is int else None, topic_name(r[3])))
        return True
    return False


def check_versions(rows: list[EventRow], versions: dict[Any, int], findings: list[Finding], clients: Clients) -> None:
    """Each client's events carry versions 1, 2, 3... in position order; a jump or a repeat means
    an event was deleted or forged, even after the last checkpoint, where hashes cannot tell."""
    for r in rows:
        key, ver = r[1], r[2]
        last = versions.get(key, 0)
        if type(ver) is int and ver == last + 1:
            versions[key] = ver
            continue
        if sum(1 for f in findings if f.kind == "sequence") < 20:
            findings.append(Finding(
                "sequence",
                f"位置 {r[0]}：{clients.zh(key)} 的第 {ver} 版事件（{clients.event(key, r[3])}）紧接在第 {last} 版之后：版本不连续，说明有事件被删除或伪造。",
                f"Position {r[0]}: {clients.en(key)}'s version {ver} ({clients.event(key, r[3], 'en')}) follows version {last}: the versions "
                "are not consecutive, so an event was deleted or forged.",
                r[0], clients(key), ver if type(ver) is int else None, topic_name(r[3])))
        if type(ver) is int:
            versions[key] = max(last, ver)


def check_positions(rows: list[EventRow], prev: int, gaps: int, gaps_expected: bool, findings: list[Finding],
                     clients: Clients) -> tuple[int, int]:
    """Positions start at 1 and increase; on SQLite they have no gaps."""
    for r in rows:
        pos = r[0]
        if pos <= prev:
            findings.append(Finding(
                "malformed",
                f"位置 {pos} 不是账本会分配的位置（位置从 1 开始递增）：这是伪造插入的事件（{clients.zh(r[1])}，版本 {r[2]}，{clients.event(r[1], r[3])}）。",
                f"Position {pos} is not one the ledger assigns (positions start at 1 and increase): a forged insert "
                f"({clients.en(r[1])}, version {r[2]}, {clients.event(r[1], r[3], 'en')}).",
                pos, clients(r[1]), r[2], topic_name(r[3])))
        elif pos != prev + 1:
            gaps += pos - prev - 1
            if not gaps_expected:
                span = str(prev + 1) if pos - prev == 2 else f"{prev + 1}–{pos - 1}"
                findings.append(Finding(
                    "gap", f"位置 {span} 没有事件：SQLite 按顺序编号不留空位，说明那里的事件被删除，或位置 {pos} 的事件是以伪造的位置插入的。",
                    f"No event at position {span}: SQLite numbers events without gaps, so events there were deleted, "
                    f"or the event at position {pos} was inserted with a forged position.",
                    prev + 1))
        prev = max(prev, pos)
    return prev, gaps


def first_difference(snap: Any, rows: list[EventRow], hashes: list[bytes], stored: list[bytes], base: int,
                      clients: Clients) -> Finding:
    """Name the first event whose leaf differs from the checkpointed one: changed in place,
    replaced by another (reordering), deleted (the next one moved up), or inserted."""
    i = next(i for i, (h, s) in enumerate(zip(hashes, stored)) if h != s)
    r = rows[i]
    pos, oid, ver, name = r[0], oid_bytes(r[1]), r[2], topic_name(r[3])
    s = snap.leaf_row(base + i)
    if s is None:  # the leaves table lost the row: the stored tree check reports it
        return Finding("leaves", f"库内叶哈希表在第 {base + i} 个叶处缺行。", f"The stored leaf hashes lack leaf {base + i}.", pos, clients(oid), ver, name)
    _, s_pos, s_oid, s_ver, _ = s
    if pos == s_pos and (oid, ver) == (s_oid, s_ver):
        return Finding("changed", f"位置 {pos} 的事件在检查点之后被改动：{clients.zh(oid)}，版本 {ver}，{clients.event(oid, r[3])}。",
                       f"The event at position {pos} was changed after it was checkpointed: {clients.en(oid)}, version {ver}, {clients.event(oid, r[3], 'en')}.",
                       pos, clients(oid), ver, name)
    if pos == s_pos:
        moved = snap.leaf_of(oid, ver) if isinstance(ver, int) else None
        where_zh = f"该事件在检查点中位于位置 {moved[1]}：事件顺序被改动" if moved else "检查点中没有该事件：它是伪造的"
        where_en = f"the checkpoint had that event at position {moved[1]}: events were reordered" if moved else \
            "no checkpoint has that event: it is forged"
        return Finding("replaced",
                       f"位置 {pos} 签名时是{clients.zh(s_oid)} 的第 {s_ver} 版事件，现在是{clients.zh(oid)} 的第 {ver} 版事件（{clients.event(oid, r[3])}）；{where_zh}。",
                       f"Position {pos} held {clients.en(s_oid)}, version {s_ver} when checkpointed; it now holds {clients.en(oid)}, "
                       f"version {ver} ({clients.event(oid, r[3], 'en')}): {where_en}.",
                       pos, clients(oid), ver, name)
    if pos > s_pos:
        return Finding("missing", f"位置 {s_pos} 的事件已被删除：{clients.zh(s_oid)}，版本 {s_ver}。",
                       f"The event at position {s_pos} was deleted: {clients.en(s_oid)}, version {s_ver}.",
                       s_pos, clients(s_oid), s_ver)
    return Finding("inserted", f"位置 {pos} 有一个检查点中没有的事件（伪造插入）：{clients.zh(oid)}，版本 {ver}，{clients.event(oid, r[3])}。",
                   f"Position {pos} holds an event no checkpoint contains (a forged insert): {clients.en(oid)}, version {ver}, {clients.event(oid, r[3], 'en')}.",
                   pos, clients(oid), ver, name)
