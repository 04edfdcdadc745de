"""The demo's complaints and appeals (issue 9): the stories of ``ledger.demo.play``'s clients
continued, each after its last event and not after ``today`` (the lead wires it into ``play``).

- Hangzhou (001): the unscheduled surveillance planned after the complaint is linked to it (004 §6.9 a),
  scored and completed.
- Shenzhen (004): the open complaint is accepted within the week by someone not involved, with its
  notice; the certified client is told of it; an unscheduled surveillance follows it; the written
  result is sent within 30 working days of the acceptance.
- Nanchang (002, under 001): appeals its certification decision; the appeal is upheld and given
  effect by a new decision that supersedes the one appealed (kept in the record).
- Wuhan (001): its appeal against the refused application is accepted (still to be decided).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.demo_cast import ADMIN
from ledger.synthetic import score_sheet


def play_cases(app: Any, codes: list[str], today: date, keys: dict[str, str] | None = None) -> None:
    """Continue the demo's clients (``codes`` as ``ledger.demo.play`` returns them, in its order);
    ``keys``: the signers' key files, for the panels' co-signatures (ledger/demo_people.py; ``app`` signs the
    other acts with them, ``SignedByStaff``)."""
    start = today - timedelta(days=360)  # ledger.demo.play's first day
    d = lambda n: start + timedelta(days=n)  # noqa: E731
    hz, sz, nc, _bj, _su, wh = codes

    # Hangzhou: complaint C1 (d170) led to the unscheduled surveillance A3 (planned d175).
    app.link_unscheduled(client=hz, audit="A3", complaint="C1", actor=ADMIN, on=d(192))
    scheme = app.audit_scheme(app.client(hz), "A3")
    for item, facet, value in score_sheet(scheme, 0.86, 11):
        app.enter_score(client=hz, audit="A3", item=item, facet=facet, value=value, actor="陈静", on=d(193))
    app.complete_audit(client=hz, audit="A3", conclusion="投诉反映的售后问题已整改，保持认证", actor="陈静", on=d(194))

    # Shenzhen: complaint C1 (d290), still open.
    app.admit_complaint(client=sz, complaint="C1", accept=True, decider=["孙丽"], concerns=["A2"], about_client=True,
                        notice_on=d(293), actor=ADMIN, on=d(292))
    app.inform_client_of_complaint(client=sz, complaint="C1", how="书面函告投诉内容，要求十日内提交自查说明", actor=ADMIN, on=d(294))
    app.plan_audit(client=sz, kind="unscheduled", member=["陈静"], start=d(300), method="FS03", actor=ADMIN, on=d(295))  # on site and remote
    app.link_unscheduled(client=sz, audit="A3", complaint="C1", actor=ADMIN, on=d(295))
    scheme = app.audit_scheme(app.client(sz), "A3")
    for item, facet, value in score_sheet(scheme, 0.72, 12):
        app.enter_score(client=sz, audit="A3", item=item, facet=facet, value=value, actor="陈静", on=d(300))
    app.complete_audit(client=sz, audit="A3", conclusion="退货退款流程已改进，投诉部分属实", actor="陈静", on=d(301))
    app.resolve_complaint(client=sz, complaint="C1", result="经非例行监督核实，投诉部分属实，已督促整改并书面答复投诉人",
                          actor="孙丽", on=d(310))  # the case handler signs the result

    # Nanchang: certified (D1, d110; reported d120); appeals, upheld, a new decision supersedes D1.
    app.lodge_appeal(client=nc, against="D1", grounds="决定理由未说明管理成熟度的评价依据，请求重新作出决定", actor=ADMIN, on=d(121))
    app.admit_appeal(client=nc, appeal="AL1", accept=True, decider=["孙丽"], actor=ADMIN, on=d(124))
    app.decide_appeal(client=nc, appeal="AL1", outcome="upheld", result="申诉成立：原决定理由不充分，由未参与原决定的人员重新作出决定",
                      decider=["孙丽", "周强"], actor=ADMIN, on=d(150))
    from ledger.demo_people import cosign_panel

    cosign_panel(app, nc, "appeal decide", "周强", keys or {}, d(150))  # every member of the panel signs (004 §14.1.3 (4))
    app.supersede_decision(client=nc, appeal="AL1", decider="钱七", reason="依申诉 AL1 的裁定，按审核 A2 的评分重新作出决定，说明成熟度评价依据",
                           actor=ADMIN, on=d(152))

    # Wuhan: the appeal against the refused application (d330) is accepted; its written result is due
    # (an upheld appeal against a refusal is given its effect by appeal effect: tests/integration/test_cases.py).
    app.admit_appeal(client=wh, appeal="AL1", accept=True, decider=["孙丽"], actor=ADMIN, on=d(333))
