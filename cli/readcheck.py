"""``verify --read-models``: the read models compared with what the events give. Call, render."""

from __future__ import annotations

from typing import Any

import click

from cli.output import to_json

LISTED = 10  # differences listed after the first one


def report_read_models(app: Any, s: Any, data: dict[str, Any] | None = None) -> bool:
    """Recompute every read model from the events and compare it with the stored rows; print the
    result and return whether they match. With ``--json``: the result is put in ``data`` under
    ``read_models`` when given (for the caller's one JSON object), else printed as one object
    ``{"read_models": ...}``; nothing else is printed."""
    from projections import read

    result = read.check_read_models(app)
    if s.json:
        if data is not None:
            data["read_models"] = result.to_dict()
        else:
            click.echo(to_json({"read_models": result.to_dict()}))
        return result.ok
    if result.ok:
        click.echo(s.t(f"读模型已核对：{len(result.checked)} 个读模型的 {result.rows} 行与 {result.events} 个事件推算的一致（至事件 {result.last}）。",
                       f"Read models verified: {result.rows} rows of {len(result.checked)} read models match what the "
                       f"{result.events} events give (up to event {result.last})."))
        return True
    lines = [s.t(f"读模型核对失败：{result.total} 处与事件推算的不一致（读模型 {', '.join(result.projections)}）。",
                 f"Read models do not match the events: {result.total} difference(s) (read model {', '.join(result.projections)}).")]
    first = result.first
    lines.append(s.t(f"第一处：{first.message_zh}", f"First difference: {first.message_en}"))
    for d in result.differences[1:1 + LISTED]:
        lines.append("  - " + s.t(d.message_zh, d.message_en))
    if result.total > 1 + LISTED:
        rest = result.total - 1 - LISTED
        lines.append(s.t(f"  ……另有 {rest} 处", f"  ... and {rest} more"))
    lines.append(s.t(f"读模型只是事件的投影，show、clients 等读出的内容以事件为准；请运行 {result.repair} 从事件重建。",
                     f"Read models only project the events, which stay the record; run {result.repair} to rebuild them from the events."))
    click.echo("\n".join(lines), err=True)
    return False
