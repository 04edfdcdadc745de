"""Random but plausible, and plain garbage, input to every write command, to a few read commands
and to ``import``: the command line answers with exit code 0, 1 or 2, never a traceback, and an
input it refuses writes nothing. A corrupt import file (bad UTF-8, truncated lines, wrong types) is
reported line by line as FILE:LINE with nothing written for the bad lines and exit code 1.

The ledger is the demo's year (module-scoped, SQLite); examples that are accepted add to it, which
only makes later examples meet more states. The default
example counts are modest (derandomized, so the default run is the same every time); the slow
tests run many more, randomly.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import synthetic as workload
from cli.main import root
from ledger.commands import COMMANDS, Command, Param

TODAY = date(2026, 11, 20)
ACTOR = "模糊测试"
FAST = settings(max_examples=6, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])

IDS = ("AP1", "AP2", "A1", "A2", "A3", "S1", "S4", "NC1", "NC2", "D1", "D2", "C1", "AL1", "SU1", "W1", "SC1", "X9", "")
SCORE_VALUES = ({"percent": 75}, {"percent": 101}, {"likert": 4, "alpha": "0.7"}, {"level": 3}, {"points": 10},
                {"met": True}, {"count": 2}, {"awards": []}, {"counts": {}}, {"occurrences": []}, {"value": 900}, {})


# ------------------------------------------------------------------------------ the ledger


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> dict[str, Any]:
    from ledger.bootstrap import bootstrap
    from ledger.demo import play
    from projections import catch_up, dispose

    db = str(tmp_path_factory.mktemp("fuzz") / "ledger.sqlite")
    app = bootstrap(db)
    codes = play(app, today=TODAY)
    catch_up(app)
    dispose(app)
    yield {"db": db, "app": app, "clients": codes}
    app.close()


def event_count(ledger: dict[str, Any]) -> int:
    return ledger["app"].recorder.max_notification_id() or 0


def events_after(ledger: dict[str, Any], position: int) -> list[Any]:
    app = ledger["app"]
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(position, 10_000, inclusive_of_start=False)]


def assert_no_traceback(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        "".join(__import__("traceback").format_exception(result.exception))
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr, result.stderr


# ------------------------------------------------------------------------------ strategies

garbage = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "-1", "0", "NaN", "inf", "-inf", "1e999", "9" * 40, "2026-02-30", "2026-13-01", "99999-01-01",
                     "{", "[]", "null", "true", "{\"percent\": \"x\"}", "=", "a=", "=b", "\x00", "\ud7ff", "名称=地址", "--help"]),
)


def dates() -> st.SearchStrategy[str]:
    return st.dates(date(2020, 1, 1), TODAY + timedelta(days=400)).map(date.isoformat)


def plausible(p: Param, clients: list[str]) -> st.SearchStrategy[str]:
    if p.name == "client":
        return st.sampled_from(clients)
    if p.choices:
        return st.sampled_from(p.choices)
    if p.type == "date":
        return dates()
    if p.type == "int":
        return st.integers(-3, 400).map(str)
    if p.type == "decimal":
        return st.decimals(-10, 1000, places=2, allow_nan=False).map(str)
    if p.type == "json":
        return st.sampled_from(SCORE_VALUES).map(json.dumps)
    if p.type == "site":
        return st.sampled_from(["总部=浙江省杭州市西湖区", "仓库=广东省深圳市", "总部="])
    if p.name in ("application", "audit", "entry", "nc", "decision", "complaint", "appeal", "against"):
        return st.sampled_from(IDS)
    if p.name == "item":
        return st.sampled_from(["A.1", "A.15", "5.1.1.1", "A1-1.1", "M1", "不存在的指标", ""])
    if p.name in ("reason-code",):
        return st.sampled_from(["7.2.1a", "7.2.1e", "8.1a", "8.1e", "7.3.1a", "8.3c", "9.9z"])
    return st.text(min_size=1, max_size=20)


def option_args(cmd: Command, clients: list[str]) -> st.SearchStrategy[list[str]]:
    """Arguments for one write command: each option plausible, garbage, or left out; sometimes an
    option that does not exist."""

    def one(p: Param) -> st.SearchStrategy[list[str]]:
        if p.type == "bool":
            return st.sampled_from([[], [f"--{p.name}"]])
        value = st.one_of(plausible(p, clients), garbage) if p.name != "client" else st.one_of(plausible(p, clients), plausible(p, clients), garbage)
        times = st.integers(1, 3) if p.multiple else st.just(1)
        present = st.booleans() if not p.required else st.sampled_from([True] * 9 + [False])
        return st.tuples(present, times, st.lists(value, min_size=3, max_size=3)).map(
            lambda t: [x for v in t[2][: t[1]] for x in (f"--{p.name}", v)] if t[0] else [])

    extra = st.sampled_from([[], [], [], ["--no-such-option", "x"], ["--on"], ["positional"]])
    return st.tuples(*(one(p) for p in cmd.params), extra).map(lambda parts: [a for part in parts for a in part])


def invoke(db: str, *args: str) -> Any:
    return CliRunner().invoke(root, ["--db", db, "--actor", ACTOR, *args], catch_exceptions=True)


def check_write(ledger: dict[str, Any], cmd: Command, args: list[str]) -> None:
    before = event_count(ledger)
    result = invoke(ledger["db"], *cmd.name.split(" "), *args)
    assert_no_traceback(result)
    if result.exit_code != 0:
        assert event_count(ledger) == before, f"refused (exit {result.exit_code}) but wrote: {cmd.name} {args}"
    else:
        assert event_count(ledger) > before


# ------------------------------------------------------------------------------ write commands


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_a_write_command_given_random_options_answers_cleanly_and_a_refusal_writes_nothing(ledger, cmd):
    @FAST
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        check_write(ledger, cmd, data.draw(option_args(cmd, ledger["clients"])))

    run()


@pytest.mark.slow
@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.name)
def test_a_write_command_given_many_random_options_answers_cleanly(ledger, cmd):
    @SLOW
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        check_write(ledger, cmd, data.draw(option_args(cmd, ledger["clients"])))

    run()


# ------------------------------------------------------------------------------ read commands


def read_args(clients: list[str]) -> st.SearchStrategy[list[str]]:
    client = st.one_of(st.sampled_from(clients), garbage)
    when = st.one_of(st.just([]), dates().map(lambda d: ["--as-of", d]), garbage.map(lambda g: ["--as-of", g]),
                     garbage.map(lambda g: ["--as-recorded", g]), dates().map(lambda d: ["--as-recorded", d]))
    fmt = st.sampled_from([[], ["--json"], ["--lang", "en"], ["--lang", "xx"]])
    return st.one_of(
        st.tuples(st.sampled_from(["show", "history", "explain"]), client, when, fmt).map(lambda t: [t[0], t[1], *t[2], *t[3]]),
        st.tuples(st.one_of(st.just([]), garbage.map(lambda g: ["--within", g]), st.integers(-5, 400).map(lambda n: ["--within", str(n)])), fmt)
        .map(lambda t: ["due", *t[0], *t[1]]),
        fmt.map(lambda f: ["clients", *f]),
        st.tuples(st.sampled_from(["valid", "suspended", "nonsense", ""]), fmt).map(lambda t: ["register", "show", "--status", t[0], *t[1]]),
    )


@FAST.__class__(FAST, max_examples=40)
@given(data=st.data())
def test_a_read_command_given_random_arguments_answers_cleanly_and_writes_nothing(ledger, data):
    args = data.draw(read_args(ledger["clients"]))
    before = event_count(ledger)
    result = invoke(ledger["db"], *args)
    assert_no_traceback(result)
    assert event_count(ledger) == before


# ------------------------------------------------------------------------------ import lines

VALID = [workload.dumps(x) for x in workload.generate(3, seed=99)]
NAMES = [c.name for c in COMMANDS]
FIELDS = sorted({p.name for c in COMMANDS for p in c.params} | {p.key for c in COMMANDS for p in c.params})
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(max_size=12),
              st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: float(d))),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)


def command_object(tag: str, clients: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object shaped like a command: a known or unknown name, known fields with values of
    any type, sometimes an unknown field; the actor is ``tag`` (so its events can be found), or
    sometimes a value of the wrong type."""
    fields = st.dictionaries(st.sampled_from(FIELDS), st.one_of(json_values, garbage, dates(), st.sampled_from(IDS)), max_size=8)
    return st.tuples(
        st.one_of(st.sampled_from(NAMES), garbage, json_values),
        st.one_of(st.sampled_from(clients), garbage, json_values),
        fields,
        st.sampled_from([tag] * 6 + ["<wrong-type>"]),
        json_values,
    ).map(lambda t: {"command": t[0], "client": t[1], **t[2], "actor": t[3] if t[3] != "<wrong-type>" else t[4]})


