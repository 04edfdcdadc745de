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

import functools
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the folder holding aggregates/, ledger/, projections/
COMMON = ("aggregates/*.py", "projections/catalogue.py", "projections/tables.py", "projections/base.py",
          "projections/db.py", "projections/jsonish.py")


@dataclass(frozen=True)
class Spec:
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
    found: dict[Path, None] = {}
    for pattern in (*COMMON, *SPECS[name].sources):
        for path in sorted(ROOT.glob(pattern)):
            found[path] = None
    return list(found)


def fingerprint(name: str, extra: str = "") -> str:
    """The read model's fingerprint: name, version, each shaping file's name and digest, ``extra``.
    Remembered in the user's cache folder with the files' sizes and modification times (the test
    Python's bytecode cache makes of a source file) and their inodes and change times (which a copy
    tool that keeps the first two cannot keep): while none of them changed, the files are not read
    and hashed again, and ``show`` does not import hashlib (D41)."""
    spec = SPECS[name]
    paths = files(name)
    try:
        stats = [[str(p.relative_to(ROOT)), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns] for p in paths for st in (p.stat(),)]
    except OSError:
        stats = None
    key = f"{ROOT}\0{name}"
    found = _remembered().get(key) if stats is not None else None
    if isinstance(found, dict) and found.get("files") == stats and found.get("version") == spec.version and found.get("extra") == extra:
        return str(found["fingerprint"])
    import hashlib

    h = hashlib.sha256(f"{spec.name}\0{spec.version}\0".encode())
    for i, path in enumerate(paths):
        digest = _file_digest(path, *stats[i][1:]) if stats is not None else _file_digest(path, -1)
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + digest)
    h.update(extra.encode())
    value = h.hexdigest()
    if stats is not None:
        _remember(key, {"files": stats, "version": spec.version, "extra": extra, "fingerprint": value})
    return value


_CACHE: dict[str, object] | None = None


def _cache_file() -> Path:
    from ledger.rules.cache_dir import cache_dir

    return cache_dir() / "fingerprints.json"


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


def _remember(key: str, entry: dict[str, object]) -> None:
    import json
    import os

    cache = _remembered()
    cache[key] = entry
    try:
        path = _cache_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, RuntimeError):
        pass
