"""The words of the records in the reader's language: each closed vocabulary of the lifecycle
(``aggregates.vocabulary``) by a name, for whoever renders records (the command line, reports).

    word("stage", "valid", "en")          # "certificate active"
    word("certificate_status", "valid")   # "有效"
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aggregates import vocabulary as v
from ledger.plan_words import COMBINED_AUDITS, steps_words

VOCABULARIES: dict[str, dict[str, tuple[str, str]]] = {
    "stage": v.STAGES,
    "certificate_status": v.CERTIFICATE_STATUSES,
    "audit_kind": v.AUDIT_KINDS,
    "application_kind": v.APPLICATION_KINDS,
    "change_kind": v.CHANGE_KINDS,
    "nc_severity": v.NC_SEVERITIES,
    "nc_status": v.NC_STATUSES,
    "scope_change_kind": v.SCOPE_CHANGE_KINDS,
    "appeal_outcome": v.APPEAL_OUTCOMES,
}


def word(vocabulary: str, key: str | None, lang: str = "zh") -> str:
    """``key``'s word in ``lang`` (zh or en); a key the vocabulary does not know is shown as it is."""
    return v.word(VOCABULARIES[vocabulary], key or "", lang) if key is not None else ""


def age_words(age: timedelta, lang: str = "zh") -> str:
    """A ``timedelta`` as minutes, hours or days, in the output's language."""
    hours = max(0.0, age.total_seconds() / 3600)
    if hours < 1:
        return f"{hours * 60:.0f} 分钟" if lang == "zh" else f"{hours * 60:.0f} minutes"
    if hours < 48:
        return f"{hours:.1f} 小时" if lang == "zh" else f"{hours:.1f} hours"
    return f"{hours / 24:.1f} 天" if lang == "zh" else f"{hours / 24:.1f} days"


# --- vocabulary a user reads (issue 9, item 8) -------------------------------------------------
# Every event class of ``Client`` (aggregates/client.py and the area modules) by its words: what
# history, the bundle's report and any other listing show instead of the class name. A new event
# adds its line here (tests/integration/test_vocabulary.py fails for an event without words).
EVENTS: dict[str, tuple[str, str]] = {
    "Registered": ("组织登记", "client registered"),
    "ApplicationSubmitted": ("提交认证申请", "application submitted"),
    "ApplicationReviewed": ("申请评审", "application reviewed"),
    "RefusalNotified": ("书面通知不予受理", "refusal notified in writing"),
    "ContractSigned": ("签订认证合同", "contract signed"),
    "TransferRequested": ("申请认证转换", "transfer requested"),
    "AuditPlanned": ("审核策划", "audit planned"),
    "AuditCompleted": ("审核完成", "audit completed"),
    "AuditReopened": ("审核重新打开", "audit reopened"),
    "ScoreEntered": ("录入评分", "score entered"),
    "ScoreCorrected": ("更正评分", "score corrected"),
    "ItemExcluded": ("删减指标", "item excluded"),
    "NonconformityRaised": ("开具不符合项", "nonconformity raised"),
    "CorrectionSubmitted": ("提交纠正和纠正措施", "correction submitted"),
    "NonconformityClosed": ("不符合项验证关闭", "nonconformity verified and closed"),
    "CertificationDecided": ("认证决定", "certification decided"),
    "CertificateIssued": ("颁发证书", "certificate issued"),
    "ReportedToRegulator": ("报送认监委", "reported to the CNCA"),
    "CertificateSuspended": ("暂停证书", "certificate suspended"),
    "CertificateRestored": ("恢复证书", "certificate restored"),
    "CertificateWithdrawn": ("撤销证书", "certificate withdrawn"),
    "CertificateCancelled": ("注销证书", "certificate cancelled"),
    "CertificateExpired": ("证书过期", "certificate expired"),
    "ScopeChanged": ("变更认证范围", "scope changed"),
    "ChangeNotified": ("信息通报", "change notified"),
    "ComplaintReceived": ("收到投诉", "complaint received"),
    "ComplaintResolved": ("投诉处理结果", "complaint resolved"),
    "AppealLodged": ("提出申诉", "appeal lodged"),
    "AppealAdmitted": ("申诉受理决定", "appeal admission decided"),
    "AppealHeard": ("申诉听证", "appeal heard"),
    "AppealDecided": ("申诉裁定", "appeal decided"),
    # the areas' events (aggregates/changes.py, cases.py, reporting.py, annotations.py)
    "MasterDataChanged": ("组织基本信息变更", "master data changed"),
    "BusinessLinesDeclared": ("申报业务范围", "business lines declared"),
    "ChangeAssessed": ("信息通报评价", "notified change assessed"),
    "CertificateReissued": ("换发证书", "certificate reissued"),
    "ChangeFollowedUp": ("信息通报后续措施", "notified change followed up"),
    "ComplaintAdmitted": ("投诉受理决定", "complaint admission decided"),
    "ComplaintClientInformed": ("通知获证组织投诉事项", "certified client told of the complaint"),
    "UnscheduledAuditLinked": ("非例行监督关联原因", "unscheduled audit linked to its cause"),
    "AppealExtended": ("延长申诉处理期限", "appeal time limit extended"),
    "DecisionSuperseded": ("依申诉结果重新作出认证决定", "decision superseded on appeal"),
    "AppealEffectGiven": ("落实成立的申诉", "upheld appeal given its effect"),
    "AuditCancelled": ("取消审核", "audit cancelled"),
    "TeamObjected": ("申请人对审核组组成提出异议", "applicant objected to the audit team"),  # 004 §5.2.1 (aggregates/objections.py)
    "TeamObjectionAnswered": ("答复审核组组成异议", "objection to the audit team answered"),
    # --- reporting (issue 9) ---
    "ActReportedToRegulator": ("暂停、撤销等报送认监委", "act reported to the CNCA"),
    "PublishedOnWebsite": ("网站公布", "published on the website"),
    "WithdrawnCertificateRecalled": ("收回撤销的证书或公开声明", "withdrawn certificate recalled or withdrawal declared"),
    "CauseVerified": ("暂停或撤销原因调查核实", "cause of suspension or withdrawal verified"),
}

