"""Who decides an appeal's admission (004 §14.1.2, §14.1.3 (6); docs/decisions.md): ``appeal admit
--decider`` names them as ``complaint admit`` does; a refusal decides the appeal, so it needs them,
none involved in the decision appealed; people named for an acceptance are held to the same. They
are recorded on the event and read in the history. On SQLite and PostgreSQL."""

from datetime import date

from click.testing import CliRunner

from cli.main import root
from tests.integration.test_cases import HZX, _certified
from tests.refusals import refused


def _lodged(app):
    _certified(app, HZX, "hzx-mr0118")  # D1: decided by 赵敏, recorded by admin, audited by 王芳 and 李强
    app.lodge_appeal(client=HZX, against="D1", grounds="评分偏低", actor="admin", on=date(2026, 3, 16))


def test_a_refusal_names_uninvolved_deciders(app):
    _lodged(app)
    e = refused(app, lambda: app.admit_appeal(client=HZX, appeal="AL1", refuse=True, reason="无新证据", actor="admin",
                                              on=date(2026, 3, 18)), "004 §14.1.3 (6)")
    assert "--decider" in e.message_en and "--decider" in e.message_zh
    for involved in ("赵敏", "王芳", "admin"):
        e = refused(app, lambda: app.admit_appeal(client=HZX, appeal="AL1", refuse=True, reason="无新证据", decider=[involved],
                                                  actor="admin", on=date(2026, 3, 18)), "004 §14.1.3 (6)")
        assert involved in e.message_zh and "D1" in e.message_en
    app.admit_appeal(client=HZX, appeal="AL1", refuse=True, reason="无新证据", decider=["孙丽", " 周强 "], actor="admin",
                     on=date(2026, 3, 18))
    appeal = app.client(HZX).appeals["AL1"]
    assert appeal["status"] == "refused" and appeal["admission_deciders"] == ["孙丽", "周强"]
    (row,) = [r for r in app.history(HZX) if r["type"] == "AppealAdmitted"]
    assert row["fields"]["deciders"] == ["孙丽", "周强"]


def test_an_acceptance_may_name_its_deciders_held_to_the_same_rule(app):
    _lodged(app)
    refused(app, lambda: app.admit_appeal(client=HZX, appeal="AL1", accept=True, decider=["李强"], actor="admin",
                                          on=date(2026, 3, 18)), "004 §14.1.3 (6)")
    # no one named: the actor decides (admin recorded D1, so an uninvolved actor admits; trial 12, item 12)
    app.admit_appeal(client=HZX, appeal="AL1", accept=True, actor="孙丽", on=date(2026, 3, 18))
    assert app.client(HZX).appeals["AL1"]["admission_deciders"] == []


def test_appeal_admit_on_the_command_line_takes_decider(app, db_url):
    _lodged(app)

    def run(*args):
        return CliRunner().invoke(root, ["--db", db_url, "--actor", "admin", "appeal", "admit", "--client", HZX,
                                         "--appeal", "AL1", "--on", "2026-03-18", *args])

    before = app.event_count()
    bad = run("--refuse", "--reason", "无新证据")
    assert bad.exit_code == 1 and "--decider" in bad.output and "Traceback" not in bad.output and app.event_count() == before
    ok = run("--refuse", "--reason", "无新证据", "--decider", "孙丽")
    assert ok.exit_code == 0, ok.output
    history = CliRunner().invoke(root, ["--db", db_url, "history", HZX, "--type", "AppealAdmitted"]).output
    assert "决定人：孙丽" in history


def test_an_admission_stored_before_deciders_were_named_loads_without_them(app):
    from datetime import datetime, timezone

    from eventsourcing.persistence import StoredEvent

    from aggregates.uscc import client_id_for

    _lodged(app)
    version = app.client(HZX).version
    old = {"timestamp": datetime(2026, 3, 18, 2, 0, tzinfo=timezone.utc), "appeal_id": "AL1", "accepted": True, "reason": "",
           "actor": "admin", "occurred_on": date(2026, 3, 18)}  # the shape written before: no deciders
    app.recorder.insert_events([StoredEvent(originator_id=client_id_for(HZX), originator_version=version + 1,
                                            topic="aggregates.client:Client.AppealAdmitted", state=app.mapper.transcoder.encode(old))])
    appeal = app.client(HZX).appeals["AL1"]
    assert appeal["status"] == "accepted" and appeal["admission_deciders"] == []
    app.decide_appeal(client=HZX, appeal="AL1", outcome="dismissed", result="维持", decider=["孙丽"], actor="admin",
                      on=date(2026, 3, 25))  # and the appeal goes on from there
    assert app.client(HZX).appeals["AL1"]["status"] == "decided"
