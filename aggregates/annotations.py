"""Records that explain themselves: a note and any number of evidence references attached to an act.

An area of ``Client``: events as classes with ``apply``, stored as ``aggregates.client:Client.<Event>``
(docs/architecture.md, "A new event of an area").

Every write command may carry ``--note`` and any number of ``--evidence`` (ledger/acts.py adds them
to every command's step). Given, the step records, right after the act's own event and in the same
save, an ``ActAnnotated`` event naming that event by its version (``act_version``) and, when the act
created something with an id (``S4``, ``D1``, ``AP2``...), that id (``ref``). The client's state keeps
them in ``annotations`` (by the act's version, as a string), read by ``annotation_of``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.errors import RuleViolation
from aggregates.reporting import act_key

NOTE_MAX = 2000  # characters of a note
EVIDENCE_MAX = 50  # references on one act
REFERENCE_MAX = 300  # characters of one reference
RECORDS_CLAUSE = "001 §12.2"  # records are true and accurate and prove the activity was carried out


def check_annotation(note: str | None, evidence: list[str] | str | None, command: str) -> tuple[str, list[str]]:
    """The note, trimmed, and the evidence references, trimmed, in the order given (a reference given
    twice is kept once). Refuses a blank reference and sizes no record should have."""
    note = (note or "").strip()
    refs = [evidence] if isinstance(evidence, str) else list(evidence or [])
    if len(note) > NOTE_MAX:
        raise RuleViolation(
            RECORDS_CLAUSE,
            f"备注有 {len(note)} 个字符，超过 {NOTE_MAX} 个；请精简备注，详细材料以 --evidence 引用（例如 certledger {command} ... --note 简要说明 --evidence 文件编号）。",
            f"The note has {len(note)} characters, more than {NOTE_MAX}; shorten it and cite longer material with --evidence "
            f"(e.g. certledger {command} ... --note 'a short note' --evidence DOC-NO).",
        )
    out: list[str] = []
    for raw in refs:
        ref = str(raw).strip()
        if not ref:
            raise RuleViolation(
                RECORDS_CLAUSE,
                f"证据引用不能为空；请给出文件名、编号或位置，例如 certledger {command} ... --evidence 现场照片-001。",
                f"An evidence reference cannot be blank; give a document name, number or location, e.g. "
                f"certledger {command} ... --evidence site-photo-001.",
            )
        if len(ref) > REFERENCE_MAX:
            raise RuleViolation(
                RECORDS_CLAUSE,
                f"证据引用“{ref[:20]}…”超过 {REFERENCE_MAX} 个字符；证据引用只写文件名、编号或位置，说明写在 --note 中。",
                f"The evidence reference '{ref[:20]}...' is longer than {REFERENCE_MAX} characters; a reference names a "
                "document, number or location; put explanations in --note.",
            )
        if ref not in out:
            out.append(ref)
    if len(out) > EVIDENCE_MAX:
        raise RuleViolation(
            RECORDS_CLAUSE,
            f"一项记录最多引用 {EVIDENCE_MAX} 份证据（收到 {len(out)} 份）；请引用证据清单或档案盒编号，例如 --evidence 档案盒-2026-017。",
            f"One record cites at most {EVIDENCE_MAX} pieces of evidence (got {len(out)}); cite the evidence list or "
            "the file box instead, e.g. --evidence box-2026-017.",
        )
    return note, out


def created_ref(result: Any) -> str | None:
    """The id an act created, from its command's result: ``S4``, ``AP2``, a decision's ``D1`` or a
    reported act's key ``suspension:SU1`` (its act and id)."""
    if isinstance(result, str):
        return result
    if isinstance(result, dict) and isinstance(result.get("decision"), str):
        return result["decision"]
    if isinstance(result, dict) and isinstance(result.get("act"), str) and isinstance(result.get("act_id"), str):
        return act_key(result["act"], result["act_id"])
    return None


class AnnotationsArea:
    """Commands and events of this area (mixed into ``Client``)."""

    version: int

    def annotate(self, *, command: str, since: int, result: Any, note: str, evidence: list[str], actor: str,
                 occurred_on: date) -> None:
        """Attach a note and evidence to the act just taken (its event is the last one triggered:
        ``since`` is the client's version before the act). Checked already: ``check_annotation``."""
        if self.version == since:
            raise RuleViolation(
                RECORDS_CLAUSE,
                f"“{command}”没有产生记录，备注和证据无处附着；请在产生记录的命令上使用 --note / --evidence。",
                f"'{command}' recorded nothing, so there is nothing to attach the note and evidence to; use --note / "
                "--evidence on a command that records something.",
            )
        self.trigger_event(self.ActAnnotated, act_version=self.version, command=command, ref=created_ref(result),
                           note=note, evidence=list(evidence), actor=actor, occurred_on=occurred_on)

    class ActAnnotated(AreaEvent):
        """A note and evidence references attached to the act recorded as event ``act_version``."""

        act_version: int
        command: str
        ref: str | None
        note: str
        evidence: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            table = aggregate.__dict__.setdefault("annotations", {})
            table[str(self.act_version)] = {
                "act_version": self.act_version, "command": self.command, "ref": self.ref, "note": self.note,
                "evidence": list(self.evidence), "actor": self.actor, "on": self.occurred_on,
            }

    def annotation_of(self, ref: str) -> dict[str, Any] | None:
        """The note and evidence attached to the act that created ``ref`` (a score entry ``S4``...)."""
        for a in getattr(self, "annotations", {}).values():
            if a["ref"] == ref:
                return a
        return None
