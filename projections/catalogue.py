"""The read models by name, and the one staleness fingerprint of each: what code shapes its rows.

Standard library only, so that ``show`` checks the summaries' fingerprint without SQLAlchemy
(projections/fastread.py). A read model's fingerprint is a SHA-256 over its name, its version and
the source of every file that shapes its rows:

- the code that replays a client: ``aggregates/*.py`` (the state and its events; the checks in
  ``aggregates/policy/`` never run on replay and are left out);
- how rows reach the tables: ``projections/tables.py`` (the schema), ``base.py``, ``db.py`` (how
  values are stored), ``jsonish.py`` (JSON columns);
- the projection's own module, and the rules it calls (deadlines: the deadline engine, the
  procedures and the calendar, with their data files);
- and, for some, inputs that are not files (``Projection.extra_fingerprint``: the last year of the
  ``holidays`` package's notices).

Change any of these and the next catch-up drops that read model and rebuilds it from the first
event (docs/read-models.md). Bump a ``version`` only when rows change for a reason no file shows.
"""

from __future__ import annotations

import fnmatch
import functools
import os
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent  # the folder holding aggregates/, ledger/, projections/
COMMON = ("aggregates/*.py", "projections/catalogue.py", "projections/tables.py", "projections/base.py",
          "projections/db.py", "projections/jsonish.py")


class Spec(NamedTuple):  # not a dataclass: show reads this module and defines no dataclass (D50)
    name: str
    version: int
    help_zh: str
    help_en: str
    sources: tuple[str, ...]  # globs relative to ROOT, beside COMMON


SPECS: dict[str, Spec] = {s.name: s for s in (
    Spec("clients", 1, "组织：名称、地址、阶段、认证方案、当前证书和等级", "clients: name, address, stage, scheme, current certificate and grade",
         ("projections/clients.py",)),
    Spec("grades", 1, "每个组织的现行等级和最近一次认证决定的得分", "each client's grade in force and the score of its latest decision",
         ("projections/clients.py", "ledger/rules/scoring/catalogue.py")),
    Spec("register", 1, "证书登记册（IAF CertSearch 字段）", "the certificate register (IAF CertSearch fields)",
         ("projections/register.py",)),
    Spec("nonconformities", 1, "未关闭的不符合项", "open nonconformities", ("projections/nonconformities.py",)),
    Spec("deadlines", 1, "未完成的期限（工作日日历）", "open deadlines (working-day calendar)",
         ("projections/deadlines.py", "ledger/rules/deadlines.py", "ledger/rules/deadlines_*.py", "ledger/rules/procedures.py", "ledger/rules/calendar.py",
          "ledger/rules/calendars/*.toml", "ledger/rules/schemes/procedures/*.toml")),
    Spec("summaries", 3, "show 命令的组织概况（JSON）", "the client summary that show prints (JSON)",
         ("projections/summaries.py", "ledger/rules/scoring/catalogue.py",
          # changes (issue 9): the lateness of notified changes shown by show (a procedure file's notification
          # period is not listed: tests/unit/test_read_model_fingerprints.py keeps those to deadlines)
          "ledger/rules/deadlines_changes.py", "ledger/rules/procedures.py", "ledger/rules/calendar.py",
          "ledger/rules/calendars/*.toml",
          "ledger/rules/deadlines_cases.py")),  # a complaint accepted late (004 §14.2.2), flagged by show
    Spec("trail", 1, "审计追踪索引：每个事件的序号、组织、类型、操作人、业务日期、记录时间",
         "audit-trail index: each event's position, client, type, actor, business date, recorded time", ("projections/trail.py",)),
)}
NAMES = tuple(SPECS)  # in the order read models are listed and rebuilt


@functools.lru_cache(maxsize=256)
def _file_digest(path: Path, *stat: int) -> bytes:
    """The file's SHA-256, once per process for each size, modification time, inode and change time it has."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).digest()


def files(name: str) -> list[Path]:
    """The files whose source shapes the read model ``name``'s rows, in a stable order."""
    return [ROOT / rel for rel in _shaping(name, {})]


_WILD = frozenset("*?[")


