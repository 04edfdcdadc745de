"""Business lines in 004 scoring (issue 9, item 1): an entry of an item scored per business line
(004 §4.18.2) names one of the client's declared lines, or none when it declared a single line; an
item never mixes the two forms; a correction may change the line; ``explain`` cites 4.18.2 and
names the correction that repairs a ledger holding such a mix. SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from cli.main import root
from tests.integration.test_annotations import d, open_stage2, uscc

TWO_LINES = "日用百货批发；日用百货零售"


def hzx_item(app, code: str):
    scheme = app.audit_scheme(app.client(code), "A2")
    return next(i for i in scheme.items if i.part == "integrity")


def enter(app, code: str, item: str, points: int, facet: str | None = None, **extra):
    fields = {"client": code, "audit": "A2", "item": item, "value": {"points": points}, "on": d(11).isoformat(), **extra}
    if facet is not None:
        fields["facet"] = facet
    return app.execute("score enter", fields, actor="李强")


def test_the_reported_failure_a_mix_on_one_item_is_refused_and_explain_keeps_working(app):
    """Reported: on 004 an item scored once without and once with a business line was accepted and
    then broke explain for good, citing 4.18.1. Now the second entry is refused, citing 4.18.2."""
    code = uscc(101)
    open_stage2(app, code, scheme="hzx-mr0118", scope="商业信誉评价：日用百货批发与零售")
    item = hzx_item(app, code)
    assert app.client(code).business_lines == ["商业信誉评价：日用百货批发与零售"]
    assert enter(app, code, item.id, 2) == "S1"
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        enter(app, code, item.id, 3, facet="零售")
    assert e.value.rule == "004 4.18.2" and "4.18.1" not in e.value.rule
    assert "without a line" in e.value.message_en and "certledger score" in e.value.message_en
    assert app.event_count() == before
    explained = app.explain(code, audit="A2")  # works
    row = next(i for i in explained["items"] if i["id"] == item.id)
    assert row["status"] == "scored" and Decimal(row["earned"]) == 2


def test_with_several_declared_lines_an_entry_names_one_of_them(app):
    code = uscc(102)
    open_stage2(app, code, scheme="hzx-mr0118", scope=TWO_LINES)
    assert app.client(code).business_lines == ["日用百货批发", "日用百货零售"]
    item = hzx_item(app, code)
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        enter(app, code, item.id, 2)
    assert e.value.rule == "004 4.18.2" and "--facet 日用百货批发" in e.value.message_zh
    with pytest.raises(RuleViolation) as e:
        enter(app, code, item.id, 2, facet="日用百貨批发")  # a typo would have been a phantom line
    assert e.value.rule == "004 4.18.2" and "not one of the client's declared business lines" in e.value.message_en
    assert app.event_count() == before
    enter(app, code, item.id, 2, facet="日用百货批发")
    enter(app, code, item.id, 4, facet=" 日用百货零售 ")
    rows = [e for e in app.client(code).entries.values()]
    assert [e["facet"] for e in rows] == ["日用百货批发", "日用百货零售"]
    row = next(i for i in app.explain(code, audit="A2")["items"] if i["id"] == item.id)
    assert Decimal(row["earned"]) == 3  # the mean over the declared lines (4.18.2)


def test_a_single_line_takes_no_facet(app):
    code = uscc(103)
    open_stage2(app, code, scheme="hzx-mr0118", scope="日用百货零售")
    item = hzx_item(app, code)
    with pytest.raises(RuleViolation) as e:
        enter(app, code, item.id, 2, facet="日用百货零售")
    assert e.value.rule == "004 4.18.2" and "1 business line" in e.value.message_en


def test_an_item_of_a_scheme_without_lines_still_refuses_a_facet(app):
    code = uscc(104)
    open_stage2(app, code)  # 001: no facets
    scheme = app.audit_scheme(app.client(code), "A2")
    with pytest.raises(RuleViolation) as e:
        app.execute("score enter", {"client": code, "audit": "A2", "item": scheme.items[0].id, "value": {"percent": 80},
                                    "facet": "零售", "on": d(11).isoformat()}, actor="李强")
    assert e.value.rule.startswith("facet-not-allowed")


def legacy_mix(app, code: str, item: str) -> None:
    """What a ledger written before this rule may hold: one item scored without and with a line."""
    c = app.client(code)
    c.enter_score(audit_id="A2", item=item, facet=None, value={"points": Decimal(2)}, actor="李强", occurred_on=d(11))
    c.enter_score(audit_id="A2", item=item, facet="日用百货零售", value={"points": Decimal(4)}, actor="李强", occurred_on=d(11))
    app.save(c)


def test_a_legacy_mix_is_explained_as_a_refusal_citing_4_18_2_and_a_correction_repairs_it(app):
    code = uscc(105)
    open_stage2(app, code, scheme="hzx-mr0118", scope=TWO_LINES)
    item = hzx_item(app, code)
    legacy_mix(app, code, item.id)
    with pytest.raises(RuleViolation) as e:
        app.explain(code, audit="A2")
    assert e.value.rule == "mixed-facets: 004 4.18.2" and "score correct --facet" in e.value.message_en
    # entering another line on the mixed item is refused, naming the entry to correct first
    with pytest.raises(RuleViolation) as e:
        enter(app, code, item.id, 3, facet="日用百货批发")
    assert "S1" in e.value.message_en and "score correct --entry S1" in e.value.message_en
    # a correction to the line already scored is refused; to the other line it repairs the item
    with pytest.raises(RuleViolation) as e:
        app.execute("score correct", {"client": code, "entry": "S1", "value": {"points": 2}, "facet": "日用百货零售",
                                      "reason": "补注业务范围", "on": d(12).isoformat()}, actor="李强")
    assert "S2" in e.value.message_en and e.value.rule == "004 4.18.2"
    new = app.execute("score correct", {"client": code, "entry": "S1", "value": {"points": 2}, "facet": "日用百货批发",
                                        "reason": "补注业务范围", "on": d(12).isoformat()}, actor="李强")
    assert app.client(code).entries[new]["facet"] == "日用百货批发"
    row = next(i for i in app.explain(code, audit="A2")["items"] if i["id"] == item.id)
    assert Decimal(row["earned"]) == 3 and {x["facet"] for x in row["inputs"]} == {"日用百货批发", "日用百货零售"}


def test_a_correction_keeps_the_line_unless_told_and_can_clear_it(app):
    code = uscc(106)
    open_stage2(app, code, scheme="hzx-mr0118", scope=TWO_LINES)
    item = hzx_item(app, code)
    enter(app, code, item.id, 2, facet="日用百货批发")
    s2 = app.execute("score correct", {"client": code, "entry": "S1", "value": {"points": 3}, "reason": "复核",
                                       "on": d(12).isoformat()}, actor="李强")
    assert app.client(code).entries[s2]["facet"] == "日用百货批发"
    with pytest.raises(RuleViolation) as e:  # two lines declared: a line is required
        app.execute("score correct", {"client": code, "entry": s2, "value": {"points": 3}, "facet": "", "reason": "复核",
                                      "on": d(12).isoformat()}, actor="李强")
    assert e.value.rule == "004 4.18.2"


def test_cli_refuses_an_entry_without_a_line_exit_1_nothing_written(app, db_url):
    code = uscc(107)
    open_stage2(app, code, scheme="hzx-mr0118", scope=TWO_LINES)
    item = hzx_item(app, code)
    before = app.event_count()
    run = lambda *a: CliRunner().invoke(root, ["--db", db_url, "--actor", "李强", *a], catch_exceptions=False)  # noqa: E731
    r = run("score", "enter", "--client", code, "--audit", "A2", "--item", item.id, "--value", '{"points": 2}', "--on", d(11).isoformat())
    assert r.exit_code == 1 and "4.18.2" in r.output and "--facet 日用百货批发" in r.output and "Traceback" not in r.output
    assert app.event_count() == before
    r = run("score", "enter", "--client", code, "--audit", "A2", "--item", item.id, "--value", '{"points": 2}',
            "--facet", "日用百货批发", "--on", d(11).isoformat())
    assert r.exit_code == 0, r.output
    r = run("score", "correct", "--client", code, "--entry", "S1", "--value", '{"points": 2}', "--facet", "日用百货零售",
            "--reason", "业务范围录错", "--on", d(12).isoformat())
    assert r.exit_code == 0, r.output
    assert app.client(code).entries["S2"]["facet"] == "日用百货零售"
