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
}


def render_result(command: str, client: str, result: Any, lang: str) -> str:
    zh, en = RECORDED.get(command, ("已记录", "Recorded"))
    head = f"{en}: {client}" if lang == "en" else f"{zh}：{client}"
    if result is None:
        return head
    if isinstance(result, dict):
        lines = [head] + [f"  {k}: {v}" for k, v in result.items()]
        return "\n".join(lines)
    return f"{head} → {result}"


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
        client = raw.get("client")
        emit({"ok": True, "command": cmd.name, "client": client, "result": result},
             lambda st: render_result(cmd.name, client, result, st.lang))

    command = click.Command(cmd.verb or cmd.name, callback=callback, help=cmd.help, short_help=cmd.help.split(" (")[0])
    for p in cmd.params:
        command = _option(p)(command)
    return common_options(command)


def build(group: str) -> click.Command:
    commands = [c for c in COMMANDS if c.group == group]
    if len(commands) == 1 and not commands[0].verb:
        return _make(commands[0])
    g = click.Group(group, help=GROUP_HELP.get(group, ""))
    for c in commands:
        g.add_command(_make(c))
    for name, (module, attr) in GROUP_EXTRA.get(group, {}).items():
        if available(module):
            g.add_command(getattr(importlib.import_module(module), attr), name)
    return g
