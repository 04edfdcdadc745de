"""The catalogue of write commands: one entry per action, shared by the CLI and by ``import``.

Each command names the application method it calls and its parameters with their types. The CLI
builds one click command per entry (``certledger audit plan --client ... --kind ...``) and the
JSON Lines import reads the same names (``{"command": "audit plan", "client": "...", ...}``), so
the two can never drift apart. Stdlib only (and the closed vocabularies): the CLI imports this to print ``--help`` quickly.

Every write also takes ``client`` (the USCC), ``on`` (the business date, default today in
Asia/Shanghai) and the actor (``--actor`` / ``CERTLEDGER_ACTOR``, or ``actor`` in an import line).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from aggregates.errors import RuleViolation
from aggregates.vocabulary import (APPEAL_OUTCOMES, code_of, APPLICATION_KINDS, AUDIT_KINDS, AUDIT_METHODS, CHANGE_KINDS, CHANGE_OUTCOMES, NC_SEVERITIES, SCOPE_CHANGE_KINDS,
                                   TRANSFER_CERTIFICATE_STATUSES)
from ledger.commands_people import PEOPLE_COMMANDS
from ledger.commands_signing import SIGN_KEY, SIGNED_ACTS, SIGNING_COMMANDS
from ledger.commands_body import BODY_COMMANDS
from ledger.rules.planning import COMBINED_CEILINGS


def _bad(name: str, value: Any, zh: str, en: str) -> RuleViolation:
    return RuleViolation("ledger: input format", f"参数 {name} 的值“{value}”无效：{zh}", f"Invalid value '{value}' for {name}: {en}")


def to_str(name: str, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise _bad(name, value, "应为文本。", "expected text.")
    return str(value)


def to_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise _bad(name, value, "应为整数。", "expected a whole number.")
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise _bad(name, value, "应为整数。", "expected a whole number.") from None


def to_decimal(name: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _bad(name, value, "应为数字。", "expected a number.")
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _bad(name, value, "应为数字，例如 2.5。", "expected a number such as 2.5.") from None
    if not d.is_finite():
        raise _bad(name, value, "应为有限的数字。", "expected a finite number.")
    return d


def to_date(name: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(name, value, "应为日期 YYYY-MM-DD，例如 2026-03-15。", "expected a date YYYY-MM-DD such as 2026-03-15.") from None


def to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n", ""):
        return False
    raise _bad(name, value, "应为 true 或 false。", "expected true or false.")


def to_json_object(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except json.JSONDecodeError as e:
            raise _bad(name, value, f"不是有效的 JSON（{e.msg}，第 {e.pos + 1} 个字符）。", f"not valid JSON ({e.msg} at character {e.pos + 1}).") from None
    if not isinstance(value, dict):
        raise _bad(name, value, '应为 JSON 对象，例如 {"percent": 75}。', 'expected a JSON object such as {"percent": 75}.')
    return value


def to_site(name: str, value: Any) -> dict[str, str]:
    """A site is ``NAME=ADDRESS`` on the command line or ``{"name": ..., "address": ...}`` in JSON."""
    if isinstance(value, dict):
        return {"name": str(value.get("name", "")).strip(), "address": str(value.get("address", "")).strip()}
    text = str(value)
    if "=" not in text:
        raise _bad(name, value, "场所应写作“名称=地址”。", "a site is written NAME=ADDRESS.")
    site_name, _, address = text.partition("=")
    return {"name": site_name.strip(), "address": address.strip()}


CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "str": to_str, "int": to_int, "decimal": to_decimal, "date": to_date, "bool": to_bool,
    "json": to_json_object, "site": to_site,
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "str"
    required: bool = True
    multiple: bool = False
    help: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")

    def convert(self, value: Any) -> Any:
        if self.multiple:
            values = value if isinstance(value, (list, tuple)) else [value]
            return [CONVERTERS[self.type](self.name, v) for v in values]
        return CONVERTERS[self.type](self.name, value)


@dataclass(frozen=True)
class Command:
    name: str  # "group verb", as typed on the command line and in import lines
    method: str  # the CertLedger method it calls
    help: str
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def group(self) -> str:
        return self.name.split(" ")[0]

    @property
    def verb(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else ""

    @functools.cached_property
    def by_key(self) -> dict[str, Param]:
        """The parameters by their keyword-argument name (computed once per command)."""
        return {p.key: p for p in self.params}

    def bind(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Convert raw values (CLI strings or JSON values) to keyword arguments for the method.

        Unknown fields and missing required ones are refused by name.
        """
        known = self.by_key
        given = {k.replace("-", "_"): v for k, v in raw.items()}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise RuleViolation(
                "ledger: input format",
                f"命令“{self.name}”没有参数 {', '.join(unknown)}；可用参数：{', '.join(p.name for p in self.params)}。",
                f"Command '{self.name}' has no parameter {', '.join(unknown)}; its parameters: {', '.join(p.name for p in self.params)}.",
            )
        out: dict[str, Any] = {}
        for key, p in known.items():
            value = given.get(key)
            if value is None or value == [] or value == ():
                if p.required:
                    raise RuleViolation(
                        "ledger: input format",
                        f"命令“{self.name}”缺少必填参数 {p.name}（{p.help}）。",
                        f"Command '{self.name}' needs parameter {p.name} ({p.help}).",
                    )
                out[key] = p.default if not p.multiple else list(p.default or [])
                continue
            converted = p.convert(value)
            if p.choices:
                # vocabulary (issue 9): a choice is given by its code or by its Chinese or English word
                converted = [choice_code(p, v) for v in converted] if p.multiple else choice_code(p, converted)
            out[key] = converted
        return out