# The fields of events by their words (a field no table names is shown by its key).
FIELDS: dict[str, tuple[str, str]] = {
    "uscc": ("统一社会信用代码", "USCC"), "name": ("名称", "name"), "address": ("地址", "address"),
    "application_id": ("申请", "application"), "scheme_id": ("认证方案", "scheme"), "scheme_version": ("方案版本", "scheme version"),
    "scope": ("认证范围", "scope"), "old_scope": ("原认证范围", "former scope"), "sites": ("场所", "sites"),
    "headcount": ("人数", "headcount"), "kind": ("类型", "kind"), "evidence": ("收到的文件", "documents received"),
    "accepted": ("受理", "accepted"), "reason": ("理由", "reason"), "contract_no": ("合同编号", "contract number"),
    "transfer_id": ("转换请求", "transfer request"), "from_body": ("原发证机构", "issuing body"),
    "certificate_no": ("证书编号", "certificate number"), "certificate_status": ("证书状态", "certificate status"),
    "audit_id": ("审核", "audit"), "team": ("审核组", "team"), "leader": ("审核组长", "team leader"),
    "man_days": ("审核人日", "man-days"), "start_on": ("开始日期", "starts"), "calculation": ("人日计算", "man-day calculation"),
    "conclusion": ("审核结论", "conclusion"), "entry_id": ("评分记录", "score entry"), "corrects": ("更正的评分记录", "corrects"),
    "item": ("指标", "item"), "facet": ("测评对象/业务范围", "respondent/business line"), "value": ("评分", "score"),
    "nc_id": ("不符合项", "nonconformity"), "severity": ("严重程度", "severity"), "clause": ("条款", "clause"),
    "description": ("描述", "description"), "correction": ("纠正", "correction"),
    "corrective_action": ("纠正措施", "corrective action"), "verification": ("验证情况", "verification"),
    "decision_id": ("认证决定", "decision"), "decider": ("决定人", "decider"), "deciders": ("决定人", "deciders"),
    "score": ("得分", "score"), "max_score": ("满分", "maximum"), "percent": ("得分率", "percentage"),
    "grade": ("等级", "grade"), "granted": ("通过认证", "granted"), "evaluation": ("评分明细", "evaluation"),
    "number": ("证书编号", "certificate"), "standard": ("标准", "standard"), "valid_from": ("有效期起", "valid from"),
    "valid_until": ("有效期至", "valid until"), "original_issue_on": ("初次获证日期", "first issued"),
    "replaces": ("换发的证书", "replaces"), "reference": ("报送编号", "reference"),
    "suspension_id": ("暂停", "suspension"), "reason_code": ("原因条款", "reason code"), "start": ("开始日期", "from"),
    "until": ("截止日期", "until"), "withdrawal_id": ("撤销", "withdrawal"), "change_id": ("变更", "change"),
    "changed_on": ("变更日期", "changed on"), "complaint_id": ("投诉", "complaint"), "complainant": ("投诉人", "complainant"),
    "subject": ("事由", "subject"), "result": ("处理结果", "result"), "appeal_id": ("申诉", "appeal"),
    "against": ("申诉针对", "against"), "grounds": ("申诉理由", "grounds"), "late_override": ("逾期受理理由", "late admission reason"),
    "hearing_on": ("听证日期", "hearing date"), "notice_given_on": ("通知日期", "notified on"), "panel": ("听证人员", "panel"),
    "outcome": ("裁定结果", "outcome"),
    "objection_id": ("审核组异议", "objection"), "members": ("异议针对的成员", "members objected to"),  # 004 §5.2.1
    "barred": ("不得进入重新策划的审核组", "barred from the audit planned again"),  # 004 §5.2.1 (trial 12, item 7)
    # --- reporting (issue 9) ---
    "act": ("事项", "act"), "act_id": ("事项编号", "act's id"), "key": ("事项", "act"), "where": ("公布位置", "published at"),
    "statement": ("公开声明", "public statement"), "cause_id": ("原因编号", "cause"),
    "verified_on": ("核实日期", "verified on"), "facts": ("核实的事实", "facts verified"),
    # the areas' event fields
    "lines": ("业务范围", "business lines"),
    "previous": ("原值", "previous values"),
    "values": ("新值", "new values"),
    "record_id": ("记录", "record"),
    "assessor": ("评价人", "assessor"),
    "outcomes": ("评价结果", "outcomes"),
    "contents": ("证书内容", "contents"),
    "superseded": ("被取代的版本", "superseded"),
    "about_client": ("涉及获证组织", "about the client"),
    "client_certified": ("组织已获证", "client certified"),
    "concerns": ("投诉涉及", "concerns"),
    "notice_on": ("通知日期", "notice on"),
    "how": ("通知方式", "how"),
    "since": ("起算日期", "counted from"),
    "approved_by": ("批准人", "approved by"),
    "limit": ("期限", "time limit"),
    "supersedes": ("取代的认证决定", "supersedes"),
    "holders": ("变更所在的记录", "changed on"),
    # what a write's echo names beside the event fields (ledger/echo.py)
    "id": ("编号", "id"), "decision": ("认证决定", "decision"), "scheme": ("认证方案", "scheme"),
    "calculated_man_days": ("计算人日", "computed man-days"), "steps": ("计算过程", "calculation"),
    "points": ("得分", "points earned"), "item_points": ("分值", "item points"), "met": ("满足", "met"),
    "on": ("日期", "date"), "notified_on": ("通报日期", "notified on"), "received_on": ("收到日期", "received on"),
    "lodged_on": ("提出日期", "lodged on"), "issued_on": ("颁发日期", "issued on"), "planned_on": ("策划日期", "planned on"),
    "raised_on": ("提出日期", "raised on"),
}

