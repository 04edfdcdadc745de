"""The vocabulary a Chinese user reads (issue 9, item 8): history, explanations and echoes show
events and values in words (Chinese, English with --lang en), never class names, Python or JSON
literals or code words; choices take the words as well as the codes. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

import pytest

from aggregates.client import Client
from eventsourcing.domain import Aggregate
from ledger.words import EVENTS, FIELDS, event_word, field_value, grade_word, score_value_words, yes_no

TODAY = date(2026, 12, 6)


def event_classes() -> dict[str, type]:
    """Every event class of Client: aggregates/client.py and the area modules (changes, cases,
    reporting, annotations), which the aggregate's metaclass re-creates on Client."""
    out = {}
    for name in dir(Client):
        cls = getattr(Client, name)
        if isinstance(cls, type) and issubclass(cls, Aggregate.Event) and name not in ("Event", "Created"):
            out[name] = cls
    return out


def annotated_fields(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        names |= set(vars(klass).get("__annotations__", {}))
    return names - {"originator_id", "originator_version", "originator_id_type", "timestamp", "actor", "occurred_on", "originator_topic"}


def test_every_event_class_has_words_in_both_languages():
    """A new event must add its words to ledger/words.py EVENTS: this fails until it does."""
    classes = event_classes()
    assert len(classes) >= 31  # the lifecycle's own events at least
    missing = sorted(set(classes) - set(EVENTS))
    assert not missing, f"events without words in ledger/words.py EVENTS: {missing}"
    for name in classes:
        zh, en = EVENTS[name]
        assert zh and en and zh != name and en != name
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{name}: the Chinese words are not Chinese"


def test_every_declared_event_field_has_words():
    missing = sorted({f"{n}.{f}" for n, cls in event_classes().items() for f in annotated_fields(cls) if f not in FIELDS})
    assert not missing, f"event fields without words in ledger/words.py FIELDS: {missing}"


def test_values_in_words():
    assert yes_no(True) == "是" and yes_no(False) == "否" and yes_no(True, "en") == "yes"
    assert score_value_words({"percent": "75"}) == "评分比例 75%"
    assert score_value_words({"met": False}) == "不满足"
    assert score_value_words({"met": True}, "en") == "met"
    assert score_value_words({"points": 18}) == "评分 18 分"
    assert grade_word("zdrz-69", "Q/ZDRZ 69-2025", "4STAR") == "四星级质量信用服务"
    assert grade_word("zdrz-69", "Q/ZDRZ 69-2025", "4STAR", "en") == "Four-star quality credit service"
    assert grade_word("zdrz-69", None, None) == "—"
    assert field_value("AuditPlanned", "kind", "stage2", {}) == "初次认证第二阶段"
    assert field_value("ApplicationReviewed", "accepted", True, {}, "en") == "yes"
    assert field_value("CertificateSuspended", "reason_code", "8.1e", {"scheme_id": "hzx-mr0118"}).startswith("8.1e（")
    assert event_word("ScoreEntered") == "录入评分" and event_word("ScoreEntered", "en") == "score entered"


LITERALS = re.compile(r"\bTrue\b|\bFalse\b|\bNone\b|\{'|\{\"|\btrue\b|\bfalse\b|4STAR|3STAR|5STAR|banded-percent|likert-alpha|points-range")


@pytest.fixture
def demo(app):
    from ledger.demo import play

    return play(app, TODAY)


def test_history_of_the_demo_reads_in_words(app, demo):
    from ledger.history_text import render_history

    names = set(event_classes())
    for uscc in demo:
        rows = app.history(uscc)
        for lang in ("zh", "en"):
            text = render_history(rows, lang)
            # one line per event, and under an act that takes a signature a line saying who signed it, or that no one did
            assert len([line for line in text.splitlines() if not line.startswith("      ")]) == len(rows)
            found = [w for w in re.findall(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b", text) if w in names]
            assert not found, f"{uscc} {lang}: class names in history: {found}"
            assert not LITERALS.search(text), f"{uscc} {lang}: {LITERALS.search(text).group()} in history"
    sz = demo[1]
    text = render_history(app.history(sz))
    assert "暂停证书" in text and "原因条款：8.1e（" in text and "严重程度：严重不符合" in text and "受理：是" in text
    assert "审核策划" in text and "审核人日：4.5" in text


def test_explanations_of_the_demo_read_in_words(app, demo):
    from ledger.explain_text import render_explanation

    for uscc in demo[:5]:
        for lang in ("zh", "en"):
            text = render_explanation(app.explain(uscc), lang)
            assert not LITERALS.search(text.split("为什么")[0].split("\nWhy\n")[0]), f"{uscc} {lang}"
    bj = demo[3]
    zh = render_explanation(app.explain(bj), "zh")
    assert "等级: 四星级质量信用服务" in zh and "评分比例 " in zh and "4STAR" not in zh
    assert "按评分比例" in zh


def test_choices_take_the_words_and_the_echo_names_what_was_computed(app):
    from ledger.echo import created

    uscc = "91330100716105852F"
    app.execute("application submit", {"client": uscc, "name": "杭州某科技有限公司", "address": "杭州市西湖区", "scheme": "zgc-ru015",
                                       "scope": "企业质量信用管理", "site": ["总部=杭州市西湖区", "仓库=杭州市余杭区"], "headcount": 120,
                                       "kind": "初次认证", "on": "2026-03-02"}, actor="张伟")
    app.execute("application review", {"client": uscc, "application": "AP1", "accept": True, "on": "2026-03-03"}, actor="张伟")
    app.execute("application contract", {"client": uscc, "contract-no": "HT-1", "on": "2026-03-04"}, actor="张伟")
    audit = app.execute("audit plan", {"client": uscc, "kind": "初次认证第一阶段", "member": ["王芳"], "start": "2026-03-10",
                                       "on": "2026-03-05"}, actor="张伟")
    made = created(app, "audit plan", uscc, audit)
    assert made["id"] == "A1" and made["kind"] == "stage1" and str(made["man_days"]) == str(made["calculated_man_days"])
    app.execute("audit complete", {"client": uscc, "audit": "A1", "conclusion": "可进入第二阶段", "on": "2026-03-10"}, actor="王芳")
    a2 = app.execute("audit plan", {"client": uscc, "kind": "initial audit, stage 2", "member": ["王芳", "李强"],
                                    "start": "2026-03-20", "on": "2026-03-12"}, actor="张伟")
    made = created(app, "audit plan", uscc, a2)
    assert made["kind"] == "stage2" and made["sites"] == ["总部", "仓库"] and made["steps"]
    assert str(made["calculated_man_days"]) == "3.5"  # 004 §16.2 a, b: 51-200 people 3 days, +0.5 for the second site
    entry = app.execute("score enter", {"client": uscc, "audit": "A2", "item": "A.1", "value": {"percent": 80},
                                        "on": "2026-03-21"}, actor="李强")
    made = created(app, "score enter", uscc, entry)
    assert made["id"] == entry and made["points"] > 0 and made["item_name_zh"] and "评分比例" in made["reason_zh"]
    nc = app.execute("nc raise", {"client": uscc, "audit": "A2", "severity": "一般不符合", "clause": "附录A", "description": "记录不全",
                                  "on": "2026-03-21"}, actor="王芳")
    assert app.client(uscc).nonconformities[nc]["severity"] == "minor"
    from aggregates.errors import RuleViolation

    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        app.execute("nc raise", {"client": uscc, "audit": "A2", "severity": "致命", "clause": "附录A", "description": "x",
                                 "on": "2026-03-21"}, actor="王芳")
    assert "major（严重不符合）" in e.value.message_zh and "major (major nonconformity)" in e.value.message_en
    assert app.event_count() == before
    # a part of one choice's word is that choice (严重 → major); the echo says what was chosen
    nc = app.execute("nc raise", {"client": uscc, "audit": "A2", "severity": "严重", "clause": "附录A", "description": "x",
                                  "on": "2026-03-21"}, actor="王芳")
    assert app.client(uscc).nonconformities[nc]["severity"] == "major"
