"""A cleared interest stays visible (trial 12, item 5), on SQLite and PostgreSQL: ``people impartiality``
(text and --json) and ``people show`` give every declaration about a client, the latest first, with its
date, kind, detail, who recorded it and what replaced it; ``--as-of`` as the register stood then."""

import json
from datetime import date

from click.testing import CliRunner

from cli.main import root
from tests.integration.test_people import HZX, _contracted, _staff


def _cli(db_url, *args):
    r = CliRunner().invoke(root, ["--db", db_url, *args])
    assert r.exit_code == 0, r.output
    return r.stdout


def test_a_cleared_interest_is_kept_with_who_cleared_it(app, db_url):
    _staff(app)
    _contracted(app, HZX, "hzx-mr0118")
    app.declare_interest(person="赵敏", client=HZX, kind="none", actor="张伟", on=date(2026, 3, 3))
    app.declare_interest(person="赵敏", client=HZX, kind="financial", detail="持有股票", actor="赵敏", on=date(2026, 3, 11))
    app.declare_interest(person="赵敏", client=HZX, kind="none", actor="赵敏", on=date(2026, 3, 12))

    row = {r["name"]: r for r in app.impartiality(HZX)}["赵敏"]
    assert row["interests"] == [] and row["conflicts"] == []  # the current standing: no conflict
    got = [(d["declared_on"], d["kind"], d["detail"], d["recorded_by"], d["replaced_by"]) for d in row["declarations"]]
    assert got == [
        (date(2026, 3, 12), "none", "", "赵敏", None),
        (date(2026, 3, 11), "financial", "持有股票", "赵敏", {"declared_on": date(2026, 3, 12), "kind": "none", "recorded_by": "赵敏"}),
        (date(2026, 3, 3), "none", "", "张伟", {"declared_on": date(2026, 3, 11), "kind": "financial", "recorded_by": "赵敏"}),
    ]
    # as of the day the interest stood, it is current and bars 赵敏; nothing of the clearing yet
    then = {r["name"]: r for r in app.impartiality(HZX, as_of=date(2026, 3, 11))}["赵敏"]
    assert [c["kind"] for c in then["conflicts"]] == ["financial"]
    assert [(d["kind"], d["replaced_by"] is None) for d in then["declarations"]] == [("financial", True), ("none", False)]

    # the CLI: --json, the text (current standing first, then each declaration), as of a date, people show
    listed = json.loads(_cli(db_url, "people", "impartiality", HZX, "--json"))
    mine = next(r for r in listed["people"] if r["name"] == "赵敏")
    assert [d["kind"] for d in mine["declarations"]] == ["none", "financial", "none"]
    assert mine["declarations"][1]["replaced_by"]["recorded_by"] == "赵敏"
    text = _cli(db_url, "people", "impartiality", HZX).splitlines()
    at = next(i for i, line in enumerate(text) if line.startswith("赵敏"))
    assert "2026-03-12 声明无利益冲突" in text[at]
    assert "2026-03-12" in text[at + 1] and "现行" in text[at + 1]
    assert "持有股票" in text[at + 2] and "赵敏 记录" in text[at + 2] and "已于 2026-03-12 被“无利益冲突”取代" in text[at + 2]
    assert "张伟 记录" in text[at + 3]
    en = _cli(db_url, "people", "impartiality", HZX, "--as-of", "2026-03-11", "--lang", "en")
    assert "持有股票" in en and "recorded by 赵敏; standing" in en and "replaced on 2026-03-11" in en
    shown = _cli(db_url, "people", "show", "赵敏", "--lang", "en")
    assert f"Declared interest: {HZX}  now no conflict of interest" in shown
    assert "(持有股票)  recorded by 赵敏; replaced on 2026-03-12 by no conflict of interest, recorded by 赵敏" in shown
    assert json.loads(_cli(db_url, "people", "show", "赵敏", "--json"))["interests"][HZX]["history"][1]["detail"] == "持有股票"
