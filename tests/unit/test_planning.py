"""Audit planning calculators: 004 §16.2 man-days and 004 §11 multi-site sampling."""

from decimal import Decimal

import pytest

from aggregates.errors import RuleViolation
from ledger.rules.planning import audit_man_days, check_sites_visited, initial_man_days, sample_size


@pytest.mark.parametrize("headcount,sites,days", [
    (1, 1, "2"), (50, 1, "2"), (51, 1, "3"), (200, 1, "3"), (201, 1, "4"), (30, 3, "3"), (260, 2, "4.5"),
])
def test_initial_man_days_follow_the_headcount_bands_and_add_half_a_day_per_extra_site(headcount, sites, days):
    assert initial_man_days(headcount, sites) == Decimal(days)


def test_stage1_is_half_a_day_off_site():
    assert audit_man_days("stage1", 500, 9)["man_days"] == Decimal("0.5")


def test_a_stage_1_takes_the_man_days_of_the_clients_procedure_and_names_its_clause():
    """D63: 004 §16.2 "一阶段为非现场：0.5 个人日"; 001 §4.4.2: the document review 不占审核人日. The
    other kinds follow 004 §16.2's table under every procedure (D6)."""
    from ledger.rules.planning import plan
    from ledger.rules.procedures import procedure_for

    p001, p004 = procedure_for("zgc-ru015"), procedure_for("hzx-mr0118")
    assert (p001.id, p004.id) == ("001", "004")
    assert audit_man_days("stage1", 500, 9, procedure=p004) == {"man_days": Decimal("0.5"), "steps": ["004 §16.2: 一阶段非现场 0.5 人日"]}
    assert audit_man_days("stage1", 500, 9, procedure=p001) == {"man_days": Decimal(0), "steps": ["001 §4.4.2: 一阶段为文件审核，不占审核人日 → 0 人日"]}
    assert audit_man_days("stage1", 500, 9, combined="qms", procedure=p001)["man_days"] == Decimal(0)
    for kind in ("stage2", "surveillance", "recertification"):
        assert audit_man_days(kind, 120, 2, procedure=p001) == audit_man_days(kind, 120, 2, procedure=p004)
    _, calc, planned = plan("stage1", ["总部"], 40, None, None, "", None, None, p001)
    assert planned == Decimal(0) and calc["calculated_man_days"] == Decimal(0) and not calc["overridden"]
    with pytest.raises(RuleViolation) as e:  # more than 001 computes needs a reason, which names 001's clause
        plan("stage1", ["总部"], 40, None, Decimal("0.5"), "", None, None, p001)
    assert e.value.rule == "001 §4.3.1.2" and "001 §4.4.2" in e.value.message_en
    _, calc, planned = plan("stage1", ["总部"], 40, None, None, "", None, None, p004)
    assert planned == Decimal("0.5") and calc["steps"] == ["004 §16.2: 一阶段非现场 0.5 人日"]


def test_surveillance_is_a_third_of_the_initial_but_at_least_one_day():
    assert audit_man_days("surveillance", 30, 1)["man_days"] == Decimal(1)  # 2/3 -> at least 1
    assert audit_man_days("surveillance", 260, 4)["man_days"] == Decimal("2")  # 5.5/3 = 1.83 -> 2 (half days, up)
    assert audit_man_days("surveillance", 260, 2)["man_days"] == Decimal("1.5")  # 4.5/3 = 1.5


def test_recertification_is_two_thirds_of_the_initial_but_at_least_two_days():
    assert audit_man_days("recertification", 30, 1)["man_days"] == Decimal(2)
    assert audit_man_days("recertification", 260, 4)["man_days"] == Decimal("4")  # 5.5*2/3 = 3.67 -> 4


def test_combined_audits_save_at_most_30_or_50_percent():
    assert audit_man_days("stage2", 260, 1, combined="qms")["man_days"] == Decimal("3")  # 4 * 0.7 = 2.8 -> 3 (half days, up)
    assert audit_man_days("stage2", 260, 1, combined="credit")["man_days"] == Decimal("2")
    assert audit_man_days("stage2", 260, 1, combined="qms", reduction=Decimal("0.1"))["man_days"] == Decimal("4")  # 3.6 -> 4
    with pytest.raises(RuleViolation) as e:
        audit_man_days("stage2", 260, 1, combined="qms", reduction=Decimal("0.4"))
    assert e.value.rule == "004 §10"  # 与其他管理体系的结合评价 (the base man-days are those of 004 §16.2)


@pytest.mark.parametrize("sites,sample", [(1, 1), (2, 2), (4, 2), (5, 3), (9, 3), (10, 4), (100, 10), (101, 11)])
def test_the_sample_is_the_square_root_of_the_sites_rounded_up(sites, sample):
    assert sample_size(sites) == sample


def test_initial_audits_visit_every_site_and_surveillance_may_sample():
    sites = [f"S{i}" for i in range(1, 6)]
    with pytest.raises(RuleViolation) as e:
        check_sites_visited("stage2", sites, sites[:4])
    assert e.value.rule == "004 §11.1" and "S5" in e.value.message_en
    check_sites_visited("stage2", sites, sites)
    with pytest.raises(RuleViolation) as e:
        check_sites_visited("surveillance", sites, sites[:2])
    assert "at least 3" in e.value.message_en
    check_sites_visited("surveillance", sites, sites[:3])
    with pytest.raises(RuleViolation):  # recertification follows the initial procedure: every site
        check_sites_visited("recertification", sites, sites[:3])
    with pytest.raises(RuleViolation):
        check_sites_visited("surveillance", sites, ["Elsewhere"] + sites[:3])