def import_line(number: int, clients: list[str]) -> st.SearchStrategy[bytes]:
    tag = f"fuzz-line-{number}"
    valid = st.sampled_from(VALID).map(lambda text: json.loads(text) | {"actor": tag}).map(workload.dumps)
    as_bytes = lambda text: text.encode("utf-8")  # noqa: E731
    return st.one_of(
        command_object(tag, clients).map(lambda o: json.dumps(o, ensure_ascii=False)).map(as_bytes),
        valid.map(as_bytes),
        st.tuples(valid, st.floats(0.05, 0.95)).map(lambda t: t[0][: int(len(t[0]) * t[1])]).map(as_bytes),  # truncated
        st.tuples(valid.map(as_bytes), st.integers(0, 40), st.sampled_from([b"\xff", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\x80"]))
        .map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:]),  # broken UTF-8
        json_values.map(lambda v: json.dumps(v)).map(as_bytes),  # JSON, but not an object
        st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b),
    )


_BATCHES = itertools.count()


def check_import(ledger: dict[str, Any], raw_lines: list[bytes], tmp: Path) -> None:
    # a file of its own name for each example: each is a new import (D42), even when it repeats
    # lines, or all, of an earlier example, which a file of the same name would continue
    path = tmp / f"batch-{next(_BATCHES)}.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in raw_lines))
    before = event_count(ledger)
    result = invoke(ledger["db"], "--lang", "en", "import", str(path), "--json")
    assert_no_traceback(result)
    summary = json.loads(result.stdout)
    failed = {e["line"] for e in summary["errors"]}
    reported = {int(n) for n in re.findall(rf"^{re.escape(str(path))}:(\d+): ", result.stderr, re.M)}
    assert reported == failed, "every failed line is reported as FILE:LINE"
    assert result.exit_code == (1 if failed else 0)
    nonblank = [n for n, line in enumerate(raw_lines, 1) if line.strip()]
    assert summary["lines"] == len(nonblank) and summary["written"] == len(nonblank) - len(failed)
    written_by = {}
    for ev in events_after(ledger, before):
        written_by.setdefault(getattr(ev, "actor", None), []).append(ev)
    for n in nonblank:
        if n in failed:
            assert f"fuzz-line-{n}" not in written_by, f"line {n} failed but wrote"
    for n in nonblank:
        if n not in failed and f'"fuzz-line-{n}"'.encode() in raw_lines[n - 1]:
            assert f"fuzz-line-{n}" in written_by, f"line {n} was counted as written but nothing carries its actor"


