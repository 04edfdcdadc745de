"""Domain errors: every refusal names the rule that refused and what to change, in Chinese and English."""

from __future__ import annotations


class RuleViolation(Exception):
    """A command was refused by a business rule.

    ``rule`` is a short, stable reference to the rule: a rulebook clause such as ``"001 §4.6.2"``
    or a ledger rule such as ``"ledger: one score per item"``. ``message_zh`` and ``message_en``
    say what is wrong and what to change. ``str()`` is the Chinese text: the working language of
    the records.
    """

    def __init__(self, rule: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message_zh": self.message_zh, "message_en": self.message_en}


_SHELL_SPECIAL = frozenset(" \t\n'\"$`\\;&|<>()*?[]#~!{}")


def shell_arg(text: object) -> str:
    """A value as a refusal's suggested command gives it, to be pasted into a shell: as it is when
    the shell reads it as one word (王芳, 91330100716105852F), else quoted ('John Smith'); trial item 11."""
    import shlex

    s = str(text)
    return shlex.quote(s) if not s or any(ch in _SHELL_SPECIAL for ch in s) else s


class NotFound(RuleViolation):
    """The thing a command refers to does not exist (a client, an audit, an entry...)."""


def no_such_client(uscc: str) -> NotFound:
    """The ledger has no client with this (normalised) USCC."""
    return NotFound(
        "ledger: reference exists",
        f"账本中没有统一社会信用代码为 {uscc} 的组织；请先提交申请（application submit）。",
        f"The ledger has no client with USCC {uscc}; submit an application first.",
    )
