"""The compiled code of dataclass methods from a cache (ledger/dataclass_code.py, D49): what a class
gets with the cache is what the standard library builds without it, code object for code object,
and the cache's file is written within its cap and read back only when it is whole and ours.
Processes that start with the cache (the events, a damaged file) are in
tests/integration/test_startup_caches.py."""

from __future__ import annotations

import dataclasses
import inspect
import sys
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from ledger import dataclass_code

pytestmark = pytest.mark.skipif(not dataclass_code._shape_matches(dataclass_code._ORIGINAL),
                                reason="dataclasses._create_fn of another shape: the cache is not installed")


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """The cache installed, its file in tmp_path, bytecode written; the library's own function after."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert dataclass_code.install(save_at_exit=False)
    dataclass_code._path = tmp_path / "codes.marshal"
    yield dataclass_code
    dataclass_code.uninstall()
    assert dataclasses._create_fn is dataclass_code._ORIGINAL


def _define():
    @dataclass(frozen=True)
    class Received:
        client: str
        subject: str = "交货延迟"
        sites: tuple = ()
        notes: list = field(default_factory=list, compare=False, repr=False)

    @dataclass(order=True)
    class Entry:
        number: int
        self: str = "named self"  # the library then names its own first argument otherwise

    return Received, Entry


def _code(fn):
    """Everything of a function's code that its behaviour and its tracebacks depend on."""
    def flat(code):
        return (code.co_code, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars, code.co_filename,
                code.co_name, code.co_qualname, code.co_firstlineno, code.co_linetable, code.co_exceptiontable,
                code.co_flags, code.co_argcount, code.co_kwonlyargcount,
                tuple(flat(c) if inspect.iscode(c) else (type(c), c) for c in code.co_consts))
    return flat(fn.__code__), fn.__qualname__, fn.__defaults__, fn.__kwdefaults__, fn.__annotations__.keys()


METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__", "__le__", "__gt__", "__ge__")


def _methods(cls):
    methods = {name: _code(fn) for name in METHODS if inspect.isfunction(fn := cls.__dict__.get(name))}
    return methods, str(inspect.signature(cls))


def test_the_methods_are_the_code_the_standard_library_builds(cached):
    path = cached._path
    cached.uninstall()
    plain = [_methods(c) for c in _define()]
    assert cached.install(save_at_exit=False)
    cached._path = path
    first = [_methods(c) for c in _define()]  # compiled here, kept
    assert cached._new > 0
    compiled = cached._new
    again = [_methods(c) for c in _define()]  # every text from the cache
    assert cached._new == compiled
    assert plain == first == again
    assert all(m for m in plain)


def test_instances_behave_as_without_the_cache(cached):
    Received, Entry = _define()
    a, b = Received("91330100716105852F"), Received("91330100716105852F", notes=["x"])
    assert a == b and hash(a) == hash(b) and a.notes == [] and b.sites == ()
    assert repr(a) == "_define.<locals>.Received(client='91330100716105852F', subject='交货延迟', sites=())"
    with pytest.raises(FrozenInstanceError):
        a.client = "x"
    with pytest.raises(FrozenInstanceError):
        del a.subject
    assert str(inspect.signature(Received)) == (
        "(client: 'str', subject: 'str' = '交货延迟', sites: 'tuple' = (), notes: 'list' = <factory>) -> None")
    assert Entry(1) < Entry(2) and Entry(1).self == "named self"
    with pytest.raises(TypeError):
        Received()


def test_the_file_is_written_once_within_its_cap_and_read_back(cached, monkeypatch):
    _define()
    assert cached.save() is True
    assert cached.save() is False  # nothing new since
    codes = cached._read(cached._path)
    assert codes and set(codes) == set(cached._used)
    monkeypatch.setattr(cached, "CAP", 3)
    cached._new = 1
    assert cached.save() is True
    assert len(cached._read(cached._path)) == 3


def test_nothing_is_written_where_bytecode_is_not(cached, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _define()
    assert cached.save() is False
    assert not cached._path.exists()


@pytest.mark.parametrize("damage", ["truncated", "longer", "foreign", "not code", "empty"])
def test_a_damaged_or_foreign_file_is_read_as_none(cached, damage):
    import marshal

    _define()
    assert cached.save()
    data = cached._path.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "longer":
        data = data + b"\x00"
    elif damage == "foreign":
        data = b"\x00" * 8 + data[8:]
    elif damage == "not code":
        payload = marshal.dumps({"def f(): pass": "a text, not code"})
        data = cached._HEADER + len(payload).to_bytes(4, "little") + payload
    else:
        data = b""
    cached._path.write_bytes(data)
    assert cached._read(cached._path) == {}


def test_a_folder_that_cannot_be_written_leaves_things_as_they_were(cached, tmp_path):
    (tmp_path / "file").write_text("")
    cached._path = tmp_path / "file" / "codes.marshal"  # under a file: not a folder
    _define()
    assert cached.save() is False
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]


def test_another_shape_of_the_library_is_left_alone(monkeypatch):
    def _create_fn(name, args, body, *, globals=None, locals=None):  # an older or newer shape
        return None

    assert dataclass_code._shape_matches(dataclass_code._ORIGINAL)
    assert not dataclass_code._shape_matches(_create_fn)
    monkeypatch.setattr(dataclasses, "_create_fn", _create_fn)
    assert dataclass_code.install(save_at_exit=False) is False  # not the function it knows: not replaced
    assert dataclasses._create_fn is _create_fn
    monkeypatch.setattr(dataclass_code, "_ORIGINAL", None)  # 3.13: no _create_fn at all
    monkeypatch.setattr(dataclasses, "_create_fn", None)
    assert dataclass_code.install(save_at_exit=False) is False
