"""The report's cover facts: report.py draws them, verify-bundle reads them back (pypdf) and checks
them against the signed checkpoint and the manifest (docs/inspection-bundle.md, "The report's
signature"). The signature proves the body made a report; these facts prove it is the report of
this bundle, not an older genuine one.

The facts are read from the cover's text with every whitespace removed (a long line may wrap), each
after its fixed label: the origin, the checkpoint's id and size, its root (base64), the number of
clients and events, and one line per client with its USCC and its number of events. The cover ends
where the fixed paragraph ``END`` begins.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

END = "本报告是检查包的可读部分"
REPORT = "report.pdf"
MAX_COVER_PAGES = 200  # 40 client lines a page: 8,000 clients

Problem = tuple[str, str]


def origin_line(origin: str) -> str:
    return f"账本来源（origin）：{origin}"


def checkpoint_line(checkpoint_id: int, size: int) -> str:
    return f"检查点：#{checkpoint_id}，覆盖 {size} 个事件"


def root_line(root: bytes) -> str:
    return f"根哈希：{base64.b64encode(root).decode()}"


def totals_line(clients: int, events: int) -> str:
    return f"组织数：{clients}；导出事件数：{events}"


def client_line(uscc: str, events: int, name: str) -> str:
    return f"组织：{uscc}，导出 {events} 个事件，{name}"


_ORIGIN = re.compile(r"账本来源（origin）：(.*?)检查点：#")
_CHECKPOINT = re.compile(r"检查点：#(\d+)，覆盖(\d+)个事件")
_ROOT = re.compile(r"根哈希：([A-Za-z0-9+/]{43}=)")
_TOTALS = re.compile(r"组织数：(\d+)；导出事件数：(\d+)")
_CLIENT = re.compile(r"组织：([0-9A-Z]{18})，导出(\d+)个事件，")
_SPACE = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def cover_text(pages: Iterable[Any]) -> str:
    """The cover's text, whitespace removed: the pages' text up to ``END`` (pypdf pages)."""
    text = ""
    for n, page in enumerate(pages):
        if n >= MAX_COVER_PAGES:
            break
        text += _squeeze(page.extract_text() or "")
        if END in text:
            return text[: text.index(END)]
    return text


def _one(pattern: re.Pattern[str], text: str) -> tuple[str, ...] | None:
    found = pattern.findall(text)
    if len(found) != 1:
        return None
    return found[0] if isinstance(found[0], tuple) else (found[0],)


def cover_problems(pages: Iterable[Any], head: Any, manifest: dict[str, Any] | None) -> list[Problem]:
    """What the cover states that the signed checkpoint (``head``) or the manifest contradicts."""
    try:
        text = cover_text(pages)
    except Exception as e:  # noqa: BLE001 - any failure on an untrusted PDF is a finding, not a crash
        return [(f"{REPORT} 的封面文字无法读取（{type(e).__name__}）。", f"The cover text of {REPORT} cannot be read ({type(e).__name__}).")]
    problems: list[Problem] = []

    def differs(zh: str, en: str) -> None:
        problems.append((f"{REPORT} 的封面{zh}：报告不是这个检查包的（例如一份较早的真实报告）。",
                         f"The cover of {REPORT} {en}: the report is not this bundle's (an older genuine one, say)."))

    origin, checkpoint, root, totals = (_one(p, text) for p in (_ORIGIN, _CHECKPOINT, _ROOT, _TOTALS))
    if None in (origin, checkpoint, root, totals):
        return [(f"{REPORT} 的封面没有写明账本来源、检查点、根哈希和事件数：它不是 certledger 导出的报告，或其文字无法读取。",
                 f"The cover of {REPORT} does not state the ledger's origin, the checkpoint, its root and the event counts: "
                 "it is not a report certledger exported, or its text cannot be read.")]
    if head is not None:
        if origin[0] != _squeeze(head.origin):
            differs(f"写明账本来源 {origin[0]}，检查点的来源是 {head.origin}",
                    f"states the ledger {origin[0]}; the checkpoint is of {head.origin}")
        if int(checkpoint[1]) != head.size:
            differs(f"写明检查点覆盖 {checkpoint[1]} 个事件，checkpoint.txt 覆盖 {head.size} 个",
                    f"states a checkpoint of {checkpoint[1]} events; checkpoint.txt covers {head.size}")
        if root[0] != base64.b64encode(head.root).decode():
            differs(f"写明根哈希 {root[0]}，与 checkpoint.txt 所签的不同", f"states the root {root[0]}, not the one checkpoint.txt signs")
    if not isinstance(manifest, dict):
        return problems  # a missing or unreadable manifest is reported with the files
    if manifest.get("checkpoint_id") != int(checkpoint[0]):
        differs(f"写明检查点 #{checkpoint[0]}，清单记载 #{manifest.get('checkpoint_id')}",
                f"states checkpoint #{checkpoint[0]}; the manifest records #{manifest.get('checkpoint_id')}")
    try:
        listed = Counter((str(c["uscc"]), c["events"]) for c in manifest["clients"])
        total = sum(int(c["events"]) for c in manifest["clients"])  # the clients' events (people's travel beside them: signers.py)
    except (TypeError, KeyError, ValueError):
        return problems  # reported with the manifest's clients and counts
    shown = Counter((u, int(n)) for u, n in _CLIENT.findall(text))
    if (int(totals[0]), int(totals[1])) != (sum(listed.values()), total):
        differs(f"写明 {totals[0]} 个组织、{totals[1]} 个事件，检查包有 {sum(listed.values())} 个组织、{total} 个事件",
                f"states {totals[0]} clients and {totals[1]} events; the bundle has {sum(listed.values())} clients and {total} events")
    if shown != listed:
        wrong = sorted((shown - listed).elements())[:5]
        missing = sorted((listed - shown).elements())[:5]
        say_zh = "；".join([*(f"写有 {u} 的 {n} 个事件" for u, n in wrong), *(f"缺少 {u} 的 {n} 个事件" for u, n in missing)])
        say_en = "; ".join([*(f"shows {n} events of {u}" for u, n in wrong), *(f"lacks {n} events of {u}" for u, n in missing)])
        differs(f"列出的组织及其事件数与清单不符（{say_zh}）", f"lists clients and event counts other than the manifest's ({say_en})")
    return problems
