"""The demo's reporting and follow-ups (issue 9): ``play_reporting(app, codes, today)`` continues the
stories of ``ledger.demo.play`` (``codes`` in its order: Hangzhou, Shenzhen, Nanchang, Beijing,
Suzhou, Wuhan) with what the regulator and the public are told, each act dated after the client's
last event in ``play`` and not after ``today``:

- Hangzhou (001): its scope reduced (the moved site no longer covers one line of business) and the
  reduction reported to the CNCA; its minor nonconformity, closed on an accepted plan, stays listed
  by ``due`` until the first surveillance verifies it.
- Shenzhen (004): its suspension and restoration of the year reported to the CNCA, late, and the
  suspension published on the website.
- Nanchang (001): a cause of withdrawal verified (it no longer runs its quality-credit system,
  001 §7.3.1 f), the certificate withdrawn within 5 working days, reported, published, and as it
  could not be recovered, the withdrawal declared in the media and on the website (001 §7.3.2).
- Beijing (001): a cause of suspension verified (contract obligations unmet, 001 §7.2.1 b), the
  certificate suspended within 5 working days, reported and published.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.demo_cast import ADMIN


def play_reporting(app: Any, codes: list[str], today: date) -> None:
    """The acts of this area on the demo's clients (``codes`` from ``ledger.demo.play(app, today)``)."""
    start = today - timedelta(days=360)  # ledger.demo.play's first day
    d = lambda n: start + timedelta(days=n)  # noqa: E731
    hz, sz, nc, bj = codes[0], codes[1], codes[2], codes[3]

    # Hangzhou: last event on day 190 (the complaint's result).
    app.change_scope(client=hz, kind="reduce", scope="企业质量信用管理：软件开发", reason="迁址后信息技术服务业务不再在认证场所开展，经评审缩小认证范围",
                     actor=ADMIN, on=d(200))
    app.report_act(client=hz, kind="scope-reduction", reference=f"CNCA-{d(204):%Y%m%d}-101", actor=ADMIN, on=d(204))

    # Shenzhen: last event on day 290 (a complaint, still open).
    app.report_act(client=sz, kind="suspension", reference=f"CNCA-{d(292):%Y%m%d}-201", actor=ADMIN, on=d(292))
    app.report_act(client=sz, kind="restoration", reference=f"CNCA-{d(292):%Y%m%d}-202", actor=ADMIN, on=d(292))
    app.publish_act(client=sz, kind="suspension", where="本机构网站“证书暂停、撤销公告”栏目", actor=ADMIN, on=d(293))

    # Nanchang: last event on day 120 (the report of its certificate).
    app.verify_cause(client=nc, kind="withdrawal", reason_code="7.3.1f", verified_on=d(240),
                     facts="现场核实：组织已停止物业管理服务，不再具备运行质量信用管理体系的条件", actor=ADMIN, on=d(240))
    app.withdraw(client=nc, reason_code="7.3.1f", reason="已不具备运行质量信用管理体系的条件，经调查核实", actor=ADMIN, on=d(243))
    app.report_act(client=nc, kind="withdrawal", reference=f"CNCA-{d(245):%Y%m%d}-301", actor=ADMIN, on=d(245))
    app.publish_act(client=nc, kind="withdrawal", where="本机构网站“证书暂停、撤销公告”栏目", actor=ADMIN, on=d(245))
    app.recall_withdrawn(client=nc, statement="《江西日报》及本机构网站撤销声明", reason="组织已停业，多次联系未能收回证书",
                         actor=ADMIN, on=d(252))

    # Beijing: last event on day 130 (the appeal's decision).
    app.verify_cause(client=bj, kind="suspension", reason_code="7.2.1b", verified_on=d(300),
                     facts="核实：年度管理费逾期 90 天未缴，书面催告后仍未履行认证合同义务", actor=ADMIN, on=d(300))
    app.suspend(client=bj, reason_code="7.2.1b", reason="不履行认证合同约定的义务，经调查核实", months=3, actor=ADMIN, on=d(303))
    app.report_act(client=bj, kind="suspension", reference=f"CNCA-{d(305):%Y%m%d}-401", actor=ADMIN, on=d(305))
    app.publish_act(client=bj, kind="suspension", where="本机构网站“证书暂停、撤销公告”栏目", actor=ADMIN, on=d(305))