# The labels of a field whose name means something else in one event than ``FIELDS`` says (a
# generic name: status, role, evidence, ref, conclusion), by (event, field); ``field_word`` reads
# them first (tests/unit/test_field_words.py holds each to a field its event has).
EVENT_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("AppealEffectGiven", "status"): ("证书状态", "certificate status"),
    ("ActSigned", "role"): ("签名人身份", "signer's role"),  # FIELDS: a member's role on an audit team
    ("ActAnnotated", "evidence"): ("证据", "evidence"),  # FIELDS: the documents received with an application
    ("ChangeFollowedUp", "ref"): ("后续措施编号", "follow-up"),  # FIELDS: the act a note is attached to
    ("ChangeAssessed", "conclusion"): ("评审意见", "conclusion of the assessment"),  # FIELDS: an audit's conclusion
}

# Which vocabulary a coded field's value comes from: by (event, field), else by field.
FIELD_VOCABULARIES: dict[tuple[str, str], str] = {
    ("ApplicationSubmitted", "kind"): "application_kind", ("AuditPlanned", "kind"): "audit_kind",
    ("ChangeNotified", "kind"): "change_kind", ("ScopeChanged", "kind"): "scope_change_kind",
    ("", "severity"): "nc_severity", ("", "outcome"): "appeal_outcome", ("", "certificate_status"): "transfer_certificate_status",
}
VOCABULARIES["transfer_certificate_status"] = v.TRANSFER_CERTIFICATE_STATUSES
VOCABULARIES["objection_answer"] = v.OBJECTION_ANSWERS  # 004 §5.2.1 (aggregates/objections.py)
FIELD_VOCABULARIES[("TeamObjectionAnswered", "outcome")] = "objection_answer"
VOCABULARIES["appeal_status"] = v.APPEAL_STATUSES
VOCABULARIES["combined_audit"] = COMBINED_AUDITS

