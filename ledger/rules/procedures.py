"""The certification procedures (实施规则): their deadlines and their reason codes for suspension
and withdrawal, read from data files like the schemes.

Two of the five rulebooks are procedures: 001 (ZGC/RU-015, 中赣国际) and 004 (MR-01-18, 华质信),
shipped as ``schemes/procedures/001.toml`` and ``004.toml`` beside the scheme files. The other three
(000, 002, 003) are technical specifications that set scoring only; a certificate granted under them
follows the body's general procedure, the one file marked ``default = true`` (001). A procedure file
lists the schemes it governs (``schemes = [...]``): that is the only place that knows which
procedure governs which scheme (docs/decisions.md D3). A body adds a scheme and its procedure with
files in its own folder (``CERTLEDGER_SCHEMES``, procedures in its ``procedures/`` subfolder), no
Python.
"""

from __future__ import annotations

import functools
import os
from dataclasses import MISSING, dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
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
    """Every deadline a procedure sets, in one place, read from its data file (``None``: the
    procedure sets no such deadline). A body that must apply a stricter rule (the regulator's 2026
    rule: surveillance at most 12 months apart) replaces a field:
    ``P001.with_periods(surveillance_interval=Period(12, "months", "...", extend=False))``."""

    refusal_notice: Period | None
    regulator_report: Period
    validity: Period
    first_surveillance: Period
    surveillance_interval: Period
    surveillance_calendar_year: str | None  # the clause of "at least once per calendar year", or None
    surveillances_per_cycle: int
    surveillance_overdue_clause: str
    suspension_act: Period
    failed_surveillance_clause: str
    withdrawal_act: Period
    lapse_withdrawal_reason: str  # a withdrawal reason code of the same procedure
    recertification_clause: str
    recertification_nc_clause: str
    appeal_result: Period
    appeal_lodging: Period | None
    appeal_admission: Period | None
    appeal_hearing: Period | None
    appeal_hearing_notice: Period | None
    complaint_result: Period | None
    change_notification: Period
    incident_notification: Period
    upgrade_waiting: Period | None
    # --- complaints and appeals (issue 9): optional in a procedure file (absent: "none")
    complaint_acceptance: Period | None = None  # a complaint accepted or refused, with its notice (004 §14.2.2)
    unscheduled_surveillance: Period | None = None  # an unscheduled surveillance completed, from its cause (004 §6.9)
    appeal_decision: Period | None = None  # an accepted appeal decided, from its acceptance (004 §14.1.3 (4))
    appeal_extension: Period | None = None  # the most an extension adds to the decision limit
    appeal_extension_notice: Period | None = None  # the appellant told of an extension at least this long before the limit
    # --- reporting and follow-ups (issue 9): optional in a procedure file (absent: "none")
    status_report: Period | None = None  # a suspension, restoration, withdrawal, cancellation or scope reduction reported to the CNCA
    recall: Period | None = None  # a withdrawn certificate recalled, or the withdrawal published or declared
    website_publication: Period | None = None  # a suspension or withdrawal published on the body's website
    nc_followup_clause: str | None = None  # nonconformities closed on an accepted plan, verified at the next surveillance
    # --- changes (issue 9): optional in a procedure file (absent: "none")
    change_assessment: Period | None = None  # a notified change assessed (and its follow-up linked) by the body
    change_notification_reason: str | None = None  # the suspension reason code a late notification is cited under


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
    periods: Periods
    max_suspension_months: int = 6
    # The clause that sets max_suspension_months (004 sets none: the body's 001 rule applies).
    max_suspension_clause: str = ""
    default: bool = False  # governs every scheme no procedure names
    schemes: tuple[str, ...] = ()  # the schemes it governs by name
    path: Path | None = None
    # The audit kinds the procedure makes off-site (004 §16.2 "一阶段为非现场"), and its clause: a plan
    # of such a kind recorded without a method is an off-site audit (ledger.rules.planning.audit_method).
    off_site_kinds: tuple[str, ...] = ()
    off_site_clause: str = ""
    # The man-days of a stage 1 and the clause that sets them (``stage1_man_days``; absent: 004 §16.2's
    # 0.5, the table the calculator applies to every procedure, D6). 001's stage 1 is the document
    # review, outside the audit man-days (001 §4.4.2): 0 (ledger.rules.planning.audit_man_days, D63).
    stage1_man_days: Decimal = Decimal("0.5")
    stage1_clause: str = "004 §16.2"

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