# --- vocabulary (issue 9): the words of every closed vocabulary, by their codes -----------------
def _code_words() -> dict[str, set[str]]:
    """Each code → its words (Chinese or English) in every closed vocabulary of aggregates.vocabulary
    and ledger.words: a choice's other words (the one rule: aggregates.vocabulary.code_of)."""
    out: dict[str, set[str]] = {}
    for table in _vocabularies():
        for code, pair in table.items():
            if isinstance(code, str) and isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair):
                out.setdefault(code, set()).update(pair)
    return out


def _vocabularies() -> list[dict[str, Any]]:
    from aggregates import vocabulary
    from ledger.words import VOCABULARIES

    return [t for t in [*vars(vocabulary).values(), *VOCABULARIES.values()] if isinstance(t, dict)]


CODE_WORDS = functools.lru_cache(maxsize=1)(_code_words)


def choice_code(p: "Param", value: Any) -> str:
    """A choice's code from its code, its word (监督审核 → surveillance) or a part of its word
    (aggregates.vocabulary.code_of; the echo says what was chosen); refused, listing the codes with
    their words, when it names none of the parameter's choices."""
    if value in p.choices:
        return value
    tables = [t for t in _vocabularies() if set(p.choices) <= set(t)]
    table = min(tables, key=len) if tables else {}  # the parameter's own vocabulary: the smallest that has every choice
    code = code_of(value, table, among=p.choices, words=CODE_WORDS())
    if code is not None:
        return code

    def listed(lang: int) -> str:
        words = {c: pair[lang] for c, pair in table.items() if c in p.choices}
        return ", ".join(f"{c}（{words[c]}）" if lang == 0 and c in words else (f"{c} ({words[c]})" if c in words else c) for c in p.choices)

    raise RuleViolation(
        "ledger: vocabulary",
        f"参数 {p.name} 的值“{value}”无效；可选（代码或其中文词语）：{listed(0)}。",
        f"Invalid value '{value}' for {p.name}; choose one of (the code or its word): {listed(1)}.",
    )


def one_of(table: dict[str, tuple[str, str]]) -> str:
    """A parameter's help listing its closed vocabulary (aggregates.vocabulary), in its order."""
    keys = list(table)
    codes = ", ".join(keys[:-1]) + f" or {keys[-1]}" if len(keys) > 1 else keys[0]
    return f"{codes}, or its word in Chinese or English (e.g. {table[keys[-1]][0]})"  # vocabulary (issue 9)


CLIENT = Param("client", help="the client's USCC (统一社会信用代码, 18 characters)")
ON = Param("on", "date", required=False, help="business date YYYY-MM-DD on which it happened (default: today, Asia/Shanghai)")
REASON = Param("reason", help="the reason, as it should stand in the record")

