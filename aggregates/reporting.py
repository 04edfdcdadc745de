"""What the regulator and the public must be told (001 §7.4, §7.3.2, §4.6.6): reports to CNCA with their references, a withdrawn certificate recalled or a public statement, publication on the body's website; and follow-ups (a minor nonconformity verified at the next surveillance, the date a cause was verified).

An area of ``Client``: events as classes with ``apply``, stored as ``aggregates.client:Client.<Event>``
(docs/architecture.md, "A new event of an area").

The area's state is one JSON-shaped dict, ``reporting`` (created by the first event of the area, so
the ``Registered`` event stays as it is): ``reports`` (acts reported to the CNCA, by act key),
``recalls`` (a withdrawn certificate recalled, or the public statement, by withdrawal id),
``publications`` (acts published on the website, by act key) and ``causes`` (the date a cause of
suspension or withdrawal was verified, by id CV1, CV2...).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.policy.common import not_before, require, require_choice, require_text
from aggregates.vocabulary import REPORTED_ACTS

# REPORTED_ACTS: the acts the CNCA is told of (001 §7.4; cancellation, restoration and scope reduction
# change the certificate information reported under 001 §4.6.6); PUBLISHED_ACTS: those published on
# the website (001 §7.4). The command that records each act (named in a refusal when there is none to report):
ACT_COMMANDS = {"suspension": "certificate suspend", "restoration": "certificate restore", "withdrawal": "certificate withdraw",
                "cancellation": "certificate cancel", "scope-reduction": "certificate scope --kind reduce"}
PUBLISHED_ACTS = ("suspension", "withdrawal")
CAUSE_KINDS: dict[str, tuple[str, str]] = {k: REPORTED_ACTS[k] for k in PUBLISHED_ACTS}  # causes verified (001 §7.2-7.3)

_EMPTY: dict[str, dict[str, Any]] = {"reports": {}, "recalls": {}, "publications": {}, "causes": {}}


def act_key(act: str, act_id: str) -> str:
    """A reported act's key ("suspension:SU1"): its reports and publications are kept under it."""
    return f"{act}:{act_id}"


def _area(aggregate: Any) -> dict[str, dict[str, Any]]:
    """The area's state, created on the first event that writes it (inside ``apply`` only)."""
    state = aggregate.__dict__.get("reporting")
    if state is None:
        state = {k: {} for k in _EMPTY}
        aggregate.__dict__["reporting"] = state
    return state


