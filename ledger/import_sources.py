"""Which import a file is: the source its lines' identities are derived from when ``certledger
import FILE`` is run without ``--source`` (docs/decisions.md D42; README, "Import").

A file's name alone is a poor proxy for "the same import": two different files called
``lines.jsonl`` (in two folders, or ``batch.jsonl`` every day) would share identities, and a line of
the second equal byte for byte to one of the first would be skipped. So the ledger records each file
imported under a name (``import_files``: its SHA-256, its count of distinct lines, a sketch of them)
and the source it was given:

- the same bytes as a file recorded under that name: that file's source (a re-run after a crash, a
  kill or refused lines applies what is missing);
- the same bytes as a file recorded under another name (a copy, renamed): that file's source too,
  so an identical copy never applies its lines twice (D56);
- no file recorded under that name: the name itself (as ``--source NAME``, and as ledgers written
  before this record existed);
- else the recorded file sharing the most lines with it: when at least half of the smaller one's
  distinct lines are shared (``CONTINUES``), an edited or extended copy of it — refused lines
  corrected, lines inserted, deleted or appended — and it continues that file's source; when under
  a tenth (``DIFFERS``), a different file, and a new source ``NAME@<12 hex digits of its SHA-256>``
  (a line it shares by chance with an earlier file is applied: it is another file's line); in
  between, refused, naming the earlier import: ``--source`` says which it is.

The share is estimated from bottom-``SKETCH`` sketches (the ``SKETCH`` smallest 64-bit hashes of a
file's distinct lines): exact when the files have at most ``SKETCH`` distinct lines together, else
within about a tenth, which is all that choosing between "most" and "almost none" needs.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any

from aggregates.errors import RuleViolation
from ledger.import_lines import BOM, MAX_LINE_BYTES

SKETCH = 128  # hashes kept per file (1 KB)
BLOCK = 1 << 22  # bytes read at a time
CONTINUES = 0.5  # share of the smaller file's distinct lines at or above which a file continues an import
DIFFERS = 0.1  # ... below which it is a different file, a new import
SPOOL = 64 << 20  # standard input held in memory up to this, then in a temporary file
RULE = "ledger: import source"


@dataclass(frozen=True)
class FileIdentity:
    sha256: bytes
    lines: int  # distinct non-blank lines
    sketch: tuple[int, ...]  # the smallest SKETCH hashes of them, ascending

    def packed(self) -> bytes:
        return b"".join(x.to_bytes(8, "big") for x in self.sketch)


def unpacked(blob: bytes) -> tuple[int, ...]:
    return tuple(int.from_bytes(blob[i:i + 8], "big") for i in range(0, len(blob), 8))


def identify(fh: IO[bytes]) -> FileIdentity:
    """The identity of the file ``fh`` (read through, then rewound): its bytes' SHA-256 and the sketch
    of its lines as the import reads them (trimmed of whitespace, a byte-order mark dropped, a line
    over ``MAX_LINE_BYTES`` left out). A line's hash is its CRC-32 above its Adler-32: the sketch
    orders by the CRC (uniform), and both together tell lines apart. About 1.3 us a line (0.13 s for
    105,000 lines of 17 MB, about 2 % of their import), read in blocks. The count of distinct lines is
    exact up to ``SKETCH``, else estimated from the sketch (the k-th smallest value's estimator)."""
    sha = hashlib.file_digest(fh, "sha256").digest()  # type: ignore[arg-type]
    fh.seek(0)
    crc, adler = zlib.crc32, zlib.adler32
    best: list[int] = []
    rest, skipping, first = b"", False, True
    while block := fh.read(BLOCK):
        if first and block.startswith(BOM):
            block = block[len(BOM):]
        first = False
        parts = (rest + block).split(b"\n")
        rest = parts.pop()
        if skipping and parts:  # the end of a line too long
            parts, skipping = parts[1:], False
        if len(rest) > MAX_LINE_BYTES:
            rest, skipping = b"", True
        best = heapq.nsmallest(SKETCH, {crc(t) << 32 | adler(t) for t in map(bytes.strip, parts) if t}.union(best))
    if (last := rest.strip()) and not skipping:
        best = heapq.nsmallest(SKETCH, {crc(last) << 32 | adler(last)}.union(best))
    fh.seek(0)
    lines = len(best) if len(best) < SKETCH else round((SKETCH - 1) * 2**64 / (best[-1] + 1))
    return FileIdentity(sha, lines, tuple(best))


def shared(a: FileIdentity, b: FileIdentity) -> float:
    """The share of the smaller file's distinct lines that the other has too (estimated: the Jaccard
    index from the bottom-k sketch of the union, then the intersection from the two counts)."""
    if not a.lines or not b.lines:
        return 0.0
    sa, sb = set(a.sketch), set(b.sketch)
    union = sorted(sa | sb)[:SKETCH]
    jaccard = sum(1 for x in union if x in sa and x in sb) / len(union)
    both = jaccard * (a.lines + b.lines) / (1 + jaccard)
    return min(1.0, both / min(a.lines, b.lines))


def seekable(fh: Any) -> IO[bytes]:
    """``fh`` if it can be read twice, else a copy (standard input) that can."""
    try:
        if fh.seekable():
            return fh
    except (AttributeError, ValueError, io.UnsupportedOperation):
        pass
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    shutil.copyfileobj(fh, copy, 1 << 20)
    copy.seek(0)
    return copy  # type: ignore[return-value]


@dataclass(frozen=True)
class Choice:
    source: str  # what the lines' identities are derived from
    how: str  # "same file", "same content", "new name", "continued", "new import"


def choose(recorder: Any, name: str, ident: FileIdentity) -> Choice:
    """The source of a file imported under ``name`` (see the module), recorded before any line runs."""
    for _ in range(3):  # a concurrent import of another file may start the same source first: choose again
        records = recorder.import_files(name)
        for sha, source, *_ in records:
            if sha == ident.sha256:
                return Choice(source, "same file")
        sources = getattr(recorder, "import_sources_of", lambda _sha: [])(ident.sha256)
        if sources:  # the same bytes imported under another name (a copy, renamed): that import, continued
            choice, started = Choice(sources[0], "same content"), False
        elif not records:
            choice, started = Choice(name, "new name"), True
        else:
            share, rec = max((shared(ident, FileIdentity(r[0], r[2], unpacked(r[3]))), i, r) for i, r in enumerate(records))[::2]
            if share >= CONTINUES:
                choice, started = Choice(rec[1], "continued"), False
            elif share < DIFFERS:
                choice, started = Choice(f"{name}@{ident.sha256.hex()[:12]}", "new import"), True
            else:
                raise undecided(name, rec[1], rec[5], share)
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if recorder.record_import_file(name, (ident.sha256, choice.source, ident.lines, ident.packed(), started, stamp)):
            return choice
    raise RuleViolation(  # three races lost in a row: imports of other files under this name keep starting first
        RULE, f"另有导入同时以文件名 {name} 开始，三次都先于本次记录了来源；未写入任何记录，请重新运行本次导入。",
        f"Other imports under the name {name} started at the same time and recorded their sources first, three times; "
        "nothing was written; run the import again.")


def shanghai_day(at: str) -> str:
    """The day (Asia/Shanghai, as business dates are) of a recorded UTC time in ISO form; the text's
    first ten characters if it is not one."""
    from ledger.clock import SHANGHAI

    try:
        moment = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return str(at)[:10]
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(SHANGHAI).date().isoformat()


def undecided(name: str, source: str, at: str, share: float) -> RuleViolation:
    pct = f"{share:.0%}"
    day = shanghai_day(at)
    return RuleViolation(
        RULE,
        f"此前已导入过同名文件 {name}（来源“{source}”，{day}），内容不同，且与本文件约 {pct} 的行相同：无法判断是同一批导入的修改版还是另一批。"
        f"若是同一批（已写入的行应跳过），请加 --source \"{source}\" 重新运行；若是另一批，请加 --source 给它一个新名称（例如带日期）。未写入任何记录。",
        f"A different file named {name} was imported before (source '{source}', {day}) and about {pct} of this file's "
        f"lines are the same: it cannot tell whether this is that import edited or another one. If it is the same import "
        f"(lines applied then are skipped), run again with --source \"{source}\"; if it is another, give it a name of its own "
        "with --source (say with the date). Nothing was written.",
    )
