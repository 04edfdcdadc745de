"""Checking an inspection bundle offline, without the database (docs/inspection-bundle.md, "What
verify-bundle checks"):

1. the manifest and SHA256SUMS: every file present, with the SHA-256 they list, nothing extra;
2. the public key: the bundled one parses, and equals the one the inspector was given, if any;
3. the checkpoint: a C2SP signed note whose Ed25519 signature verifies with that key;
4. every events.jsonl line: canonical JSON of a leaf's fields; re-hashed, it equals its leaf hash
   in proofs.jsonl, whose inclusion path leads to the checkpoint's signed root;
5. the PDF report: signed (PAdES) with that key, the one signature covering the whole file; its
   cover states the checkpoint's origin, size and root and the manifest's clients and counts; its
   attached events.jsonl equals the bundle's file, byte for byte;
6. the manifest's clients: exactly the clients whose events are in the bundle;
7. completeness: each client's head (last version and its position), proven against the tree of
   client heads the checkpoint signs, is where the client's events in the bundle end;
8. the ledger and the time: the checkpoint's origin is the one the inspector pins (``origin``),
   and its time of signing is within ``max_age``.

Every problem found is reported (with the file and line); nothing is "verified" unless all pass.
Without a public key obtained independently, nothing is "verified" either: ``structure_only``
checks the bundle against its own key and says so.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ledger.bundle import layout
from ledger.bundle.attested import check_attestations
from ledger.bundle.signers import check_aggregates, check_signatures
from ledger.words import age_words

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_LINE_FAULTS = 20  # line-level problems listed per file before "and N more"


@dataclass
class Problem:
    """One thing that did not verify: ``what`` is the file or check (manifest, public-key,
    checkpoint, events, proofs, report, clients)."""

    what: str
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, str]:
        return {"what": self.what, "message_zh": self.message_zh, "message_en": self.message_en}


@dataclass
class BundleReport:
    directory: Path
    origin: str | None = None
    tree_size: int | None = None
    events: int = 0
    clients: list[str] = field(default_factory=list)
    key: str | None = None
    signed_at: datetime | None = None  # the checkpoint's time of signing, if it carries one
    ledger_clients: int | None = None  # how many clients the checkpoint signs heads for
    structure_only: bool = False  # checked with the bundle's own key: consistent at best, never verified
    witnessed: list[tuple[str, datetime]] = field(default_factory=list)  # (witness key name, time it cosigned)
    stamped_at: datetime | None = None  # the time the checkpoint's time stamp token states
    stamp_checked: bool = False  # whether that token was verified against the TSA chain the inspector gave
    problems: list[Problem] = field(default_factory=list)
    signatures: int = 0  # personal signatures checked (issue 15, item 4)
    pending: list[Problem] = field(default_factory=list)  # panel acts awaiting a co-signature: listed, not problems (D48c)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, what: str, zh: str, en: str) -> None:
        self.problems.append(Problem(what, zh, en))

    def add_pending(self, zh: str, en: str) -> None:
        """A panel's act awaiting a co-signature: listed, not a problem (D48c)."""
        self.pending.append(Problem("cosign", zh, en))

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.ok and not self.structure_only, "consistent": self.ok, "structure_only": self.structure_only,
                "directory": str(self.directory), "origin": self.origin, "tree_size": self.tree_size,
                "checkpoint_time": self.signed_at.isoformat() if self.signed_at else None,
                "events": self.events, "clients": self.clients, "ledger_clients": self.ledger_clients, "public_key": self.key,
                "witnessed": [{"witness": n, "time": t.isoformat()} for n, t in self.witnessed],
                "time_stamp": ({"time": self.stamped_at.isoformat(), "checked": self.stamp_checked} if self.stamped_at else None),
                "signatures_checked": self.signatures, "problems": [p.to_dict() for p in self.problems],
                "awaiting_cosignature": [p.to_dict() for p in self.pending]}


