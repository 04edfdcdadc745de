"""The bundle tamper suite: what an inspector may be handed instead of a genuine bundle, one kind of
alteration per case: every file deleted, emptied, extended or with a byte flipped, as it is and with
the unsigned manifest and SHA256SUMS recomputed; each field of the events, proofs, heads, checkpoint
and manifest changed; events cut, dropped, duplicated and swapped with everything unsigned
recomputed (the PDF's attachment too); a swapped report; an older genuine bundle; another ledger
signed with the same key; a forger's key. Each is checked as an inspector who has the body's
public key, its origin and a bound on age would check it: none verifies, none ends in a
traceback, and the genuine bundle verifies with the same options. The counts are in
docs/audit-trail.md, "The tamper suite"."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest

from ledger.bundle import layout
from ledger.bundle.pdfsign import sign_pdf
from ledger.trail.keys import load_signer
from tests.e2e.test_bundle_cli import drop_last_events, replace_attachment, reseal, run, suspended_client
from tests.integration.test_report_signature import first_revision, flip, overlay

TODAY = date(2026, 11, 20)
CONTENT = (layout.EVENTS, layout.PROOFS, layout.HEADS, layout.CHECKPOINT, layout.PUBLIC_KEY, layout.REPORT)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The body's ledger: a bundle of every client signed 30 days ago (the older genuine one), then a
    complaint, a new checkpoint and the current bundle; another ledger signed with the same key; and
    the current bundle re-signed by a forger's key."""
    from cli.bundle import export
    from ledger.bootstrap import bootstrap
    from ledger.demo import play
    from ledger.trail import make_checkpoint, service
    from ledger.trail.keys import init_key, load_signer

    base = tmp_path_factory.mktemp("bundles")
    key = base / "signing.key"
    init_key(key, "测试认证机构")
    signer = load_signer(key)
    db = str(base / "ledger.sqlite")
    app = bootstrap(db)
    codes = play(app, today=TODAY)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(service, "_now", lambda: datetime.now(timezone.utc) - timedelta(days=30))
        make_checkpoint(app, signer)
    app.close()
    assert run(export, ["--all", "--out", str(base / "old"), "--key", str(key)], db).exit_code == 0
    app = bootstrap(db)
    app.receive_complaint(client=codes[1], complainant="顾客 李某", subject="证书信息有误", actor="王敏", on=TODAY)
    make_checkpoint(app, signer)
    app.close()
    assert run(export, ["--all", "--out", str(base / "current"), "--key", str(key)], db).exit_code == 0

    other_db = str(base / "other.sqlite")
    other = bootstrap(other_db)
    play(other, today=TODAY)
    make_checkpoint(other, signer)
    other.close()
    assert run(export, ["--all", "--out", str(base / "other"), "--key", str(key)], other_db).exit_code == 0

    forger = base / "forger.key"
    init_key(forger, "测试认证机构")
    manifest = json.loads((base / "current" / layout.MANIFEST).read_text())
    return {"base": base, "key": key, "pub": base / "signing.key.pub", "forger": forger, "codes": codes,
            "origin": manifest["origin"], "ledger": {"codes": codes}}


def inspect(world, d: Path, *extra: str):
    return run_verify(d, "--public-key", str(world["pub"]), "--origin", world["origin"], "--max-age", "7d", *extra)


def run_verify(d: Path, *args: str):
    from cli.bundle import verify_bundle

    return run(verify_bundle, [str(d), *args])


# ------------------------------------------------------------------------------------ alterations

def lines(d: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (d / name).read_bytes().splitlines()]


def write_lines(d: Path, name: str, objs: list[dict]) -> None:
    (d / name).write_bytes(b"".join(layout.canonical(o) for o in objs))


def edit_line(name: str, index: int, change: Callable[[dict], None], attach: bool = True) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        objs = lines(d, name)
        change(objs[index])
        write_lines(d, name, objs)
        if attach and name == layout.EVENTS:
            replace_attachment(d, (d / layout.EVENTS).read_bytes())
        reseal(d)
    return alter