PROCEDURE_DIR = Path(__file__).resolve().parent / "schemes" / "procedures"
ENV_SCHEMES = "CERTLEDGER_SCHEMES"  # a body's own folder of schemes, with its procedures in procedures/
RULE = "ledger: procedure file"
_TOP_KEYS = {"id", "title_zh", "default", "schemes", "max_suspension_months", "max_suspension_clause", "periods",
             "suspension_reasons", "withdrawal_reasons", "off_site_audits", "stage1_man_days"}
_PERIOD_KEYS = {"length", "unit", "clause", "extend"}
_REASON_KEYS = {"code", "clause", "zh", "en", "until_licensing_decision"}
NONE = "none"  # a period or clause the procedure does not set


def _fail(path: Path, zh: str, en: str) -> RuleViolation:
    return RuleViolation(RULE, f"程序文件 {path} 有误：{zh}请改正该文件。", f"Procedure file {path} is invalid: {en} Correct the file.")


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{where} 应为非空文本。", f"{where} must be non-empty text.")
    return value.strip()


def _period(path: Path, name: str, value: Any) -> Period | None:
    if value == NONE:
        return None
    if not isinstance(value, dict):
        raise _fail(path, f"periods.{name} 应为 {{ length, unit, clause, extend }} 或 \"none\"。",
                    f'periods.{name} must be {{ length, unit, clause, extend }} or "none".')
    unknown = sorted(set(value) - _PERIOD_KEYS)
    if unknown or not {"length", "unit", "clause"} <= set(value):
        raise _fail(path, f"periods.{name} 须有 length、unit、clause（可选 extend），不认识 {unknown}。",
                    f"periods.{name} needs length, unit and clause (extend optional); unknown: {unknown}.")
    length, extend = value["length"], value.get("extend", True)
    if not isinstance(length, int) or isinstance(length, bool) or not isinstance(extend, bool):
        raise _fail(path, f"periods.{name} 的 length 应为整数，extend 应为 true 或 false。",
                    f"periods.{name}: length must be a whole number and extend true or false.")
    try:
        return Period(length, value["unit"], _text(path, f"periods.{name}.clause", value["clause"]), extend)
    except ValueError as e:
        raise _fail(path, f"periods.{name}：{e}。", f"periods.{name}: {e}.") from None


def _reasons(path: Path, kind: str, items: Any) -> tuple[Reason, ...]:
    if not isinstance(items, list) or not items:
        raise _fail(path, f"缺少 [[{kind}]]（至少一条原因）。", f"[[{kind}]] is missing (at least one reason).")
    out = []
    for i, r in enumerate(items, 1):
        unknown = sorted(set(r) - _REASON_KEYS) if isinstance(r, dict) else []
        if not isinstance(r, dict) or unknown:
            raise _fail(path, f"第 {i} 条 {kind} 有未知字段 {unknown}。", f"{kind} number {i} has unknown fields {unknown}.")
        out.append(Reason(*(_text(path, f"{kind}[{i}].{k}", r.get(k)) for k in ("code", "clause", "zh", "en")),
                          until_licensing_decision=r.get("until_licensing_decision", False) is True))
    codes = [r.code for r in out]
    if len(set(codes)) != len(codes):
        raise _fail(path, f"{kind} 的原因代码重复：{codes}。", f"{kind} repeats a reason code: {codes}.")
    return tuple(out)