# Score value keys (the scoring rules' value shapes, ledger/rules/scoring/rules.py).
SCORE_KEYS: dict[str, tuple[str, str]] = {
    "percent": ("评分比例", "percentage"), "points": ("评分", "points"), "met": ("满足", "met"),
    "level": ("成熟度", "maturity level"), "likert": ("评价档次", "rating"), "alpha": ("α", "alpha"),
    "conforms": ("符合", "conforms"), "samples": ("抽样数", "samples"), "nonconforming": ("不合格数", "nonconforming"),
    "count": ("数量", "count"), "awards": ("获奖", "awards"), "counts": ("次数", "counts"),
    "value": ("数值", "value"), "occurrences": ("发生日期", "occurrences"),
}

# The scoring rules by their words (``explain`` names the rule each item follows).
RULES: dict[str, tuple[str, str]] = {
    "banded-percent": ("按评分比例", "by percentage"), "percent-or-deduction": ("按比例或扣分", "percentage or deduction"),
    "likert-alpha": ("满意度测评（α 系数）", "satisfaction rating (alpha)"), "maturity-level": ("成熟度等级", "maturity level"),
    "check": ("符合性确认", "conformity check"), "base-plus-increment": ("基础分加增量", "base plus increment"),
    "highest-of": ("取最高项", "highest of"), "cumulative-capped": ("累计封顶", "cumulative, capped"),
    "points-range": ("区间给分", "points within a range"),
}


# labels of a write's echo that is no event (cli/writes.py ECHO_EVENTS), by (pseudo-event, key)
ECHO_FIELDS: dict[tuple[str, str], tuple[str, str]] = {}


def yes_no(value: Any, lang: str = "zh") -> str:
    """A boolean as 是/否 (yes/no)."""
    return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")


def event_word(name: str, lang: str = "zh") -> str:
    """An event class's words; an event without words is shown by its class name."""
    return v.word(EVENTS, name, lang)


def field_word(key: str, lang: str = "zh", event: str = "") -> str:
    """A field's label: its event's own (``EVENT_FIELDS``) where the name means something else
    there, else the one of ``FIELDS``; a field without words is shown by its key."""
    pair = EVENT_FIELDS.get((event, key)) or ECHO_FIELDS.get((event, key)) or FIELDS.get(key)
    return key if pair is None else (pair[1] if lang == "en" else pair[0])


def _key_word(key: Any, lang: str) -> str:
    """A key inside a value (a master-data field, a field name) by its words when it has them."""
    if isinstance(key, str):
        for table in (v.MASTER_DATA_FIELDS, FIELDS):
            if key in table:
                return v.word(table, key, lang)
    return _plain(key, lang)


def _plain(x: Any, lang: str) -> str:
    if isinstance(x, bool):
        return yes_no(x, lang)
    if x is None:
        return "—"
    if isinstance(x, (list, tuple, dict)) and not x:
        return "none" if lang == "en" else "无"
    if isinstance(x, (list, tuple)):
        return ("、" if lang != "en" else ", ").join(_plain(y, lang) for y in x)
    if isinstance(x, dict):
        if set(x) <= {"name", "address"} and "name" in x:
            return f"{x['name']}（{x.get('address', '')}）" if lang != "en" else f"{x['name']} ({x.get('address', '')})"
        return ("，" if lang != "en" else ", ").join(f"{_key_word(k, lang)}: {_plain(y, lang) if y != '' else '—'}" for k, y in x.items())
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return str(x)


