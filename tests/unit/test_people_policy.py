"""The register of people's pure rules (issue 15): the GB 11643-1999 check character of a 居民身份证号码
(ISO 7064 MOD 11-2), document normalisation and keys, CCAA validity on a day, competence codes by
major group, and the days of an audit a registration must cover."""

from datetime import date
from decimal import Decimal

import pytest

from aggregates.errors import RuleViolation
from aggregates.people import Person, person_id_for
from aggregates.policy.people import (check_resident_id, code_covers, competent_for, id_check_character, normalise_document,
                                      registration_on)
from ledger.people_checks import audit_days
from ledger.rules.calendar import Calendar


def mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 computed the long way (Horner over the digits, radix 2), independent of the weights table."""
    p = 0
    for c in first17:
        p = ((p + int(c)) * 2) % 11
    return "0123456789X"[(12 - p) % 11]


@pytest.mark.parametrize("first17", ["11010519491231002", "44030419900307421", "33010619850312002", "51010819700101666",
                                     "65010220001231123"])
def test_the_check_character_is_iso_7064_mod_11_2(first17):
    assert id_check_character(first17) == mod11_2(first17)
    number = first17 + mod11_2(first17)
    assert check_resident_id(number.lower()) == number


def test_the_published_example_is_valid_and_its_neighbours_are_not():
    assert check_resident_id("11010519491231002X") == "11010519491231002X"  # the standard's example
    for wrong in "0123456789":
        with pytest.raises(RuleViolation) as e:
            check_resident_id("11010519491231002" + wrong)
        assert e.value.rule == "GB 11643-1999" and "should be X" in e.value.message_en


@pytest.mark.parametrize("number,why", [
    ("1101051949123100", "17 digits"),  # too short
    ("11010519491231002Y", "17 digits"),  # not a check character
    ("11010519490230002" + mod11_2("11010519490230002"), "not a real date"),  # 30 February, its check character right
    ("11010518991231002" + mod11_2("11010518991231002"), "not plausible"),  # born 1899
])
def test_malformed_numbers_are_refused_naming_what_is_wrong(number, why):
    with pytest.raises(RuleViolation) as e:
        check_resident_id(number)
    assert e.value.rule == "GB 11643-1999" and why in e.value.message_en


def test_a_birth_date_after_the_business_date_is_refused():
    number = "11010520300101002" + mod11_2("11010520300101002")
    with pytest.raises(RuleViolation):
        check_resident_id(number, date(2026, 1, 1))


def test_other_documents_are_kept_with_their_kind_and_keyed_apart():
    assert normalise_document("passport", " e1234 5678 ") == ("passport", "E12345678")
    assert normalise_document("hk_macao_permit", "h1234567") == ("hk_macao_permit", "H1234567")
    assert person_id_for("passport", "E12345678") != person_id_for("hk_macao_permit", "E12345678")
    with pytest.raises(RuleViolation) as e:
        normalise_document("driving_licence", "1")
    assert e.value.rule == "ledger: vocabulary"


def _person():
    p = Person.register(name="王芳", document_kind="resident_id", document_number="11010519491231002X", joined_on=date(2020, 1, 1),
                        actor="a", occurred_on=date(2026, 1, 1))
    p.record_ccaa(number="A", category="auditor", valid_from=date(2025, 1, 1), valid_to=date(2026, 3, 10), actor="a", occurred_on=date(2026, 1, 1))
    p.record_ccaa(number="A", category="auditor", valid_from=date(2026, 3, 11), valid_to=date(2029, 3, 10), actor="a", occurred_on=date(2026, 1, 1))
    return p


def test_a_renewal_continues_the_registration():
    p = _person()
    assert registration_on(p, date(2026, 3, 10))["valid_to"] == date(2026, 3, 10)
    assert registration_on(p, date(2026, 3, 11))["valid_from"] == date(2026, 3, 11)
    assert registration_on(p, date(2024, 12, 31)) is None


def test_competence_codes_cover_their_major_group_and_every_line():
    assert code_covers("29", "29.09") and code_covers("29.09", "29.09") and not code_covers("29", "290.1") and not code_covers("29.09", "29")
    p = _person()
    assert not competent_for(p, "hzx-mr0118", [])  # nothing recorded for the scheme
    p.record_competence(scheme_id="hzx-mr0118", codes=["29", "51.1"], actor="a", occurred_on=date(2026, 1, 2))
    assert competent_for(p, "hzx-mr0118", ["29.09", "51.1"]) and not competent_for(p, "hzx-mr0118", ["29.09", "52"])
    assert competent_for(p, "hzx-mr0118", [])


def test_the_days_of_an_audit_follow_its_man_days_and_auditors():
    cal = Calendar()
    assert audit_days(date(2026, 3, 9), Decimal(2), 2, cal) == [date(2026, 3, 9)]
    assert audit_days(date(2026, 3, 9), Decimal("2.5"), 2, cal) == [date(2026, 3, 9), date(2026, 3, 10)]
    # three working days from a Friday run over the weekend to Tuesday
    assert audit_days(date(2026, 3, 13), Decimal(3), 1, cal)[-1] == date(2026, 3, 17)


def test_a_past_employment_bars_for_a_year_and_none_clears_the_declaration():
    from aggregates.policy.people import conflicts

    p = _person()
    p.declare_interest(uscc="U1", kind="employment", detail="曾任职", ended_on=date(2024, 2, 29), actor="a", occurred_on=date(2026, 1, 1))
    assert [c["clause"] for c in conflicts(p, "U1", date(2025, 2, 28))] == ["004 §4.2 d) 4)"]  # a year after 29 February: the 28th
    assert conflicts(p, "U1", date(2025, 3, 1)) == [] and conflicts(p, "U2", date(2025, 2, 1)) == []
    p.declare_interest(uscc="U1", kind="financial", detail="持股", ended_on=None, actor="a", occurred_on=date(2026, 1, 2))
    assert [c["kind"] for c in conflicts(p, "U1", date(2030, 1, 1))] == ["financial"]
    p.declare_interest(uscc="U1", kind="none", detail="", ended_on=None, actor="a", occurred_on=date(2026, 1, 3))
    assert conflicts(p, "U1", date(2030, 1, 1)) == [] and p.interests["U1"]["declared_on"] == date(2026, 1, 3)
