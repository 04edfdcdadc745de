"""The certification procedures (实施规则) and their reason codes for suspension and withdrawal.

Two of the five rulebooks are procedures: 001 (ZGC/RU-015, 中赣国际) and 004 (MR-01-18, 华质信).
The other three (000, 002, 003) are technical specifications that set scoring only; a certificate
granted under them follows the body's general procedure, which this ledger takes to be 001.
That mapping is an interpretation and is recorded in docs/decisions.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from aggregates.errors import RuleViolation

PERIOD_UNITS = ("days", "working_days", "months", "years")


@dataclass(frozen=True)
class Period:
    """A period a rulebook sets: its length, its unit, the clause that sets it, and whether the
    Civil Code's rest-day rule (art. 203) moves its last day (acts: yes; validity, maximum
    intervals and earliest dates: no). See docs/deadlines.md."""

    length: int
    unit: str  # one of PERIOD_UNITS
    clause: str
    extend: bool = True

    def __post_init__(self) -> None:
        if self.unit not in PERIOD_UNITS:
            raise ValueError(f"unknown period unit {self.unit!r}; use one of {PERIOD_UNITS}")
        if self.length < 0 and self.unit != "working_days":
            raise ValueError(f"a {self.unit} period cannot be negative: {self.length}")

    def end(self, calendar: Any, start: Any) -> Any:
        """The calendar's Deadline for this period counted from ``start`` (start day not counted)."""
        if self.unit == "working_days":
            return calendar.add_working_days(start, self.length)
        method = {"days": calendar.add_days, "months": calendar.add_months, "years": calendar.add_years}[self.unit]
        return method(start, self.length, extend_to_working_day=self.extend)


@dataclass(frozen=True)
class Periods:
    """Every deadline a procedure sets, in one place. Defaults are 001's (ZGC/RU-015), the body's
    general procedure; ``None`` means the procedure sets no such deadline. A body that must apply
    a stricter rule (the regulator's 2026 rule: surveillance at most 12 months apart) replaces a
    field: ``P001.with_periods(surveillance_interval=Period(12, "months", "...", extend=False))``."""

    # 001 §4.2.1: a refused applicant is told within 5 days of the review.
    refusal_notice: Period | None = Period(5, "days", "001 §4.2.1")
    # 001 §4.6.6: the certificate is reported to the CNCA within 30 working days of issue.
    regulator_report: Period = Period(30, "working_days", "001 §4.6.6")
    # 001 §8.2: a certificate is valid 3 years (a state: never extended).
    validity: Period = Period(3, "years", "001 §8.2", extend=False)
    # 001 §5.2.1: the first surveillance within 12 months of the certification decision.
    first_surveillance: Period = Period(12, "months", "001 §5.2.1", extend=False)
    # 001 §5.2.2: never more than 15 months between two surveillance audits (an extension that
    # needs evidence; the ordinary rule is the calendar year below).
    surveillance_interval: Period = Period(15, "months", "001 §5.2.2", extend=False)
    # 001 §5.2.1: at least one surveillance in each calendar year (except the recertification year);
    # after the first surveillance the next is due by 31 December of the following year, or earlier
    # if the 15-month limit comes first. None where the procedure has no such rule (004).
    surveillance_calendar_year: str | None = "001 §5.2.1"
    # 001 §4.4.1 ("监督审核（第一次、第二次）") and §5.2.1: two per three-year cycle;
    # the third year is the recertification.
    surveillances_per_cycle: int = 2
    # 001 §5.2.3: a surveillance not done in time is handled under 7.2 (suspension) or 7.3.
    surveillance_overdue_clause: str = "001 §5.2.3"
    # 001 §7.2.1: suspend within 5 working days of verifying the cause.
    suspension_act: Period = Period(5, "working_days", "001 §7.2.1")
    # 001 §7.2.1 a: a surveillance found the requirements not met.
    failed_surveillance_clause: str = "001 §7.2.1 a"
    # 001 §7.3.1: withdraw within 5 working days of verifying the cause.
    withdrawal_act: Period = Period(5, "working_days", "001 §7.3.1")
    # 001 §7.3.1 e: the suspension period ended with its cause unresolved.
    lapse_withdrawal_reason: str = "7.3.1e"
    # 001 §6.1, §6.3: recertification audit, and verification of its nonconformities, before expiry.
    recertification_clause: str = "001 §6.1"
    recertification_nc_clause: str = "001 §6.3"
    # 001 §11: the written result of an appeal within 60 days.
    appeal_result: Period = Period(60, "days", "001 §11")
    # Only 004 sets these (§14.1.1-14.1.3, §14.2.3.1).
    appeal_lodging: Period | None = None
    appeal_admission: Period | None = None
    appeal_hearing: Period | None = None
    appeal_hearing_notice: Period | None = None
    complaint_result: Period | None = None
    # Client notifications: 001 §4.2.2 c says "promptly" (及时); the body measures it by 004 §15's 10 days.
    change_notification: Period = Period(10, "days", "001 §4.2.2 c + 004 §15")
    incident_notification: Period = Period(10, "days", "001 §4.2.2 c + 004 §15")
    # 004 §6.9.3: a grade upgrade may be applied for 6 months after certification (an earliest
    # date: never extended). 001 has no upgrade; the ledger applies 004's rule to every upgrade.
    upgrade_waiting: Period | None = Period(6, "months", "004 §6.9.3", extend=False)


