"""Write commands, built from the catalogue in ledger.commands: parse, call one application
method, render. One click group per catalogue group (application, audit, score, nc, certificate,
change, complaint, appeal) and the single command ``decide``."""

from __future__ import annotations

import importlib
from typing import Any

import click

from cli.output import common_options, emit, settings
from cli.registry import GROUP_EXTRA, GROUP_HELP, available
from ledger.commands import COMMANDS, Command, Param

RECORDED = {
    "application submit": ("申请已记录", "Application recorded"),
    "application review": ("申请评审已记录", "Application review recorded"),
    "application contract": ("认证合同已记录", "Contract recorded"),
    "application notify-refusal": ("不予受理通知已记录", "Refusal notice recorded"),
    "application transfer": ("转换请求已记录", "Transfer request recorded"),
    "audit plan": ("审核已策划", "Audit planned"),
    "audit complete": ("审核已完成", "Audit completed"),
    "audit reopen": ("审核已重新打开", "Audit reopened"),
    "score enter": ("评分已录入", "Score entered"),
    "score correct": ("更正已录入", "Correction entered"),
    "score exclude": ("删减已记录", "Exclusion recorded"),
    "nc raise": ("不符合项已开具", "Nonconformity raised"),
    "nc respond": ("纠正和纠正措施已记录", "Correction recorded"),
    "nc verify": ("不符合项已验证关闭", "Nonconformity verified and closed"),
    "decide": ("认证决定已记录", "Decision recorded"),
    "sign": ("会签已记录", "Co-signature recorded"),
    "certificate issue": ("证书已颁发", "Certificate issued"),
    "certificate report": ("报送认监委已记录", "Report to the CNCA recorded"),
    "certificate suspend": ("证书已暂停", "Certificate suspended"),
    "certificate restore": ("证书已恢复", "Certificate restored"),
    "certificate withdraw": ("证书已撤销", "Certificate withdrawn"),
    "certificate cancel": ("证书已注销", "Certificate cancelled"),
    "certificate expire": ("证书已过期", "Certificate expired"),
    "certificate scope": ("认证范围变更已记录", "Scope change recorded"),
    "change notify": ("信息通报已记录", "Notified change recorded"),
    "complaint receive": ("投诉已记录", "Complaint recorded"),
    "complaint resolve": ("投诉处理结果已记录", "Complaint result recorded"),
    "appeal lodge": ("申诉已记录", "Appeal recorded"),
    "appeal admit": ("申诉受理决定已记录", "Appeal admission recorded"),
    "appeal hear": ("申诉听证已记录", "Appeal hearing recorded"),
    "appeal decide": ("申诉裁定已记录", "Appeal decision recorded"),
    # --- changes (issue 9) ---
    "change record": ("主数据变更已记录", "Master data change recorded"),
    "application lines": ("经营类别已申报", "Business lines declared"),
    "change assess": ("信息通报评审已记录", "Assessment of the notified change recorded"),
    "change link": ("后续措施已关联", "Follow-up linked"),
    "change suspend": ("证书已暂停（依据信息通报）", "Certificate suspended (citing the notified change)"),
    # --- reporting (issue 9) ---
    "certificate report-act": ("报送认监委已记录", "Report to the CNCA recorded"),
    "certificate publish": ("网站公布已记录", "Website publication recorded"),
    "certificate recall": ("证书收回（或公开声明）已记录", "Recall (or public statement) recorded"),
    "certificate cause": ("暂停/撤销原因核实已记录", "Verified cause recorded"),
    # --- complaints and appeals (issue 9) ---
    "complaint admit": ("投诉受理决定已记录", "Complaint admission recorded"),
    "complaint inform-client": ("已记录告知获证客户", "Client informed of the complaint"),
    "audit link-cause": ("非例行监督的原因已关联", "Cause of the unscheduled surveillance linked"),
    "appeal extend": ("申诉裁定期限已延期", "Appeal decision limit extended"),
    "appeal redecide": ("申诉成立后的新认证决定已记录", "Decision on the upheld appeal recorded"),
    # --- people (issue 15) ---
    "people register": ("人员已登记", "Person registered"),
    "people grant": ("角色已授予", "Roles granted"),
    "people withdraw-role": ("角色已撤销", "Roles withdrawn"),
    "people ccaa": ("CCAA 注册已记录", "CCAA registration recorded"),
    "people train": ("培训已记录", "Training recorded"),
    "people competence": ("专业能力已记录", "Competence recorded"),
    "people leave": ("离职已记录", "Leaving recorded"),
    "people declare": ("利益冲突声明已记录", "Declaration of interest recorded"),
    "people key add": ("签名公钥已登记", "Signing key registered"),  # issue 15, item 4
    "people key revoke": ("签名密钥已吊销", "Signing key revoked"),
    "people signing": ("签名要求已记录", "Signing requirement recorded"),
    "report submit": ("认证信息报送已记录", "Submission to the CNCA recorded"),  # issue 17
    "people login": ("数据库登录已对应人员", "Database login mapped"),
    "people logout": ("数据库登录已解除", "Database login unmapped"),
    "appeal effect": ("申诉成立的结果已落实", "Upheld appeal given its effect"),
    "audit cancel": ("审核已取消", "Audit cancelled"),
    "audit objection": ("对审核组组成的异议已记录", "Objection to the audit team recorded"),  # 004 §5.2.1
    "audit objection-answer": ("对异议的答复已记录", "Answer to the objection recorded"),
    "body conflict": ("本机构利益冲突已记录", "The body's conflict recorded"),  # 004 §4.2 d) 1)
    "body conflict-end": ("本机构利益冲突已解除", "The body's conflict ended"),
}


