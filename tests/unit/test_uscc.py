import uuid

import pytest

from aggregates.errors import RuleViolation
from aggregates.uscc import check_character, client_id_for, make_uscc, normalise_uscc

# Codes printed on real business licences (public registrations).
REAL_CODES = ["91330100716105852F", "914403001922038216", "91110000100010433L"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass_their_check_character(code):
    assert normalise_uscc(code) == code
    assert check_character(code[:17]) == code[17]


def test_lower_case_and_spaces_are_normalised():
    assert normalise_uscc("  91330100716105852f ") == "91330100716105852F"


def test_wrong_check_character_is_refused_naming_the_expected_one():
    with pytest.raises(RuleViolation) as e:
        normalise_uscc("91330100716105852E")
    assert e.value.rule == "GB 32100-2015"
    assert "应为 F" in e.value.message_zh and "should be F" in e.value.message_en


@pytest.mark.parametrize("bad,needle", [
    ("9133010071610585", "18"),
    ("91330100716105852FX", "18"),
    ("9133010071610585IF", "I, O, S, V, Z"),
    ("91AB0100716105852F", "3-8"),
])
def test_malformed_codes_say_what_is_wrong(bad, needle):
    with pytest.raises(RuleViolation) as e:
        normalise_uscc(bad)
    assert needle in e.value.message_en


def test_client_id_is_a_deterministic_uuid5_of_the_code():
    a = client_id_for("91330100716105852f")
    assert a == client_id_for("91330100716105852F")
    assert a.version == 5 and isinstance(a, uuid.UUID)
    assert a != client_id_for("914403001922038216")


def test_make_uscc_completes_a_valid_code():
    code = make_uscc("91360100MA35XYW12")
    assert normalise_uscc(code) == code
