"""A file's identity for choosing its import's source (ledger/import_sources.py): the share of lines
two files have in common, exact for small files and close for large ones; standard input read twice."""

from __future__ import annotations

import io
import random

import pytest

from ledger.import_sources import SKETCH, identify, seekable, shared


def lines(tags) -> bytes:
    return b"".join(b'{"command": "complaint receive", "subject": "%d"}\n' % t for t in tags)


def ident(tags):
    return identify(io.BytesIO(lines(tags)))


def test_small_files_share_exactly_their_common_lines():
    a, b = ident(range(10)), ident([*range(7), 100, 101, 102, 103])
    assert a.lines == 10 and b.lines == 11
    assert shared(a, b) == pytest.approx(7 / 10)
    assert shared(a, ident(range(50, 60))) == 0
    assert shared(a, a) == 1


def test_blank_lines_whitespace_copies_and_a_byte_order_mark_do_not_change_the_lines():
    plain = identify(io.BytesIO(lines(range(5))))
    noisy = identify(io.BytesIO(b"\xef\xbb\xbf" + lines(range(5)).replace(b"\n", b"  \r\n\n") + lines([0, 1])))
    assert noisy.lines == plain.lines == 5 and noisy.sketch == plain.sketch
    assert noisy.sha256 != plain.sha256 and shared(plain, noisy) == 1


@pytest.mark.parametrize("common", [0, 0.05, 0.5, 0.9, 1.0])
def test_large_files_share_about_their_common_lines(common):
    n = 20 * SKETCH
    rng = random.Random(7)
    keep = set(rng.sample(range(n), int(common * n)))
    a = ident(range(n))
    b = ident([t if t in keep else n + t for t in range(n)])
    assert shared(a, b) == pytest.approx(common, abs=0.12)
    assert (shared(a, b) >= 0.5) == (common >= 0.5) and (shared(a, b) < 0.1) == (common < 0.1)


def test_a_file_extended_or_cut_shares_most_of_the_smaller_one():
    n = 10 * SKETCH
    whole, head = ident(range(n)), ident(range(n // 5))
    assert shared(whole, head) == pytest.approx(1, abs=0.15) and shared(head, whole) == shared(whole, head)


def test_standard_input_is_copied_to_be_read_twice_and_a_file_is_not():
    class Pipe(io.BytesIO):
        def seekable(self):
            return False

    pipe = Pipe(lines(range(3)))
    copy = seekable(pipe)
    assert copy is not pipe and identify(copy).lines == 3 and copy.read() == lines(range(3))
    regular = io.BytesIO(lines(range(3)))
    assert seekable(regular) is regular


class Recorder:
    """The two calls of ``choose`` on a dict; ``racer`` records another file first, once."""

    def __init__(self, racer=None):
        self.rows: dict[str, list] = {}
        self.racer = racer

    def import_files(self, name):
        return list(self.rows.get(name, []))

    def record_import_file(self, name, record):
        if self.racer is not None:
            racer, self.racer = self.racer, None
            self.record_import_file(name, racer)
        rows = self.rows.setdefault(name, [])
        if any(r[0] == record[0] or (record[4] and r[4] and r[1] == record[1]) for r in rows):
            return False
        rows.append(record)
        return True


def test_choose_follows_the_file_its_copies_and_its_name():
    from aggregates.errors import RuleViolation
    from ledger.import_sources import choose

    rec = Recorder()
    a = ident(range(20))
    first = choose(rec, "b.jsonl", a)
    assert (first.source, first.how) == ("b.jsonl", "new name")
    assert (choose(rec, "b.jsonl", a).source, choose(rec, "b.jsonl", a).how) == ("b.jsonl", "same file")
    assert choose(rec, "x.jsonl", a).how == "new name"
    edited = ident([*range(18), 99])
    continued = choose(rec, "b.jsonl", edited)
    assert (continued.source, continued.how) == ("b.jsonl", "continued")
    assert (choose(rec, "b.jsonl", edited).source, choose(rec, "b.jsonl", edited).how) == ("b.jsonl", "same file")
    other = ident(range(100, 130))
    new = choose(rec, "b.jsonl", other)
    assert new.how == "new import" and new.source == f"b.jsonl@{other.sha256.hex()[:12]}"
    assert choose(rec, "b.jsonl", ident([*range(100, 125), 500])).source == new.source  # the copy most alike
    with pytest.raises(RuleViolation) as e:
        choose(rec, "b.jsonl", ident([*range(5), *range(200, 215)]))
    assert e.value.rule == "ledger: import source"


def test_choose_again_when_another_file_of_the_name_started_first():
    from ledger.import_sources import choose

    theirs = ident(range(50, 70))
    rec = Recorder(racer=(theirs.sha256, "b.jsonl", theirs.lines, theirs.packed(), True, "2026-12-06T00:00:00+00:00"))
    mine = choose(rec, "b.jsonl", ident(range(20)))
    assert mine.how == "new import" and mine.source.startswith("b.jsonl@")


def test_three_lost_races_are_a_refusal_and_nothing_is_recorded():
    """Another file of the name recorded first three times running: a refusal naming the rule and
    saying to run the import again, not a traceback (the command line prints a RuleViolation)."""
    from aggregates.errors import RuleViolation
    from ledger.import_sources import choose

    class AlwaysLate(Recorder):
        def record_import_file(self, name, record):
            return False  # someone else's file of this name got there first

    rec = AlwaysLate()
    with pytest.raises(RuleViolation) as e:
        choose(rec, "b.jsonl", ident(range(20)))
    assert e.value.rule == "ledger: import source" and "run the import again" in e.value.message_en
    assert "重新运行本次导入" in e.value.message_zh and rec.rows == {}


def test_an_earlier_import_is_named_by_its_day_in_shanghai():
    from ledger.import_sources import shanghai_day, undecided

    assert shanghai_day("2026-12-06T17:30:00+00:00") == "2026-12-07"  # 01:30 the next morning in Beijing
    assert shanghai_day("2026-12-06T15:59:59+00:00") == "2026-12-06"
    assert shanghai_day("not a time") == "not a time"
    e = undecided("b.jsonl", "b.jsonl", "2026-12-06T17:30:00+00:00", 0.3)
    assert "2026-12-07" in e.message_zh and "2026-12-07" in e.message_en and "2026-12-06" not in e.message_en