def score_value_words(value: Any, lang: str = "zh") -> str:
    """A score entry's value as words: {"percent": 75} → 评分比例 75%, {"met": true} → 满足."""
    if not isinstance(value, dict):
        return _plain(value, lang)
    en = lang == "en"
    parts = []
    for key, x in value.items():
        if key == "met" or key == "conforms":
            met = {"met": (("满足", "不满足"), ("met", "not met")), "conforms": (("符合", "不符合"), ("conforms", "does not conform"))}[key]
            parts.append(met[1][0 if x else 1] if en else met[0][0 if x else 1])
        elif key == "percent":
            parts.append(f"{v.word(SCORE_KEYS, key, lang)} {_plain(x, lang)}%")
        elif key == "points":
            parts.append(f"{_plain(x, lang)} points" if en else f"评分 {_plain(x, lang)} 分")
        elif key == "level":
            parts.append(f"maturity level {_plain(x, lang)}" if en else f"成熟度 {_plain(x, lang)} 级")
        else:
            parts.append(f"{v.word(SCORE_KEYS, key, lang)} {_plain(x, lang)}")
    return (", " if en else "，").join(parts)


def grade_word(scheme_id: str | None, version: str | None, code: str | None, lang: str = "zh") -> str:
    """A grade as the scheme names it (四星级质量信用服务, not 4STAR); a code the scheme does not
    name is shown as it is; no grade is "—"."""
    if not code:
        return "—"
    from ledger.rules.scoring import grade_names

    names = grade_names(scheme_id, version, code)
    return (names["en"] if lang == "en" else names["zh"]) if names else code


def reason_code_word(scheme_id: str | None, kind: str, code: str | None, lang: str = "zh") -> str:
    """A suspension or withdrawal reason code with the procedure's words: "8.1e（发生严重...）"."""
    if not code:
        return "—"
    from aggregates.errors import RuleViolation
    from ledger.rules.procedures import procedure_for

    try:
        reason = procedure_for(scheme_id).reason(kind, code)
    except RuleViolation:  # a code the procedure does not know: the code as recorded
        return code
    return f"{code} ({reason.en})" if lang == "en" else f"{code}（{reason.zh}）"


def field_value(event: str, key: str, value: Any, fields: dict[str, Any], lang: str = "zh") -> str:
    """One event field's value as words: coded values by their vocabulary, booleans as 是/否,
    score values, grades and reason codes with the scheme's and procedure's words."""
    vocabulary = FIELD_VOCABULARIES.get((event, key)) or FIELD_VOCABULARIES.get(("", key))
    if vocabulary and isinstance(value, str):
        return word(vocabulary, value, lang)
    if vocabulary and isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
        return ("、" if lang != "en" else ", ").join(word(vocabulary, x, lang) for x in value)
    if key == "value" and isinstance(value, dict):
        return score_value_words(value, lang)
    if key == "grade":
        return grade_word(fields.get("scheme_id"), fields.get("scheme_version"), value, lang)
    if key == "reason_code":
        kind = "withdrawal" if event == "CertificateWithdrawn" else "suspension"
        return reason_code_word(fields.get("scheme_id"), kind, value, lang)
    if key == "calculation" and isinstance(value, dict):  # the stored Chinese steps, in English by their phrasing
        steps = steps_words(value.get("steps"), lang)
        days = value.get("calculated_man_days")
        head = ((f"computed {days} man-day" + ("" if str(days) == "1" else "s")) if lang == "en" else f"计算人日 {days}") if days is not None else ""
        return head + ((f" ({steps})" if lang == "en" else f"（{steps}）") if steps else "")
    if key == "steps" and event == "AuditPlanned" and isinstance(value, list):  # a plan's echo, joined as history joins them (a step holds 、)
        return steps_words(value, lang)
    if key == "evaluation" and isinstance(value, dict):
        return "see `explain`" if lang == "en" else "见 explain（逐项得分）"
    if key == "team_ids" and isinstance(value, list) and value:  # issue 15 item 6: 王芳（组长）330106…
        roles = {"leader": ("组长", "leader"), "member": ("组员", "member"), "expert": ("技术专家", "technical expert")}
        return ("、" if lang != "en" else ", ").join(
            f"{t['name']}（{v.word(roles, t['role'], lang)}）{t['document_number']}" if lang != "en"
            else f"{t['name']} ({v.word(roles, t['role'], lang)}) {t['document_number']}" for t in value)
    if key == "percent" and value is not None:
        return f"{value}%"
    return _plain(value, lang)


# --- annotations (issue 9): the note and evidence recorded with an act ---
EVENTS["ActAnnotated"] = ("备注与证据", "note and evidence")
EVENTS["ActSigned"] = ("个人签名", "personal signature")  # issue 15, item 4 (aggregates/signatures.py)
FIELDS.update({"act_versions": ("所签事件", "events signed"), "meaning_zh": ("签名含义", "meaning (zh)"),
               "meaning_en": ("签名含义（英文）", "meaning"), "signer_id": ("签名人编号", "signer id"), "signer_name": ("签名人", "signer"),
               "key_id": ("密钥", "key"), "signed_at": ("签名时间", "signed at"), "signature": ("签名值", "signature value")})
