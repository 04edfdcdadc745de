"""Closed vocabularies of the certification lifecycle, with their Chinese and English words.

Only words the client's own history needs live here; rulebook-specific codes (suspension and
withdrawal reasons, scheme items) live in ledger/, which knows the rulebooks.
"""

from __future__ import annotations

from typing import Iterable, Mapping

AUDIT_KINDS: dict[str, tuple[str, str]] = {
    "stage1": ("初次认证第一阶段", "initial audit, stage 1"),
    "stage2": ("初次认证第二阶段", "initial audit, stage 2"),
    "surveillance": ("监督审核", "surveillance audit"),
    "unscheduled": ("非例行监督", "unscheduled surveillance"),
    "recertification": ("再认证审核", "recertification audit"),
    "transfer": ("转换审核", "transfer audit"),
}
# Audits whose scores can carry a certification decision (stage 1 is a document review).
DECIDABLE_AUDIT_KINDS = ("stage2", "surveillance", "unscheduled", "recertification", "transfer")

APPLICATION_KINDS: dict[str, tuple[str, str]] = {
    "initial": ("初次认证", "initial certification"),
    "recertification": ("再认证", "recertification"),
    "transfer": ("认证转换", "transfer"),
    "upgrade": ("等级提升", "grade upgrade"),
}

NC_SEVERITIES: dict[str, tuple[str, str]] = {
    "major": ("严重不符合", "major nonconformity"),
    "minor": ("一般不符合", "minor nonconformity"),
}

# Notified changes: 001 §4.2.2 c ①-⑤ and 004 §15 (numbered 14.1 and 14.2 in the document).
NC_STATUSES: dict[str, tuple[str, str]] = {
    "open": ("待纠正", "open"),
    "responded": ("已提交纠正措施（计划已接受）", "correction submitted (plan accepted)"),
    "closed": ("已验证关闭", "verified and closed"),
}

CHANGE_KINDS: dict[str, tuple[str, str]] = {
    "legal_status": ("法律地位、组织状态或所有权变更", "legal status, organisation or ownership"),
    "operations": ("生产经营状况变更", "business operations"),
    "licence": ("行政许可、强制性认证或资质证书变更", "licences, compulsory certification or qualifications"),
    "representative": ("法定代表人、最高管理者变更", "legal representative or top management"),
    "contact": ("认证联系人变更", "certification contact"),
    "headcount": ("认证范围覆盖的人数变更", "headcount within the scope"),
    "address": ("经营场所变更", "business sites or address"),
    "scope": ("认证范围变更", "scope of certification"),
    "process": ("经营或服务过程重大变更", "major change of business or service processes"),
    "complaint": ("客户及相关方重大投诉", "major complaint by customers or interested parties"),
    "nonconforming_product": ("产品或服务被市场监管部门认定不合格", "product or service found nonconforming by market regulators"),
    "incident": ("质量、安全或环境事故", "quality, safety or environmental incident"),
    "other": ("影响认证的其他重要情况", "other significant matter affecting certification"),
}
# 004 §15 (document's 14.2): incidents are reported within 10 days of occurrence; the others
# within 10 days of the decision to change. Both are "10 days"; the kind decides which date counts.
INCIDENT_CHANGE_KINDS = ("complaint", "nonconforming_product", "incident")

# --- changes (issue 9): the client's master data changed by event, and what an assessment of a notified
# change decides (001 §4.2.3; 004 §6.9, §6.9.2, §9.3 2), §15)
MASTER_DATA_FIELDS: dict[str, tuple[str, str]] = {
    "name": ("组织名称", "name"),
    "address": ("地址", "address"),
    "legal_representative": ("法定代表人", "legal representative"),
    "top_management": ("最高管理者", "top management"),
    "sites": ("经营场所", "sites"),
    "headcount": ("认证范围覆盖的人数", "headcount within the scope"),
    "licences": ("行政许可和资质证书", "licences and qualifications"),
    "business_lines": ("经营类别（业务线）", "business lines"),
}
CHANGE_OUTCOMES: dict[str, tuple[str, str]] = {
    "recorded": ("记录在案，无需进一步措施", "recorded, no further action"),
    "scope": ("变更认证范围", "change of the scope of certification"),
    "reissue": ("变更证书内容并换发证书（换证）", "certificate amended and reissued (换证)"),
    "unscheduled": ("实施非例行监督", "unscheduled surveillance"),
    "suspension": ("暂停证书", "suspension of the certificate"),
}

