"""Errors of the scoring engine: data, never swallowed; bilingual."""

from __future__ import annotations


class ScoringError(Exception):
    """Bad input to the scoring engine, or a bad scheme file.

    ``rule`` is a short code followed by the document clause it enforces (for
    example ``"out-of-range: 001 附录A 评分 a) 表1, c)"``); ``code`` is the short code
    alone; ``item`` is the item (or condition) id, or None. ``str(e)`` is the
    Chinese message.
    """

    def __init__(self, code: str, message_zh: str, message_en: str, *,
                 item: str | None = None, clause: str | None = None):
        self.code = code
        self.clause = clause
        self.rule = f"{code}: {clause}" if clause else code
        self.item = item
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(message_zh)

    def __str__(self) -> str:
        return self.message_zh

    def to_dict(self) -> dict:
        return {"rule": self.rule, "code": self.code, "clause": self.clause, "item": self.item,
                "message_zh": self.message_zh, "message_en": self.message_en}


class SchemeNotFound(ScoringError):
    """No scheme file with this id (or version)."""