FIELDS.update({"act_version": ("所附记录", "attached to event"), "command": ("命令", "command"), "ref": ("所附编号", "attached to"),
               "note": ("备注", "note")})

# --- changes (issue 9): master data changed by event, notified changes assessed, certificates reissued ---
VOCABULARIES["master_data_field"] = v.MASTER_DATA_FIELDS
VOCABULARIES["change_outcome"] = v.CHANGE_OUTCOMES
EVENTS.update({
    "MasterDataChanged": ("主数据变更", "master data changed"),
    "BusinessLinesDeclared": ("申报经营类别", "business lines declared"),
    "ChangeAssessed": ("信息通报评审", "notified change assessed"),
    "CertificateReissued": ("换发证书（证书内容变更）", "certificate amended and reissued"),
    "ChangeFollowedUp": ("信息通报后续措施", "follow-up of a notified change"),
})
FIELDS.update({
    "record_id": ("主数据变更记录", "master data record"), "values": ("变更后", "new values"), "previous": ("变更前", "former values"),
    "lines": ("经营类别", "business lines"), "business_lines": ("经营类别", "business lines"),
    "legal_representative": ("法定代表人", "legal representative"), "top_management": ("最高管理者", "top management"),
    "licences": ("行政许可和资质证书", "licences"), "assessor": ("评审人", "assessor"), "outcomes": ("评审结论", "outcomes"),
    "contents": ("证书内容", "certificate contents"), "superseded": ("被替换的版本", "superseded version"),
    "version": ("版本", "version"),
})
FIELD_VOCABULARIES[("ChangeFollowedUp", "kind")] = "change_follow_up"
VOCABULARIES["change_follow_up"] = {"audit": ("非例行监督", "unscheduled surveillance"), "scope_change": ("认证范围变更", "scope change"),
                                    "suspension": ("暂停证书", "suspension")}
# an upheld appeal given its effect (complaints and appeals, issue 9)
FIELDS["target"] = ("申诉针对的事项", "act appealed")
FIELDS["status"] = ("状态", "status")
VOCABULARIES["appealable_kind"] = {
    "refusal": ("不予受理申请", "application refused"), "decision": ("认证决定", "certification decision"),
    "suspension": ("暂停证书", "suspension"), "withdrawal": ("撤销证书", "withdrawal"),
    "scope_reduction": ("缩小认证范围", "scope reduction"),
}
FIELD_VOCABULARIES[("AppealEffectGiven", "kind")] = "appealable_kind"
FIELD_VOCABULARIES[("AppealEffectGiven", "status")] = "certificate_status"
# a certificate printed (documents, issue 17)
EVENTS["CertificatePrinted"] = ("打印证书", "certificate printed")
FIELDS.update({"print_id": ("打印记录", "print"), "certificate_version": ("证书版本", "certificate version"),
               "as_of": ("所依据的日期", "as of"), "sha256": ("文件 SHA-256", "file SHA-256"), "file_name": ("文件名", "file name")})
# the acts the CNCA is told of and causes verified (reporting, issue 9): their words, not their codes
VOCABULARIES["reported_act"] = v.REPORTED_ACTS
for _event in ("ActReportedToRegulator", "PublishedOnWebsite"):
    FIELD_VOCABULARIES[(_event, "act")] = "reported_act"
FIELD_VOCABULARIES[("CauseVerified", "kind")] = "reported_act"
FIELDS["appeal"] = ("申诉", "appeal")
FIELDS["certificate"] = ("证书", "certificate")

# --- the audit method and the team's identity numbers of an audit plan (issue 15 item 6) ---
VOCABULARIES["audit_method"] = v.AUDIT_METHODS
FIELD_VOCABULARIES[("", "method")] = "audit_method"
FIELDS.update({"method": ("审核方式", "audit method"), "team_ids": ("审核组证件号码", "team's identity numbers"),
               "role": ("组内身份", "role on the team"), "document_kind": ("证件类型", "document"), "document_number": ("证件号码", "document number")})
FIELDS.update({"codes": ("业务范围代码", "business scope codes"),  # people competence (trial item 15)
               "replaced": ("取代此前记录的代码", "replaces the earlier codes")})