SCOPE_CHANGE_KINDS: dict[str, tuple[str, str]] = {
    "reduce": ("缩小认证范围", "reduction of scope"),
    "extend": ("扩大认证范围", "extension of scope"),
}

APPEAL_OUTCOMES: dict[str, tuple[str, str]] = {
    "upheld": ("申诉成立", "appeal upheld"),
    "dismissed": ("申诉不成立（维持原决定）", "appeal dismissed (decision stands)"),
}

# Certificate status words: CNCA Chinese and IAF CertSearch English.
CERTIFICATE_STATUSES: dict[str, tuple[str, str]] = {
    "valid": ("有效", "Active"),
    "suspended": ("暂停", "Suspended"),
    "withdrawn": ("撤销", "Withdrawn"),
    "cancelled": ("注销", "Cancelled"),
    "expired": ("过期", "Expired"),
}
# A certificate "in force": valid or suspended (it still stands: surveillance, withdrawal, expiry and
# the grade it carries apply to it). Internally a certificate replaced on recertification is "replaced".
IN_FORCE = ("valid", "suspended")

# The status of another body's certificate as verified before a transfer (001 §10.3): the five CNCA
# statuses and the two "under way" states that also refuse a transfer.
TRANSFER_CERTIFICATE_STATUSES: dict[str, tuple[str, str]] = {
    **CERTIFICATE_STATUSES,
    "under_suspension": ("正在接受暂停处理", "under suspension"),
    "under_withdrawal": ("正在接受撤销处理", "under withdrawal"),
}

# An appeal not yet concluded: no written result (decided) and not refused at admission.
OPEN_APPEAL_STATUSES = ("lodged", "accepted", "heard")
# An appeal's states, as a refusal and ``history`` say them (trial item 10: words, not codes).
APPEAL_STATUSES: dict[str, tuple[str, str]] = {
    "lodged": ("已提出", "lodged"), "accepted": ("已受理", "accepted"),
    "refused": ("不予受理", "refused"), "heard": ("已听证", "heard"), "decided": ("已裁定", "decided"),
}

# Lifecycle stages of the client as a whole.
STAGES: dict[str, tuple[str, str]] = {
    "registered": ("已登记", "registered"),
    "applied": ("已申请（待评审）", "applied (under review)"),
    "refused": ("不予受理", "refused"),
    "accepted": ("已受理", "accepted"),
    "contracted": ("已签合同", "contract signed"),
    "auditing": ("审核中", "audit in progress"),
    "audited": ("审核完成", "audited"),
    "decided": ("已作出认证决定", "decided"),
    "not_granted": ("未通过认证", "certification not granted"),
    "valid": ("证书有效", "certificate active"),
    "suspended": ("证书暂停", "certificate suspended"),
    "withdrawn": ("证书撤销", "certificate withdrawn"),
    "cancelled": ("证书注销", "certificate cancelled"),
    "expired": ("证书过期", "certificate expired"),
}


def word(table: dict[str, tuple[str, str]], key: str, lang: str = "zh") -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def code_of(value: object, table: "Mapping[str, tuple[str, str]]", *, among: "Iterable[str] | None" = None,
            words: "Mapping[str, Iterable[str]] | None" = None) -> str | None:
    """The one rule of a choice typed by a user: the code of ``table`` (or of ``among``, the codes
    allowed, which ``table`` may word only in part) that ``value`` names, or None when it names
    none or several. Case and surrounding spaces are ignored; in this order:

    1. the code itself or its Chinese or English word (暂停, Suspended, suspended);
    2. another word of the code (``words``: a grade's names in every scheme, a code's words in the
       other vocabularies);
    3. a part of a word, of two characters or more: the code whose word holds it most closely
       (换证 for 变更证书内容并换发证书（换证）; 认证范围 for 认证范围变更 rather than
       认证范围覆盖的人数变更); two codes holding it as closely name none.

    A step that finds several codes names none. Callers refuse a None in their own words (the
    option or parameter, the choices listed)."""
    typed = str(value).strip().casefold()
    codes = list(dict.fromkeys(among if among is not None else table))
    extra = words or {}
    for tier in (lambda c: (c, *table.get(c, ())), lambda c: tuple(extra.get(c, ()))):
        found = {c for c in codes if any(str(w).strip().casefold() == typed for w in tier(c))}
        if found:
            return found.pop() if len(found) == 1 else None
    held = sorted((len(str(w)), c) for c in codes for w in table.get(c, ()) if len(typed) >= 2 and typed in str(w).casefold())
    if held and (len(held) == 1 or held[0][0] < held[1][0] or held[0][1] == held[1][1]):
        return held[0][1]
    return None

