"""The scheme data files transcribe the five documents: counts, totals, fields, versions."""

import shutil
from datetime import date
from decimal import Decimal

import pytest

from ledger.rules.scoring import SCHEME_DIR, Entry, SchemeNotFound, ScoringError, evaluate, list_schemes, load_scheme

D = Decimal


def items_of(scheme, part=None):
    return [i for i in scheme.items if part is None or i.part == part]


def total(items):
    return sum((i.points for i in items), D(0))


def test_the_five_schemes_are_shipped_with_their_ids():
    assert [s.id for s in list_schemes()] == ["zdrz-69", "zgc-ru015", "tbsc94", "jx-qci-2023", "hzx-mr0118"]


def test_zdrz_69_has_86_basic_plus_14_special_points():
    s = load_scheme("zdrz-69")
    basic = [i for i in s.items if i.path[0] == "5.1"]
    special = [i for i in s.items if i.path[0] == "5.2"]
    assert total(basic) == 86 and total(special) == 14 and total(s.items) == 100 == s.max_total
    assert [total([i for i in s.items if i.group == g]) for g in ("5.1.1", "5.1.2", "5.1.3")] == [16, 36, 34]
    assert len(special) == 7 and all(i.points == 2 for i in special)
    assert len(s.items) == 26 and [c.id for c in s.conditions] == ["4a", "4b", "4c"]
    assert s.version == "Q/ZDRZ 69-2025" and s.effective_from == date(2025, 6, 26)


def test_zgc_ru015_has_22_items_and_1000_points_all_excludable():
    s = load_scheme("zgc-ru015")
    assert len(s.items) == 22 and total(s.items) == 1000 == s.max_total
    assert sorted({i.points for i in s.items}) == [25, 50]
    assert all(i.excludable for i in s.items)
    assert s.version == "A/0" and s.effective_from == date(2021, 1, 21)


def test_tbsc94_has_19_service_items_of_100_and_21_maturity_requirements_of_145():
    s = load_scheme("tbsc94")
    service, maturity = items_of(s, "service"), items_of(s, "maturity")
    assert len(service) == 19 and total(service) == 100 == s.max_total
    assert len(maturity) == 21 and total(maturity) == 145
    assert sum(1 for i in maturity if i.points == 10) == 8 and sum(1 for i in maturity if i.points == 5) == 13
    assert [g.points for g in s.groups if g.part == "service"] == [17, 15, 15, 15, 15, 15, 8]
    assert s.version == "B/0" and s.effective_from == date(2026, 1, 8)


def test_jx_qci_2023_has_100_points_in_ten_categories_and_two_vetoes_and_no_bands():
    s = load_scheme("jx-qci-2023")
    assert total(s.items) == 100 == s.max_total
    assert [g.points for g in s.groups] == [10, 10, 8, 10, 10, 10, 12, 10, 10, 10]
    assert [c.kind for c in s.conditions] == ["veto", "veto"] and all(c.years == 2 for c in s.conditions)
    assert s.grading.bands == () and s.grading.source == "none"
    assert any(n.id == "no-bands" for n in s.notes)


def test_hzx_mr0118_has_37_integrity_items_of_500_and_a_1000_point_brand_part():
    s = load_scheme("hzx-mr0118")
    integrity, brand = items_of(s, "integrity"), items_of(s, "brand")
    assert len(integrity) == 37 and total(integrity) == 500
    assert total(brand) == 1000 and s.max_total == 1500
    assert [g.points for g in s.groups if g.part == "integrity"] == [40, 50, 40, 100, 60, 100, 70, 40]
    assert len(s.conditions) == 8 and s.version == "A/2"
    bands = s.grading.bands
    assert all(not b.range.lower_inclusive and b.range.upper_inclusive for b in bands)
    assert [b.code for b in bands] == ["C", "B", "AAA", "AAAA", "AAAAA"]


@pytest.mark.parametrize("scheme", list_schemes(), ids=lambda s: s.id)
def test_every_scheme_file_carries_its_metadata_names_and_notes(scheme):
    assert scheme.title_zh and scheme.title_en and scheme.issuer_zh and scheme.source_document
    assert all(i.name_zh and i.name_en and i.points > 0 and i.rule for i in scheme.items)
    assert scheme.notes, "every scheme records its interpretations"
    assert all(b.range.lower is not None for b in scheme.grading.bands)


