"""The people in an inspection bundle (issue 15, item 4; docs/audit-trail.md, "Signed acts",
"Offline"): the keys that verify the bundle's personal signatures come from the people's own events,
which are in the Merkle tree, not from a side file.

Export: a bundle carries, beside its clients' events, the whole event stream of every person who
holds a signing key or recorded a signing policy (``register_ids``), each event with its inclusion
proof and each person's head with its proof, like a client's; the manifest lists them under
``aggregates`` (id, kind, name, events). An ``--all`` bundle holds every aggregate of the ledger,
the body's own among them.

Verify: ``check_aggregates`` accepts those listed streams as what they say they are (every event of
a ``person`` is a ``Person`` event, of ``body`` a ``Body`` event); ``check_signatures`` derives each
person's keys from their ``KeyAdded`` / ``KeyRevoked`` events in the bundle, checks every
``ActSigned`` with them (ledger/signing_verify.py), reports a ``signers.json`` that disagrees with
the events, and names each act whose required signature or panel co-signature is absent
(ledger/signing_complete.py) — the policy read from the ``SigningPolicySet`` events in the bundle.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from ledger.bundle import layout

PERSON = "aggregates.people:Person."
KINDS = {"person": PERSON, "body": "aggregates.body:Body."}


def register_ids(app: Any) -> set[bytes]:
    """The people whose events a bundle carries: every holder of a signing key and everyone who
    recorded a signing policy (their whole streams: keys, rotations, revocations, roles, name)."""
    if not app.has_people():
        return set()
    return {p.id.bytes for p in app.people() if p.keys or p.signing_policy}


def _kind(topic: str) -> str:
    return next((k for k, prefix in KINDS.items() if topic.startswith(prefix)), "other")


def aggregates_entry(by_client: dict[bytes, list[Any]], others: list[bytes]) -> list[dict[str, Any]]:
    """The manifest's ``aggregates``: the bundle's streams that are not clients'."""
    out = []
    for oid in others:
        events = by_client[oid]
        try:
            name = json.loads(events[0].state).get("name") if events[0].version == 1 else None
        except (ValueError, AttributeError):
            name = None
        out.append({"id": str(uuid.UUID(bytes=oid)), "kind": _kind(events[0].topic), "name": name, "events": len(events)})
    return out


def _events(d: Path) -> list[dict[str, Any]]:
    out = []
    try:
        lines = (d / layout.EVENTS).read_bytes().split(b"\n")
    except OSError:
        return out
    for line in lines:
        try:
            e = json.loads(line)
        except ValueError:
            continue  # reported by the events' own check
        if isinstance(e, dict) and isinstance(e.get("client"), str) and isinstance(e.get("type"), str):
            out.append(e)
    return out


def check_aggregates(d: Path, manifest: dict[str, Any], report: Any) -> set[uuid.UUID]:
    """The manifest's ``aggregates`` (people, the body): each has events in the bundle, all of its
    kind, as many as listed. Returns their ids (the bundle's streams that are not clients)."""
    listed = manifest.get("aggregates", [])
    ids: set[uuid.UUID] = set()
    try:
        entries = {uuid.UUID(a["id"]): (a["kind"], a["events"]) for a in listed}
    except (TypeError, KeyError, ValueError, AttributeError):
        report.add("manifest", "清单中的 aggregates（人员等）列表格式不正确。", "The manifest's list of aggregates (people...) is malformed.")
        return ids
    topics: dict[uuid.UUID, list[str]] = {}
    for e in _events(d):
        try:
            topics.setdefault(uuid.UUID(e["client"]), []).append(e["type"])
        except ValueError:
            continue
    for oid, (kind, count) in entries.items():
        ids.add(oid)
        mine = topics.get(oid, [])
        if kind not in KINDS or not mine or any(not t.startswith(KINDS[kind]) for t in mine):
            report.add("clients", f"清单把 {oid} 列为 {kind}，但 {layout.EVENTS} 中它的事件不是（或没有）该类事件。",
                       f"The manifest lists {oid} as a {kind}, but its events in {layout.EVENTS} are not (or none are) of that kind.")
        elif len(mine) != count:
            report.add("manifest", f"清单记载 {oid} 有 {count} 个事件，{layout.EVENTS} 中有 {len(mine)} 个。",
                       f"The manifest records {count} events for {oid}; {layout.EVENTS} has {len(mine)}.")
    return ids


