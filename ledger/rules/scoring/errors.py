"""Errors of the scoring engine: data, never swallowed; bilingual."""

from __future__ import annotations

from aggregates.errors import RuleViolation


class ScoringError(RuleViolation):
    """Bad input to the scoring engine, or a bad scheme file: a refusal by a rule like any other
    (a ``RuleViolation``), so no caller converts it.

    ``rule`` is a short code followed by the document clause it enforces (for
    example ``"out-of-range: 001 附录A 评分 a) 表1, c)"``); ``code`` is the short code
    alone; ``item`` is the item (or condition) id, or None. ``str(e)`` is the
    Chinese message.
    """

    def __init__(self, code: str, message_zh: str, message_en: str, *,
                 item: str | None = None, clause: str | None = None):
        super().__init__(f"{code}: {clause}" if clause else code, message_zh, message_en)
        self.code = code
        self.clause = clause
        self.item = item

    def __str__(self) -> str:
        return self.message_zh

    def to_dict(self) -> dict:
        return {"rule": self.rule, "code": self.code, "clause": self.clause, "item": self.item,
                "message_zh": self.message_zh, "message_en": self.message_en}


class SchemeNotFound(ScoringError):
    """No scheme file with this id (or version)."""