CONFIGURED_BANDS = '''source = "configured"
when_requirement_unmet = "no-grade"

[[grading.bands]]
code = "A"
name_zh = "A级（本机构配置）"
name_en = "Grade A (configured)"
lower = 80
lower_inclusive = true
upper = 100
upper_inclusive = true
source = "configured"
'''


def test_an_older_version_still_loads_and_computes_after_a_newer_one_is_added(tmp_path):
    for f in SCHEME_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    text = (SCHEME_DIR / "jx-qci-2023@2023.toml").read_text(encoding="utf-8")
    text = (text.replace('version = "2023"', 'version = "2024"', 1)
                .replace("effective_from = 2023-01-01", "effective_from = 2024-01-01", 1)
                .replace('source = "none"\nwhen_requirement_unmet = "no-grade"\n', CONFIGURED_BANDS, 1))
    (tmp_path / "jx-qci-2023@2024.toml").write_text(text, encoding="utf-8")

    latest = load_scheme("jx-qci-2023", directory=tmp_path)
    old = load_scheme("jx-qci-2023", "2023", directory=tmp_path)
    assert latest.version == "2024" and old.version == "2023"
    assert latest.versions == old.versions == ("2023", "2024")
    entries = [Entry(i.id, None, _full(i)) for i in old.items]
    facts = {"facts": {"11.1": {"occurrences": []}, "11.2": {"occurrences": []}}}
    assert evaluate(old, entries, {}, facts).grade is None            # the document has no bands
    new = evaluate(latest, entries, {}, facts)
    assert new.total == 100 and new.grade == "A" and "configured" in new.band
    assert load_scheme("jx-qci-2023").version == "2023"               # the shipped directory is untouched


def _full(item):
    return {"check": {"met": True}, "base-plus-increment": {"count": 9},
            "highest-of": {"awards": [item.params.get("options", [{}])[0].get("key")]},
            "cumulative-capped": {"counts": {item.params.get("kinds", [{}])[0].get("key"): 9}}}[item.rule]


def test_unknown_scheme_or_version_lists_the_known_ones():
    with pytest.raises(SchemeNotFound) as e:
        load_scheme("nope")
    assert "zgc-ru015" in e.value.message_zh and "A/0" in e.value.message_en
    with pytest.raises(SchemeNotFound) as e:
        load_scheme("zgc-ru015", "Z/9")
    assert "A/0" in str(e.value) and e.value.code == "unknown-version"


def test_a_transcription_slip_is_refused_at_load(tmp_path):
    text = (SCHEME_DIR / "zdrz-69@2025.toml").read_text(encoding="utf-8")
    (tmp_path / "bad.toml").write_text(text.replace("points = 6\ntext_zh = \"企业制定质量诚信管理方针情况\"",
                                                    "points = 5\ntext_zh = \"企业制定质量诚信管理方针情况\""),
                                       encoding="utf-8")
    with pytest.raises(ScoringError) as e:
        load_scheme("zdrz-69", directory=tmp_path)
    assert e.value.code == "invalid-scheme" and "declares 86" in e.value.message_en


def test_a_bodys_own_scheme_versions_are_read_from_CERTLEDGER_SCHEMES(tmp_path, monkeypatch):
    from ledger.rules.scoring import catalogue

    text = (SCHEME_DIR / "jx-qci-2023@2023.toml").read_text(encoding="utf-8")
    text = (text.replace('version = "2023"', 'version = "2024-body"', 1)
                .replace("effective_from = 2023-01-01", "effective_from = 2024-01-01", 1)
                .replace('source = "none"\nwhen_requirement_unmet = "no-grade"\n', CONFIGURED_BANDS, 1))
    (tmp_path / "jx-qci-2023@2024-body.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(catalogue.ENV_SCHEMES, str(tmp_path))
    try:
        latest = load_scheme("jx-qci-2023")
        assert latest.version == "2024-body" and latest.versions == ("2023", "2024-body")
        assert latest.grading.source == "configured"
        assert load_scheme("zgc-ru015").version == "A/0"  # the shipped schemes are still there
    finally:
        monkeypatch.delenv(catalogue.ENV_SCHEMES)
    assert load_scheme("jx-qci-2023").version == "2023"


def test_a_missing_CERTLEDGER_SCHEMES_folder_is_a_clear_error(tmp_path, monkeypatch):
    from ledger.rules.scoring import ScoringError, catalogue

    monkeypatch.setenv(catalogue.ENV_SCHEMES, str(tmp_path / "nowhere"))
    with pytest.raises(ScoringError) as e:
        load_scheme("zgc-ru015")
    assert "nowhere" in e.value.message_en
