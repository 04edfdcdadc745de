"""Changes administered end to end (001 4.2.2 c; 004 §15, §6.9.2): the client's master data (name, address, legal representative, top management, sites, headcount, licences, business lines) changed by events, a notified change assessed (who, when, outcome), a certificate amended and reissued (换证).

An area of ``Client``: events as classes with ``apply``, stored as ``aggregates.client:Client.<Event>``
(docs/architecture.md, "A new event of an area").
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from aggregates.area_events import AreaEvent
from aggregates.policy import changes as policy

# Tables of this area, created by its first event (clients recorded before the area existed have none):
#   master_data_changes  {"MD1": {"id", "on" (effective), "values", "previous", "change_id", "holders",
#                         "description", "actor"}}
#   profile              {field: {"value", "on", "record"}}: the value in force of each field a record changed
#   change_assessments   {"N1": {"change_id", "assessor", "outcomes", "conclusion", "on", "actor"}}
#   change_follow_ups    {"N1": {"audit": "A3", "scope_change": "SC1", "suspension": "SU1"}}
# On the certificate: "business_lines" (once changed), "version" and "versions" (换证); on an
# application: "business_lines" (declared).
TABLES = ("master_data_changes", "profile", "change_assessments", "change_follow_ups")
VERSION_KEYS = ("name", "address", "scope", "sites", "business_lines", "grade")


def first_version(c: Any, cert: dict[str, Any]) -> dict[str, Any]:
    """A certificate's contents as issued (its version 1): the name and address in force on its issue
    date, the scope before any scope change, its sites and grade as they stand until its first
    amendment."""
    first_scope = next((x["old_scope"] for x in c.scope_changes.values() if x["number"] == cert["number"]), cert["scope"])
    return copy.deepcopy({  # a version holds its own lists, as a replay's does (D64: the live client is its replay)
        "version": 1, "issued_on": cert["issued_on"], "change_id": None,
        "name": c.master_value_on("name", cert["issued_on"]), "address": c.master_value_on("address", cert["issued_on"]),
        "scope": first_scope, "sites": c.master_value_on("sites", cert["issued_on"]),
        "business_lines": c.master_value_on("business_lines", cert["issued_on"]), "grade": cert["grade"],
    })


def current_contents(c: Any, cert: dict[str, Any], version: int, occurred_on: date, **refs: Any) -> dict[str, Any]:
    """The certificate's contents as they stand now, as its version ``version`` issued ``occurred_on``."""
    return copy.deepcopy({"version": version, "issued_on": occurred_on, "change_id": None, **refs, "name": c.name, "address": c.address,
                          "scope": cert["scope"], "sites": cert["sites"], "business_lines": cert.get("business_lines", c.business_lines),
                          "grade": cert["grade"]})


def amend_scope(c: Any, cert: dict[str, Any], scope: str, sites: list[dict[str, str]], occurred_on: date, **refs: Any) -> None:
    """A certificate's scope (and sites) changed — a scope change, or its reversal on an upheld appeal —
    with a new version of its contents (换证, 004 §9.3 2)): the first version, as issued, kept before it.
    Called by the events' ``apply`` only (the checks ran before)."""
    versions = list(cert.get("versions") or [])
    if not versions:
        versions.append({**first_version(c, cert), "scope": cert["scope"], "sites": copy.deepcopy(cert["sites"])})
    cert["scope"], cert["sites"] = scope, sites
    versions.append(current_contents(c, cert, versions[-1]["version"] + 1, occurred_on, **refs))
    cert["versions"], cert["version"] = versions, versions[-1]["version"]


def _own(client: Any, name: str) -> dict[str, Any]:
    table = client.__dict__.get(name)
    if table is None:
        table = client.__dict__[name] = {}
    return table


