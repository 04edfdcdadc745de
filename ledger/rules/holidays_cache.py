"""What the calendar takes from the installed ``holidays`` package, kept in a small file so that a
command does not import the package (about 0.1-0.3 s: it imports every country) to learn the same
days again (D41).

The file, ``holidays-<key>.json`` under ``$XDG_CACHE_HOME/certledger`` (``~/.cache/certledger``),
holds the package's version, the last year whose State Council notice it knows and the days off and
make-up working days of each year asked for so far. ``<key>`` is a digest of the installed package's
location, its version (read as text, not imported) and the size, modification time, inode and
change time of its files that carry the data (``version.py``, ``countries/china.py``,
``__init__.py``): another version or another installation is another file.
The package is imported only for what the file does not hold yet, and the file is then rewritten
(atomically; a folder that cannot be written leaves every answer computed, as before).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Callable

from aggregates.digests import sha256  # not hashlib: OpenSSL's load at every start (D68)
from ledger.rules.cache_dir import cache_dir

_DATA_FILES = ("__init__.py", "version.py", "countries/china.py")
_cache: dict[str, Any] | None = None
_path: Path | None = None


def _package_key() -> str | None:
    """A digest naming the installed package's data, without importing it; None if not found."""
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0])
    h = sha256(str(root).encode())
    for name in _DATA_FILES:
        try:
            st = (root / name).stat()
        except OSError:
            return None
        # a copy tool can keep a file's size and modification time, not its inode and change time
        h.update(f"\0{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_ctime_ns}".encode())
    h.update(f"\0version\0{_version(root)}".encode())
    return h.hexdigest()[:32]


def _version(root: Path) -> str:
    """The package's version, read as text: ``__version__`` in its ``version.py`` when written there,
    else the name of its ``holidays-<version>.dist-info`` folder beside it (a release reading its
    version from that metadata); "" if neither says."""
    import re

    try:
        found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", (root / "version.py").read_text(encoding="utf-8"), re.MULTILINE)
    except (OSError, ValueError):
        found = None
    if found:
        return found.group(1)
    return ",".join(sorted(p.name for p in root.parent.glob(f"{root.name}-*.dist-info")))


def _load() -> dict[str, Any]:
    global _cache, _path
    if _cache is not None:
        return _cache
    key = _package_key()
    _cache = {}
    if key is None:
        return _cache
    try:
        _path = cache_dir() / f"holidays-{key}.json"
    except RuntimeError:  # no home folder
        return _cache
    try:
        _cache = json.loads(_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _cache = {}
    if not isinstance(_cache, dict):
        _cache = {}
    return _cache


def _save() -> None:
    if _path is None or _cache is None:
        return
    try:
        _path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the cache folder is private, whichever cache makes it
        tmp = _path.with_name(f"{_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_cache, sort_keys=True), encoding="utf-8")
        os.replace(tmp, _path)
    except OSError:
        pass


def remembered(name: str, compute: Callable[[], Any]) -> Any:
    """A value of the installed package (JSON-able), from the file or computed and written to it."""
    cache = _load()
    if name not in cache:
        cache[name] = compute()
        _save()
    return cache[name]


def year_days(year: int, compute: Callable[[int], tuple[set[date], set[date]]]) -> tuple[set[date], set[date]]:
    """A year's days off and make-up working days (``compute(year)`` when not held yet)."""
    def as_text() -> list[list[str]]:
        off, on = compute(year)
        return [sorted(d.isoformat() for d in off), sorted(d.isoformat() for d in on)]

    off, on = remembered(f"year {year}", as_text)
    return {date.fromisoformat(d) for d in off}, {date.fromisoformat(d) for d in on}