def _shaping(name: str, listings: dict[str, list[str]]) -> list[str]:
    """Each shaping file of ``name`` by its path relative to ``ROOT``, in the order ``files``
    gives: each pattern's matches sorted, the first mention kept. What ``Path.glob``
    matches (every entry of the folder whose name matches the last part, hidden ones too), with
    each folder listed and each pattern matched once per ``listings`` (a call for several read
    models lists ``aggregates/`` once, not seven times; D54)."""
    found: dict[str, None] = {}
    for pattern in (*COMMON, *SPECS[name].sources):
        matches = listings.get(pattern)
        if matches is not None:  # asked already for another read model
            found.update(dict.fromkeys(matches))
            continue
        folder, _, last = pattern.rpartition("/")
        if _WILD.intersection(folder):  # not one of ours: the general glob
            matches = [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob(pattern))]
        elif not _WILD.intersection(last):
            matches = [pattern] if (ROOT / pattern).exists() else []
        else:
            names = listings.get(f"{folder}/")
            if names is None:
                try:
                    names = sorted(os.listdir(ROOT / folder))
                except OSError:
                    names = []
                listings[f"{folder}/"] = names
            matches = [f"{folder}/{n}" if folder else n for n in names if fnmatch.fnmatchcase(n, last)]
        listings[pattern] = matches
        found.update(dict.fromkeys(matches))
    return list(found)


def fingerprint(name: str, extra: str = "") -> str:
    """The read model's fingerprint: name, version, each shaping file's name and digest, ``extra``
    (``fingerprints`` for one read model)."""
    return fingerprints({name: extra})[name]


def fingerprints(extras: dict[str, str]) -> dict[str, str]:
    """The fingerprints of the read models named, each from its name, version, each shaping file's
    name and digest and its ``extra``. Remembered in the user's cache folder with the files' sizes
    and modification times (the test Python's bytecode cache makes of a source file) and their
    inodes and change times (which a copy tool that keeps the first two cannot keep): while none of
    them changed, the files are not read and hashed again, and ``show`` does not import hashlib
    (D41). Several at once (the catch-up after a write asks for all seven) list each folder and
    ``stat`` each file once, and write the remembered values once (D54)."""
    root = str(ROOT)
    listings: dict[str, list[str]] = {}
    stat_of: dict[str, list[int] | None] = {}
    out: dict[str, str] = {}
    learned: dict[str, dict[str, object]] = {}
    for name, extra in extras.items():
        spec = SPECS[name]
        paths = _shaping(name, listings)
        stats: list[list[object]] | None = []
        for rel in paths:
            st = stat_of.get(rel, ())
            if st == ():
                try:
                    s = os.stat(f"{root}/{rel}")
                    st = stat_of[rel] = [s.st_size, s.st_mtime_ns, s.st_ino, s.st_ctime_ns]
                except OSError:
                    st = stat_of[rel] = None
            if st is None:
                stats = None
                break
            stats.append([rel, *st])
        key = f"{ROOT}\0{name}"
        found = _remembered().get(key) if stats is not None else None
        if isinstance(found, dict) and found.get("files") == stats and found.get("version") == spec.version and found.get("extra") == extra:
            out[name] = str(found["fingerprint"])
            continue
        import hashlib

        h = hashlib.sha256(f"{spec.name}\0{spec.version}\0".encode())
        for i, rel in enumerate(paths):
            path = ROOT / rel
            digest = _file_digest(path, *stats[i][1:]) if stats is not None else _file_digest(path, -1)
            h.update(rel.encode() + b"\0" + digest)
        h.update(extra.encode())
        out[name] = h.hexdigest()
        if stats is not None:
            learned[key] = {"files": stats, "version": spec.version, "extra": extra, "fingerprint": out[name]}
    if learned:
        _remember(learned)
    return out


_CACHE: dict[str, object] | None = None


def _cache_file() -> Path:
    """This source folder's own file, named by a CRC of its path: ``show`` reads only the entries
    of the code it runs, however many other copies and checkouts remembered theirs (D50)."""
    import zlib

    from ledger.rules.cache_dir import cache_dir

    return cache_dir() / f"fingerprints-{zlib.crc32(str(ROOT).encode()):08x}.json"


def _remembered() -> dict[str, object]:
    global _CACHE
    if _CACHE is None:
        import json

        try:
            loaded = json.loads(_cache_file().read_text(encoding="utf-8"))
        except (OSError, ValueError, RuntimeError):
            loaded = {}
        _CACHE = loaded if isinstance(loaded, dict) else {}
    return _CACHE


def _remember(entries: dict[str, dict[str, object]]) -> None:
    import json

    cache = _remembered()
    cache.update(entries)
    try:
        path = _cache_file()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the cache folder is private, whichever cache makes it
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, RuntimeError):
        pass