COMMANDS: tuple[Command, ...] = (
    Command("application submit", "submit_application", "Record an application for certification (申请); registers the client on its first application.", (
        CLIENT,
        Param("name", required=False, help="the organisation's registered name (required on the first application)"),
        Param("address", required=False, help="the registered address (required on the first application)"),
        Param("scheme", help="the scheme applied for, e.g. zgc-ru015 (see `certledger schemes list`)"),
        Param("scope", help="the scope of certification applied for"),
        Param("site", "site", multiple=True, help="a site as NAME=ADDRESS; repeat for each site"),
        Param("headcount", "int", help="people within the scope"),
        Param("kind", required=False, default="initial", choices=tuple(APPLICATION_KINDS), help=one_of(APPLICATION_KINDS)),
        Param("evidence", multiple=True, required=False, help="a document received (营业执照, 许可证...); repeat for each, every one is kept"),
        ON,
    )),
    Command("application review", "review_application", "Accept or refuse an application after review (申请评审, 001 §4.2.1).", (
        CLIENT,
        Param("application", help="the application id, e.g. AP1"),
        Param("accept", "bool", required=False, default=False, help="accept the application"),
        Param("refuse", "bool", required=False, default=False, help="refuse the application (a reason is required)"),
        Param("reason", required=False, default="", help="the reason (required when refusing)"),
        ON,
    )),
    Command("application notify-refusal", "notify_refusal", "Record that the applicant was told in writing of the refusal (001 §4.2.1: within 5 days).", (
        CLIENT, Param("application", help="the refused application's id, e.g. AP1"), ON,
    )),
    Command("application contract", "sign_contract", "Record the signed certification contract (认证合同, 001 §4.2.2).", (
        CLIENT, Param("contract-no", help="the contract number"), ON,
    )),
    Command("application transfer", "request_transfer", "Record a request to transfer a certificate from another body (001 §10).", (
        CLIENT,
        Param("from-body", help="the body that issued the certificate"),
        Param("certificate-no", help="the certificate's number"),
        Param("certificate-status", choices=tuple(TRANSFER_CERTIFICATE_STATUSES), help="the certificate's status as verified with the issuing body: " + one_of(TRANSFER_CERTIFICATE_STATUSES)),
        REASON, ON,
    )),
    Command("audit plan", "plan_audit", "Plan an audit (审核策划): kind, team, man-days, sites.", (
        CLIENT,
        Param("kind", choices=tuple(AUDIT_KINDS), help=one_of(AUDIT_KINDS)),
        Param("member", multiple=True, help="an audit team member; repeat for each"),
        Param("leader", required=False, default="", help="the team leader (default: the first member)"),
        Param("expert", multiple=True, required=False, help="a technical expert (not an auditor, left out of man-days, 001 §4.3.2.2); repeat for each"),
        Param("man-days", "decimal", required=False, help="planned audit man-days (default: computed under 004 §16.2; a different figure is recorded beside the computed one)"),
        Param("man-days-reason", required=False, default="", help="why the planned man-days differ from the computed ones (required then, 001 §4.3.1.2)"),
        Param("combined", required=False, choices=tuple(COMBINED_CEILINGS), help="combined with a quality management system audit (qms, up to 30 % fewer days) or a credit evaluation (credit, up to 50 %) (004 §10)"),
        Param("reduction", "decimal", required=False, help="the combined-audit reduction as a fraction, e.g. 0.2 (default: the ceiling)"),
        Param("site", multiple=True, required=False, help="a site to visit, by name; repeat for each (default: every site in scope for initial audits, the minimum sample otherwise)"),
        Param("start", "date", help="first day of the audit"),
        Param("method", required=False, default=None, choices=tuple(AUDIT_METHODS),
              help="the audit method (审核方式, 市监认证函〔2021〕102号): " + one_of(AUDIT_METHODS)
              + " (default: offsite for a kind the client's procedure makes off-site, a stage 1 under 004 §16.2 and 001 §4.4.1; else FS01, on-site)"),
        ON,
    )),
    Command("audit complete", "complete_audit", "Record the audit report and close the audit to new scores; a scored audit needs every "
            "item scored or excluded and every prerequisite checked (001 §4.4.5).", (
        CLIENT, Param("audit", help="the audit id, e.g. A2"), Param("conclusion", help="the audit conclusion"), ON,
    )),
    Command("audit reopen", "reopen_audit", "Reopen a completed audit no decision rests on, to take missing scores, with a reason (001 §4.4.5).", (
        CLIENT, Param("audit", help="the audit id, e.g. A2"), REASON, ON,
    )),
    Command("score enter", "enter_score", "Enter an auditor's score for one indicator (评分).", (
        CLIENT,
        Param("audit", help="the audit id"),
        Param("item", help="the indicator, by id or by its exact Chinese name"),
        Param("value", "json", help='the score as JSON, shaped by the item\'s rule, e.g. {"percent": 75}'),
        Param("facet", required=False, help="the respondent (002), or the business line (004 §4.18.2: one of the client's declared lines, "
              "required when it declared several, none with a single line)"),
        ON,
    )),
    Command("score correct", "correct_score", "Correct a score entry: a new entry replaces it, with a reason (更正).", (
        CLIENT, Param("entry", help="the entry id to correct, e.g. S4"), Param("value", "json", help="the corrected score as JSON"), REASON,
        Param("facet", required=False, help="the business line (004) the corrected score is for (default: the entry's; \"\" for none)"), ON,
    )),
    Command("score exclude", "exclude_item", "Exclude an indicator that does not apply (删减, 001 Appendix A b).", (
        CLIENT, Param("audit", help="the audit id"), Param("item", help="the indicator, by id or Chinese name"), REASON, ON,
    )),
    Command("nc raise", "raise_nonconformity", "Raise a nonconformity found in an audit (不符合项).", (
        CLIENT,
        Param("audit", help="the audit id"),
        Param("severity", choices=tuple(NC_SEVERITIES), help=one_of(NC_SEVERITIES)),
        Param("clause", help="the requirement not met"),
        Param("description", help="what was found"),
        ON,
    )),
    Command("nc respond", "submit_correction", "Record the client's correction and corrective action for a nonconformity (纠正和纠正措施).", (
        CLIENT, Param("nc", help="the nonconformity id, e.g. NC1"), Param("correction", help="the correction"),
        Param("corrective-action", help="the corrective action and its cause analysis"), ON,
    )),
    Command("nc verify", "verify_nonconformity", "Verify the correction and corrective action and close the nonconformity (验证关闭, 001 §4.5.2).", (
        CLIENT, Param("nc", help="the nonconformity id"), Param("verification", help="what was verified and found"), ON,
    )),
    Command("decide", "decide", "Record the certification decision for an audit: score and grade are computed from the recorded scores (认证决定).", (
        CLIENT,
        Param("audit", help="the audit whose scores carry the decision"),
        Param("decider", help="the person deciding: never a member of that audit's team (001 §4.6.2)"),
        REASON,
        Param("refuse", "bool", required=False, default=False, help="refuse certification although the score reaches a grade (001 §4.6.5)"),
        ON,
    )),
    Command("certificate issue", "issue_certificate", "Issue the certificate of a positive decision (颁发证书, 001 §8).", (
        CLIENT,
        Param("decision", help="the decision id, e.g. D1"),
        Param("number", required=False, help="the certificate number (default: generated)"),
        Param("valid-from", "date", required=False, help="first day of validity (default: the issue date)"),
        ON,
    )),
    Command("certificate report", "report_to_regulator", "Record that the certificate was reported to the CNCA (报送认监委, 001 §4.6.6).", (
        CLIENT, Param("reference", required=False, default="", help="the submission's reference"), ON,
    )),
    Command("certificate suspend", "suspend", "Suspend the certificate (暂停, 001 §7.2 / 004 §8.1).", (
        CLIENT,
        Param("reason-code", help="the rulebook's reason code, e.g. 7.2.1a (001) or 8.1a (004)"),
        REASON,
        Param("start", "date", required=False, help="first day of the suspension (default: the business date)"),
        Param("months", "int", required=False, help="length in months (at most 6, 001 §7.2.2; default 6)"),
        ON,
    )),
    Command("certificate restore", "restore", "Restore a suspended certificate once the cause is cleared (恢复, 004 §8.2).", (CLIENT, REASON, ON)),
    Command("certificate withdraw", "withdraw", "Withdraw the certificate (撤销, 001 §7.3 / 004 §8.3).", (
        CLIENT, Param("reason-code", help="the rulebook's reason code, e.g. 7.3.1e (001) or 8.3c (004)"), REASON, ON,
    )),
    Command("certificate cancel", "cancel", "Cancel the certificate at the client's request (注销).", (CLIENT, REASON, ON)),
    Command("certificate expire", "expire", "Record that the certificate expired at the end of its validity (过期).", (CLIENT, ON)),
    Command("certificate scope", "change_scope", "Reduce or extend the scope of the certificate (缩小/扩大认证范围).", (
        CLIENT,
        Param("kind", choices=tuple(SCOPE_CHANGE_KINDS), help=one_of(SCOPE_CHANGE_KINDS)),
        Param("scope", help="the new scope"),
        Param("site", "site", multiple=True, required=False, help="the sites after the change, NAME=ADDRESS (default: unchanged)"),
        REASON, ON,
    )),
    Command("change notify", "notify_change", "Record a change notified by the client (信息通报, 004 §15, 001 §4.2.2 c).", (
        CLIENT,
        Param("kind", choices=tuple(CHANGE_KINDS), help="what changed: " + one_of(CHANGE_KINDS)),
        Param("changed-on", "date", help="the date of the change or incident"),
        Param("description", help="what changed"),
        ON,
    )),
    Command("complaint receive", "receive_complaint", "Record a complaint about the client (投诉).", (
        CLIENT, Param("complainant", help="who complains"), Param("subject", help="what the complaint is about"), ON,
    )),
    Command("complaint resolve", "resolve_complaint", "Record the written result of a complaint (004 §14.2.3).", (
        CLIENT, Param("complaint", help="the complaint id, e.g. C1"), Param("result", help="the result sent in writing"), ON,
    )),
    Command("appeal lodge", "lodge_appeal", "Record an appeal against a decision (申诉, 001 §11, 004 §14.1).", (
        CLIENT,
        Param("against", help="the id of the decision appealed: D1 (certification), AP1 (refused application), SU1 (suspension), W1 (withdrawal), SC1 (scope reduction)"),
        Param("grounds", help="the appellant's written grounds"),
        Param("late-override", required=False, default="", help="reason to admit an appeal lodged after the deadline"),
        ON,
    )),
    Command("appeal admit", "admit_appeal", "Accept or refuse an appeal (受理, 004 §14.1.2).", (
        CLIENT, Param("appeal", help="the appeal id, e.g. AL1"),
        Param("accept", "bool", required=False, default=False, help="accept the appeal"),
        Param("refuse", "bool", required=False, default=False, help="refuse the appeal (a reason is required)"),
        Param("reason", required=False, default="", help="the reason (required when refusing)"),
        Param("decider", multiple=True, required=False,
              help="a person deciding the admission; repeat for each (none involved in the decision appealed); required to refuse (004 §14.1.3 (6))"),
        ON,
    )),
    Command("appeal hear", "hear_appeal", "Record the appeal hearing (004 §14.1.3 (2)).", (
        CLIENT, Param("appeal", help="the appeal id"),
        Param("hearing-on", "date", help="the date of the hearing"),
        Param("notice-on", "date", help="the date the appellant was notified"),
        Param("panel", multiple=True, help="a person on the panel; repeat for each (none involved in the decision appealed)"),
        ON,
    )),
    Command("appeal decide", "decide_appeal", "Record the appeal's decision and written result (001 §11, 004 §14.1.3).", (
        CLIENT, Param("appeal", help="the appeal id"),
        Param("outcome", choices=tuple(APPEAL_OUTCOMES), help=one_of(APPEAL_OUTCOMES)),
        Param("result", help="the written result sent to the appellant"),
        Param("decider", multiple=True, help="a person deciding; repeat for each (none involved in the decision appealed)"),
        ON,
    )),
    # --- reporting (issue 9) ---
    Command("certificate report-act", "report_act", "Record that a suspension, restoration, withdrawal, cancellation or scope reduction "
            "was reported to the CNCA (报送认监委, 001 §7.4; due within 5 working days).", (
        CLIENT,
        Param("kind", choices=("suspension", "restoration", "withdrawal", "cancellation", "scope-reduction"),
              help="the act reported: suspension, restoration, withdrawal, cancellation or scope-reduction"),
        Param("id", required=False, default="", help="the act's id: SU1 (suspension or its restoration), W1, SC1, or the certificate number "
              "for a cancellation (default: the latest of that kind)"),
        Param("reference", help="the CNCA submission's reference"),
        ON,
    )),
    Command("certificate publish", "publish_act", "Record that a suspension or withdrawal was published on the body's website (网站公布, 001 §7.4).", (
        CLIENT,
        Param("kind", choices=("suspension", "withdrawal"), help="suspension or withdrawal"),
        Param("id", required=False, default="", help="the act's id, SU1 or W1 (default: the latest of that kind)"),
        Param("where", help="the page or address where it was published"),
        ON,
    )),
    Command("certificate recall", "recall_withdrawn", "Record that the withdrawn certificate was recalled, or, where it could not be, "
            "the public statement of the withdrawal (收回证书/公开声明, 001 §7.3.2).", (
        CLIENT,
        Param("statement", required=False, default="", help="where the withdrawal was published or declared, when the certificate could not be recalled"),
        Param("reason", required=False, default="", help="why the certificate could not be recalled (required with --statement)"),
        ON,
    )),
    Command("certificate cause", "verify_cause", "Record the day a cause of suspension or withdrawal was investigated and verified "
            "(调查核实, 001 §7.2.1 / §7.3.1): the act is due within 5 working days of it.", (
        CLIENT,
        Param("kind", choices=("suspension", "withdrawal"), help="suspension or withdrawal"),
        Param("reason-code", help="the rulebook's reason code, e.g. 7.2.1c (001) or 8.1e (004)"),
        Param("facts", help="the facts verified"),
        Param("verified-on", "date", required=False, help="the day the cause was verified (default: the business date)"),
        ON,
    )),
    # --- changes (issue 9) ---
    Command("change record", "record_change", "Change the client's master data by event (主数据变更, 004 §15, 001 §4.2.2 c): give only "
            "the fields that change; --on is the day the change took effect, so show --as-of and the register as of any date "
            "give the values in force then.", (
        CLIENT,
        Param("name", required=False, default="", help="the new registered name"),
        Param("address", required=False, default="", help="the new registered address"),
        Param("legal-representative", required=False, default="", help="the new legal representative (法定代表人)"),
        Param("top-manager", multiple=True, required=False, help="top management (最高管理者) after the change; repeat for each"),
        Param("site", "site", multiple=True, required=False, help="the sites after the change, NAME=ADDRESS; repeat for each"),
        Param("headcount", "int", required=False, help="people within the scope after the change"),
        Param("licence", multiple=True, required=False, help="the licences and qualifications held after the change; repeat for each"),
        Param("business-line", multiple=True, required=False, help="the business lines (经营类别) in scope after the change; repeat for each"),
        Param("change", required=False, default="", help="the notified change it records, e.g. N1"),
        Param("description", required=False, default="", help="what changed, as it should stand in the record"),
        Param("on", "date", required=False, help="the day the change took effect, YYYY-MM-DD (default: today, Asia/Shanghai)"),
    )),
    Command("application lines", "declare_business_lines", "Declare the business lines (经营类别) an application covers; "
            "each is scored separately (004 §4.18.2).", (
        CLIENT, Param("application", help="the application id, e.g. AP1"),
        Param("line", multiple=True, help="a business line; repeat for each"), ON,
    )),
    Command("change assess", "assess_change", "Assess a notified change (变更评审, 001 §4.2.3; 004 §6.9 b, §9.3 2)): who, when, "
            "the outcome(s); reissue makes the certificate's next version (换证) from the master data in force.", (
        CLIENT, Param("change", help="the notified change, e.g. N1"),
        Param("outcome", multiple=True, choices=tuple(CHANGE_OUTCOMES), help="the outcome; repeat for several: " + one_of(CHANGE_OUTCOMES)),
        Param("conclusion", help="the assessment's conclusion, as it should stand in the record"),
        Param("assessor", required=False, default="", help="who assessed it (default: the actor)"),
        Param("audit", required=False, default="", help="the unscheduled surveillance already planned for it, e.g. A3"),
        Param("scope-change", required=False, default="", help="the scope change already recorded for it, e.g. SC1"),
        ON,
    )),
    Command("change link", "link_change", "Link an assessed change to the unscheduled surveillance or scope change that followed it (004 §6.9 b).", (
        CLIENT, Param("change", help="the notified change, e.g. N1"),
        Param("audit", required=False, default="", help="the unscheduled surveillance, e.g. A3"),
        Param("scope-change", required=False, default="", help="the scope change, e.g. SC1"),
        ON,
    )),
    Command("change suspend", "suspend_for_change", "Suspend the certificate citing a notified change: one notified late "
            "(004 §15, 001 §4.2.2 c; reason 7.2.1b / 8.1c by default) or one assessed with the outcome suspension.", (
        CLIENT, Param("change", help="the notified change, e.g. N1"), REASON,
        Param("reason-code", required=False, default="", help="the rulebook's reason code (default for a late notification: the procedure's)"),
        Param("start", "date", required=False, help="first day of the suspension (default: the business date)"),
        Param("months", "int", required=False, help="length in months (at most 6, 001 §7.2.2; default 6)"),
        ON,
    )),
    # --- complaints and appeals (issue 9) ---
    Command("complaint admit", "admit_complaint", "Accept or refuse a complaint and record its notice (受理通知, 004 §14.2.2: "
            "within a week), decided by people not involved in what it concerns (004 §14.2.3.4).", (
        CLIENT, Param("complaint", help="the complaint id, e.g. C1"),
        Param("accept", "bool", required=False, default=False, help="accept the complaint"),
        Param("refuse", "bool", required=False, default=False, help="refuse the complaint (a reason is required)"),
        Param("decider", multiple=True, help="a person deciding; repeat for each (none on the teams of the audits, nor among the "
              "deciders of the decisions, it concerns)"),
        Param("concerns", multiple=True, required=False, help="an audit or decision the complaint concerns, e.g. A2 or D1; repeat for each"),
        Param("about-client", "bool", required=False, default=False, help="the complaint is against the client (its products, "
              "its use of the certificate): a certified client is then told of it (004 §14.2.3.3)"),
        Param("notice-on", "date", required=False, help="the date the notice was sent to the complainant (default: the business date)"),
        Param("reason", required=False, default="", help="the reason (required when refusing)"),
        ON,
    )),
    Command("complaint inform-client", "inform_client_of_complaint", "Record that the certified client was told of an accepted "
            "complaint against it (004 §14.2.3.3).", (
        CLIENT, Param("complaint", help="the complaint id, e.g. C1"), Param("how", help="how and what the client was told"), ON,
    )),
    Command("audit link-cause", "link_unscheduled", "Link an unscheduled surveillance to its cause: a complaint (004 §6.9 a) or a "
            "regulator's action or media exposure (c); a notified change (b) is linked with change link.", (
        CLIENT, Param("audit", help="the unscheduled surveillance audit, e.g. A3 (audit plan --kind unscheduled)"),
        Param("complaint", required=False, default="", help="the complaint that caused it, e.g. C1"),
        Param("regulator", required=False, default="", help="the regulator's action or media exposure, as it should stand in the record"),
        Param("regulator-on", "date", required=False, help="the date the body learned of the regulator's action (with --regulator)"),
        ON,
    )),
    Command("appeal extend", "extend_appeal", "Extend the decision limit of an accepted appeal (004 §14.1.3 (4): 3 months of "
            "acceptance; the appellant told at least 10 days before it).", (
        CLIENT, Param("appeal", help="the appeal id, e.g. AL1"),
        Param("until", "date", help="the new decision limit (at most 3 months beyond the old one)"),
        Param("approved-by", help="the responsible manager who approved the extension"),
        Param("notice-on", "date", required=False, help="the date the appellant was told (default: the business date)"),
        REASON, ON,
    )),
    Command("audit cancel", "cancel_audit", "Cancel a planned audit that will not be completed (its certificate withdrawn, "
            "its application withdrawn...), with the reason: it is no longer open or due; what was recorded stays.", (
        CLIENT, Param("audit", help="the planned audit, e.g. A3"), REASON, ON,
    )),
    Command("audit objection", "object_to_team", "Record the applicant's objection to the composition of a planned audit's team "
            "(对评审组组成的异议, 004 §5.2.1): the audit does not proceed until it is answered.", (
        CLIENT, Param("audit", help="the planned audit, e.g. A2"),
        Param("member", multiple=True, required=False, help="a team member objected to; repeat for each (none: the team as a whole)"),
        Param("reason", help="the applicant's reason, as it should stand in the record"), ON,
    )),
    Command("audit objection-answer", "answer_objection", "Record the body's answer to the applicant's objection to an audit's team "
            "(004 §5.2.1): dismissed, the audit proceeds; upheld, it is cancelled and planned again without the members objected to.", (
        CLIENT, Param("audit", help="the audit objected to, e.g. A2"),
        Param("upheld", "bool", required=False, default=False, help="the objection is upheld (异议成立)"),
        Param("dismissed", "bool", required=False, default=False, help="the objection is dismissed (异议不成立)"),
        REASON, ON,
    )),
    Command("appeal effect", "give_appeal_effect", "Give an upheld appeal against a refusal, suspension, withdrawal or scope "
            "reduction its effect (004 §14.1.3 (4)): the application accepted, the suspension annulled, the certificate "
            "reinstated, the scope restored; the act appealed stays in the record, marked reversed.", (
        CLIENT, Param("appeal", help="the upheld appeal, e.g. AL2"),
        Param("reason", help="what the appeal's effect is, e.g. the ruling's reference"),
        Param("site", "site", multiple=True, required=False, help="a scope reduction: the sites restored, NAME=ADDRESS (default: unchanged)"),
        ON,
    )),
    Command("appeal redecide", "supersede_decision", "Give an upheld appeal its effect: a new certification decision, computed from "
            "the audit's standing scores, that supersedes the decision appealed (kept in the record).", (
        CLIENT, Param("appeal", help="the upheld appeal, e.g. AL1"),
        Param("decider", help="the person deciding: not involved in the decision appealed, not on the audit team"),
        REASON,
        Param("refuse", "bool", required=False, default=False, help="refuse certification although the score reaches a grade (001 §4.6.5)"),
        ON,
    )),
)