def keys_from_events(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each person's name and keys as their events in the bundle register them (in position order)."""
    from ledger.signing_complete import person_id

    people: dict[str, dict[str, Any]] = {}
    for e in events:
        if not e["type"].startswith(PERSON) or "state" not in e:
            continue
        try:
            state = json.loads(e["state"])
        except ValueError:
            continue
        p = people.setdefault(person_id(e["client"]), {"name": None, "keys": []})
        kind = e["type"][len(PERSON):]
        if kind == "Registered":
            p["name"] = state.get("name")
        elif kind == "KeyAdded":
            p["keys"].append({"key_id": state.get("key_id"), "public_key": state.get("public_key"),
                              "valid_from": _iso(state.get("valid_from")), "revoked_on": None})
        elif kind == "KeyRevoked":
            for k in p["keys"]:
                if k["key_id"] == state.get("key_id"):
                    k["revoked_on"] = _iso(state.get("revoked_on"))
    return people


def _iso(value: Any) -> Any:
    return value.get("_data_") if isinstance(value, dict) else value


def check_signatures(d: Path, report: Any) -> None:
    """Every signed act among the bundle's events against the signers' keys registered by their
    events in the bundle; ``signers.json`` compared with those events; each act whose required
    signature or co-signature is absent named."""
    from ledger.signing_complete import Completeness
    from ledger.signing_verify import ACT_SIGNED, check_bundle_signatures

    events = _events(d)
    if not any(e["type"] == ACT_SIGNED for e in events) and not any(e["type"].startswith(PERSON) for e in events):
        return
    people = keys_from_events(events)
    _compare_signers_file(d, people, report)
    found = check_bundle_signatures(events, {"signers": [{"id": i, "keys": p["keys"]} for i, p in people.items()]}, "bundle")
    report.signatures = found.checked
    for f in found.findings:
        report.add("signature", f.message_zh, f.message_en)
    labels: dict[str, str] = {}
    complete = Completeness()
    for e in events:
        try:
            state = json.loads(e["state"]) if "state" in e else None
        except ValueError:
            continue
        if e.get("version") == 1 and isinstance(state, dict) and isinstance(state.get("uscc"), str):
            labels[e["client"]] = state["uscc"]
        complete.add(e.get("position"), e["client"], e.get("version"), e["type"], state, labels.get(e["client"], e["client"]))
    for f in complete.findings():
        if f.kind == "cosign":  # signed by one panel member, not yet by another: work in progress (D48c)
            report.add_pending(f.message_zh, f.message_en)
        else:
            report.add("signature", f.message_zh, f.message_en)


def _compare_signers_file(d: Path, people: dict[str, dict[str, Any]], report: Any) -> None:
    """``signers.json`` (a convenience for the reader) must say what the people's events say."""
    path = d / layout.SIGNERS
    if not path.exists():
        return
    try:
        listed = json.loads(path.read_bytes().decode("utf-8"))["signers"]
        entries = {s["id"]: [(k["key_id"], k["public_key"], k["valid_from"], k["revoked_on"]) for k in s["keys"]] for s in listed}
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        report.add(layout.SIGNERS, f"{layout.SIGNERS} 无法读取或格式不正确。", f"{layout.SIGNERS} cannot be read or is malformed.")
        return
    for pid, keys in entries.items():
        p = people.get(pid)
        mine = [(k["key_id"], k["public_key"], k["valid_from"], k["revoked_on"]) for k in p["keys"]] if p else None
        if mine != keys:
            who = (p or {}).get("name") or pid
            report.add(layout.SIGNERS,
                       f"{layout.SIGNERS} 中 {who} 的密钥与检查包中其登记密钥的事件（Person.KeyAdded / KeyRevoked）不符：该文件被改动；签名按事件核对。",
                       f"{layout.SIGNERS} gives keys for {who} other than their key events in the bundle (Person.KeyAdded / "
                       "KeyRevoked): the file was altered; the signatures are checked against the events.")
