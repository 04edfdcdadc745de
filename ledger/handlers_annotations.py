"""Commands of notes and evidence references attached to acts: each a method decorated with ``@command("group verb")`` (see
ledger/handlers.py) with its entry in ledger/commands.py; rules that need the calendar or a procedure
run here, from ledger/rules/, before the aggregate's command.

This area adds no command of its own: every write command takes ``--note`` and repeated
``--evidence`` (ledger/commands.py adds them to every entry; ledger/acts.py records them after the
act as ``ActAnnotated``, aggregates/annotations.py). ``application submit`` keeps its evidence in
its own field, every reference kept (``evidence_text``).
"""

from __future__ import annotations

from aggregates.annotations import check_annotation

EVIDENCE_SEPARATOR = "；"


def evidence_text(evidence: list[str] | str | None, command: str) -> str:
    """The references of ``application submit``'s ``--evidence`` as its stored text field: every
    one kept (a single one exactly as before), checked like any act's evidence."""
    if not evidence:
        return ""
    return EVIDENCE_SEPARATOR.join(check_annotation(None, evidence, command)[1])


class AnnotationHandlers:
    """Mixed into ``Handlers`` (ledger/handlers.py)."""
