"""Registration, applications and their review, the refusal notice, the contract, a transfer request
(001 §4.2, §6.1, §10; 004 §5.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.policy.common import after_registration, get, not_before, require, require_choice, require_text
from aggregates.uscc import normalise_uscc
from aggregates.vocabulary import APPLICATION_KINDS, IN_FORCE, TRANSFER_CERTIFICATE_STATUSES, word


def check_registration(uscc: str, name: str, address: str) -> tuple[str, str, str]:
    """The client's USCC (GB 32100), name and address (001 §8.1 a), cleaned."""
    uscc = normalise_uscc(uscc)
    name = require_text(name, "组织名称（001 §8.1 a）", "the organisation's name (001 §8.1 a)", "001 §8.1 a")
    address = require_text(address, "组织地址（001 §8.1 a）", "the organisation's address (001 §8.1 a)", "001 §8.1 a")
    return uscc, name, address


def check_submission(client: Any, *, scheme_id: str, scope: str, sites: list[dict[str, str]], headcount: int, kind: str,
                     occurred_on: date) -> tuple[str, list[dict[str, str]]]:
    """An application: its kind allowed by the certificate held, one application at a time. Returns
    the scope and the sites, cleaned."""
    after_registration(client, occurred_on)
    require_choice(kind, APPLICATION_KINDS, "申请类型", "application kind")
    scope = require_text(scope, "申请认证的范围（001 §4.2.2 e）", "the scope applied for (001 §4.2.2 e)", "001 §4.2.2 e")
    require(
        isinstance(headcount, int) and headcount > 0,
        "004 §16.2",
        f"员工人数必须为正整数（用于核算审核人日，004 §16.2），实际为 {headcount}。",
        f"Headcount must be a positive whole number (it sets the audit man-days, 004 §16.2); got {headcount}.",
    )
    require(
        bool(sites),
        "001 §8.1 b",
        "至少需要一个场所（名称和地址，001 §8.1 b）。",
        "At least one site (name and address, 001 §8.1 b) is required.",
    )
    open_app = client.open_application
    require(
        open_app is None,
        "ledger: one application at a time",
        f"申请 {open_app['id'] if open_app else ''} 尚在处理中；请先完成它（评审、决定）再提交新申请。",
        f"Application {open_app['id'] if open_app else ''} is still in progress; conclude it (review, decision) before submitting another.",
    )
    status = client.certificate_status
    if kind == "initial":
        require(
            status not in IN_FORCE,
            "001 §6.1",
            f"该组织持有{'有效' if status == 'valid' else '暂停'}证书；证书期满前请申请再认证（recertification），而非初次认证。",
            f"The client holds a {'valid' if status == 'valid' else 'suspended'} certificate; apply for recertification, not initial certification.",
        )
    elif kind in ("recertification", "upgrade"):
        require(
            status == "valid",
            "001 §6.1" if kind == "recertification" else "004 §6.9.3",
            f"{APPLICATION_KINDS[kind][0]}需要一张有效证书；当前证书状态：{status or '无证书'}。",
            f"A {APPLICATION_KINDS[kind][1]} needs a valid certificate; current certificate status: {status or 'none'}.",
        )
        held = client.certificate["scheme_id"] if client.certificate else None
        require(
            scheme_id == held,
            "001 §6.1",
            f"{APPLICATION_KINDS[kind][0]}沿用现有证书的认证方案 {held}，不能改为 {scheme_id}；换方案请在证书终止后按初次认证申请。",
            f"A {APPLICATION_KINDS[kind][1]} keeps the certificate's scheme {held}, not {scheme_id}; for another scheme, "
            "apply for initial certification once this certificate has ended.",
        )
    elif kind == "transfer":
        require(
            any(t["status"] == "requested" for t in client.transfers.values()),
            "001 §10.2",
            "认证转换申请需先记录转换请求（transfer request）。",
            "A transfer application needs a recorded transfer request first.",
        )
    clean_sites = []
    for i, site in enumerate(sites, 1):
        site_name = (site.get("name") or "").strip()
        site_address = (site.get("address") or "").strip()
        require(
            bool(site_name and site_address),
            "001 §8.1 b",
            f"第 {i} 个场所缺少名称或地址（001 §8.1 b）。",
            f"Site {i} lacks a name or an address (001 §8.1 b).",
        )
        clean_sites.append({"name": site_name, "address": site_address})
    return scope, clean_sites


