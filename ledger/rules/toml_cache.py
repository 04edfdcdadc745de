"""The rule files as parsed, remembered between commands (D49): a scheme, procedure or report
definitions file is parsed again only when it changed. A write command reads the five scheme files
and the two procedures (a grade's name, a deadline's period), ``explain`` the same: about 10 ms of
parsing and importing ``tomllib`` at every start, against well under 1 ms to take the same data back.

The file, ``toml-<cache tag>.marshal`` under ``$XDG_CACHE_HOME/certledger`` (``~/.cache/certledger``,
the folder of the holidays cache, ``cache_dir.py``), holds per rule file (by its absolute path) the
file's size, modification time, inode, change time and device, and its data as ``marshal`` bytes:
plain data only (``marshal`` runs no code when it reads, unlike ``pickle``). TOML's dates, times and
date-times, which ``marshal`` cannot hold, are kept as their ISO text with their place in the data and
made again on reading. A cache file that is damaged, truncated or not ours is ignored (every file
parsed as before) and replaced, and so is one this user does not own or that others may write (the
folder is made 0700 and the file 0600: it feeds rule data that only a CRC guards); the file format
is ``marshal_file.py``'s; it is rewritten atomically, once at the exit of a process that
parsed a rule file, and holds at most ``CAP`` files (the ones parsed last). Like the holidays cache,
this module keeps a file of its own in the user's cache folder; the rules it feeds stay pure (they
get the data ``tomllib`` gave them). Standard library only."""

from __future__ import annotations

import marshal
import os
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ledger.rules import marshal_file
from ledger.rules.cache_dir import cache_dir

CAP = 64  # rule files kept (a body has a few dozen at most; tests make many more)
_HEADER = b"certledger toml\n" + bytes([marshal.version])
_KINDS = {"datetime": datetime.fromisoformat, "date": date.fromisoformat, "time": time.fromisoformat}
_entries: dict[str, tuple] | None = None
_path: Path | None = None  # the cache's file they were read from, and are written to
_dirty = False  # a file was parsed since the cache's file was read: written once, at the process's exit
_registered = False


def _file() -> Path | None:
    try:
        return cache_dir() / f"toml-{sys.implementation.cache_tag}.marshal"
    except RuntimeError:  # no home folder
        return None


def _read(path: Path | None) -> dict[str, tuple]:
    """The cache's entries; {} for a file that is missing, damaged, truncated or not ours, or that
    another user owns or others may write (it feeds rule data: grade bands, deadlines)."""
    entries = marshal_file.read(path, _HEADER, private=True)
    return entries if isinstance(entries, dict) else {}


def save() -> None:
    """Write the cache's file if a rule file was parsed (at the process's exit; tests call it): its
    folder made 0700, the file 0600. A folder that cannot be written: every file parsed, as before."""
    global _dirty
    path = _path
    if not _dirty or _entries is None or path is None:
        return
    _dirty = False
    marshal_file.write(path, _HEADER, _entries, private=True)


def _plain(value: Any, where: tuple, dates: list) -> Any:
    """The data with each date, time and date-time replaced by None and listed in ``dates``."""
    if isinstance(value, dict):
        return {k: _plain(v, (*where, k), dates) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, (*where, i), dates) for i, v in enumerate(value)]
    if isinstance(value, (date, time)):  # a datetime is a date
        dates.append((where, "datetime" if isinstance(value, datetime) else type(value).__name__, value.isoformat()))
        return None
    return value


def _data(blob: bytes, dates: list) -> dict[str, Any]:
    data = marshal.loads(blob)
    for where, kind, text in dates:
        holder = data
        for k in where[:-1]:
            holder = holder[k]
        holder[where[-1]] = _KINDS[kind](text)
    if not isinstance(data, dict):
        raise TypeError("not a table")
    return data


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``tomllib.load`` of the file, from the cache when the file is unchanged. Raises what reading
    and parsing raise: OSError, ``tomllib.TOMLDecodeError`` (a ValueError), UnicodeDecodeError."""
    global _entries, _dirty, _registered, _path
    name = os.path.abspath(path)
    with open(name, "rb") as fh:
        st = os.fstat(fh.fileno())
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, st.st_dev)
        if _entries is None:
            _path = _file()
            _entries = _read(_path)
        held = _entries.get(name)
        if isinstance(held, tuple) and len(held) == 3 and held[0] == stamp:
            try:
                return _data(held[1], held[2])
            except (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError):
                pass  # damaged: parsed again below
        import tomllib

        data = tomllib.load(fh)
    dates: list = []
    plain = _plain(data, (), dates)
    _entries.pop(name, None)
    _entries[name] = (stamp, marshal.dumps(plain), dates)
    while len(_entries) > CAP:
        del _entries[next(iter(_entries))]
    _dirty = True
    if not _registered:
        import atexit

        _registered = True
        atexit.register(save)
    return data