FIELDS["month"] = ("月份", "month")  # the body's report submitted (issue 17)
# what a write's echo and the history read (issue 9, item 8: words, not codes)
FIELDS.update({"change": ("信息通报", "notified change"), "submitted_on": ("提交日期", "submitted on"),
               "joined_on": ("入职日期", "joined on"), "admitted_on": ("受理日期", "accepted on")})
VOCABULARIES["change_outcome"] = v.CHANGE_OUTCOMES
FIELD_VOCABULARIES[("ChangeAssessed", "outcomes")] = "change_outcome"
FIELD_VOCABULARIES[("", "outcomes")] = "change_outcome"
VOCABULARIES["cause_kind"] = v.UNSCHEDULED_CAUSES
FIELD_VOCABULARIES[("UnscheduledAuditLinked", "kind")] = "cause_kind"
VOCABULARIES["person_role"] = v.PERSON_ROLES
FIELD_VOCABULARIES[("ActSigned", "role")] = "person_role"
FIELD_VOCABULARIES[("", "roles")] = "person_role"  # the first person registered: the administrator (D37)
FIELDS["roles"] = ("角色", "roles")


def acceptance_late_words(late: dict[str, Any], lang: str = "zh") -> str:
    """A complaint accepted or refused late (``ledger.rules.deadlines_cases.acceptance_lateness``,
    004 §14.2.2), as ``show`` and ``history`` say it."""
    if lang == "en":
        return f"decided {late['days_late']} days late (due by {late['due']} with its notice, {late['clause']})"
    return f"受理决定逾期 {late['days_late']} 天（应于 {late['due']} 前作出并发出受理通知，{late['clause']}）"


def result_words(result: Any, lang: str = "zh") -> str:
    """A write's plain result as words (a list joined); a result with parts is a dict, worded field
    by field by the echo (cli/writes.py ``render_result``)."""
    return _plain(list(result) if isinstance(result, tuple) else result, lang)

# The ledger's own rules (those no rulebook clause names), as a Chinese reader sees them in a refusal;
# the rule's code stays beside the words so that a report to the developers can name it.
LEDGER_RULES: dict[str, str] = {
    "a change changes something": "变更须有实际变化", "audit trail append-only": "审计记录只可追加",
    "audit trail checkpoint": "审计记录检查点", "audit trail snapshot": "审计记录快照",
    "business dates in order": "业务日期先后有序", "certificate status": "证书状态", "checkpoint signing key": "检查点签名密钥",
    "concurrent writes": "并发写入", "configuration": "配置", "correct the current entry": "只更正当前有效的记录",
    "corrections carry a reason": "更正须说明理由", "database busy": "数据库繁忙", "database": "数据库",
    "decided scores stand": "决定后的评分不再更改", "every item scored or excluded": "每个指标已评分或删减",
    "every prerequisite checked": "每个前提条件已核查", "every record names its actor": "每条记录须注明操作人",
    "input file": "输入文件", "input format": "输入格式", "known read models": "已知的读模型",
    "no future dates for things that happened": "已发生的事项不记在将来", "no score on a closed audit": "已关闭的审核不再评分",
    "no such client then": "该时点尚无此组织", "nothing to explain": "没有可解释的等级", "one application at a time": "同一时间只有一份申请",
    "one certificate per decision": "一项决定只发一张证书", "one decision per audit": "一次审核只作一项认证决定",
    "one follow-up of each kind": "每类后续措施只关联一次", "one score per item": "每个指标只评一次分", "output file": "输出文件",
    "procedure file": "程序文件", "read model out of date": "读模型未更新", "read models": "读模型",
    "read-only database": "只读数据库", "read-only standby": "只读热备库", "reference exists": "引用的记录须存在",
    "register of people": "人员名册", "vocabulary": "词汇表", "a database login writes as its own person": "数据库登录只能以本人名义写入",
}
LEDGER_RULES["every writer is a registered person"] = "每项写入须由已登记的人员作出"  # ledger/people_actor.py (D37)


def rule_words(rule: str, lang: str = "zh") -> str:
    """A refusal's rule as its reader sees it: a rulebook clause as it is; a rule of the ledger's own
    ("ledger: one score per item") in Chinese words with its code, or as it is in English."""
    if lang == "en" or not rule.startswith("ledger: "):
        return rule
    code = rule.removeprefix("ledger: ")
    words = LEDGER_RULES.get(code)
    return f"本系统规则：{words}（{rule}）" if words else rule


