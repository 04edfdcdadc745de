"""Test helpers for inspection bundles (ledger/bundle/): what a forger without the body's key can
recompute after changing a bundle's files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ledger.bundle import layout


def reseal(d: Path, *, recount: bool = False) -> None:
    """Recompute the unsigned manifest's list of files (each file of the layout present: its SHA-256
    and size) and ``SHA256SUMS``; with ``recount``, the manifest's counts of events too (all, and each
    client's)."""
    manifest = json.loads((d / layout.MANIFEST).read_text())
    if recount:
        lines = (d / layout.EVENTS).read_bytes().splitlines()
        manifest["events"] = len(lines)
        for c in manifest["clients"]:
            c["events"] = sum(1 for x in lines if json.loads(x)["client"] == c["client_id"].replace("-", ""))
    names = [n for n in (*layout.FILES, *layout.OPTIONAL_FILES) if (d / n).exists()]
    manifest["files"] = {n: {"sha256": hashlib.sha256((d / n).read_bytes()).hexdigest(), "bytes": (d / n).stat().st_size} for n in names}
    (d / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    (d / layout.SUMS).write_text("".join(f"{hashlib.sha256((d / n).read_bytes()).hexdigest()}  {n}\n" for n in (*names, layout.MANIFEST)))