class _Faults:
    """Line-level problems of one file, capped."""

    def __init__(self, report: BundleReport, what: str) -> None:
        self.report, self.what, self.count = report, what, 0

    def __call__(self, zh: str, en: str) -> None:
        self.count += 1
        if self.count <= MAX_LINE_FAULTS:
            self.report.add(self.what, zh, en)

    def close(self) -> None:
        if self.count > MAX_LINE_FAULTS:
            more = self.count - MAX_LINE_FAULTS
            self.report.add(self.what, f"{self.what} 另有 {more} 处问题未列出。", f"{self.what}: {more} more problems not listed.")


# ---------------------------------------------------------------------------------------- files


def _check_files(d: Path, report: BundleReport) -> dict[str, Any] | None:
    """The manifest, parsed, if the files match it; problems otherwise."""
    mpath = d / layout.MANIFEST
    try:
        manifest = json.loads(mpath.read_bytes().decode("utf-8"))
        if isinstance(manifest, dict) and manifest.get("format") == "certledger-inspection-bundle-v1":
            report.add("manifest", "这是第 1 版检查包：其中没有各组织的末端证明，无法证明事件完整。请向认证机构索取新的检查包。",
                       "This is a version-1 bundle: it carries no proof of each client's head, so nothing shows its events "
                       "are complete. Ask the body for a new export.")
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != layout.FORMAT or not isinstance(manifest.get("files"), dict):
            raise ValueError("not a bundle manifest")
    except FileNotFoundError:
        report.add("manifest", f"缺少清单文件 {layout.MANIFEST}：这不是完整的检查包。",
                   f"The manifest {layout.MANIFEST} is missing: this is not a complete bundle.")
        manifest = None
    except (OSError, ValueError, UnicodeDecodeError) as e:
        report.add("manifest", f"清单文件 {layout.MANIFEST} 无法读取或格式不正确（{type(e).__name__}）：它被改动或损坏。",
                   f"The manifest {layout.MANIFEST} cannot be read or is malformed ({type(e).__name__}): it was altered or is corrupt.")
        manifest = None

    listed = manifest["files"] if manifest else {}
    # An optional file (the time stamp token) belongs to the bundle when it is there or listed.
    optional = tuple(n for n in layout.OPTIONAL_FILES if (d / n).exists() or n in listed)
    actual: dict[str, str] = {}
    for name in (*layout.FILES, *optional, layout.MANIFEST):
        p = d / name
        if not p.is_file():
            if name != layout.MANIFEST:
                report.add(name, f"缺少文件 {name}。", f"The file {name} is missing.")
            continue
        actual[name] = layout.file_sha256(p)
    if manifest:
        for name in (*layout.FILES, *optional):
            entry = listed.get(name)
            want = entry.get("sha256") if isinstance(entry, dict) else None
            if not isinstance(want, str) or not _HEX64.match(want):
                report.add("manifest", f"清单没有给出 {name} 的 SHA-256。", f"The manifest gives no SHA-256 for {name}.")
            elif name in actual and actual[name] != want:
                report.add(name, f"文件 {name} 的 SHA-256 与清单不符：该文件在导出后被改动。",
                           f"The SHA-256 of {name} differs from the manifest: the file was changed after export.")
        for name in listed:
            if name not in layout.FILES and name not in layout.OPTIONAL_FILES:
                report.add("manifest", f"清单列出了未知文件 {name}。", f"The manifest lists an unknown file {name}.")
    # SHA256SUMS (for `sha256sum -c`): must agree with the files too.
    sums = d / layout.SUMS
    if not sums.is_file():
        report.add(layout.SUMS, f"缺少文件 {layout.SUMS}。", f"The file {layout.SUMS} is missing.")
    else:
        seen: dict[str, str] = {}
        try:
            for line in sums.read_text(encoding="ascii").splitlines():
                digest, _, name = line.partition("  ")
                seen[name] = digest
        except (OSError, UnicodeDecodeError):
            seen = {}
        if set(seen) != {*layout.FILES, *optional, layout.MANIFEST}:
            report.add(layout.SUMS, f"{layout.SUMS} 列出的文件与检查包不符：它被改动。",
                       f"{layout.SUMS} does not list the bundle's files: it was altered.")
        else:
            for name, digest in seen.items():
                if name in actual and actual[name] != digest:
                    report.add(layout.SUMS, f"{layout.SUMS} 中 {name} 的哈希与文件不符。",
                               f"{layout.SUMS} gives a hash for {name} that differs from the file.")
    expected = {*layout.FILES, *optional, layout.MANIFEST, layout.SUMS}
    try:
        extra = sorted(p.name for p in d.iterdir() if p.name not in expected)
    except OSError:
        extra = []
    for name in extra:
        report.add("manifest", f"检查包中有清单之外的文件 {name}。", f"The bundle holds a file not in the manifest: {name}.")
    return manifest