class ChangesArea:
    """Commands and events of this area (mixed into ``Client``)."""

    # ------------------------------------------------------------------ reading the area's state

    @property
    def master_data_changes(self) -> dict[str, dict[str, Any]]:
        return self.__dict__.get("master_data_changes", {})

    @property
    def change_assessments(self) -> dict[str, dict[str, Any]]:
        return self.__dict__.get("change_assessments", {})

    @property
    def change_follow_ups(self) -> dict[str, dict[str, str]]:
        return self.__dict__.get("change_follow_ups", {})

    def master_value(self, field: str) -> Any:
        """A master-data field's value in force now (aggregates.vocabulary.MASTER_DATA_FIELDS)."""
        c: Any = self
        if field in ("name", "address", "sites", "headcount", "business_lines"):
            return getattr(c, field)
        held = self.__dict__.get("profile", {}).get(field)
        if held is not None:
            return held["value"]
        return "" if field == "legal_representative" else []

    def master_value_on(self, field: str, day: date) -> Any:
        """The value in force on ``day`` by the recorded changes' effective dates (what a replay to
        that day gives; used for a certificate's first version)."""
        records = sorted((r for r in self.master_data_changes.values() if field in r["values"]),
                         key=lambda r: (r["on"], int(r["id"][2:])))
        if not records:
            return self.master_value(field)
        value = records[0]["previous"][field]
        for r in records:
            if r["on"] <= day:
                value = r["values"][field]
        return value

    # ------------------------------------------------------------------ master data

    def record_master_data(self, *, values: dict[str, Any], change_id: str | None, description: str, actor: str,
                           occurred_on: date) -> str:
        """Master data changed, effective ``occurred_on`` (the event's business date, so that a read
        as of any date gives the values in force then)."""
        clean, previous, holders = policy.check_record(self, values=values, change_id=change_id, occurred_on=occurred_on)
        record_id = f"MD{len(self.master_data_changes) + 1}"
        c: Any = self
        c.trigger_event(c.MasterDataChanged, record_id=record_id, values=clean, previous=copy.deepcopy(previous), change_id=change_id or None,
                        holders=holders, description=(description or "").strip(),
                        actor=actor, occurred_on=occurred_on)
        return record_id

    class MasterDataChanged(AreaEvent):
        """Fields of the client's master data changed, effective on the event's business date. A
        field already changed with a later effective date keeps that value (a change recorded late)."""

        record_id: str
        values: dict[str, Any]
        previous: dict[str, Any]
        change_id: str | None
        holders: dict[str, list[str]]  # a scope field -> ["certificate", number] or ["application", id]
        description: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _own(aggregate, "master_data_changes")[self.record_id] = {
                "id": self.record_id, "on": self.occurred_on, "values": self.values, "previous": self.previous,
                "change_id": self.change_id, "holders": self.holders,
                "description": self.description, "actor": self.actor,
            }
            profile = _own(aggregate, "profile")
            for field, value in self.values.items():
                held = profile.get(field)
                if held is not None and held["on"] > self.occurred_on:
                    continue
                profile[field] = {"value": value, "on": self.occurred_on, "record": self.record_id}
                if field in ("name", "address"):
                    setattr(aggregate, field, value)
                elif field in self.holders:
                    table, key = self.holders[field]
                    (aggregate.certificates if table == "certificate" else aggregate.applications)[key][field] = value

    def declare_business_lines(self, *, application_id: str, lines: list[str], actor: str, occurred_on: date) -> None:
        lines = policy.check_lines(self, application_id=application_id, lines=lines, occurred_on=occurred_on)
        c: Any = self
        c.trigger_event(c.BusinessLinesDeclared, application_id=application_id, lines=lines, actor=actor, occurred_on=occurred_on)

    class BusinessLinesDeclared(AreaEvent):
        """The business lines an application covers (004 §4.18.2: each scored separately)."""

        application_id: str
        lines: list[str]
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            aggregate.applications[self.application_id]["business_lines"] = self.lines

    # ------------------------------------------------------------------ assessment and its follow-ups

    def assess_change(self, *, change_id: str, assessor: str, outcomes: list[str], conclusion: str, audit_id: str,
                      scope_change_id: str, actor: str, occurred_on: date) -> dict[str, Any]:
        outcomes, assessor, conclusion = policy.check_assessment(
            self, change_id=change_id, assessor=assessor, outcomes=outcomes, conclusion=conclusion, audit_id=audit_id,
            scope_change_id=scope_change_id, occurred_on=occurred_on)
        reissue = self._reissue(change_id, occurred_on) if "reissue" in outcomes else None
        c: Any = self
        c.trigger_event(c.ChangeAssessed, change_id=change_id, assessor=assessor, outcomes=outcomes, conclusion=conclusion,
                        actor=actor, occurred_on=occurred_on)
        result: dict[str, Any] = {"change": change_id, "outcomes": outcomes}
        for kind, ref in (("audit", audit_id), ("scope_change", scope_change_id)):
            if ref:
                c.trigger_event(c.ChangeFollowedUp, change_id=change_id, kind=kind, ref=ref, actor=actor, occurred_on=occurred_on)
                result[kind] = ref
        if reissue is not None:
            c.trigger_event(c.CertificateReissued, **reissue, change_id=change_id, actor=actor, occurred_on=occurred_on)
            result["certificate"] = f"{reissue['number']} v{reissue['contents']['version']}"
        return result

    def _reissue(self, change_id: str, occurred_on: date) -> dict[str, Any]:
        """The certificate's next version (换证: same number), its contents as they stand now; the
        first version's contents are those in force when it was issued. Refused when nothing on the
        certificate changed (record the master data first)."""
        c: Any = self
        cert = c.certificate_in_force
        versions = cert.get("versions") or []
        superseded = None if versions else first_version(c, cert)
        latest = versions[-1] if versions else superseded
        contents = current_contents(c, cert, latest["version"] + 1, occurred_on, change_id=change_id)
        policy.require(
            any(contents[k] != latest[k] for k in VERSION_KEYS), "004 §9.3 2)",
            f"证书 {cert['number']} 第 {latest['version']} 版的内容没有变化，无需换证；请先记录变更："
            f"change record --change {change_id} --name ... / --address ... / --site ...，再评审。",
            f"Version {latest['version']} of certificate {cert['number']} shows nothing that changed, so there is nothing to reissue; "
            f"record the change first: change record --change {change_id} --name ... / --address ... / --site ..., then assess.",
        )
        return {"number": cert["number"], "contents": contents, "superseded": superseded}

    class ChangeAssessed(AreaEvent):
        """A notified change was assessed (001 §4.2.3): by whom, when, with what outcome(s)."""

        change_id: str
        assessor: str
        outcomes: list[str]
        conclusion: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _own(aggregate, "change_assessments")[self.change_id] = {
                "change_id": self.change_id, "assessor": self.assessor, "outcomes": self.outcomes,
                "conclusion": self.conclusion, "on": self.occurred_on, "actor": self.actor,
            }

    class CertificateReissued(AreaEvent):
        """The certificate amended and reissued under its number (换证, 004 §9.3 2), §16.1 item 5): a
        new version of its contents; the versions before it stay in its history."""

        number: str
        contents: dict[str, Any]
        superseded: dict[str, Any] | None
        change_id: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            cert = aggregate.certificates[self.number]
            versions = list(cert.get("versions") or [])
            if self.superseded is not None:
                versions.append(self.superseded)
            versions.append(self.contents)
            cert["versions"] = versions
            cert["version"] = self.contents["version"]
            cert["reissued_on"] = self.occurred_on

    class ChangeFollowedUp(AreaEvent):
        """What followed a notified change: the unscheduled surveillance (audit), the scope change or
        the suspension it led to."""

        change_id: str
        kind: str  # audit, scope_change or suspension
        ref: str
        actor: str
        occurred_on: date

        def apply(self, aggregate: Any) -> None:  # type: ignore[override]
            _own(aggregate, "change_follow_ups").setdefault(self.change_id, {})[self.kind] = self.ref

    def link_change(self, *, change_id: str, audit_id: str, scope_change_id: str, actor: str, occurred_on: date) -> str:
        kind, ref = policy.check_link(self, change_id=change_id, audit_id=audit_id, scope_change_id=scope_change_id, occurred_on=occurred_on)
        c: Any = self
        c.trigger_event(c.ChangeFollowedUp, change_id=change_id, kind=kind, ref=ref, actor=actor, occurred_on=occurred_on)
        return ref

    def suspend_for_change(self, *, change_id: str, late: bool, clause: str, reason_code: str, reason: str, start: date,
                           until: date | None, actor: str, occurred_on: date) -> str:
        """The certificate suspended citing a notified change (late, or assessed with the outcome
        suspension): the suspension ``certificate suspend`` records, and its link to the change."""
        policy.check_change_suspension(self, change_id=change_id, late=late, clause=clause)
        c: Any = self
        suspension_id = c.suspend(reason_code=reason_code, reason=reason, start=start, until=until, actor=actor, occurred_on=occurred_on)
        c.trigger_event(c.ChangeFollowedUp, change_id=change_id, kind="suspension", ref=suspension_id, actor=actor, occurred_on=occurred_on)
        return suspension_id