# vocabulary (issue 9): the event a command writes, for the words of its coded fields in the echo
ECHO_EVENTS = {"application submit": "ApplicationSubmitted", "audit plan": "AuditPlanned", "change notify": "ChangeNotified",
               "certificate scope": "ScopeChanged", "appeal effect": "AppealEffectGiven",
               "certificate report-act": "ActReportedToRegulator", "certificate publish": "PublishedOnWebsite",
               "audit objection-answer": "TeamObjectionAnswered", "sign": "CoSigned"}  # CoSigned: the echo's words only (ledger/words.py)
# what the echo's text leaves to ``show`` (states, bookkeeping, the names it folds into the item line)
ECHO_QUIET = frozenset({"status", "item_name_zh", "item_name_en", "reason_zh", "reason_en", "grade_zh", "grade_en",
                        "scheme", "corrects", "exclusions", "conclusion", "completed_on"})


def render_result(command: str, client: str, result: Any, lang: str, created: dict[str, Any] | None = None) -> str:
    """The write's echo: what was recorded, and for a write that creates something its id and what
    the ledger computed (man-days and sites of an audit plan, points of a score entry...), in words."""
    from ledger.words import command_result_words, field_value, field_word

    zh, en = RECORDED.get(command, ("已记录", "Recorded"))
    if client is None:  # the body's own setting (people signing): no client or person to name (trial item 12)
        head = en if lang == "en" else zh
    else:
        head = f"{en}: {client}" if lang == "en" else f"{zh}：{client}"
    if created is None and isinstance(result, dict):
        created = result
    if created is None:
        return head if result is None else f"{head} → {command_result_words(command, result, lang)}"
    ident = created.get("id") or created.get("decision") or created.get("number")
    lines = [f"{head} → {ident}" if ident else head]
    event = ECHO_EVENTS.get(command, "")
    colon = ": " if lang == "en" else "："
    for key, value in created.items():
        if key in ECHO_QUIET or value in (None, "", [], {}) or value == ident or (value == client and key == "name"):
            continue
        shown = field_value(event, key, value, created, lang)
        if key == "item" and created.get("item_name_zh"):
            shown += f" {created['item_name_en'] if lang == 'en' else created['item_name_zh']}"
        if key == "points" and created.get("reason_zh"):
            shown += f"（{created['reason_zh']}）" if lang != "en" else f" ({created['reason_en']})"
        lines.append(f"  {field_word(key, lang, event)}{colon}{shown}")
    return "\n".join(lines)


METAVARS = {"date": "YYYY-MM-DD", "decimal": "NUMBER", "int": "N", "json": "JSON", "site": "NAME=ADDRESS"}


def _option(p: Param) -> Any:
    flag = f"--{p.name}"
    help_text = p.help
    if p.type == "bool":
        return click.option(flag, p.key, is_flag=True, default=None, help=help_text)
    # No explicit default: click (8.3+) counts default=None as a value given, which would let a
    # missing required option through to the ledger instead of a usage error (exit 2).
    return click.option(flag, p.key, multiple=p.multiple, required=p.required,
                        metavar=METAVARS.get(p.type, "TEXT"), help=help_text)


def _make(cmd: Command) -> click.Command:
    def callback(**kwargs: Any) -> None:
        from ledger.logs import bind_command

        s = settings()
        bind_command(cmd.name, s.actor)
        raw = {k: v for k, v in kwargs.items() if v is not None and v != ()}
        result = s.app().execute(cmd.name, raw, actor=s.actor)
        client = raw.get("person") or raw.get("client") or raw.get("name") or raw.get("month")  # a person's command names a person (issue 15), the body's a month (17)
        from ledger.echo import created as created_by  # vocabulary (issue 9): echo what was created

        made = created_by(s.app(), cmd.name, client, result)
        emit({"ok": True, "command": cmd.name, "client": client, "result": result, "created": made},
             lambda st: render_result(cmd.name, client, result, st.lang, made))

    command = click.Command(cmd.verb or cmd.name, callback=callback, help=cmd.help, short_help=cmd.help.split(" (")[0])
    for p in cmd.params:
        command = _option(p)(command)
    return common_options(command)


def build(group: str) -> click.Command:
    commands = [c for c in COMMANDS if c.group == group and " " not in c.verb]  # "people key add": a subgroup's (cli/people_keys.py)
    if len(commands) == 1 and not commands[0].verb:
        return _make(commands[0])
    g = click.Group(group, help=GROUP_HELP.get(group, ""))
    for c in commands:
        g.add_command(_make(c))
    for name, (module, attr) in GROUP_EXTRA.get(group, {}).items():
        if available(module):
            g.add_command(getattr(importlib.import_module(module), attr), name)
    return g