def check_review(client: Any, *, application_id: str, accepted: bool, reason: str, occurred_on: date) -> str:
    """The review of a submitted application (001 §4.2.1); a refusal needs its reason (004 §5.1.4 2).
    Returns the reason, trimmed."""
    app = get(client, client.applications, application_id, "申请", "application")
    require(
        app["status"] == "submitted",
        "001 §4.2.1",
        f"申请 {application_id} 已评审（{'已受理' if app['status'] == 'accepted' else '不予受理'}），不能再次评审。",
        f"Application {application_id} has already been reviewed ({'accepted' if app['status'] == 'accepted' else 'refused'}).",
    )
    not_before(occurred_on, app["submitted_on"], "申请提交日期", "the application date")
    if not accepted:
        reason = require_text(reason, "不予受理的理由（004 §5.1.4 2）", "the reason for refusal (004 §5.1.4 2)", "004 §5.1.4")
    return (reason or "").strip()


def check_refusal_notice(client: Any, *, application_id: str, occurred_on: date) -> None:
    """The written notice of a refused application (001 §4.2.1), once."""
    app = get(client, client.applications, application_id, "申请", "application")
    require(app["status"] == "refused", "001 §4.2.1", f"申请 {application_id} 未被拒绝受理，无需发出不予受理通知。",
            f"Application {application_id} was not refused; there is no refusal to notify.")
    require(
        not app.get("refusal_notified_on"),
        "001 §4.2.1",
        f"申请 {application_id} 的不予受理通知已于 {app.get('refusal_notified_on')} 发出。",
        f"The refusal of application {application_id} was notified on {app.get('refusal_notified_on')}.",
    )
    not_before(occurred_on, app["reviewed_on"], "评审日期", "the review date")


def check_contract(client: Any, *, contract_no: str, occurred_on: date) -> tuple[str, str]:
    """The certification contract of the accepted application (001 §4.2.2): returns the contract
    number, trimmed, and the application's id."""
    app = client.open_application
    require(
        app is not None and app["status"] == "accepted",
        "001 §4.2.2",
        "只有受理的申请才能签订认证合同；请先评审并受理申请。",
        "A certification contract follows an accepted application; review and accept the application first.",
    )
    assert app is not None
    require(
        not any(c["application_id"] == app["id"] for c in client.contracts.values()),
        "001 §4.2.2",
        f"申请 {app['id']} 已签订合同。",
        f"Application {app['id']} already has a contract.",
    )
    contract_no = require_text(contract_no, "合同编号", "the contract number")
    not_before(occurred_on, app["reviewed_on"], "受理日期", "the acceptance date")
    return contract_no, app["id"]


def check_transfer_request(client: Any, *, from_body: str, certificate_no: str, certificate_status: str, reason: str,
                           occurred_on: date) -> tuple[str, str, str]:
    """A request to transfer another body's certificate: only a valid one (001 §10.3). Returns the
    issuing body, the certificate number and the reason, trimmed."""
    after_registration(client, occurred_on)
    from_body = require_text(from_body, "原发证机构", "the issuing body")
    certificate_no = require_text(certificate_no, "原证书编号", "the certificate number")
    reason = require_text(reason, "转换原因（001 §10.2）", "the reason for the transfer (001 §10.2)", "001 §10.2")
    require(
        certificate_status == "valid",
        "001 §10.3",
        f"转换仅限于现行有效认证证书（001 §10.3）；证书 {certificate_no} 的状态为“{word(TRANSFER_CERTIFICATE_STATUSES, certificate_status)}”，"
        "被暂停、正在接受暂停或撤销处理以及已失效的证书不得接受转换申请。",
        f"Only a currently valid certificate can be transferred (001 §10.3); certificate {certificate_no} is "
        f"'{word(TRANSFER_CERTIFICATE_STATUSES, certificate_status, 'en')}': suspended, under suspension or withdrawal, or expired certificates are refused.",
    )
    return from_body, certificate_no, reason
