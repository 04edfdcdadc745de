"""What a command keeps between starts (D49): the compiled code of the events' dataclass methods.
Real processes: one without the cache, one that fills it, one that reads it (compiling nothing),
one that finds it damaged; each builds every event class of the client, the people and the body,
records a ledger's events and checks them. The code of every method is the same in all four."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ledger import dataclass_code

pytestmark = pytest.mark.skipif(not dataclass_code._shape_matches(dataclass_code._ORIGINAL),
                                reason="dataclasses._create_fn of another shape: the cache is not installed")

PROBE = r'''
import dataclasses, hashlib, inspect, json, sys
from datetime import date
from ledger import dataclass_code
installed = dataclass_code.install() if sys.argv[1] == "cached" else False
from aggregates.client import Client
from aggregates.people import Person
from aggregates.body import Body

def flat(code):
    return (code.co_code, code.co_names, code.co_varnames, code.co_freevars, code.co_filename, code.co_qualname,
            code.co_firstlineno, code.co_linetable, code.co_flags,
            tuple(flat(c) if inspect.iscode(c) else (type(c).__name__, repr(c)) for c in code.co_consts))

def dataclasses_of_ours():
    """Every dataclass of the aggregates' modules: their own, and the events defined on each class (all
    of them on Client, Person and Body: an area declares its events, D65)."""
    seen = {}
    for module in [m for name, m in sorted(sys.modules.items()) if name.split(".")[0] == "aggregates"]:
        for top in vars(module).values():
            if isinstance(top, type) and top.__module__ == module.__name__:
                for cls in [top, *(c for c in vars(top).values() if isinstance(c, type))]:
                    if dataclasses.is_dataclass(cls):
                        seen[f"{cls.__module__}:{cls.__qualname__}"] = cls
    return sorted(seen.items())

methods = {}
assert Client and Person and Body
for name, cls in dataclasses_of_ours():
    parts = [(m, flat(f.__code__), f.__qualname__, repr(f.__defaults__))
             for m in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")
             if inspect.isfunction(f := cls.__dict__.get(m))]
    parts.append(str(inspect.signature(cls)))
    methods[name] = hashlib.sha256(repr(parts).encode()).hexdigest()

from ledger.bootstrap import bootstrap
app = bootstrap(sys.argv[2])
app.submit_application(client="91330100716105852F", name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                       scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                       actor="张伟", on=date(2026, 3, 2))
app.receive_complaint(client="91330100716105852F", complainant="顾客", subject="交货延迟", actor="张伟", on=date(2026, 3, 9))
def hashed(x):
    try:
        return hash(x)
    except TypeError as e:  # an event holding a list: unhashable, with the cache or without
        return str(e)

checks = []
for n in app.recorder.select_notifications(start=1, limit=100):
    e = app.mapper.to_domain_event(n)
    again = type(e)(**{f.name: getattr(e, f.name) for f in dataclasses.fields(e)})
    try:
        e.originator_version = 99
        frozen = False
    except dataclasses.FrozenInstanceError:
        frozen = True
    checks.append([type(e).__qualname__, e == again, hashed(e) == hashed(again), repr(e) == repr(again), frozen])
app.close()
dataclass_code.save()
print(json.dumps({"installed": installed, "compiled": dataclass_code.compiled, "methods": methods, "checks": checks,
                  "file": str(dataclass_code.cache_path())}))
'''


def _probe(mode: str, tmp_path: Path, run: int) -> dict:
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run([sys.executable, "-c", PROBE, mode, str(tmp_path / f"ledger{run}.sqlite")], capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_second_process_takes_the_events_code_from_the_cache_and_a_damaged_cache_is_survived(tmp_path):
    plain = _probe("plain", tmp_path, 1)
    first = _probe("cached", tmp_path, 2)  # fills the file
    path = Path(first["file"])
    assert path.is_relative_to(tmp_path / "pycache") and path.exists()
    second = _probe("cached", tmp_path, 3)
    assert not plain["installed"] and first["installed"] and second["installed"]
    assert first["compiled"] > 300  # the events' methods, compiled once...
    assert second["compiled"] == 0  # ...and not again
    assert len(plain["methods"]) > 70  # every event of Client, Person and Body (76 classes, D65)
    assert plain["methods"] == first["methods"] == second["methods"]
    assert plain["checks"] == first["checks"] == second["checks"]
    assert {tuple(c[1:]) for c in second["checks"]} == {(True, True, True, True)}
    assert {c[0] for c in second["checks"]} >= {"Client.ApplicationSubmitted", "Client.ComplaintReceived"}

    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])  # truncated, as by a full disk
    damaged = _probe("cached", tmp_path, 4)
    assert damaged["compiled"] == first["compiled"] and damaged["methods"] == plain["methods"]
    assert _probe("cached", tmp_path, 5)["compiled"] == 0  # written whole again
    path.write_bytes(b"\x00not ours" * 1000)
    assert _probe("cached", tmp_path, 6)["methods"] == plain["methods"]


def test_a_write_command_fills_the_cache_and_survives_it_damaged(tmp_path):
    from ledger.bootstrap import bootstrap

    db = str(tmp_path / "ledger.sqlite")
    app = bootstrap(db)
    app.submit_application(client="91330100716105852F", name="杭州某科技有限公司", address="杭州市西湖区", scheme="zgc-ru015",
                           scope="企业质量信用管理", site=[{"name": "总部", "address": "杭州市西湖区"}], headcount=30,
                           actor="张伟", on=date(2026, 3, 2))
    app.close()
    code = ("import sys\nsys.argv=['certledger','--db'," + repr(db) + ",'complaint','receive','--client','91330100716105852F',"
            "'--complainant','顾客','--subject','交货延迟']\nfrom cli.main import main\nfrom ledger import dataclass_code\n"
            "import atexit\natexit.register(lambda: print('compiled', dataclass_code.compiled, dataclass_code.cache_path()))\nmain()")
    env = {**os.environ, "CERTLEDGER_ACTOR": "张伟", "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def write() -> tuple[int, Path]:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert "投诉已记录" in proc.stdout
        _, compiled, path = proc.stdout.strip().splitlines()[-1].split(" ", 2)
        return int(compiled), Path(path)

    compiled, path = write()
    assert compiled > 300 and path.exists()
    assert write()[0] == 0
    path.write_bytes(path.read_bytes()[:-1000])
    assert write()[0] > 300  # a damaged file is read as none: compiled again (the first write also caught the read models up)
    assert write()[0] == 0