@dataclass(frozen=True)
class Reason:
    code: str
    clause: str
    zh: str
    en: str
    # Suspension only: the period may exceed 6 months, up to the licensing decision (001 §7.2.2).
    until_licensing_decision: bool = False


@dataclass(frozen=True)
class Procedure:
    id: str
    title_zh: str
    suspension_reasons: tuple[Reason, ...]
    withdrawal_reasons: tuple[Reason, ...]
    max_suspension_months: int = 6
    # The clause that sets max_suspension_months (004 sets none: the body's 001 rule applies).
    max_suspension_clause: str = "001 §7.2.2"
    periods: Periods = field(default_factory=Periods)

    def with_periods(self, **changes: Any) -> "Procedure":
        """This procedure with some periods replaced (e.g. a stricter regulator rule)."""
        return replace(self, periods=replace(self.periods, **changes))

    def reason(self, kind: str, code: str) -> Reason:
        reasons = self.suspension_reasons if kind == "suspension" else self.withdrawal_reasons
        for r in reasons:
            if r.code == code:
                return r
        listing_zh = "；".join(f"{r.code}（{r.zh}）" for r in reasons)
        listing_en = "; ".join(f"{r.code} ({r.en})" for r in reasons)
        clause = reasons[0].clause.rsplit(" ", 1)[0] if reasons else self.id
        what_zh = "暂停" if kind == "suspension" else "撤销"
        if not code:
            head_zh, head_en = f"{what_zh}证书必须给出规则中的原因代码", f"A {kind} needs a reason code from the rulebook"
        else:
            head_zh, head_en = f"“{code}”不是{self.title_zh}中的{what_zh}原因代码", f"'{code}' is not a {kind} reason code of {self.id}"
        raise RuleViolation(
            clause,
            f"{head_zh}；可选：{listing_zh}。",
            f"{head_en}; choose one of: {listing_en}.",
        )


P001 = Procedure(
    id="001",
    title_zh="ZGC/RU-015 企业质量信用评价认证实施规则",
    suspension_reasons=(
        Reason("7.2.1a", "001 §7.2.1 a", "持续或严重不满足认证要求", "persistently or seriously fails certification requirements"),
        Reason("7.2.1b", "001 §7.2.1 b", "不承担、履行认证合同约定的责任和义务", "does not meet its obligations under the certification contract"),
        Reason("7.2.1c", "001 §7.2.1 c", "被有关执法监管部门责令停业整顿", "ordered by the authorities to suspend business for rectification"),
        Reason("7.2.1d", "001 §7.2.1 d", "被地方认证监管部门发现体系运行存在问题，需要暂停证书", "the local certification regulator found problems requiring suspension"),
        Reason("7.2.1e", "001 §7.2.1 e", "行政许可、资质证书、强制性认证证书等过期失效，重新提交的申请已被受理但尚未换证", "licence or qualification expired; a renewal was accepted but not yet granted", until_licensing_decision=True),
        Reason("7.2.1f", "001 §7.2.1 f", "主动请求暂停", "the client asked for the suspension"),
        Reason("7.2.1g", "001 §7.2.1 g", "其他应当暂停认证证书的情形", "other grounds for suspension"),
    ),
    withdrawal_reasons=(
        Reason("7.3.1a", "001 §7.3.1 a", "被注销或撤销法律地位证明文件", "its legal status documents were cancelled or revoked"),
        Reason("7.3.1b", "001 §7.3.1 b", "拒绝配合监督检查，或提供虚假材料或信息", "refused regulatory inspection or gave false information"),
        Reason("7.3.1c", "001 §7.3.1 c", "出现重大的诚信责任事件，经执法监管部门确认是获证组织违规造成", "a major integrity incident confirmed as the client's fault"),
        Reason("7.3.1d", "001 §7.3.1 d", "有其他严重违反法律法规行为", "other serious violations of laws and regulations"),
        Reason("7.3.1e", "001 §7.3.1 e", "暂停期限已满但导致暂停的问题未得到解决或纠正", "the suspension period ended with its cause unresolved"),
        Reason("7.3.1f", "001 §7.3.1 f", "没有运行质量信用等级认证或者已不具备运行条件", "the quality-credit system is not run or can no longer run"),
        Reason("7.3.1g", "001 §7.3.1 g", "不正确引用和宣传认证信息，造成严重影响，或超过 6 个月仍未纠正", "misuse of certification information with serious effect, or uncorrected after 6 months"),
        Reason("7.3.1h", "001 §7.3.1 h", "其他应当撤销认证证书的情形", "other grounds for withdrawal"),
    ),
)

