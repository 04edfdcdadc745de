"""``certledger demo``: a year of a certification body's work, played through the application's
commands on a fresh ledger, so every record in it was checked by the same rules as a user's.

Six clients under the five schemes: initial certifications with stage 1 and stage 2 audits,
nonconformities (minor and major), decisions computed from the recorded scores, certificates
reported to the CNCA, a notified change, a complaint and an unscheduled surveillance, a suspension
and its restoration, an appeal heard and decided, a refused application, and an application still
being audited. Played to the end (``certledger demo``), by the body's registered people: declarations
of interest before anyone acts for a client, a technical expert, an objection to a team, and every act
with legal meaning signed by its signer (ledger/demo_people.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.synthetic import score_sheet  # the one generator of score sheets

from ledger.demo_cast import ADMIN  # noqa: E402 - shared with the continuations (ledger/demo_<area>.py)
DECIDER = "赵敏"  # technical committee: never on an audit team
AUDITORS = ("王芳", "李强", "陈静", "刘洋", "杨帆", "黄磊")


@dataclass(frozen=True)
class DemoClient:
    uscc: str
    name: str
    address: str
    scheme: str
    scope: str
    sites: tuple[tuple[str, str], ...]
    headcount: int
    quality: float  # 0..1: how well the client performs, which drives its scores


CLIENTS = (
    DemoClient("91330100716105852F", "杭州云栖质量科技有限公司", "浙江省杭州市西湖区云栖小镇88号", "zgc-ru015",
               "企业质量信用管理：软件开发与信息技术服务", (("总部", "浙江省杭州市西湖区云栖小镇88号"),), 120, 0.86),
    DemoClient("914403001922038216", "深圳鹏城商贸股份有限公司", "广东省深圳市南山区科技园南路16号", "hzx-mr0118",
               "29 商业信誉评价：日用百货批发与零售", (("总部", "广东省深圳市南山区科技园南路16号"), ("龙华仓储中心", "广东省深圳市龙华区民治大道200号")), 260, 0.72),
    DemoClient("91360100MA35XYW12", "南昌赣江物业服务有限公司", "江西省南昌市红谷滩区赣江中大道1号", "tbsc94",
               "物业管理服务", (("总部", "江西省南昌市红谷滩区赣江中大道1号"),), 85, 0.86),
    DemoClient("91110108MA01ABCD3", "北京中关村精工制造有限公司", "北京市海淀区中关村大街27号", "zdrz-69",
               "精密机械零部件的生产和服务", (("总部", "北京市海淀区中关村大街27号"),), 45, 0.91),
    DemoClient("91320500MA1MXQ7P1", "苏州工业园区明德电子有限公司", "江苏省苏州市工业园区星湖街328号", "jx-qci-2023",
               "电子元器件的制造", (("总部", "江苏省苏州市工业园区星湖街328号"),), 300, 0.8),
    DemoClient("91420100MA4KTR8E2", "武汉长江食品有限公司", "湖北省武汉市江汉区解放大道688号", "zgc-ru015",
               "食品生产企业质量信用管理", (("总部", "湖北省武汉市江汉区解放大道688号"),), 60, 0.7),
)


def _uscc(body: str) -> str:
    from aggregates.uscc import check_character

    body17 = body[:17]
    return body17 + check_character(body17)


def _certify(app: Any, c: DemoClient, uscc: str, day0: date, team: tuple[str, str], seed: int,
             ncs: tuple[tuple[str, str, str], ...] = (), staff: bool = False, expert: str = "",
             objection: tuple[str, str, str] | None = None) -> dict[str, Any]:
    """Application through certificate and report to the CNCA, starting on ``day0``. With the ``staff``
    registered (ledger/demo_people.py): the staff declare their interests in the client when it applies,
    a technical ``expert`` joins the stage 2 team, and the client's ``objection`` to a member of that team
    (member, grounds, the body's answer) is dismissed before the audit proceeds (004 §5.2.1)."""
    d = lambda n: day0 + timedelta(days=n)  # noqa: E731
    sites = [{"name": n, "address": a} for n, a in c.sites]
    app.submit_application(client=uscc, name=c.name, address=c.address, scheme=c.scheme, scope=c.scope, site=sites,
                           headcount=c.headcount, evidence="营业执照、组织机构图、质量信用管理手册", actor=ADMIN, on=d(0))
    if staff:
        from ledger.demo_people import declare_interests

        declare_interests(app, uscc, d(1))
    app.review_application(client=uscc, application="AP1", accept=True, reason="资料齐全，具备受理能力", actor=ADMIN, on=d(2))
    app.sign_contract(client=uscc, contract_no=f"HT-{day0.year}-{seed:03d}", actor=ADMIN, on=d(4))
    app.plan_audit(client=uscc, kind="stage1", member=[team[0]], start=d(10), actor=ADMIN, on=d(5))
    app.complete_audit(client=uscc, audit="A1", conclusion="文件评价符合要求，可安排第二阶段审核", actor=team[0], on=d(10))
    app.plan_audit(client=uscc, kind="stage2", member=list(team), leader=team[0], start=d(20), expert=[expert] if expert else None,
                   actor=ADMIN, on=d(12))
    if objection:
        member, grounds, answer = objection
        app.object_to_team(client=uscc, audit="A2", member=[member], reason=grounds, actor=ADMIN, on=d(13))
        app.answer_objection(client=uscc, audit="A2", dismissed=True, reason=answer, actor=ADMIN, on=d(15))
    scheme = app.audit_scheme(app.client(uscc), "A2")
    for item, facet, value in score_sheet(scheme, c.quality, seed):
        app.enter_score(client=uscc, audit="A2", item=item, facet=facet, value=value, actor=team[seed % 2], on=d(21))
    nc_ids = []
    for severity, clause, description in ncs:
        nc_ids.append((severity, app.raise_nonconformity(client=uscc, audit="A2", severity=severity, clause=clause,
                                                         description=description, actor=team[0], on=d(21))))
    app.complete_audit(client=uscc, audit="A2", conclusion="推荐认证", actor=team[0], on=d(22))
    for severity, nc in nc_ids:
        app.submit_correction(client=uscc, nc=nc, correction="已立即纠正并举一反三排查",
                              corrective_action="分析根本原因，修订相关制度并组织培训", actor=ADMIN, on=d(30))
        if severity == "major":
            app.verify_nonconformity(client=uscc, nc=nc, verification="现场复核：纠正措施已实施并有效", actor=team[0], on=d(36))
    result = app.decide(client=uscc, audit="A2", decider=DECIDER, reason="审核报告信息充分，不符合项已按 4.6.3 处理",
                        actor=ADMIN, on=d(40))
    if result["granted"]:
        app.issue_certificate(client=uscc, decision=result["decision"], actor=ADMIN, on=d(42))
        app.report_to_regulator(client=uscc, reference=f"CNCA-{d(50):%Y%m%d}-{seed:03d}", actor=ADMIN, on=d(50))
    return result


def play(app: Any, today: date | None = None, *, to_the_end: bool = False, staff_keys: dict[str, str] | None = None,
         key_folder: Any = None) -> list[str]:
    """Play the year ending shortly before ``today``; returns the clients' USCCs. ``to_the_end``
    (what ``certledger demo`` plays) carries the stories on, by the body's registered people:
    changes assessed, complaints and an appeal decided, the regulator told, notes on the acts
    (ledger/demo_<area>.py); without it the year stops where those begin (the base the tests build
    on). ``staff_keys``, if given, receives each signer's private key file (name -> path), for whoever
    carries on the demo's ledger; the keys are made in ``key_folder`` (new; a temporary one if not given)."""
    from ledger import clock

    end = today or clock.today()
    start = end - timedelta(days=360)
    d = lambda n: start + timedelta(days=n)  # noqa: E731
    codes = [_uscc(c.uscc) for c in CLIENTS]
    hz, sz, nc, bj, su, wh = codes
    c_hz, c_sz, c_nc, c_bj, c_su, c_wh = CLIENTS
    keys: dict[str, str] = {}
    if to_the_end:  # the body's people registered first: every team and decider is checked against them, and
        # every act with legal meaning signed (issue 15)
        from ledger.demo_people import SignedByStaff, register_staff

        keys = staff_keys if staff_keys is not None else keys  # filled as the staff join
        keys.update(register_staff(app, start - timedelta(days=1), key_folder))
        app = SignedByStaff(app, keys)
    staff = bool(keys)

    # 1. Hangzhou (001): certified with a minor nonconformity; later an address change and a complaint
    #    lead to an unscheduled surveillance.
    _certify(app, c_hz, hz, d(0), ("王芳", "李强"), 1, staff=staff,
             ncs=(("minor", "附录A 人员资质管理", "部分检验人员的资质培训记录不完整"),))
    app.notify_change(client=hz, kind="address", changed_on=d(150), description="生产经营场所迁至杭州市余杭区仓前街道", actor=ADMIN, on=d(156))
    app.receive_complaint(client=hz, complainant="消费者 王某", subject="售后服务承诺未兑现", actor=ADMIN, on=d(170))
    app.plan_audit(client=hz, kind="unscheduled", member=["陈静"], start=d(180), actor=ADMIN, on=d(175))
    app.resolve_complaint(client=hz, complaint="C1", result="经非例行监督核实，投诉部分属实，已要求组织整改并书面答复投诉人", actor="孙丽", on=d(190))

    # 2. Shenzhen (004): a major nonconformity verified before the decision; later a serious safety
    #    incident suspends the certificate (004 §8.1 e) and the verified clearance restores it. It objects to
    #    a member of its team, and the body, having checked his declaration, dismisses the objection.
    _certify(app, c_sz, sz, d(20), ("刘洋", "杨帆"), 2, staff=staff,
             objection=("杨帆", "杨帆曾为我司竞争对手提供咨询，担心评价不公",
                        "经核实，杨帆已声明与贵司无利益关系，其提供咨询的企业与贵司不存在竞争关系") if staff else None,
             ncs=(("major", "附录2 诚信管理制度", "未建立诚信风险识别与应对制度"), ("minor", "附录2 顾客满意", "顾客满意度调查样本不足")))
    app.notify_change(client=sz, kind="incident", changed_on=d(200), description="龙华仓储中心发生叉车伤人安全事故", actor=ADMIN, on=d(205))
    app.suspend(client=sz, reason_code="8.1e", reason="发生严重安全事故，经调查核实", months=3, actor=ADMIN, on=d(210))
    app.restore(client=sz, reason="事故原因已查明，整改经现场验证有效", actor=ADMIN, on=d(270))
    app.receive_complaint(client=sz, complainant="顾客 陈某", subject="退货退款处理超过承诺时限", actor=ADMIN, on=d(290))  # still open

    # 3. Nanchang (002): service score from three respondents plus management maturity.
    _certify(app, c_nc, nc, d(70), ("黄磊", "陈静"), 3, staff=staff)

    # 4. Beijing (000): certified, a technical expert in precision machining on the stage 2 team (outside
    #    the man-days, 001 §4.3.2.2); appeals the grade; the appeal is heard and dismissed by people not
    #    involved in the decision.
    _certify(app, c_bj, bj, d(45), ("李强", "杨帆"), 4, staff=staff, expert="吴刚" if staff else "")
    app.lodge_appeal(client=bj, against="D1", grounds="认为“履行质量承诺能力”评分偏低，请求复核", actor=ADMIN, on=d(90))
    app.admit_appeal(client=bj, appeal="AL1", accept=True, decider=["孙丽"], actor=ADMIN, on=d(94))
    app.hear_appeal(client=bj, appeal="AL1", hearing_on=d(112), notice_on=d(102), panel=["孙丽", "周强"], actor=ADMIN, on=d(112))
    app.decide_appeal(client=bj, appeal="AL1", outcome="dismissed", result="经复核，评分依据充分，维持原认证决定", decider=["孙丽", "周强"], actor=ADMIN, on=d(130))
    from ledger.demo_people import cosign_panel

    cosign_panel(app, bj, "appeal decide", "周强", keys, d(130))  # every member of the panel signs (004 §14.1.3 (4))

    # 5. Suzhou (003): applied and audited; scores entered, the decision not yet taken. An auditor who joined
    #    the body from Suzhou's client declares it and stands aside from its team (004 §4.2 d) 4)).
    if staff:
        from ledger.demo_people import declare_interests, join_auditor

        joiner = join_auditor(app, d(230), keys)
    app.submit_application(client=su, name=c_su.name, address=c_su.address, scheme=c_su.scheme, scope=c_su.scope,
                           site=[{"name": n, "address": a} for n, a in c_su.sites], headcount=c_su.headcount, actor=ADMIN, on=d(300))
    if staff:
        declare_interests(app, su, d(301), {joiner: ("employment", "入职本机构前任该公司质量部主管", d(215))})
    app.review_application(client=su, application="AP1", accept=True, actor=ADMIN, on=d(302))
    app.sign_contract(client=su, contract_no=f"HT-{d(303).year}-005", actor=ADMIN, on=d(303))
    app.plan_audit(client=su, kind="stage1", member=["王芳"], start=d(310), actor=ADMIN, on=d(304))
    app.complete_audit(client=su, audit="A1", conclusion="文件评价符合要求", actor="王芳", on=d(310))
    app.plan_audit(client=su, kind="stage2", member=["王芳", "刘洋"], start=d(330), actor=ADMIN, on=d(312))
    scheme = app.audit_scheme(app.client(su), "A2")
    for item, facet, value in score_sheet(scheme, c_su.quality, 5)[:20]:
        app.enter_score(client=su, audit="A2", item=item, facet=facet, value=value, actor="刘洋", on=d(331))

    # 6. Wuhan (001): refused on review (listed for serious violations, 001 §4.2.1) and appeals the refusal.
    app.submit_application(client=wh, name=c_wh.name, address=c_wh.address, scheme=c_wh.scheme, scope=c_wh.scope,
                           site=[{"name": n, "address": a} for n, a in c_wh.sites], headcount=c_wh.headcount, actor=ADMIN, on=d(320))
    if staff:
        declare_interests(app, wh, d(321))
    app.review_application(client=wh, application="AP1", refuse=True,
                           reason="在国家企业信用信息公示系统中被列入严重违法失信名单（001 §4.2.1）", actor=ADMIN, on=d(323))
    app.notify_refusal(client=wh, application="AP1", actor=ADMIN, on=d(325))
    app.lodge_appeal(client=wh, against="AP1", grounds="名单已于上月移出，请求重新评审", actor=ADMIN, on=d(330))

    if not to_the_end:
        return codes
    # The stories carried to their ends (issue 9): notified changes assessed (Shenzhen's certificate
    # reissued, Nanchang's late notice), complaints accepted and decided, an appeal upheld with its
    # effect, the regulator and the public told, notes and evidence on the acts.
    from ledger.demo_annotations import play_annotations
    from ledger.demo_cases import play_cases
    from ledger.demo_changes import play_changes
    from ledger.demo_reporting import play_reporting

    for act in (play_changes, play_cases, play_reporting, play_annotations):
        act(app, codes, end, keys) if act is play_cases else act(app, codes, end)
    return codes


def synthetic_body(app: Any, db: str, folder: Any, clients: int, seed: int = 1, bar: Any = None) -> tuple[Any, Any]:
    """A synthetic body of ``clients`` clients (``ledger.synthetic``) written to a JSON Lines file in
    ``folder`` and imported through the ledger's one import road, as an administrator would import
    it; returns the file and the import's report. ``bar(total bytes)`` gives the progress context
    whose callback sees the bytes of each line imported."""
    import contextlib
    import os
    from pathlib import Path

    from ledger.importer import import_file
    from ledger.synthetic import write_jsonl

    path = Path(folder) / f"synthetic-{clients}-seed{seed}.jsonl"
    write_jsonl(path, clients, seed)
    size = os.path.getsize(path)
    with open(path, "rb") as fh, (bar(size) if bar else contextlib.nullcontext(None)) as progress:
        report = import_file(app, db, fh, size=size, actor=ADMIN, progress=progress, source=path.name)
    return path, report