def set_key(key: str, value) -> Callable[[dict], None]:
    def change(obj: dict) -> None:
        assert key in obj, (key, sorted(obj))
        obj[key] = value(obj[key]) if callable(value) else value
    return change


def edit_state(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def on_line(obj: dict) -> None:
        body = json.loads(obj["state"])
        change(body)
        obj["state"] = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return on_line


def file_op(name: str, op: str, sealed: bool) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        path = d / name
        data = path.read_bytes()
        if op == "deleted":
            path.unlink()
        elif op == "emptied":
            path.write_bytes(b"")
        elif op == "extended":
            path.write_bytes(data + b"x\n")
        elif op == "byte flipped":
            i = len(data) // 2
            path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
        if sealed and op != "deleted":
            reseal(d)
    return alter


def cut_last(k: int) -> Callable[[Path, dict], None]:
    return lambda d, world: drop_last_events(d, suspended_client(world["ledger"]), k)


def drop_event(where: str) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        events, proofs = lines(d, layout.EVENTS), lines(d, layout.PROOFS)
        i = {"first": 0, "middle": len(events) // 2, "last": len(events) - 1}[where]
        write_lines(d, layout.EVENTS, events[:i] + events[i + 1:])
        write_lines(d, layout.PROOFS, proofs[:i] + proofs[i + 1:])
        replace_attachment(d, (d / layout.EVENTS).read_bytes())
        reseal(d)
    return alter


def duplicate_event(d: Path, world: dict) -> None:
    events, proofs = lines(d, layout.EVENTS), lines(d, layout.PROOFS)
    write_lines(d, layout.EVENTS, events[:6] + [events[5]] + events[6:])
    write_lines(d, layout.PROOFS, proofs[:6] + [proofs[5]] + proofs[6:])
    replace_attachment(d, (d / layout.EVENTS).read_bytes())
    reseal(d)


def swap_events(d: Path, world: dict) -> None:
    events, proofs = lines(d, layout.EVENTS), lines(d, layout.PROOFS)
    events[3], events[4] = events[4], events[3]
    proofs[3], proofs[4] = proofs[4], proofs[3]
    write_lines(d, layout.EVENTS, events)
    write_lines(d, layout.PROOFS, proofs)
    replace_attachment(d, (d / layout.EVENTS).read_bytes())
    reseal(d)


def drop_client(d: Path, world: dict) -> None:
    """A whole client removed: its events, proofs and head, the manifest's list and counts."""
    events, proofs, heads = lines(d, layout.EVENTS), lines(d, layout.PROOFS), lines(d, layout.HEADS)
    victim = events[0]["client"]
    keep = [i for i, e in enumerate(events) if e["client"] != victim]
    write_lines(d, layout.EVENTS, [events[i] for i in keep])
    write_lines(d, layout.PROOFS, [proofs[i] for i in keep])
    write_lines(d, layout.HEADS, [h for h in heads if h["client"] != victim])
    manifest = json.loads((d / layout.MANIFEST).read_text())
    manifest["clients"] = [c for c in manifest["clients"] if c["client_id"].replace("-", "") != victim]
    manifest["events"] = len(keep)
    (d / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    replace_attachment(d, (d / layout.EVENTS).read_bytes())
    reseal(d)


def report_edit(change: Callable[[bytes, dict], bytes]) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        (d / layout.REPORT).write_bytes(change((d / layout.REPORT).read_bytes(), world))
        reseal(d)
    return alter


def checkpoint_text(change: Callable[[list[str]], list[str]]) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        text = (d / layout.CHECKPOINT).read_text(encoding="utf-8")
        (d / layout.CHECKPOINT).write_text("\n".join(change(text.split("\n"))), encoding="utf-8")
        reseal(d)
    return alter


def body_line(i: int, new: Callable[[str], str]) -> Callable[[list[str]], list[str]]:
    def change(text: list[str]) -> list[str]:
        text[i] = new(text[i])
        return text
    return change


def resign(d: Path, world: dict, key: Path, lines_of: Callable[[list[str]], list[str]] | None = None) -> None:
    """Re-sign the bundle's checkpoint body with ``key`` (a forger, or the body's own key where the
    case is another ledger's content): signature lines replaced."""
    from ledger.trail.keys import load_signer
    from ledger.trail.note import sign_note

    text = (d / layout.CHECKPOINT).read_text(encoding="utf-8")
    body = text.split("\n\n", 1)[0].split("\n")
    if lines_of:
        body = lines_of(body)
    (d / layout.CHECKPOINT).write_text(sign_note("\n".join(body) + "\n", load_signer(key)), encoding="utf-8")


def forged_key(d: Path, world: dict) -> None:
    resign(d, world, world["forger"])
    shutil.copy(world["forger"].with_name("forger.key.pub"), d / layout.PUBLIC_KEY)
    reseal(d)


def forged_root(d: Path, world: dict) -> None:
    resign(d, world, world["forger"], body_line(2, lambda _: base64.b64encode(b"\x05" * 32).decode()))
    shutil.copy(world["forger"].with_name("forger.key.pub"), d / layout.PUBLIC_KEY)
    reseal(d)


def replace_with(which: str) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        shutil.rmtree(d)
        shutil.copytree(world["base"] / which, d)
    return alter


def swap_file_from(which: str, name: str) -> Callable[[Path, dict], None]:
    def alter(d: Path, world: dict) -> None:
        shutil.copy(world["base"] / which / name, d / name)
        reseal(d)
    return alter


def manifest_edit(change: Callable[[dict], None]) -> Callable[[Path, dict], None]:
    """Change the manifest, then recompute SHA256SUMS over it (not the manifest's own file hashes)."""
    def alter(d: Path, world: dict) -> None:
        manifest = json.loads((d / layout.MANIFEST).read_text())
        change(manifest)
        (d / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        sums = "".join(f"{hashlib.sha256((d / n).read_bytes()).hexdigest()}  {n}\n" for n in (*layout.FILES, layout.MANIFEST))
        (d / layout.SUMS).write_text(sums)
    return alter


def add_file(d: Path, world: dict) -> None:
    (d / "extra.txt").write_text("未列入清单的文件", encoding="utf-8")


def heads_edit(index: int, change: Callable[[dict], None]) -> Callable[[Path, dict], None]:
    return edit_line(layout.HEADS, index, change)


def first_path_hex(p: list[str]) -> list[str]:
    return ["00" * 32] + p[1:] if p else ["00" * 32]


@dataclass(frozen=True)
class Alteration:
    name: str
    alter: Callable[[Path, dict], None]


ALTERATIONS: list[Alteration] = [
    *(Alteration(f"{name}: {op}{' (resealed)' if sealed else ''}", file_op(name, op, sealed))
      for name in CONTENT for op in ("deleted", "emptied", "extended", "byte flipped") for sealed in (False, True)
      if not (sealed and op == "deleted")),
    *(Alteration(f"{name}: {op}", file_op(name, op, False))
      for name in (layout.MANIFEST, layout.SUMS) for op in ("deleted", "emptied", "extended", "byte flipped")),
    # events.jsonl, field by field (with the PDF's attachment and the sums recomputed)
    Alteration("event: position", edit_line(layout.EVENTS, 7, set_key("position", lambda v: v + 1))),
    Alteration("event: client", edit_line(layout.EVENTS, 7, set_key("client", "00" * 16))),
    Alteration("event: version", edit_line(layout.EVENTS, 7, set_key("version", lambda v: v + 1))),
    Alteration("event: type", edit_line(layout.EVENTS, 7, set_key("type", "aggregates.client:Client.Withdrawn"))),
    Alteration("event: recorded time", edit_line(layout.EVENTS, 7, set_key("recorded", "2020-01-01T00:00:00+00:00"))),
    Alteration("event: state, a space", edit_line(layout.EVENTS, 7, set_key("state", lambda v: v + " "))),
    Alteration("event: state, the actor", edit_line(layout.EVENTS, 2, edit_state(set_key("actor", "局长")))),
    Alteration("event: state, the name", edit_line(layout.EVENTS, 0, edit_state(set_key("name", "某某公司")))),
    Alteration("event: state as base64", edit_line(layout.EVENTS, 7, lambda o: o.update(
        state_base64=base64.b64encode(o.pop("state").encode() + b" ").decode()))),
    Alteration("event: an extra key", edit_line(layout.EVENTS, 7, lambda o: o.update(note="x"))),
    Alteration("event: the PDF attachment left as it was", edit_line(layout.EVENTS, 7, set_key("state", lambda v: v + " "), attach=False)),
    # whole events (everything unsigned recomputed)
    Alteration("events: a client's last event cut", cut_last(1)),
    Alteration("events: a client's last three events cut", cut_last(3)),
    Alteration("events: the first dropped", drop_event("first")),
    Alteration("events: one in the middle dropped", drop_event("middle")),
    Alteration("events: the last dropped", drop_event("last")),
    Alteration("events: one duplicated", duplicate_event),
    Alteration("events: two swapped", swap_events),
    Alteration("events: a whole client removed", drop_client),
    # proofs
    Alteration("proof: leaf index", edit_line(layout.PROOFS, 7, set_key("leaf_index", lambda v: v + 1))),
    Alteration("proof: position", edit_line(layout.PROOFS, 7, set_key("position", lambda v: v + 1))),
    Alteration("proof: leaf hash", edit_line(layout.PROOFS, 7, set_key("leaf_hash", "11" * 32))),
    Alteration("proof: a path node", edit_line(layout.PROOFS, 7, set_key("path", first_path_hex))),
    Alteration("proof: a path node dropped", edit_line(layout.PROOFS, 7, set_key("path", lambda p: p[1:]))),
    Alteration("proof: a path node added", edit_line(layout.PROOFS, 7, set_key("path", lambda p: p + ["22" * 32]))),
    # heads
    Alteration("head: version", heads_edit(1, set_key("version", lambda v: v - 1))),
    Alteration("head: position", heads_edit(1, set_key("position", lambda v: v - 1))),
    Alteration("head: index", heads_edit(1, set_key("index", lambda v: v + 1))),
    Alteration("head: a path node", heads_edit(1, set_key("path", first_path_hex))),
    Alteration("head: client", heads_edit(1, set_key("client", "00" * 16))),
    Alteration("heads: a client's line removed", lambda d, w: (write_lines(d, layout.HEADS, lines(d, layout.HEADS)[1:]), reseal(d))),
    # the checkpoint
    Alteration("checkpoint: origin line", checkpoint_text(body_line(0, lambda s: s + "x"))),
    Alteration("checkpoint: size line", checkpoint_text(body_line(1, lambda s: str(int(s) - 1)))),
    Alteration("checkpoint: root line", checkpoint_text(body_line(2, lambda _: base64.b64encode(b"\x05" * 32).decode()))),
    Alteration("checkpoint: an extension line", checkpoint_text(body_line(3, lambda s: s + "0"))),
    Alteration("checkpoint: the signature line removed", checkpoint_text(lambda t: [x for x in t if not x.startswith("—")])),
    Alteration("checkpoint: a signature byte", checkpoint_text(lambda t: [x[:-3] + ("A" if x[-3] != "A" else "B") + x[-2:]
                                                                          if x.startswith("—") else x for x in t])),
    Alteration("checkpoint: re-signed by a forger, key swapped", forged_key),
    Alteration("checkpoint: a forged root signed by a forger", forged_root),
    # the report
    Alteration("report: the older bundle's report", swap_file_from("old", layout.REPORT)),
    Alteration("report: another ledger's report", swap_file_from("other", layout.REPORT)),
    Alteration("report: unsigned (its first revision)", report_edit(lambda data, w: first_revision(data))),
    Alteration("report: text painted over in an update after signing", report_edit(lambda data, w: overlay(data, b"WITHDRAWN"))),
    Alteration("report: re-signed by a forger's key", report_edit(lambda data, w: sign_pdf(
        first_revision(data), load_signer(w["forger"]), datetime.now(timezone.utc)))),
    Alteration("report: a byte of its signature value", report_edit(lambda data, w: flip(
        data, data.index(b"/Contents <") + 11 + len(data[data.index(b"/Contents <") + 11:].split(b">")[0].rstrip(b"0")) - 10))),
    Alteration("checkpoint: the older bundle's", swap_file_from("old", layout.CHECKPOINT)),
    Alteration("checkpoint: another ledger's", swap_file_from("other", layout.CHECKPOINT)),
    Alteration("public key: the forger's", lambda d, w: (shutil.copy(w["forger"].with_name("forger.key.pub"), d / layout.PUBLIC_KEY), reseal(d))),
    # the manifest (sums recomputed)
    Alteration("manifest: format", manifest_edit(set_key("format", "certledger-inspection-bundle-v1"))),
    Alteration("manifest: origin", manifest_edit(set_key("origin", "certledger/forged"))),
    Alteration("manifest: event count", manifest_edit(set_key("events", lambda v: v - 1))),
    Alteration("manifest: a client dropped from its list", manifest_edit(set_key("clients", lambda v: v[1:]))),
    Alteration("manifest: a file's hash", manifest_edit(lambda m: m["files"][layout.EVENTS].update(sha256="0" * 64))),
    Alteration("manifest: a file entry removed", manifest_edit(lambda m: m["files"].pop(layout.PROOFS))),
    Alteration("an unlisted file added", add_file),
    # whole bundles
    Alteration("the older genuine bundle", replace_with("old")),
    Alteration("another ledger's bundle, signed with the same key", replace_with("other")),
    Alteration("another ledger's events with this bundle's checkpoint", lambda d, w: (
        [shutil.copy(w["base"] / "other" / n, d / n) for n in (layout.EVENTS, layout.PROOFS, layout.HEADS, layout.REPORT)], reseal(d))),
    Alteration("the older bundle's events with the current checkpoint", lambda d, w: (
        [shutil.copy(w["base"] / "old" / n, d / n) for n in (layout.EVENTS, layout.PROOFS, layout.HEADS, layout.REPORT)], reseal(d))),
]


def test_the_suite_has_the_kinds_it_claims():
    assert len({a.name for a in ALTERATIONS}) == len(ALTERATIONS) >= 70


def test_the_genuine_bundle_verifies_with_the_inspectors_options(world, tmp_path):
    d = shutil.copytree(world["base"] / "current", tmp_path / "bundle")
    r = inspect(world, d)
    assert r.exit_code == 0, r.stderr
    assert "已验证" in r.stdout


@pytest.mark.parametrize("alteration", ALTERATIONS, ids=[a.name for a in ALTERATIONS])
def test_no_altered_bundle_verifies(world, alteration, tmp_path):
    d = shutil.copytree(world["base"] / "current", tmp_path / "bundle")
    alteration.alter(d, world)
    r = inspect(world, d)
    assert r.exit_code == 1, (r.exit_code, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output and "已验证" not in r.stdout, r.output
    as_json = inspect(world, d, "--json")
    assert as_json.exit_code == 1 and "Traceback" not in as_json.output


def test_a_client_removed_with_the_scope_relabelled_is_refused_and_a_named_export_says_how_many(world, tmp_path):
    """The manifest is unsigned, but the report is: with a client removed and the scope changed to
    named clients, the signed report's cover still lists the removed client, so the bundle does not
    verify. A genuine partial bundle is an export of the clients named, and its verdict says how many
    of the ledger's clients (as the checkpoint signs them) it holds, so it never passes for a whole one."""
    from cli.bundle import export

    d = shutil.copytree(world["base"] / "current", tmp_path / "bundle")
    drop_client(d, world)
    manifest_edit(set_key("scope", "named"))(d, world)
    r = inspect(world, d, "--lang", "en")
    assert r.exit_code == 1 and "The cover of report.pdf lists clients" in r.stderr, r.output
    codes = world["codes"]
    named = tmp_path / "named"
    assert run(export, [*codes[1:], "--out", str(named), "--key", str(world["key"])], str(world["base"] / "ledger.sqlite")).exit_code == 0
    r = inspect(world, named, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert f"{len(codes) - 1} client(s) of the ledger's {len(codes)} records" in r.stdout