P004 = Procedure(
    id="004",
    title_zh="MR-01-18 商业信誉评价体系认证实施规则",
    suspension_reasons=(
        Reason("8.1a", "004 §8.1 a", "监督结果不符合认证准则，但不属于需要立即撤销的情况", "surveillance found nonconformity not requiring immediate withdrawal"),
        Reason("8.1b", "004 §8.1 b", "不恰当地使用认证文件，发现后又未采取适当措施", "improper use of certification documents not remedied"),
        Reason("8.1c", "004 §8.1 c", "违反认证方案或程序要求", "breach of the certification scheme or procedures"),
        Reason("8.1d", "004 §8.1 d", "特定服务在一段时期内未向顾客提供，经双方协商暂停", "a service not provided for a period, suspended by agreement"),
        Reason("8.1e", "004 §8.1 e", "发生严重质量、环境、安全事故", "a serious quality, environmental or safety incident"),
    ),
    withdrawal_reasons=(
        Reason("8.3a", "004 §8.3 a", "监督结果不符合认证准则，性质严重，需要立即撤销", "surveillance found serious nonconformity requiring immediate withdrawal"),
        Reason("8.3b", "004 §8.3 b", "发生任何违反许可协议的情况", "any breach of the licence agreement"),
        Reason("8.3c", "004 §8.3 c", "在暂停期间未采取有效措施", "no effective action during the suspension"),
        Reason("8.3d", "004 §8.3 d", "未履行应负的财务结算责任", "unpaid fees"),
    ),
    max_suspension_clause="001 §7.2.2 (004 §8 sets no maximum)",
    periods=Periods(
        # 004 §5.1.4 2) requires a written refusal but sets no period: the body's 001 rule applies.
        refusal_notice=Period(5, "days", "004 §5.1.4 + 001 §4.2.1"),
        # 004 §5.8 requires the report to the CNCA but sets no period: 001 §4.6.6 applies.
        regulator_report=Period(30, "working_days", "004 §5.8 + 001 §4.6.6"),
        validity=Period(3, "years", "004 §5.8", extend=False),
        # 004 §6.9.1: surveillance every 12 months, the first counted from the decision.
        first_surveillance=Period(12, "months", "004 §6.9.1", extend=False),
        surveillance_interval=Period(12, "months", "004 §6.9.1", extend=False),
        surveillance_calendar_year=None,
        # 004 does not say what an overdue surveillance leads to: a breach of the scheme, 8.1 c.
        surveillance_overdue_clause="004 §6.9.1 + §8.1 c",
        suspension_act=Period(5, "working_days", "004 §8.1 + 001 §7.2.1"),
        failed_surveillance_clause="004 §8.1 a",
        withdrawal_act=Period(5, "working_days", "004 §8.3 + 001 §7.3.1"),
        lapse_withdrawal_reason="8.3c",
        recertification_clause="004 §7.1",
        recertification_nc_clause="004 §7.1 + 001 §6.3",
        appeal_result=Period(60, "days", "004 §14"),
        appeal_lodging=Period(10, "working_days", "004 §14.1.1"),
        appeal_admission=Period(7, "days", "004 §14.1.2"),  # "一周内": 7 calendar days
        appeal_hearing=Period(20, "working_days", "004 §14.1.3 (2)"),
        appeal_hearing_notice=Period(5, "working_days", "004 §14.1.3 (2)"),
        complaint_result=Period(30, "working_days", "004 §14.2.3.1"),
        change_notification=Period(10, "days", "004 §15 (14.1)"),
        incident_notification=Period(10, "days", "004 §15 (14.2)"),
        upgrade_waiting=Period(6, "months", "004 §6.9.3", extend=False),
    ),
)

PROCEDURES = {"001": P001, "004": P004}
# Which procedure a certificate under each scheme follows (see the module docstring).
SCHEME_PROCEDURE = {"hzx-mr0118": "004"}


def procedure_for(scheme_id: str | None) -> Procedure:
    return PROCEDURES[SCHEME_PROCEDURE.get(scheme_id or "", "001")]
