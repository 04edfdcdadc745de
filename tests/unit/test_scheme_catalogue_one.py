"""The scheme catalogue builds the scheme asked for, not every scheme (ledger/rules/scoring/catalogue.py,
D66): the same schemes as reading the whole folder, each built once; an unknown id still lists every
scheme; a body's file whose data names no scheme sends the question to the whole scan, which refuses
it naming the file; a body's broken file of one scheme does not stop another, and the list refuses it."""

from __future__ import annotations

import pytest

from ledger.rules.scoring import SCHEME_DIR, SchemeNotFound, ScoringError, catalogue, list_schemes, load_scheme, scheme_in_force


@pytest.fixture
def built(monkeypatch):
    """The catalogue read afresh (the shipped folder only); yields the ids of the files built."""
    monkeypatch.delenv(catalogue.ENV_SCHEMES, raising=False)
    catalogue._default.cache_clear()
    ids: list[str] = []
    real = catalogue.parse_scheme

    def counting(path):
        scheme = real(path)
        ids.append(scheme.id)
        return scheme

    monkeypatch.setattr(catalogue, "parse_scheme", counting)
    yield ids
    catalogue._default.cache_clear()


def test_one_scheme_asked_for_is_the_only_one_built_and_the_same_as_the_whole_folders(built):
    whole = catalogue._scan(SCHEME_DIR)  # every file built, as before
    built.clear()
    for sid in ("zgc-ru015", "hzx-mr0118"):
        assert load_scheme(sid) == whole[sid][-1]
        assert load_scheme(sid).versions == whole[sid][-1].versions
    assert built == ["zgc-ru015", "hzx-mr0118"]  # one file each, once
    assert load_scheme("zgc-ru015", "A/0") == whole["zgc-ru015"][0]
    assert scheme_in_force("zgc-ru015", whole["zgc-ru015"][0].effective_from) == whole["zgc-ru015"][0]
    assert built == ["zgc-ru015", "hzx-mr0118"]  # kept for the process
    assert len(whole) == 5
    assert {s.id for s in list_schemes()} == set(whole)  # the list builds every scheme
    assert sorted(built) == sorted(["zgc-ru015", "hzx-mr0118", *whole])


def test_an_unknown_scheme_still_lists_every_scheme(built):
    with pytest.raises(SchemeNotFound) as e:
        load_scheme("nope")
    for sid in ("zgc-ru015", "hzx-mr0118", "zdrz-69", "tbsc94", "jx-qci-2023"):
        assert sid in e.value.message_en


def test_a_body_file_naming_no_scheme_is_refused_naming_it(built, tmp_path, monkeypatch):
    text = (SCHEME_DIR / "tbsc94@B0.toml").read_text(encoding="utf-8")
    assert text.startswith('id = "tbsc94"') or '\nid = "tbsc94"' in text
    (tmp_path / "nameless.toml").write_text(text.replace('id = "tbsc94"', 'name_of_it = "tbsc94"', 1), encoding="utf-8")
    monkeypatch.setenv(catalogue.ENV_SCHEMES, str(tmp_path))
    catalogue._default.cache_clear()
    with pytest.raises(ScoringError) as e:
        load_scheme("zgc-ru015")
    assert e.value.code == "invalid-scheme" and "nameless.toml" in e.value.message_en


def test_a_broken_file_of_one_scheme_stops_that_scheme_and_the_list_not_another(built, tmp_path, monkeypatch):
    text = (SCHEME_DIR / "zdrz-69@2025.toml").read_text(encoding="utf-8")
    slip = text.replace("points = 6\ntext_zh = \"企业制定质量诚信管理方针情况\"", "points = 5\ntext_zh = \"企业制定质量诚信管理方针情况\"")
    assert slip != text
    (tmp_path / "zdrz-69@2026.toml").write_text(slip.replace('version = "2025"', 'version = "2026"', 1), encoding="utf-8")
    monkeypatch.setenv(catalogue.ENV_SCHEMES, str(tmp_path))
    catalogue._default.cache_clear()
    assert load_scheme("zgc-ru015").id == "zgc-ru015"
    for fn in (lambda: load_scheme("zdrz-69"), list_schemes):
        with pytest.raises(ScoringError) as e:
            fn()
        assert e.value.code == "invalid-scheme" and "declares 86" in e.value.message_en