def _off_site(path: Path, value: Any) -> tuple[tuple[str, ...], str]:
    """``off_site_audits``: ``{ kinds = [...], clause = "..." }`` (audit kinds of the vocabulary, at
    least one, with the clause that makes them off-site) or ``"none"`` (also when absent)."""
    from aggregates.vocabulary import AUDIT_KINDS

    if value is None or value == NONE:
        return (), ""
    if not isinstance(value, dict) or set(value) != {"kinds", "clause"}:
        raise _fail(path, 'off_site_audits 应为 { kinds = [...], clause = "..." } 或 "none"。',
                    'off_site_audits must be { kinds = [...], clause = "..." } or "none".')
    kinds = value["kinds"]
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) and k in AUDIT_KINDS for k in kinds):
        raise _fail(path, f"off_site_audits.kinds 应为审核类型的列表（{', '.join(AUDIT_KINDS)}），而非 {kinds!r}。",
                    f"off_site_audits.kinds must list audit kinds ({', '.join(AUDIT_KINDS)}), not {kinds!r}.")
    return tuple(kinds), _text(path, "off_site_audits.clause", value["clause"])


def _stage1_man_days(path: Path, value: Any) -> tuple[Decimal, str]:
    """``stage1_man_days``: ``{ days = 0.5, clause = "..." }``, days a number of half days of at least 0
    (D6: man-days are planned in half days); absent: 004 §16.2's 0.5 (D63)."""
    if value is None:
        return Decimal("0.5"), "004 §16.2"
    if not isinstance(value, dict) or set(value) != {"days", "clause"}:
        raise _fail(path, 'stage1_man_days 应为 { days = 0.5, clause = "..." }。', 'stage1_man_days must be { days = 0.5, clause = "..." }.')
    days = value["days"]
    try:
        number = Decimal(str(days)) if isinstance(days, (int, float)) and not isinstance(days, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0 or (number * 2) % 1 != 0:
        raise _fail(path, f"stage1_man_days.days 应为不小于 0 的半日数（0、0.5、1 ……），而非 {days!r}。",
                    f"stage1_man_days.days must be a number of half days of at least 0 (0, 0.5, 1 ...), not {days!r}.")
    whole = number == number.to_integral_value()
    return Decimal(int(number)) if whole else number, _text(path, "stage1_man_days.clause", value["clause"])


def parse_procedure(path: Path) -> Procedure:
    """One procedure file, checked: unknown keys (a misspelt period would otherwise be ignored),
    every period of ``Periods`` set or ``"none"``, valid units and lengths, reason codes unique, and
    the lapse withdrawal reason among the withdrawal reasons."""
    from ledger.rules import toml_cache

    try:
        data = toml_cache.load(path)  # parsed again only when the file changed (D49)
    except (OSError, ValueError) as e:  # ValueError: tomllib.TOMLDecodeError, or not UTF-8
        raise _fail(path, f"无法读取（{e}）。", f"cannot be read ({e}).") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _fail(path, f"未知字段 {unknown}。", f"unknown keys {unknown}.")
    raw = data.get("periods")
    if not isinstance(raw, dict):
        raise _fail(path, "缺少 [periods]。", "[periods] is missing.")
    names = {f.name: f for f in fields(Periods)}
    required = {n for n, f in names.items() if f.default is MISSING}  # the optional ones default to "none"
    missing, extra = sorted(required - set(raw)), sorted(set(raw) - set(names))
    if missing or extra:
        raise _fail(path, f"[periods] 缺少 {missing}，不认识 {extra}；每个期限都须给出（不设的写 \"none\"）。",
                    f'[periods] lacks {missing} and has unknown {extra}; every period must be given ("none" where not set).')
    values: dict[str, Any] = {}
    for name, f in names.items():
        if name not in raw:
            continue
        value = raw[name]
        if "Period" in str(f.type):
            values[name] = _period(path, name, value)
        elif f.type == "int" or f.type is int:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _fail(path, f"periods.{name} 应为非负整数。", f"periods.{name} must be a whole number of at least 0.")
            values[name] = value
        else:
            text = _text(path, f"periods.{name}", value)
            values[name] = None if text == NONE and "None" in str(f.type) else text
    months = data.get("max_suspension_months", 6)
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise _fail(path, "max_suspension_months 应为正整数。", "max_suspension_months must be a whole number of at least 1.")
    schemes = data.get("schemes", [])
    if not isinstance(schemes, list) or not all(isinstance(x, str) and x.strip() for x in schemes):
        raise _fail(path, "schemes 应为方案编号的列表。", "schemes must be a list of scheme ids.")
    off_site_kinds, off_site_clause = _off_site(path, data.get("off_site_audits"))
    stage1_days, stage1_clause = _stage1_man_days(path, data.get("stage1_man_days"))
    procedure = Procedure(
        id=_text(path, "id", data.get("id")), title_zh=_text(path, "title_zh", data.get("title_zh")),
        suspension_reasons=_reasons(path, "suspension_reasons", data.get("suspension_reasons")),
        withdrawal_reasons=_reasons(path, "withdrawal_reasons", data.get("withdrawal_reasons")),
        max_suspension_months=months,
        max_suspension_clause=_text(path, "max_suspension_clause", data.get("max_suspension_clause")),
        periods=Periods(**values), default=data.get("default", False) is True,
        schemes=tuple(x.strip() for x in schemes), path=path,
        off_site_kinds=off_site_kinds, off_site_clause=off_site_clause,
        stage1_man_days=stage1_days, stage1_clause=stage1_clause,
    )
    if procedure.periods.lapse_withdrawal_reason not in {r.code for r in procedure.withdrawal_reasons}:
        raise _fail(path, f"lapse_withdrawal_reason “{procedure.periods.lapse_withdrawal_reason}”不是本程序的撤销原因代码。",
                    f"lapse_withdrawal_reason '{procedure.periods.lapse_withdrawal_reason}' is not one of its withdrawal reason codes.")
    return procedure


@dataclass(frozen=True)
class Procedures:
    """Every procedure by id, and which one governs each scheme."""

    by_id: dict[str, Procedure]
    by_scheme: dict[str, str]
    default: str

    def of(self, scheme_id: str | None) -> Procedure:
        return self.by_id[self.by_scheme.get(scheme_id or "", self.default)]


def _scan(*directories: Path) -> Procedures:
    found: dict[str, Procedure] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
            p = parse_procedure(path)
            if p.id in found:  # a body's own file replaces the shipped one of the same id
                if found[p.id].path is not None and found[p.id].path.parent == path.parent:
                    raise _fail(path, f"程序 {p.id} 已由 {found[p.id].path.name} 定义。", f"procedure {p.id} is already defined by {found[p.id].path.name}.")
            found[p.id] = p
    defaults = [p.id for p in found.values() if p.default]
    if len(defaults) != 1:
        where = ", ".join(str(d) for d in directories)
        raise RuleViolation(RULE, f"{where} 中应恰有一个程序文件标明 default = true（本机构的通用程序），实际有 {len(defaults)} 个：{defaults}。",
                            f"Exactly one procedure file in {where} must say default = true (the body's general procedure); "
                            f"found {len(defaults)}: {defaults}.")
    by_scheme: dict[str, str] = {}
    for p in found.values():
        for scheme in p.schemes:
            if scheme in by_scheme and by_scheme[scheme] != p.id:
                raise _fail(p.path or Path(p.id), f"方案 {scheme} 已归程序 {by_scheme[scheme]} 管辖。",
                            f"scheme {scheme} is already governed by procedure {by_scheme[scheme]}.")
            by_scheme[scheme] = p.id
    return Procedures(found, by_scheme, defaults[0])


@functools.lru_cache(maxsize=4)
def _catalogue(extra: str) -> Procedures:
    return _scan(PROCEDURE_DIR, *([Path(extra) / "procedures"] if extra else []))


def procedures() -> Procedures:
    """The shipped procedures and the body's own (``CERTLEDGER_SCHEMES``/procedures), read once."""
    return _catalogue(os.environ.get(ENV_SCHEMES, "").strip())


def procedure_for(scheme_id: str | None) -> Procedure:
    """The procedure that governs a certificate under ``scheme_id`` (the default one for a scheme no
    procedure names, or for no scheme)."""
    return procedures().of(scheme_id)


def __getattr__(name: str) -> Any:
    # The shipped procedures by their old names, read on first use (not at import).
    if name in ("P001", "P004"):
        return procedures().by_id[name[1:]]
    if name == "PROCEDURES":
        return procedures().by_id
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