# --- the people, keys and signing commands in words (issue 15, trial item 12) ---
VOCABULARIES["signed_act"] = {  # the acts a personal signature can carry (ledger/commands_signing.py SIGNED_ACTS)
    "decide": ("认证决定", "certification decision"), "appeal redecide": ("申诉成立后的新认证决定", "new decision on an upheld appeal"),
    "certificate issue": ("颁发证书", "certificate issue"), "certificate suspend": ("暂停证书", "suspension"),
    "certificate restore": ("恢复证书", "restoration"), "certificate withdraw": ("撤销证书", "withdrawal"),
    "appeal decide": ("申诉裁定", "appeal decision"), "complaint admit": ("投诉受理决定", "complaint admission"),
    "complaint resolve": ("投诉处理结果", "complaint result"), "audit complete": ("审核组长提交审核结论", "lead auditor's submission of the audit"),
}
# the register's events (aggregates/people.py, person_keys.py), as verify names an event of a person's stream (trial 12)
PERSON_EVENTS: dict[str, tuple[str, str]] = {
    "Registered": ("人员登记", "person registered"), "RolesGranted": ("授予角色", "roles granted"),
    "RolesWithdrawn": ("撤回角色", "roles withdrawn"), "CcaaRegistrationRecorded": ("记录 CCAA 注册", "CCAA registration recorded"),
    "TrainingRecorded": ("记录培训", "training recorded"), "CompetenceRecorded": ("记录专业能力", "competence recorded"),
    "Left": ("离开本机构", "left the body"), "InterestDeclared": ("利益声明", "interest declared"),
    "LoginMapped": ("映射数据库登录", "database login mapped"), "LoginUnmapped": ("解除数据库登录映射", "database login unmapped"),
    "ActAnnotated": ("备注与证据", "note and evidence"), "KeyAdded": ("登记签名公钥", "signing key added"),
    "KeyRevoked": ("吊销签名密钥", "signing key revoked"), "SigningPolicySet": ("设定签名要求", "signing policy set"),
}
# ``certledger sign``'s echo (cli/writes.py ECHO_EVENTS["sign"]; ledger/signing_cosign.py's result), in words (trial 12)
ECHO_FIELDS.update({("CoSigned", "act"): ("所会签的行为", "act co-signed"), ("CoSigned", "version"): ("事件版本", "event version"),
                     ("CoSigned", "signer"): ("会签人", "co-signer"), ("CoSigned", "key"): ("密钥编号", "key id"),
                     ("CoSigned", "missing"): ("尚待会签", "still to co-sign")})
FIELD_VOCABULARIES[("CoSigned", "act")] = "signed_act"
VOCABULARIES["key_invalid"] = {  # why a key was not valid on a day (aggregates/person_keys.key_valid_on), for verify (trial 12)
    "not-yet": ("尚未生效", "not yet valid"), "superseded": ("已被之后登记的新密钥取代", "superseded by a key registered after it"),
    "revoked": ("已吊销", "revoked"), "unknown": ("未登记", "not registered"), "no date": ("行为没有业务日期", "the act has no business date"),
}
FIELD_VOCABULARIES[("", "acts")] = "signed_act"
FIELD_VOCABULARIES[("ActSigned", "command")] = "signed_act"
EVENT_FIELDS[("ActSigned", "command")] = ("所签行为", "act signed")  # its words, not a command line
FIELD_VOCABULARIES[("", "roles")] = "person_role"
FIELDS.update({"revoked_on": ("吊销日期", "revoked from"), "required_from": ("自此日起须签名", "signing required from"),
               "acts": ("须签名的行为", "acts to be signed"), "roles": ("角色", "roles"), "required": ("要求个人签名", "signatures required")})
# a write whose plain result is a list of codes (cli/writes.py ``render_result``): their vocabulary
RESULT_VOCABULARIES: dict[str, str] = {"people grant": "person_role", "people withdraw-role": "person_role"}


def command_result_words(command: str, result: Any, lang: str = "zh") -> str:
    """A write's plain result as words, its codes by the command's vocabulary (roles granted: 审核员、认证决定人员)."""
    vocabulary = RESULT_VOCABULARIES.get(command)
    if vocabulary and isinstance(result, (list, tuple)) and all(isinstance(x, str) for x in result):
        return ("、" if lang != "en" else ", ").join(word(vocabulary, x, lang) for x in result)
    return result_words(result, lang)
