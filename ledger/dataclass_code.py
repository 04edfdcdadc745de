"""The compiled code of the methods that ``dataclasses`` generates, kept beside the bytecode (D49).

Every start of a command defines about 120 frozen dataclasses (the events of ``Client``, ``Person``
and ``Body`` among them), and the standard library writes and compiles the source text of
each one's ``__init__``, ``__repr__``, ``__eq__``, ``__setattr__``... at every start: some 870
``exec`` calls of text, about a third of a write command's time. The text depends only on the
class's fields and options, so its compiled code is the same at every start. ``install`` keeps
``dataclasses._create_fn`` as it is (its own code builds the text) and only gives it an ``exec``
that takes the code compiled from the same text from a cache, compiling (exactly as ``exec`` of a
text does) what the cache does not hold yet; ``save`` writes the cache when new texts appeared.

The file has the trust of a ``.pyc``: it lives in this package's ``__pycache__`` (or under
``PYTHONPYCACHEPREFIX``), is named with the interpreter's cache tag and bytecode magic number, is
not written when bytecode is not (``sys.dont_write_bytecode``), and holds code objects as a ``.pyc``
does (``marshal``). A file that is truncated or not ours (header, length, types) is ignored as if
absent and replaced at the next save; like a ``.pyc``, it has no checksum (D65). Writes go to a
temporary file renamed over the old one (the file format: ``ledger/rules/marshal_file.py``, shared
with the rule files' cache); at most ``CAP`` texts are kept (the ones this process used first). Only where
``dataclasses._create_fn`` has the shape of Python 3.11 and 3.12 (``exec`` of one text with the
given globals); elsewhere (3.13 builds its methods otherwise) nothing is installed. Standard
library only: the command line installs it before anything defines a dataclass of ours."""

from __future__ import annotations

import dataclasses
import marshal
import sys
import types
from importlib.util import MAGIC_NUMBER, cache_from_source
from pathlib import Path

from ledger.rules import marshal_file

CAP = 4000  # texts kept in the file; a command needs about 870
_HEADER = b"certledger dataclass code 2\n" + MAGIC_NUMBER + bytes([marshal.version])  # 2: sealed by length (D65)
_ORIGINAL = getattr(dataclasses, "_create_fn", None)
_EXPECTED = ("name", "args", "body", "globals", "locals", "return_type")

_codes: dict[str, types.CodeType] | None = None  # read from the file at the first text
_used: dict[str, types.CodeType] = {}  # the texts this process asked for, in order
_new = 0  # compiled here and not in the file yet
compiled = 0  # texts compiled by this process (the others came from the file)
_path: Path | None = None


def cache_path() -> Path | None:
    """The file beside this module's own bytecode; None when the interpreter keeps no bytecode cache."""
    try:
        pyc = Path(cache_from_source(__file__))
    except (NotImplementedError, ValueError):  # no cache tag (sys.implementation.cache_tag is None)
        return None
    return pyc.with_name(f"{pyc.name.removesuffix('.pyc')}.{MAGIC_NUMBER.hex()}.marshal")


def _shape_matches(fn: object) -> bool:
    """``_create_fn(name, args, body, *, globals=None, locals=None, return_type=MISSING)`` whose only
    globals are ``MISSING`` and ``exec`` (3.11, 3.12)."""
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or code is None:
        return False
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return (names == _EXPECTED and code.co_argcount == 3 and code.co_kwonlyargcount == 3
            and "exec" in code.co_names and fn.__kwdefaults__ is not None
            and fn.__kwdefaults__.get("return_type") is getattr(dataclasses, "MISSING", object()))


def _exec(source, globals=None, locals=None):  # noqa: A002 (the names of ``exec``'s own arguments)
    """``exec`` of a text with the code compiled from that same text, from the cache when held."""
    global _new, _codes, compiled
    if type(source) is not str:
        return exec(source, globals, locals)
    if _codes is None:
        _codes = _read(_path) if _path is not None else {}
    code = _used.get(source) or _codes.get(source)
    if code is None:
        # what ``exec(text)`` compiles in ``dataclasses`` (no future flags there): filename "<string>"
        code = compile(source, "<string>", "exec", dont_inherit=True)
        _new += 1
        compiled += 1
    _used[source] = code
    return exec(code, globals, locals)


def _read(path: Path) -> dict[str, types.CodeType]:
    """The file's texts and codes; {} for a missing, truncated or foreign file. Sealed by its length,
    not a CRC-32 (5 million instructions of every start over 1.2 MB): the file has the trust of the
    ``.pyc`` files beside it, which Python reads with no checksum either (D65)."""
    codes = marshal_file.read(path, _HEADER, checksum=False)
    if not isinstance(codes, dict) or not all(type(k) is str and type(v) is types.CodeType for k, v in codes.items()):
        return {}
    return codes


def install(save_at_exit: bool = True) -> bool:
    """Give ``dataclasses._create_fn`` the cached ``exec`` (and ``save`` at the process's exit);
    False (nothing changed) where its shape is not the one known, or when installed already."""
    global _path
    current = getattr(dataclasses, "_create_fn", None)
    if _ORIGINAL is None or current is not _ORIGINAL or not _shape_matches(_ORIGINAL):
        return False
    _path = cache_path()
    scope = dict(_ORIGINAL.__globals__)  # the module's names as they are (MISSING...) and our exec
    scope["exec"] = _exec
    fn = types.FunctionType(_ORIGINAL.__code__, scope, _ORIGINAL.__name__, _ORIGINAL.__defaults__, _ORIGINAL.__closure__)
    fn.__kwdefaults__ = dict(_ORIGINAL.__kwdefaults__)
    fn.__qualname__, fn.__module__, fn.__doc__ = _ORIGINAL.__qualname__, _ORIGINAL.__module__, _ORIGINAL.__doc__
    dataclasses._create_fn = fn
    if save_at_exit:
        import atexit

        atexit.register(save)
    return True


def uninstall() -> None:
    """The standard library's own function back (tests)."""
    global _codes, _used, _new, _path, compiled
    if _ORIGINAL is not None:
        dataclasses._create_fn = _ORIGINAL
    _codes, _used, _new, _path, compiled = None, {}, 0, None, 0


def save() -> bool:
    """Write the file when this process compiled texts it did not hold: the texts used here first,
    then the file's others, up to ``CAP``. Never when bytecode is not written; a folder that
    cannot be written leaves things as they were. True when written."""
    global _new
    if not _new or _path is None or sys.dont_write_bytecode:
        return False
    keep = dict(list(_used.items())[:CAP])
    for text, code in (_codes or {}).items():
        if len(keep) >= CAP:
            break
        keep.setdefault(text, code)
    if not marshal_file.write(_path, _HEADER, keep, checksum=False):
        return False
    _new = 0
    return True


def settle_before_forks() -> None:
    """Save what this process added, then count nothing as new, here and in the rule files' cache
    (``ledger/rules/toml_cache.py``): a process that forks its commands (the command server, D58)
    calls it once after its imports, so that each fork saves at its exit only what it added itself,
    not the whole file again at every command."""
    global _new
    from ledger.rules import toml_cache

    save()
    _new = 0
    toml_cache.save()
    toml_cache._dirty = False
