"""What every command of the ledger is made of: the act (who records it, on which business date) and
the ``@command`` decorator that checks both before the command's step runs on the client. Shared by
ledger/handlers.py and the areas' ledger/handlers_<area>.py."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import Any

from aggregates.annotations import check_annotation
from aggregates.client import Client
from aggregates.errors import RuleViolation
from ledger.commands_signing import SIGNED_ACTS
from ledger.signing import signed

Step = Callable[[Client], Any]


class Act:
    """Who records a command and the business date on which the thing happened; ``recorded`` is
    the two fields every event carries, as the aggregate's commands take them. (A plain class with
    slots: one is made per command, tens of thousands in an import.)"""

    __slots__ = ("actor", "on", "recorded")

    def __init__(self, actor: str, on: date) -> None:
        self.actor = actor
        self.on = on
        self.recorded = {"actor": actor, "occurred_on": on}


def parameter_names(fn: Callable[..., Any]) -> frozenset[str]:
    """The names of ``inspect.signature(fn).parameters``, read from the function's code: some 50
    commands are decorated at every start, and a signature costs tens of microseconds (D49)."""
    code = inspect.unwrap(fn).__code__
    count = (code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS)
             + bool(code.co_flags & inspect.CO_VARKEYWORDS))
    return frozenset(code.co_varnames[:count])


def command(name: str) -> Callable[[Callable[..., Step]], Callable[..., Any]]:
    """A command named as on the command line: the actor and the business date are checked first,
    then the function gives the client's step, which ``_run`` takes on the loaded client."""

    def wrap(fn: Callable[..., Step]) -> Callable[..., Any]:
        own = parameter_names(fn)  # a command with its own note or evidence keeps them

        @functools.wraps(fn)
        def method(self: Any, *, client: str, actor: str | None = None, on: date | None = None, **kwargs: Any) -> Any:
            note = kwargs.pop("note", "") if "note" not in own else ""
            evidence = kwargs.pop("evidence", None) if "evidence" not in own else None
            sign_key = kwargs.pop("sign_key", None)  # personal signatures (issue 15, item 4): ledger/signing.py
            act = Act(self._actor(actor, on), self._business_date(on))
            step = annotated(fn(self, act, **kwargs), name, act, note, evidence)
            if name in SIGNED_ACTS:
                step = signed(self, step, name, act, sign_key, kwargs)
            return self._run(client, name, step)

        method.command_name = name
        return method

    return wrap


def annotated(step: Step, name: str, act: Act, note: str | None, evidence: list[str] | str | None) -> Step:
    """The step, followed by ``ActAnnotated`` (aggregates/annotations.py) when a note or evidence is
    given: in the same save as the act's event. Checked before the step runs, so a refused note
    leaves the client untouched."""
    if not note and not evidence:  # the usual case: no cost to an import's lines
        return step
    note, refs = check_annotation(note, evidence, name)
    if not note and not refs:
        return step

    def run(c: Client) -> Any:
        since = c.version
        result = step(c)
        c.annotate(command=name, since=since, result=result, note=note, evidence=refs, **act.recorded)
        return result

    return run


def one_of(accept: bool, refuse: bool, rule: str) -> None:
    if accept == refuse:
        raise RuleViolation(rule, "请选择 --accept（受理）或 --refuse（不予受理）之一。", "Choose exactly one of --accept or --refuse.")