# --- people (issue 15): the body's people, their identity documents, roles and CCAA registration categories
IDENTITY_DOCUMENTS: dict[str, tuple[str, str]] = {
    "resident_id": ("居民身份证", "resident identity card"),
    "passport": ("护照", "passport"),
    "hk_macao_permit": ("港澳居民来往内地通行证", "Mainland travel permit for Hong Kong and Macao residents"),
    "taiwan_permit": ("台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents"),
    "foreign_permanent_id": ("外国人永久居留身份证", "foreign permanent resident ID card"),
}
PERSON_ROLES: dict[str, tuple[str, str]] = {
    "administrator": ("管理员", "administrator"),
    "auditor": ("审核员", "auditor"),
    "lead_auditor": ("审核组长", "lead auditor"),
    "technical_expert": ("技术专家", "technical expert"),
    "decider": ("认证决定人员", "certification decider"),
    "case_handler": ("申诉投诉处理人员", "complaint and appeal handler"),
    "inspector": ("只读检查人员", "read-only inspector"),
    "senior_manager": ("高级管理人员", "senior manager"),  # 004 §4.2 d) 2)-3): their interests are the body's
}
CCAA_CATEGORIES: dict[str, tuple[str, str]] = {
    "probationary": ("实习审核员", "probationary auditor"),
    "auditor": ("审核员", "auditor"),
    "senior_auditor": ("高级审核员", "senior auditor"),
}
# A person's declared interest in a client (004 §4.2 d) 4)-5), §4.3), or "none" (declared with its date)
INTEREST_KINDS: dict[str, tuple[str, str]] = {
    "employment": ("近1年内曾在该组织任职", "employed by the client within the past year"),
    "relative": ("直系亲属在该组织担任高级管理职务", "a close relative in the client's senior management"),
    "financial": ("与该组织有其他重大经济利益关系", "another significant financial interest in the client"),
    "consultancy": ("曾为该组织提供咨询", "consultancy given to the client"),
    "none": ("无利益冲突", "no conflict of interest"),
}


# The acts of a certificate the CNCA is told of (001 §7.4; aggregates/reporting.py)
REPORTED_ACTS: dict[str, tuple[str, str]] = {
    "suspension": ("暂停", "suspension"),
    "restoration": ("恢复", "restoration"),
    "withdrawal": ("撤销", "withdrawal"),
    "cancellation": ("注销", "cancellation"),
    "scope-reduction": ("缩小认证范围", "scope reduction"),
}

# The audit method of a plan (市监认证函〔2021〕102号: the CNCA report's 审核方式 codes; issue 15 item 6)
AUDIT_METHODS: dict[str, tuple[str, str]] = {
    "FS01": ("现场审核", "on-site audit"),
    "FS02": ("远程审核", "remote audit"),
    "FS03": ("现场与远程结合", "on-site and remote combined"),
    # not a 102号 code: an off-site audit, a document review (004 §16.2 "一阶段为非现场"; the default of the
    # kinds a procedure makes off-site, ledger/rules/planning.py audit_method; the CNCA report leaves its code empty)
    "offsite": ("非现场审核（文件评价）", "off-site audit (document review)"),
}

# What an unscheduled surveillance follows (004 §6.9 a-c; ledger/rules/deadlines_cases.py, history)
UNSCHEDULED_CAUSES: dict[str, tuple[str, str]] = {
    "complaint": ("投诉", "complaint"),
    "regulator": ("监管部门查处或媒体曝光", "regulator action or media exposure"),
    "change": ("信息通报的变更", "notified change"),
}

# A conflict of the body itself with a client (004 §4.2 d) 1)): recorded on the Body aggregate
# (aggregates/body_conflicts.py); kinds 2)-3) are derived from declarations by senior managers.
BODY_CONFLICT_KINDS: dict[str, tuple[str, str]] = {
    "asset": ("本机构与该组织存在资产关联", "the body has an asset relation with the client"),
    "other_interest": ("本机构与该组织存在其他利害关系", "the body has another interest in the client"),
}

# The answer to a client's objection to an audit team's composition (004 §5.2.1; aggregates/objections.py)
OBJECTION_ANSWERS: dict[str, tuple[str, str]] = {
    "upheld": ("异议成立", "objection upheld"),
    "dismissed": ("异议不成立", "objection dismissed"),
}
