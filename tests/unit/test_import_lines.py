"""An import line's identity and reading (ledger/import_lines.py): what changes an identity and what
does not, the byte-order mark, bounded reading of an overlong line, and the refusals of parse."""

from __future__ import annotations

import io
import random

import pytest

from aggregates.errors import RuleViolation
from ledger.import_lines import (BOM, MAX_DEPTH, MAX_LINE_BYTES, TooLong, _Seen, given_key, identified, parse)

A = b'{"command": "complaint receive", "client": "91510104001000015Y", "subject": "a"}\n'
B = b'{"command": "complaint receive", "client": "91510104001000015Y", "subject": "b"}\n'
C = b'{"command": "complaint receive", "client": "91510104001000015Y", "subject": "c"}\n'


def keys(lines, source="batch.jsonl"):
    """Each distinct line's identity."""
    return {raw: key for _, raw, _, key in identified(lines, source) if key is not None}


def in_order(lines, source="batch.jsonl"):
    return [key for _, _, _, key in identified(lines, source)]


def test_editing_inserting_or_deleting_other_lines_changes_no_other_identity():
    before = keys([A, B, C])
    assert keys([C, b"\n", A, B]) == {**before}  # moved, a blank line inserted
    assert keys([A, C]) == {A: before[A], C: before[C]}  # B deleted
    edited = B.replace(b'"b"', b'"b2"')
    after = keys([A, edited, C])
    assert after[A] == before[A] and after[C] == before[C] and after[edited] != before[B]  # only the edited line is new


def test_copies_of_a_line_are_distinct_lines_counted_in_file_order():
    k = in_order([A, B, A, A])
    assert len(set(k)) == 4 and k[0] == keys([A])[A]
    assert in_order([B, A, A]) == [k[1], k[0], k[2]]  # the first and second copies of A keep their identities


def test_the_source_and_the_bytes_make_the_identity_whitespace_at_the_ends_and_a_bom_do_not():
    assert in_order([A]) != in_order([A], "other.jsonl")
    assert in_order([b"  " + A.rstrip(b"\n") + b"\r\n"]) == in_order([A])
    first = next(identified([BOM + A], "batch.jsonl"))
    assert first[1] == A and [first[3]] == in_order([A])
    assert list(identified([A, b"   \n"], None)) == [(1, A, None, None), (2, b"   \n", None, None)]  # no source: nothing recorded
    assert given_key("crm-1") == given_key("crm-1") != given_key("crm-2") and len(given_key("x")) == 16


def test_the_set_of_seen_lines_holds_every_number_through_its_growth():
    seen, rng = _Seen(), random.Random(7)
    values = {rng.getrandbits(64) | 1 for _ in range(20_000)}
    assert all(seen.add(v) for v in values)
    assert not any(seen.add(v) for v in values) and seen.used == len(values)


def test_an_overlong_line_is_skipped_unread_and_the_next_line_is_read():
    long = b'{"x": "' + b"y" * (MAX_LINE_BYTES * 2) + b'"}\n'
    got = list(identified(io.BufferedReader(io.BytesIO(A + long + B)), "batch.jsonl"))
    assert [n for n, *_ in got] == [1, 2, 3]
    assert got[1][1] == TooLong(len(long)) and got[1][3] is None
    assert got[2][1] == B
    assert list(identified([long], None))[0][1] == TooLong(len(long))  # a list of lines too


@pytest.mark.parametrize("raw, says", [
    (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", f"more than {MAX_DEPTH} levels"),
    (b'{"a": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}", f"more than {MAX_DEPTH} levels"),
    (b'{"a": "\xff"}', "not valid UTF-8 (byte 8)"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"command": "x", "line_id": ""}', "line_id"),
    (b'{"command": "x", "line_id": "' + b"x" * 129 + b'"}', "line_id"),
    (b'{"command": "x", "line_id": "a\\u0000b"}', "line_id"),
    (b'{"command": "x", "line_id": "\\ud800"}', "line_id"),
    (b'{"command": "x", "line_id": 12}', "line_id"),
])
def test_a_line_that_cannot_be_read_is_refused_naming_why(raw, says):
    with pytest.raises(RuleViolation) as e:
        parse(raw)
    assert says in e.value.message_en and e.value.rule == "ledger: input format"


def test_a_line_id_is_taken_out_of_the_fields_and_no_command_has_a_field_of_that_name():
    from ledger.commands import BY_NAME

    data, line_id = parse(b'{"command": "complaint receive", "line_id": "\xe5\xae\xa2\xe6\x88\xb7-1", "site": [{"name": "a"}]}\n')
    assert line_id == "客户-1" and "line_id" not in data and data["site"] == [{"name": "a"}]
    assert parse(A)[1] is None
    assert not [c.name for c in BY_NAME.values() if any(p.name in ("line_id", "line-id") for p in c.params)]