# --- annotations (issue 9) ---
# Every write command takes a note and any number of evidence references (ledger/acts.py records
# them with the act, aggregates/annotations.py); a command with its own parameter of that name keeps it.
NOTE = Param("note", required=False, default="", help="a note on this record: why, as it should stand in the record")
EVIDENCE = Param("evidence", multiple=True, required=False, help="a reference to evidence (document, photo, file number); repeat for each")
# --- people (issue 15): the register of people's commands take a person, not a client (ledger/commands_people.py)
COMMANDS += tuple(Command(n, m, h, tuple(Param(**p) for p in ps)) for n, m, h, ps in PEOPLE_COMMANDS)
# --- the body's own acts (issue 17): no client (ledger/commands_body.py)
COMMANDS += tuple(Command(n, m, h, tuple(Param(**p) for p in ps)) for n, m, h, ps in BODY_COMMANDS)
# --- personal signatures (issue 15, item 4): keys, the signing policy, and --sign-key on the signed acts (ledger/commands_signing.py)
COMMANDS += tuple(Command(n, m, h, tuple(Param(**p) for p in ps)) for n, m, h, ps in SIGNING_COMMANDS)
COMMANDS = tuple(replace(c, params=c.params + (Param(**SIGN_KEY),)) if c.name in SIGNED_ACTS else c for c in COMMANDS)
COMMANDS = tuple(replace(c, params=c.params + tuple(p for p in (NOTE, EVIDENCE) if p.key not in c.by_key)) for c in COMMANDS)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


def find(name: str) -> Command:
    command = BY_NAME.get(name) if isinstance(name, str) else None  # the usual case: the name as written
    if command is not None:
        return command
    try:
        return BY_NAME[" ".join(str(name).split())]
    except KeyError:
        raise RuleViolation(
            "ledger: input format",
            f"未知命令“{name}”；可用命令：{', '.join(BY_NAME)}。",
            f"Unknown command '{name}'; known commands: {', '.join(BY_NAME)}.",
        ) from None
