"""The changes area in the demo (issue 9): continues the stories of ``ledger.demo.play``'s clients
(``codes`` in its order: Hangzhou, Shenzhen, Nanchang, Beijing, Suzhou, Wuhan) with master data
changed by event, notified changes assessed, a certificate reissued (换证) and a late notification
cited for a suspension. The lead wires ``play_changes`` into ``play``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ledger.demo_cast import ADMIN

ASSESSOR = "赵敏"  # the technical committee assesses notified changes


def play_changes(app: Any, codes: list[str], today: date) -> None:
    """Dated after each client's last event in ``play`` (its year starts ``today - 360``) and not after ``today``."""
    start = today - timedelta(days=360)
    d = lambda n: min(start + timedelta(days=n), today)  # noqa: E731
    hz, sz, _nc, bj, su, _wh = codes

    # Hangzhou (001): its address change N1 (notified in time) is recorded as master data, assessed, and the
    # certificate reissued with the new address (version 2); the unscheduled surveillance A3 is linked.
    app.record_change(client=hz, address="浙江省杭州市余杭区仓前街道文一西路1号", change="N1",
                      site=[{"name": "总部", "address": "浙江省杭州市余杭区仓前街道文一西路1号"}],
                      description="经营场所迁址（营业执照已变更）", actor=ADMIN, on=d(150))
    app.assess_change(client=hz, change="N1", outcome=["reissue", "unscheduled"], assessor=ASSESSOR, audit="A3",
                      conclusion="迁址影响认证范围内的场所：换发证书，并结合投诉实施非例行监督", actor=ADMIN, on=d(195))

    # Shenzhen (004): the incident N1 was notified in time and already led to the suspension SU1; assessed on record.
    app.assess_change(client=sz, change="N1", outcome=["recorded"], assessor=ASSESSOR,
                      conclusion="事故已按 004 §8.1 e 暂停并恢复，无需进一步措施", actor=ADMIN, on=d(295))

    # Hangzhou again: a new legal representative, notified 20 days after the change (late, 004 §15 /
    # 001 §4.2.2 c) and not yet assessed: due lists the assessment, flagged late.
    changed = d(320)
    app.notify_change(client=hz, kind="representative", changed_on=changed, description="法定代表人变更为刘建国", actor=ADMIN, on=d(340))
    app.record_change(client=hz, legal_representative="刘建国", change="N2", description="法定代表人变更", actor=ADMIN, on=changed)

    # Beijing (000): headcount grew; recorded directly (no notice needed for the register), effective d(200).
    app.record_change(client=bj, headcount=60, description="扩大生产，认证范围覆盖人数增至 60 人", actor=ADMIN, on=d(200))

    # Suzhou (003): the application in audit declares its business lines.
    app.declare_business_lines(client=su, application="AP1", line=["电子元器件制造", "电子元器件销售"], actor=ADMIN, on=d(332))
