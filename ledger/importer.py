"""JSON Lines import: one command per line, with the same names and fields as the CLI.

``{"command": "audit plan", "client": "9133...", "kind": "stage1", "member": ["王芳"], ...}``;
``actor`` may be given per line, else the importer's actor is used. Errors are data: each is
reported as ``FILE:LINE: message`` and the batch goes on (the failed line writes nothing), unless
the import is atomic, in which case any error means nothing at all is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

from aggregates.errors import RuleViolation
from ledger.commands import find


@dataclass(frozen=True)
class LineError:
    line: int
    rule: str
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass
class ImportReport:
    lines: int = 0
    written: int = 0
    errors: list[LineError] = field(default_factory=list)
    atomic: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse(raw: bytes, number: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RuleViolation("ledger: input format", f"第 {number} 行不是有效的 UTF-8（第 {e.start + 1} 个字节）。", f"Line {number} is not valid UTF-8 (byte {e.start + 1}).") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise RuleViolation("ledger: input format", f"不是有效的 JSON：{e.msg}（第 {e.colno} 列）。", f"Not valid JSON: {e.msg} (column {e.colno}).") from None
    if not isinstance(data, dict):
        raise RuleViolation("ledger: input format", "每行应为一个 JSON 对象。", "Each line must be a JSON object.")
    return data


def _execute(app: Any, data: dict[str, Any], default_actor: str | None) -> Any:
    data = dict(data)
    name = data.pop("command", None)
    if not name:
        raise RuleViolation("ledger: input format", "缺少字段 command（命令名，例如 \"audit plan\"）。", 'Missing field "command" (the command name, e.g. "audit plan").')
    command = find(str(name))
    actor = data.pop("actor", None)
    if actor is not None and not isinstance(actor, str):
        raise RuleViolation("ledger: input format", "字段 actor 应为文本（操作人姓名）。", 'Field "actor" must be text (the name of who records it).')
    actor = actor or default_actor
    return getattr(app, command.method)(**command.bind(data), actor=actor)


CHUNK = 2000  # lines per transaction in a non-atomic import


def run_import(app: Any, lines: Iterable[bytes], *, actor: str | None, atomic: bool = False,
               progress: Callable[[int], None] | None = None,
               on_saved: Callable[[list[Any]], None] | None = None) -> ImportReport:
    """Run the lines as commands in one session: clients stay in memory between lines and the
    events are saved in transactions of ``CHUNK`` lines (atomic: one transaction, or none).
    ``progress`` is called with the byte length of each line read; ``on_saved`` with the
    recordings of each transaction once it is committed (``app.flush()`` returns them), e.g.
    ``projections.Follower(app).saved`` to keep the read models current without reading back."""
    report = ImportReport(atomic=atomic)
    unsaved: list[int] = []  # lines run since the last flush (non-atomic)

    def flush() -> None:
        try:
            recorded = app.flush()
        except RuleViolation as e:  # a concurrent writer: this chunk is not written
            report.written -= len(unsaved)
            report.errors.extend(LineError(n, e.rule, e.message_zh, e.message_en) for n in unsaved)
            report.errors.sort(key=lambda x: x.line)
        else:
            if on_saved is not None and recorded:
                on_saved(recorded)
        unsaved.clear()

    def each() -> None:
        for number, raw in enumerate(lines, 1):
            if progress is not None:
                progress(len(raw))
            if not raw.strip():
                continue
            report.lines += 1
            try:
                _execute(app, _parse(raw.rstrip(b"\r\n"), number), actor)
            except RuleViolation as e:
                report.errors.append(LineError(number, e.rule, e.message_zh, e.message_en))
                continue
            except Exception as e:  # a library error that names the problem (calendar data...)
                if not hasattr(e, "message_zh"):
                    raise
                report.errors.append(LineError(number, type(e).__name__, e.message_zh, e.message_en))  # type: ignore[attr-defined]
                continue
            report.written += 1
            if not atomic:
                unsaved.append(number)
                if len(unsaved) >= CHUNK:
                    flush()

    class _Abort(Exception):
        pass

    try:
        with app.session():
            each()
            if atomic and report.errors:
                raise _Abort
            if atomic:  # a concurrent writer refuses the whole batch: raised, nothing written
                recorded = app.flush()
                if on_saved is not None and recorded:
                    on_saved(recorded)
            else:
                flush()
    except _Abort:
        report.written = 0
    return report