@FAST.__class__(FAST, max_examples=40)
@given(data=st.data())
def test_an_import_of_random_lines_reports_each_bad_line_and_writes_nothing_for_it(ledger, data, tmp_path):
    count = data.draw(st.integers(1, 6))
    check_import(ledger, [data.draw(import_line(n, ledger["clients"])) for n in range(1, count + 1)], tmp_path)


@pytest.mark.slow
@SLOW.__class__(SLOW, max_examples=400)
@given(data=st.data())
def test_an_import_of_many_random_lines_reports_each_bad_line_and_writes_nothing_for_it(ledger, data, tmp_path):
    count = data.draw(st.integers(1, 12))
    check_import(ledger, [data.draw(import_line(n, ledger["clients"])) for n in range(1, count + 1)], tmp_path)


# ------------------------------------------------------------------------------ a corrupt file


def test_a_corrupt_import_file_is_reported_line_by_line_with_nothing_written_for_the_bad_lines(tmp_path):
    from ledger.bootstrap import bootstrap

    submit = json.loads(VALID[0])
    assert submit["command"] == "application submit"
    lines = [
        workload.dumps(submit).encode(),                                             # 1 good
        workload.dumps(submit).encode()[:57],                                        # 2 truncated
        workload.dumps({**submit, "headcount": "三十"}).encode(),                     # 3 wrong type
        b'{"command": "complaint receive", "client": "' + submit["client"].encode() + b'", "complainant": "\xff\xfe", "subject": "x"}',  # 4 bad UTF-8
        b"",                                                                         # blank: skipped
        json.dumps({"command": "complaint receive", "client": submit["client"], "complainant": ["a"], "subject": "x"}).encode(),  # 6 wrong type
        json.dumps([1, 2]).encode(),                                                 # 7 not an object
        json.dumps({"command": "complaint receive", "client": submit["client"], "complainant": "顾客", "subject": "服务",
                    "on": "2026-11-02", "actor": "张伟"}, ensure_ascii=False).encode(),  # 8 good
    ]
    path = tmp_path / "corrupt.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    db = str(tmp_path / "ledger.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0  # a new ledger is made by init (D57)
    result = CliRunner().invoke(root, ["--db", db, "--actor", ACTOR, "--lang", "en", "import", str(path)], catch_exceptions=True)
    assert_no_traceback(result)
    assert result.exit_code == 1
    reported = [int(n) for n in re.findall(rf"^{re.escape(str(path))}:(\d+): ", result.stderr, re.M)]
    assert reported == [2, 3, 4, 6, 7]
    assert "not valid UTF-8" in result.stderr and "Not valid JSON" in result.stderr and "headcount" in result.stderr
    app = bootstrap(db)
    try:
        kinds = [h["type"] for h in app.history(submit["client"])]
        assert kinds == ["Registered", "ApplicationSubmitted", "ComplaintReceived"]  # lines 1 and 8 only
    finally:
        app.close()


@pytest.mark.parametrize("actor", [5, ["张伟"], {"name": "张伟"}, True])
def test_an_import_line_whose_actor_is_not_text_is_reported_not_a_traceback(actor, tmp_path):
    line = {"command": "complaint receive", "client": workload.uscc(0, 99), "complainant": "顾客", "subject": "服务", "actor": actor}
    path = tmp_path / "actor.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    db = str(tmp_path / "ledger.sqlite")
    assert CliRunner().invoke(root, ["--db", db, "init"]).exit_code == 0  # a new ledger is made by init (D57)
    result = CliRunner().invoke(root, ["--db", db, "--actor", ACTOR, "import", str(path)],
                                catch_exceptions=True)
    assert_no_traceback(result)
    assert result.exit_code == 1 and f"{path}:1: " in result.stderr