def _check_key(d: Path, public_key: Any, report: BundleReport) -> Any:
    """The key to check the checkpoint with: the inspector's if given, else the bundled one."""
    from ledger.trail.note import NoteError, parse_verifier

    bundled = None
    try:
        bundled = parse_verifier((d / layout.PUBLIC_KEY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        pass  # reported with the files
    except (OSError, UnicodeDecodeError):
        report.add("public-key", f"{layout.PUBLIC_KEY} 无法读取。", f"{layout.PUBLIC_KEY} cannot be read.")
    except NoteError as e:
        report.add("public-key", f"{layout.PUBLIC_KEY}：{e.message_zh}", f"{layout.PUBLIC_KEY}: {e.message_en}")
    if public_key is not None:
        if bundled is not None and bundled != public_key:
            report.add("public-key",
                       f"检查包附带的公钥 {bundled.name}（{bundled.key_id.hex()}）与检查人员另行取得的公钥 {public_key.name}"
                       f"（{public_key.key_id.hex()}）不同：检查包的公钥被替换；检查点改用另行取得的公钥核验。",
                       f"The bundled public key {bundled.name} ({bundled.key_id.hex()}) differs from the key the inspector was given, "
                       f"{public_key.name} ({public_key.key_id.hex()}): the bundled key was replaced; the checkpoint is checked with the given key.")
        return public_key
    return bundled


def _check_checkpoint(d: Path, key: Any, report: BundleReport) -> Any:
    from ledger.trail.note import NoteError, open_checkpoint, read_checkpoint_file

    if not (d / layout.CHECKPOINT).is_file():
        return None
    try:
        note = read_checkpoint_file(str(d / layout.CHECKPOINT))
        if key is None:
            report.add("checkpoint", "没有可用的公钥，无法核验检查点的签名。", "No usable public key: the checkpoint's signature cannot be checked.")
            return None
        return open_checkpoint(note, key)
    except NoteError as e:
        report.add("checkpoint", f"{layout.CHECKPOINT}：{e.message_zh}", f"{layout.CHECKPOINT}: {e.message_en}")
        return None


# ---------------------------------------------------------------------------------------- lines


def _lines(path: Path) -> list[bytes] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data:
        return []
    parts = data.split(b"\n")
    if parts[-1] != b"":
        parts[-1] = parts[-1] + b"\x00no-newline"  # a final line without "\n" is not canonical
    else:
        parts.pop()
    return parts


def _event_leaf(line: bytes) -> tuple[int, bytes, uuid.UUID, int, bytes] | str:
    """(position, leaf bytes, client id, version, state) of an events.jsonl line, or why it is not one."""
    from ledger.trail.leaf import MalformedEvent, encode_leaf, recorded_time

    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "不是 UTF-8 的 JSON|is not UTF-8 JSON"
    if not isinstance(obj, dict) or set(obj) not in (layout.EVENT_KEYS, layout.EVENT_KEYS_B64):
        return "字段不是 position client version type recorded state|does not have the fields position client version type recorded state"
    if layout.canonical(obj) != line + b"\n":
        return "不是规范 JSON（键序、空白或转义被改动）|is not canonical JSON (key order, spacing or escapes were changed)"
    try:
        if "state" in obj:
            if not isinstance(obj["state"], str):
                raise MalformedEvent("state")
            state = obj["state"].encode("utf-8")
        else:
            state = base64.b64decode(obj["state_base64"], validate=True)
        if not isinstance(obj["client"], str) or not re.fullmatch(r"[0-9a-f]{32}", obj["client"]):
            raise MalformedEvent("client")
        leaf = encode_leaf(obj["position"], obj["client"], obj["version"], obj["type"], state)
        if not isinstance(obj["recorded"], str) or recorded_time(state) != obj["recorded"].encode("utf-8"):
            return "recorded 与 state 中的记录时间不符|recorded differs from the recorded time inside state"
    except (MalformedEvent, ValueError, TypeError, binascii.Error, UnicodeError):
        return "字段取值无效|has an invalid field value"
    return obj["position"], leaf, uuid.UUID(obj["client"]), obj["version"], state


def _check_events(d: Path, head: Any, manifest: dict[str, Any] | None, report: BundleReport) -> None:
    from ledger.trail.merkle import leaf_hash, verify_inclusion

    events = _lines(d / layout.EVENTS)
    proofs = _lines(d / layout.PROOFS)
    if events is None or proofs is None:
        return  # missing: reported with the files
    report.events = len(events)
    bad_e, bad_p = _Faults(report, "events"), _Faults(report, "proofs")
    if len(events) != len(proofs):
        report.add("proofs", f"{layout.EVENTS} 有 {len(events)} 行，{layout.PROOFS} 有 {len(proofs)} 行：应一一对应。",
                   f"{layout.EVENTS} has {len(events)} lines and {layout.PROOFS} {len(proofs)}: they must correspond one to one.")
    clients: set[uuid.UUID] = set()
    registered: dict[uuid.UUID, str] = {}
    versions: dict[uuid.UUID, list[int]] = {}
    last: dict[uuid.UUID, tuple[int, int]] = {}  # each client's last (version, position) in the bundle
    prev_index = -1
    for n, (eline, pline) in enumerate(zip(events, proofs), start=1):
        parsed = _event_leaf(eline)
        if isinstance(parsed, str):
            zh, en = parsed.split("|")
            bad_e(f"{layout.EVENTS} 第 {n} 行{zh}：该行被改动。", f"{layout.EVENTS} line {n} {en}: the line was altered.")
            continue
        position, leaf, client, version, state = parsed
        clients.add(client)
        versions.setdefault(client, []).append(version)
        last[client] = max(last.get(client, (version, position)), (version, position))
        if version == 1:  # the registration event names the client's USCC
            try:
                st = json.loads(state)
                if isinstance(st, dict) and isinstance(st.get("uscc"), str):
                    registered[client] = st["uscc"]
            except ValueError:
                pass
        try:
            proof = json.loads(pline.decode("utf-8"))
            if not isinstance(proof, dict) or set(proof) != layout.PROOF_KEYS or layout.canonical(proof) != pline + b"\n":
                raise ValueError
            index, ppos, lh = proof["leaf_index"], proof["position"], proof["leaf_hash"]
            path = proof["path"]
            if (type(index) is not int or type(ppos) is not int or not isinstance(lh, str) or not _HEX64.match(lh)
                    or not isinstance(path, list) or not all(isinstance(p, str) and _HEX64.match(p) for p in path)):
                raise ValueError
        except (UnicodeDecodeError, ValueError):
            bad_p(f"{layout.PROOFS} 第 {n} 行不是有效的证明记录：该行被改动。", f"{layout.PROOFS} line {n} is not a valid proof record: the line was altered.")
            continue
        h = leaf_hash(leaf)
        if ppos != position or bytes.fromhex(lh) != h:
            bad_e(f"{layout.EVENTS} 第 {n} 行（位置 {position}）重新计算的叶哈希与 {layout.PROOFS} 第 {n} 行不符：事件或证明被改动。",
                  f"{layout.EVENTS} line {n} (position {position}) re-hashes to a leaf other than {layout.PROOFS} line {n}: "
                  "the event or the proof was altered.")
            continue
        if index <= prev_index:
            bad_p(f"{layout.PROOFS} 第 {n} 行的叶序号 {index} 不大于上一行：顺序被改动。",
                  f"{layout.PROOFS} line {n}: leaf index {index} does not follow the previous line's: the order was altered.")
        prev_index = max(prev_index, index)
        if head is not None and not verify_inclusion(index, head.size, h, [bytes.fromhex(p) for p in path], head.root):
            bad_p(f"{layout.PROOFS} 第 {n} 行（位置 {position}）的包含证明不能导出检查点的根哈希：事件或证明被改动。",
                  f"The inclusion proof on {layout.PROOFS} line {n} (position {position}) does not lead to the checkpoint's "
                  "root: the event or the proof was altered.")
    bad_e.close()
    bad_p.close()
    for client, seen in versions.items():
        if seen != list(range(1, len(seen) + 1)):
            who = registered.get(client, client.hex)
            missing = sorted(set(range(1, max(seen) + 1)) - set(seen))[:5]
            report.add("events", f"组织 {who} 的事件版本不连续（应为 1 至 {len(seen)} 依次排列；缺少或重复 {missing or seen[:5]}）：有事件被删除、重复或调换。",
                       f"Client {who}'s event versions are not consecutive from 1 (missing or repeated: {missing or seen[:5]}): "
                       "events were removed, repeated or reordered.")
    if manifest is not None:
        others = check_aggregates(d, manifest, report)  # people and the body: not clients (signers.py)
        _check_clients(manifest, clients - others, registered, head, report, len(others))
        counts = {c: len(v) for c, v in versions.items()}
        _check_counts(manifest, counts, report)
    _check_heads(d, head, last, registered, report)


def _check_heads(d: Path, head: Any, last: dict[uuid.UUID, tuple[int, int]], registered: dict[uuid.UUID, str],
                 report: BundleReport) -> None:
    """Completeness: every client with events in the bundle has a head line whose proof leads to the
    tree of client heads the checkpoint signs, and its events in the bundle end at that head."""
    from ledger.trail.heads import head_hash, heads_of
    from ledger.trail.merkle import verify_inclusion

    lines = _lines(d / layout.HEADS)
    if lines is None:
        return  # missing: reported with the files
    signed = heads_of(head.extensions) if head is not None else None
    if head is not None and signed is None:
        report.add("heads", "检查点没有签入各组织的末端（它签发于该功能之前）：无法证明检查包中的事件完整。",
                   "The checkpoint commits to no client heads (it was signed before they existed): nothing shows the "
                   "bundle's events are complete.")
    faults = _Faults(report, "heads")
    proven: dict[uuid.UUID, tuple[int, int]] = {}
    for n, line in enumerate(lines, start=1):
        try:
            obj = json.loads(line.decode("utf-8"))
            if not isinstance(obj, dict) or set(obj) != layout.HEAD_KEYS or layout.canonical(obj) != line + b"\n":
                raise ValueError
            client, version, position, index, path = obj["client"], obj["version"], obj["position"], obj["index"], obj["path"]
            if (not isinstance(client, str) or not re.fullmatch(r"[0-9a-f]{32}", client) or type(version) is not int
                    or type(position) is not int or type(index) is not int or not 0 <= version < 2**64 or not 0 <= position < 2**64
                    or not isinstance(path, list) or not all(isinstance(p, str) and _HEX64.match(p) for p in path)):
                raise ValueError
        except (UnicodeDecodeError, ValueError):
            faults(f"{layout.HEADS} 第 {n} 行不是有效的末端记录：该行被改动。", f"{layout.HEADS} line {n} is not a valid head record: the line was altered.")
            continue
        cid = uuid.UUID(client)
        who = registered.get(cid, client)
        if cid in proven:
            faults(f"{layout.HEADS} 第 {n} 行重复给出组织 {who} 的末端。", f"{layout.HEADS} line {n} repeats the head of client {who}.")
            continue
        proven[cid] = (version, position)
        if signed is not None and not verify_inclusion(index, signed[0], head_hash(cid.bytes, version, position),
                                                       [bytes.fromhex(p) for p in path], signed[1]):
            faults(f"{layout.HEADS} 第 {n} 行（组织 {who}）的末端证明不能导出检查点所签的末端根哈希：末端记录或证明被改动。",
                   f"The head proof on {layout.HEADS} line {n} (client {who}) does not lead to the client-heads root the "
                   "checkpoint signs: the head or its proof was altered.")
            continue
    faults.close()
    for cid in sorted(set(last) | set(proven), key=str):
        who = registered.get(cid, cid.hex)
        if cid not in proven:
            report.add("heads", f"组织 {who} 在检查包中有事件，却没有已签名的末端证明：无法证明其事件完整。",
                       f"Client {who} has events in the bundle but no signed head: nothing shows its events are complete.")
        elif cid not in last:
            report.add("heads", f"{layout.HEADS} 给出了组织 {who} 的末端，但检查包中没有它的事件。",
                       f"{layout.HEADS} gives the head of client {who}, which has no events in the bundle.")
        elif last[cid] != proven[cid]:
            (v, p), (hv, hp) = last[cid], proven[cid]
            report.add("heads",
                       f"组织 {who} 在检查包中的事件止于第 {v} 版（位置 {p}），而检查点签入的末端是第 {hv} 版（位置 {hp}）："
                       "该组织最新的事件被删去，检查包不完整。",
                       f"Client {who}'s events in the bundle end at version {v} (position {p}), but the checkpoint signed its "
                       f"head at version {hv} (position {hp}): the client's latest events were left out; the bundle is incomplete.")


def _check_clients(manifest: dict[str, Any], clients: set[uuid.UUID], registered: dict[uuid.UUID, str], head: Any,
                   report: BundleReport, others: int = 0) -> None:
    from aggregates.errors import RuleViolation
    from aggregates.uscc import client_id_for

    listed: dict[uuid.UUID, str] = {}
    entries = manifest.get("clients")
    try:
        for c in entries:  # type: ignore[union-attr]
            listed[client_id_for(c["uscc"])] = c["uscc"]
    except (TypeError, KeyError, RuleViolation):
        report.add("manifest", "清单中的组织列表格式不正确。", "The manifest's list of clients is malformed.")
        return
    report.clients = list(listed.values())
    for cid in sorted(clients - set(listed), key=str):
        who = registered.get(cid, cid.hex)
        report.add("clients", f"{layout.EVENTS} 含有清单未列出的组织 {who} 的事件。",
                   f"{layout.EVENTS} holds events of client {who}, which the manifest does not list.")
    for cid in sorted(set(listed) - clients, key=str):
        report.add("clients", f"清单列出的组织 {listed[cid]} 在 {layout.EVENTS} 中没有事件。",
                   f"The manifest lists client {listed[cid]}, which has no events in {layout.EVENTS}.")
    for cid, uscc in registered.items():
        if cid in listed and listed[cid] != uscc:
            report.add("clients", f"组织 {uscc} 的登记事件与清单（{listed[cid]}）不符。",
                       f"The registration event of client {uscc} disagrees with the manifest ({listed[cid]}).")
    signed = None
    if head is not None:
        from ledger.trail.heads import heads_of

        signed = heads_of(head.extensions)
    report.ledger_clients = signed[0] if signed else None
    if manifest.get("scope") not in ("all", "named"):
        report.add("manifest", "清单的 scope 应为 all（全部组织）或 named（指定的组织）。",
                   "The manifest's scope must be all (every client) or named (the clients named).")
    elif manifest.get("scope") == "all" and signed is not None and signed[0] != len(listed) + others:
        report.add("clients", f"清单称检查包含有账本的全部组织，但检查点签入了 {signed[0]} 个组织的末端，检查包只有 {len(listed)} 个：有组织被删去。",
                   f"The manifest says the bundle holds every client of the ledger, but the checkpoint signs the heads of "
                   f"{signed[0]} clients and the bundle holds {len(listed)}: clients were removed.")
    if head is not None and (manifest.get("tree_size") != head.size or manifest.get("origin") != head.origin):
        report.add("manifest", "清单中的来源或树大小与已签名的检查点不符。",
                   "The manifest's origin or tree size differs from the signed checkpoint.")


def _check_counts(manifest: dict[str, Any], counts: dict[uuid.UUID, int], report: BundleReport) -> None:
    """The manifest's event counts, per client and in all, equal the events in the bundle."""
    try:
        listed = {uuid.UUID(c["client_id"]): c["events"] for c in manifest["clients"]}
        total = manifest["events"]
    except (TypeError, KeyError, ValueError):
        report.add("manifest", "清单缺少事件数。", "The manifest lacks the event counts.")
        return
    if total != sum(counts.values()):
        report.add("manifest", f"清单记载 {total} 个事件，{layout.EVENTS} 有 {sum(counts.values())} 个。",
                   f"The manifest records {total} events; {layout.EVENTS} has {sum(counts.values())}.")
    for cid, n in listed.items():
        if cid in counts and counts[cid] != n:
            report.add("manifest", f"清单记载组织 {cid} 有 {n} 个事件，{layout.EVENTS} 中有 {counts[cid]} 个。",
                       f"The manifest records {n} events for client {cid}; {layout.EVENTS} has {counts[cid]}.")


def _check_report(d: Path, key: Any, head: Any, manifest: dict[str, Any] | None, report: BundleReport) -> None:
    """The report: signed with ``key`` as one revision covering the whole file (pdfsign.py), its
    cover stating this bundle's checkpoint and clients (cover.py), the events attached."""
    from ledger.bundle.cover import cover_problems
    from ledger.bundle.pdfsign import signature_problems

    path, events = d / layout.REPORT, d / layout.EVENTS
    if not path.is_file() or not events.is_file():
        return
    try:
        import logging

        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        data = path.read_bytes()
        reader = PdfReader(io.BytesIO(data), strict=False)
        attached = reader.attachments.get(layout.EVENTS)
    except Exception as e:  # noqa: BLE001 - any parse failure of an untrusted PDF is a finding, not a crash
        report.add("report", f"{layout.REPORT} 无法作为 PDF 读取（{type(e).__name__}）：它被改动或损坏。",
                   f"{layout.REPORT} cannot be read as a PDF ({type(e).__name__}): it was altered or is corrupt.")
        return
    # Signing adds one incremental update; the signature must cover the whole file, so anything
    # appended after it (other visible text) is reported. An unreadable key is reported with the key.
    for zh, en in (signature_problems(data, key) if key is not None else []) + cover_problems(reader.pages, head, manifest):
        report.add("report", zh, en)
    if not attached:
        report.add("report", f"{layout.REPORT} 没有附件 {layout.EVENTS}。", f"{layout.REPORT} has no attachment {layout.EVENTS}.")
    elif len(attached) != 1 or attached[0] != events.read_bytes():
        report.add("report", f"{layout.REPORT} 所附的 {layout.EVENTS} 与检查包中的 {layout.EVENTS} 不同：报告或事件文件被改动。",
                   f"The {layout.EVENTS} attached to {layout.REPORT} differs from the bundle's {layout.EVENTS}: the report or the "
                   "events file was altered.")


def verify_bundle(directory: str | Path, public_key: Any = None, *, structure_only: bool = False, origin: str | None = None,
                  max_age: timedelta | None = None, now: datetime | None = None, witness_keys: tuple[Any, ...] = (),
                  tsa_chain: bytes | None = None) -> BundleReport:
    """Check the bundle in ``directory``. ``public_key`` (a Verifier) is the body's key as the
    inspector obtained it independently; without it the bundle cannot be verified, only checked
    against its own key with ``structure_only`` (the report then says so and is not "verified").
    ``origin`` pins the ledger the checkpoint must be of; ``max_age`` bounds the checkpoint's age at
    ``now`` (default: the current time). Each of ``witness_keys`` must have cosigned the checkpoint;
    with ``tsa_chain`` (the TSA's PEM chain) the bundle's time stamp token must verify against it."""
    d = Path(directory).expanduser()
    report = BundleReport(d, structure_only=public_key is None)
    if public_key is None and not structure_only:
        report.add("public-key", "没有给出另行取得的认证机构公钥（--public-key）：检查包附带的公钥谁都可以替换，不能据此验证。"
                                 "请用 --public-key 给出公钥；只检查检查包的内部一致性时，请明确使用 --structure-only。",
                   "No public key of the body obtained independently was given (--public-key): the bundled key could be "
                   "anyone's, so nothing can be verified with it. Give the key with --public-key; to check only the bundle's "
                   "internal consistency, say so with --structure-only.")
    if not d.is_dir():
        report.add("bundle", f"{d} 不是目录：请给出检查包所在的目录。", f"{d} is not a directory: name the bundle's directory.")
        return report
    manifest = _check_files(d, report)
    key = _check_key(d, public_key, report)
    report.key = key.encode() if key is not None else None
    head = _check_checkpoint(d, key, report)
    if head is not None:
        from ledger.trail.heads import time_of

        report.origin, report.tree_size, report.signed_at = head.origin, head.size, time_of(head.extensions)
        _check_origin_and_age(head, report, origin, max_age, now)
        check_attestations(d, head, report, witness_keys, tsa_chain)
    _check_events(d, head, manifest, report)
    check_signatures(d, report)  # personal signatures against the people's key events (issue 15, item 4; signers.py)
    _check_report(d, key, head, manifest, report)
    return report


def _check_origin_and_age(head: Any, report: BundleReport, origin: str | None, max_age: timedelta | None,
                          now: datetime | None) -> None:
    if origin is not None and head.origin != origin:
        report.add("checkpoint", f"检查点属于账本 {head.origin}，不是检查人员指定的 {origin}：这不是该认证机构那本账的记录。",
                   f"The checkpoint is of ledger {head.origin}, not {origin}, the one the inspector pinned: these are not "
                   "the records of the body's ledger.")
    current = now or datetime.now(timezone.utc)
    if report.signed_at is not None and report.signed_at > current + timedelta(minutes=10):
        report.add("checkpoint", f"检查点自称签发于 {report.signed_at:%Y-%m-%d %H:%M} UTC，晚于现在：其时间不实，不能据此判断新旧。",
                   f"The checkpoint says it was signed at {report.signed_at:%Y-%m-%d %H:%M} UTC, later than now: its time is "
                   "false, and its age cannot be told from it.")
    if max_age is None:
        return
    if report.signed_at is None:
        report.add("checkpoint", "检查点没有签入签发时间，无法确认其新旧。", "The checkpoint carries no time of signing, so its age cannot be told.")
        return
    age = (now or datetime.now(timezone.utc)) - report.signed_at
    if age > max_age:
        report.add("checkpoint", f"检查点签发于 {report.signed_at:%Y-%m-%d %H:%M} UTC，已有 {age_words(age)}，超过允许的 {age_words(max_age)}：记录可能已过时。",
                   f"The checkpoint was signed on {report.signed_at:%Y-%m-%d %H:%M} UTC, {age_words(age, 'en')} ago, more than the "
                   f"{age_words(max_age, 'en')} allowed: the records may be out of date.")