class ReportingArea:
    """Commands and events of this area (mixed into ``Client``)."""

    certificates: dict[str, dict[str, Any]]
    suspensions: dict[str, dict[str, Any]]
    withdrawals: dict[str, dict[str, Any]]
    scope_changes: dict[str, dict[str, Any]]
    registered_on: date
    name: str

    # ------------------------------------------------------------------ read-only questions

    @property
    def reporting_state(self) -> dict[str, dict[str, Any]]:
        """The area's records (empty for a client without any)."""
        return self.__dict__.get("reporting") or _EMPTY

    def reportable_acts(self) -> list[dict[str, Any]]:
        """Every act of the certificates that the CNCA is told of, in order: ``key`` (act:id),
        ``act``, ``id``, ``number``, ``on`` (the day of the act), ``reported_on`` (None until
        reported) and ``published_on`` (suspensions and withdrawals)."""
        st = self.reporting_state
        acts: list[dict[str, Any]] = []
        for s in self.suspensions.values():
            annulled = s.get("annulled_by") or {}
            acts.append({"act": "suspension", "id": s["id"], "number": s["number"], "on": s["on"], "reversed": bool(annulled)})
            if s["restored_on"] is not None and not annulled.get("with"):  # not ended with a reversed withdrawal (told once, below)
                acts.append({"act": "restoration", "id": s["id"], "number": s["number"], "on": s["restored_on"]})
        for w in self.withdrawals.values():
            acts.append({"act": "withdrawal", "id": w["id"], "number": w["number"], "on": w["on"], "reversed": bool(w.get("reversed_by"))})
            if w.get("reversed_by"):  # reinstated on an upheld appeal (aggregates/cases.py): told as a restoration
                acts.append({"act": "restoration", "id": w["id"], "number": w["number"], "on": w["reversed_by"]["on"]})
        for number, cert in self.certificates.items():
            if cert["status"] == "cancelled":
                acts.append({"act": "cancellation", "id": number, "number": number, "on": cert["status_changed_on"]})
        for sc in self.scope_changes.values():
            if sc["kind"] == "reduce":
                acts.append({"act": "scope-reduction", "id": sc["id"], "number": sc["number"], "on": sc["on"]})
        for a in acts:
            a.setdefault("reversed", False)  # an act reversed on an upheld appeal: reported, not published
            a["key"] = act_key(a["act"], a["id"])
            a["reported_on"] = (st["reports"].get(a["key"]) or {}).get("on")
            a["published_on"] = (st["publications"].get(a["key"]) or {}).get("on")
        acts.sort(key=lambda a: (a["on"], a["key"]))
        return acts

    def _reportable(self, act: str, act_id: str, occurred_on: date, rule: str) -> dict[str, Any]:
        """The act ``act`` (its ``act_id``, or the latest of that kind when none is given)."""
        require_choice(act, REPORTED_ACTS, "报告的事项", "act reported")
        of_kind = [a for a in self.reportable_acts() if a["act"] == act]
        act_word = REPORTED_ACTS[act]
        require(
            bool(of_kind), rule,
            f"{self.name} 没有{act_word[0]}记录；请先记录该事项（{ACT_COMMANDS[act]}）。",
            f"{self.name} has no {act_word[1]} on record; record the act first ({ACT_COMMANDS[act]}).",
        )
        chosen = of_kind[-1] if not act_id else next((a for a in of_kind if a["id"] == act_id.strip()), None)
        known = ", ".join(a["id"] for a in of_kind)
        require(
            chosen is not None, rule,
            f"没有编号为 {act_id} 的{act_word[0]}记录；现有：{known}。请用 --id 给出其中之一。",
            f"There is no {act_word[1]} {act_id}; existing: {known}. Give one of them with --id.",
        )
        assert chosen is not None
        not_before(occurred_on, chosen["on"], f"{act_word[0]}的日期", f"the date of the {act_word[1]}")
        return chosen

    # ------------------------------------------------------------------ reports to the CNCA (001 §7.4)

    def report_act(self, *, act: str, act_id: str, reference: str, rule: str, actor: str, occurred_on: date) -> str:
        """The CNCA was told of a suspension, restoration, withdrawal, cancellation or scope
        reduction, under a submission reference. Returns the act's key."""
        chosen = self._reportable(act, act_id, occurred_on, rule)
        reference = require_text(reference, "报送认监委的编号（--reference）", "the CNCA submission's reference (--reference)", rule)
        require(
            chosen["reported_on"] is None, rule,
            f"{REPORTED_ACTS[act][0]} {chosen['id']} 已于 {chosen['reported_on']} 报送认监委；无需再次报送。",
            f"The {REPORTED_ACTS[act][1]} {chosen['id']} was reported to the CNCA on {chosen['reported_on']}; nothing to report again.",
        )
        self.trigger_event(self.ActReportedToRegulator, key=chosen["key"], act=act, act_id=chosen["id"],  # type: ignore[attr-defined]
                           number=chosen["number"], reference=reference, actor=actor, occurred_on=occurred_on)
        return chosen["key"]

    class ActReportedToRegulator(AreaEvent):
        """A suspension, restoration, withdrawal, cancellation or scope reduction reported to the CNCA (001 §7.4)."""

        key: str
        act: str
        act_id: str
        number: str
        reference: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _area(aggregate)["reports"][self.key] = {
                "key": self.key, "act": self.act, "id": self.act_id, "number": self.number,
                "reference": self.reference, "on": self.occurred_on, "actor": self.actor,
            }

    # ------------------------------------------------------------------ website (001 §7.4)

    def publish_act(self, *, act: str, act_id: str, where: str, rule: str, actor: str, occurred_on: date) -> str:
        """A suspension or withdrawal published on the body's website (001 §7.4). Returns the act's key."""
        require(
            act in PUBLISHED_ACTS, rule,
            f"网站公布适用于暂停或撤销（{rule}）；“{act}”不适用。请用 --kind suspension 或 --kind withdrawal。",
            f"Website publication applies to a suspension or a withdrawal ({rule}), not '{act}'. Use --kind suspension or --kind withdrawal.",
        )
        chosen = self._reportable(act, act_id, occurred_on, rule)
        where = require_text(where, "公布的网址或栏目（--where）", "where it was published: the page or its address (--where)", rule)
        require(
            chosen["published_on"] is None, rule,
            f"{REPORTED_ACTS[act][0]} {chosen['id']} 已于 {chosen['published_on']} 在网站公布。",
            f"The {REPORTED_ACTS[act][1]} {chosen['id']} was published on the website on {chosen['published_on']}.",
        )
        self.trigger_event(self.PublishedOnWebsite, key=chosen["key"], act=act, act_id=chosen["id"],  # type: ignore[attr-defined]
                           number=chosen["number"], where=where, actor=actor, occurred_on=occurred_on)
        return chosen["key"]

    class PublishedOnWebsite(AreaEvent):
        """A suspension or withdrawal published on the body's website (001 §7.4)."""

        key: str
        act: str
        act_id: str
        number: str
        where: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _area(aggregate)["publications"][self.key] = {
                "key": self.key, "act": self.act, "id": self.act_id, "number": self.number,
                "where": self.where, "on": self.occurred_on, "actor": self.actor,
            }

    # ------------------------------------------------------------------ recall or public statement (001 §7.3.2)

    def recall_withdrawn(self, *, statement: str, reason: str, rule: str, actor: str, occurred_on: date) -> str:
        """The withdrawn certificate was recalled (``statement`` empty) or, as it could not be, the
        withdrawal was published or declared in the media and on the website (``statement``: where).
        Returns the withdrawal's id."""
        require(
            bool(self.withdrawals), rule,
            f"{self.name} 没有被撤销的证书；收回证书或公开声明只适用于撤销后（先 certificate withdraw）。",
            f"{self.name} has no withdrawn certificate; a recall or public statement follows a withdrawal (certificate withdraw first).",
        )
        w = list(self.withdrawals.values())[-1]
        done = self.reporting_state["recalls"].get(w["id"])
        require(
            done is None, rule,
            f"撤销 {w['id']} 的证书已于 {(done or {}).get('on')} 处理（{'公开声明' if (done or {}).get('statement') else '已收回'}）。",
            f"The certificate of withdrawal {w['id']} was dealt with on {(done or {}).get('on')} "
            f"({'public statement' if (done or {}).get('statement') else 'recalled'}).",
        )
        not_before(occurred_on, w["on"], "撤销日期", "the date of the withdrawal")
        statement = (statement or "").strip()
        reason = (reason or "").strip()
        if statement:
            require_text(reason, "无法收回证书的原因（--reason）", "why the certificate could not be recalled (--reason)", rule)
        self.trigger_event(self.WithdrawnCertificateRecalled, withdrawal_id=w["id"], number=w["number"],  # type: ignore[attr-defined]
                           statement=statement, reason=reason, actor=actor, occurred_on=occurred_on)
        return w["id"]

    class WithdrawnCertificateRecalled(AreaEvent):
        """A withdrawn certificate recalled, or (``statement``: where) the withdrawal published or
        declared because it could not be recalled (001 §7.3.2)."""

        withdrawal_id: str
        number: str
        statement: str
        reason: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _area(aggregate)["recalls"][self.withdrawal_id] = {
                "withdrawal_id": self.withdrawal_id, "number": self.number, "recalled": not self.statement,
                "statement": self.statement, "reason": self.reason, "on": self.occurred_on, "actor": self.actor,
            }

    # ------------------------------------------------------------------ the cause verified (001 §7.2.1, §7.3.1)

    def verify_cause(self, *, kind: str, reason_code: str, verified_on: date, facts: str, rule: str,
                     actor: str, occurred_on: date) -> str:
        """The body verified a cause of suspension or withdrawal on ``verified_on``: the act is due
        within the procedure's period from that day. ``reason_code`` is already the procedure's."""
        require_choice(kind, CAUSE_KINDS, "原因类型", "kind of cause")
        cert = self.certificates.get(self.current_certificate) if self.current_certificate else None  # type: ignore[attr-defined]
        require(
            cert is not None and cert["status"] in ("valid", "suspended"), rule,
            f"{self.name} 没有有效或暂停的证书；核实暂停或撤销原因只适用于有效的证书。",
            f"{self.name} has no certificate in force; a cause of suspension or withdrawal applies to a certificate in force.",
        )
        assert cert is not None
        require(
            kind == "withdrawal" or cert["status"] == "valid", rule,
            f"证书 {cert['number']} 已暂停；已暂停的证书只能核实撤销原因（--kind withdrawal）或恢复（certificate restore）。",
            f"Certificate {cert['number']} is already suspended: verify a cause of withdrawal (--kind withdrawal) or restore it (certificate restore).",
        )
        facts = require_text(facts, "核实的事实（--facts）", "the facts verified (--facts)", rule)
        not_before(verified_on, cert["issued_on"], "证书签发日期", "the issue date")
        require(
            verified_on <= occurred_on, rule,
            f"核实日期 {verified_on} 不能晚于记录日期 {occurred_on}。",
            f"The date verified ({verified_on}) cannot be after the date recorded ({occurred_on}).",
        )
        cause_id = f"CV{len(self.reporting_state['causes']) + 1}"
        self.trigger_event(self.CauseVerified, cause_id=cause_id, kind=kind, number=cert["number"],  # type: ignore[attr-defined]
                           reason_code=reason_code, verified_on=verified_on, facts=facts, actor=actor, occurred_on=occurred_on)
        return cause_id

    class CauseVerified(AreaEvent):
        """A cause of suspension (001 §7.2.1) or withdrawal (001 §7.3.1) investigated and verified on a day."""

        cause_id: str
        kind: str
        number: str
        reason_code: str
        verified_on: date
        facts: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _area(aggregate)["causes"][self.cause_id] = {
                "id": self.cause_id, "kind": self.kind, "number": self.number, "reason_code": self.reason_code,
                "verified_on": self.verified_on, "facts": self.facts, "on": self.occurred_on, "actor": self.actor,
            }
