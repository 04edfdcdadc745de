"""Why a grade is what it is: the explanation of a client's score, item by item, and the what-if
preview of a score sheet. See docs/scoring.md ("Explaining a grade", "Score preview").

Pure functions over a ``Client`` (replayed to any business date or recording moment by
``CertLedger.client``) and the scoring engine; nothing here opens a database or reads the clock.

* ``explain(client, ...)`` takes the latest certification decision (or the audit asked for, or the
  latest scored audit when nothing is decided yet), recomputes its score under the scheme version
  the decision recorded (001 §13.1, even when a newer version exists) and says whether the
  recomputation matches what was recorded. Every score carries who entered it, its business date
  and, given the client's history, the moment it was recorded; corrections show what they replaced
  and why; exclusions show their reasons.
* ``preview(scheme, sheet)`` / ``preview_file(path, scheme_id, version)`` evaluate a JSON score
  sheet that is not in any ledger.
* ``audit_inputs(client, audit_id)`` is what the engine is given for an audit: the standing entries,
  the exclusions and the context. ``CertLedger.evaluate_audit`` and ``explain`` must agree on it.

The result is JSON-shaped (numbers as exact decimal strings, dates as ISO strings), in both
languages (``*_zh`` / ``*_en``); the CLI only renders it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterable

from aggregates.objections import objections_for  # 004 §5.2.1
from aggregates.errors import NotFound, RuleViolation
from aggregates.vocabulary import AUDIT_KINDS, DECIDABLE_AUDIT_KINDS
from ledger.rules.evaluation import audit_inputs
from ledger.rules.scoring import (
    Entry,
    Evaluation,
    Scheme,
    SchemeNotFound,
    ScoringError,
    band_containing,
    evaluate,
    graded_value,
    load_scheme,
)
from ledger.rules.scoring.engine import jsonable
from ledger.rules.scoring.model import fmt
from ledger.rules.scoring.rules import describe_rule

if TYPE_CHECKING:  # pragma: no cover
    from aggregates.client import Client

SchemeOf = Callable[[Any, str], Scheme]

PREVIEW_FORMAT = "ledger: preview file format (docs/scoring.md)"
CONDITION_KINDS = {"prerequisite": ("前提条件", "prerequisite"), "requirement": ("必要条件", "requirement"),
                   "veto": ("否决项", "veto item")}
CONDITION_STATUS = {"met": ("满足", "met"), "failed": ("未满足", "not met"), "vetoed": ("触发否决", "vetoed"),
                    "unchecked": ("未记录", "not recorded")}


# -- schemes -------------------------------------------------------------------------------------

def find_scheme(scheme_id: str, version: str | None = None) -> Scheme:
    """A scheme version (latest by effective date if None); an unknown id or version is refused
    with the known ones listed."""
    return load_scheme(scheme_id, version)


def scheme_catalogue() -> list[dict[str, Any]]:
    """One row per scheme (its latest version, all versions listed), for ``schemes list``."""
    from ledger.rules.scoring import list_schemes

    return [s.summary() for s in list_schemes()]


def describe_scheme(scheme_id: str, version: str | None = None) -> dict[str, Any]:
    """The whole scheme as data, for ``schemes show``."""
    return find_scheme(scheme_id, version).describe()


# -- the inputs of an audit's evaluation ----------------------------------------------------------

def _evaluate(scheme: Scheme, entries: list[Entry], exclusions: dict[str, str], context: dict[str, Any],
              what_zh: str = "", what_en: str = "") -> Evaluation:
    try:
        return evaluate(scheme, entries, exclusions, context)
    except ScoringError as e:
        raise RuleViolation(e.rule, f"{what_zh}{e.message_zh}", f"{what_en}{e.message_en}") from None


# -- explain ---------------------------------------------------------------------------------------

def explain(client: "Client", *, audit: str | None = None, scheme_of: SchemeOf | None = None,
            history: Iterable[dict[str, Any]] | None = None, as_of: date | None = None,
            as_recorded: datetime | None = None) -> dict[str, Any]:
    """The explanation of the client's latest decision (or of ``audit``, or of the latest scored
    audit when nothing is decided yet), as the client stands in ``client``.

    ``scheme_of(client, audit_id)`` gives the scheme version an undecided audit is scored under
    (``CertLedger.audit_scheme``); a decision is always recomputed under the version it recorded.
    ``history`` (``CertLedger.history`` rows) adds the moment each record was made.
    ``as_of`` / ``as_recorded`` are only echoed: the caller has replayed ``client`` to them.
    """
    times = _recorded_times(history or ())
    audit_id, decision = _subject(client, audit)
    a = client.audits[audit_id]
    if decision is not None:
        scheme = _recorded_scheme(decision)
        basis = "decision"
    else:
        if scheme_of is None:
            raise ValueError("explain needs scheme_of to find the scheme of an undecided audit")
        scheme = scheme_of(client, audit_id)
        basis = "audit"
    entries, exclusions, context = audit_inputs(client, audit_id, decision["on"] if decision else None)
    ev = _evaluate(scheme, entries, exclusions, context,
                   f"按方案 {scheme.id} {scheme.version} 重算审核 {audit_id} 的评分时出错：",
                   f"recomputing audit {audit_id} under {scheme.id} {scheme.version} failed: ")

    provenance = _Provenance(client, audit_id, times)
    out: dict[str, Any] = {
        "kind": "explanation",
        "client": {"uscc": client.uscc, "name": client.name},
        "as_of": as_of,
        "as_recorded": _moment(as_recorded),
        "audit": {"id": audit_id, "kind": a["kind"], "kind_zh": AUDIT_KINDS.get(a["kind"], (a["kind"],) * 2)[0],
                  "kind_en": AUDIT_KINDS.get(a["kind"], (a["kind"],) * 2)[1], "start_on": a["start_on"],
                  "status": a["status"], "completed_on": a["completed_on"], "team": list(a["team"]),
                  "leader": a["leader"], "application_id": a["application_id"],
                  "objections": objections_for(client, audit_id)},  # the client's objections to the team (004 §5.2.1)
        "decision": None,
        "check": None,
        "superseding": None,
        "scheme": _scheme_info(scheme, basis, audit_id, a["start_on"]),
        "context": context,
        **_body(scheme, ev, provenance),
        "other_scored_audits": [x for x in _scored_audits(client) if x != audit_id and not _decisions_of(client, x)],
    }
    if decision is not None:
        out["decision"] = {k: decision[k] for k in ("id", "on", "decider", "actor", "granted", "reason", "score",
                                                    "max_score", "percent", "grade", "scheme_id", "scheme_version")}
        out["decision"]["recorded_at"] = _moment(times.get(("decision", decision["id"])))
        out["check"] = _check(decision, ev)
        out["decision"]["supersedes"] = decision.get("supersedes")  # complaints and appeals (issue 9)
        out["decision"]["appeal_id"] = decision.get("appeal_id")
        out["superseding"] = _superseding(client, decision)
        from ledger.signing_text import decision_signature  # who signed it (issue 15, item 4)

        out["decision"]["signature"] = decision_signature(list(history or ()), decision["id"])
    return jsonable(out)


def _superseding(client: "Client", decision: dict[str, Any]) -> dict[str, str] | None:
    """Why the grade rests on a decision made on an upheld appeal (complaints and appeals, issue 9)."""
    old_id = decision.get("supersedes")
    if not old_id:
        return None
    old, appeal = client.decisions[old_id], client.appeals.get(decision.get("appeal_id") or "", {})
    was_zh = f"等级 {old['grade'] or '—'}，{'通过' if old['granted'] else '未通过'}"
    was_en = f"grade {old['grade'] or '—'}, {'granted' if old['granted'] else 'not granted'}"
    return {
        "zh": f"等级依据认证决定 {decision['id']}（{decision['on']}）：申诉 {decision['appeal_id']} 于 {appeal.get('decided_on')} 裁定成立，"
              f"该决定取代被申诉的决定 {old_id}（{old['on']}，{was_zh}）；{old_id} 保留在记录中。",
        "en": f"The grade rests on decision {decision['id']} ({decision['on']}): appeal {decision['appeal_id']} was upheld on "
              f"{appeal.get('decided_on')}, and this decision supersedes the decision appealed, {old_id} ({old['on']}, {was_en}), "
              f"which stays in the record.",
    }


def _subject(client: "Client", audit: str | None) -> tuple[str, dict[str, Any] | None]:
    """(audit id, its latest decision or None)."""
    if audit is not None:
        audit = audit.strip()
        if audit not in client.audits:
            known = ", ".join(client.audits) or "—"
            raise NotFound("ledger: reference exists", f"{client.name} 没有审核 {audit}；现有：{known}。",
                           f"{client.name} has no audit {audit}; existing: {known}.")
        kind = client.audits[audit]["kind"]
        if kind not in DECIDABLE_AUDIT_KINDS:
            raise RuleViolation(
                "004 §5.3",
                f"审核 {audit} 是{AUDIT_KINDS[kind][0]}（文件评价），不评分，没有可解释的得分；请指定第二阶段、监督或再认证审核。",
                f"Audit {audit} is a {AUDIT_KINDS[kind][1]} (document review) and takes no scores; "
                "name a stage 2, surveillance or recertification audit.")
        decided = _decisions_of(client, audit)
        return audit, (decided[-1] if decided else None)
    decisions = list(client.decisions.values())
    if decisions:
        return decisions[-1]["audit_id"], decisions[-1]
    scored = _scored_audits(client)
    if scored:
        return scored[-1], None
    raise RuleViolation(
        "ledger: nothing to explain",
        f"{client.name}（{client.uscc}）在所选时点既没有认证决定，也没有已评分或删减的审核，没有可解释的得分或等级。",
        f"{client.name} ({client.uscc}) has, at the chosen moment, no certification decision and no audit with "
        "scores or exclusions: there is no score or grade to explain.")


def _decisions_of(client: "Client", audit_id: str) -> list[dict[str, Any]]:
    return [d for d in client.decisions.values() if d["audit_id"] == audit_id]


def _scored_audits(client: "Client") -> list[str]:
    return [a for a in client.audits if client.effective_entries(a) or client.exclusions.get(a)]


def _recorded_scheme(decision: dict[str, Any]) -> Scheme:
    try:
        return load_scheme(decision["scheme_id"], decision["scheme_version"])
    except SchemeNotFound as e:
        raise RuleViolation(
            "001 §13.1",
            f"认证决定 {decision['id']} 记录的方案版本 {decision['scheme_id']} {decision['scheme_version']} "
            f"没有对应的方案文件，无法按决定时的版本重算：{e.message_zh}",
            f"Decision {decision['id']} recorded scheme {decision['scheme_id']} {decision['scheme_version']}, "
            f"whose file is missing, so it cannot be recomputed under that version: {e.message_en}") from None


def _check(decision: dict[str, Any], ev: Evaluation) -> dict[str, Any]:
    """Does the recomputation give what the decision recorded?"""
    pairs = (("score", decision["score"], ev.total), ("max_score", decision["max_score"], ev.max_total),
             ("percent", decision["percent"], ev.percent), ("grade", decision["grade"], ev.grade))
    diffs = [{"field": f, "recorded": r, "recomputed": c} for f, r, c in pairs if not _same(r, c)]
    return {"matches": not diffs, "differences": diffs,
            "zh": "重算结果与认证决定记录的得分和等级一致。" if not diffs else
                  "重算结果与认证决定记录不一致：" + "；".join(f"{d['field']} 记录为 {_text(d['recorded'])}，重算为 {_text(d['recomputed'])}" for d in diffs)
                  + "。记录或方案文件可能被改动，请立即核查。",
            "en": "The recomputation matches the score and grade the decision recorded." if not diffs else
                  "The recomputation does NOT match the decision: " + "; ".join(f"{d['field']} recorded {_text(d['recorded'])}, recomputed {_text(d['recomputed'])}" for d in diffs)
                  + ". The records or the scheme file may have been altered: investigate now."}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, Decimal, str)) and isinstance(b, (int, Decimal)):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            return False
    return a == b


def _text(x: Any) -> str:
    if x is None:
        return "—"
    return fmt(x) if isinstance(x, Decimal) else str(x)


# Asia/Shanghai has kept UTC+8 without daylight saving since 1991 (D50; tests/unit/test_clock.py holds
# the zone database to it), so a moment from 1992 on is shown at the fixed offset: ``explain`` does not
# import zoneinfo and read the time zone database for it (D59). An earlier moment goes through the zone.
_UTC8 = timezone(timedelta(hours=8))
_FIXED_FROM = datetime(1992, 1, 1, tzinfo=timezone.utc)


def _moment(t: datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is not None and t >= _FIXED_FROM:
        return t.astimezone(_UTC8).isoformat(timespec="seconds")
    from ledger.clock import SHANGHAI

    return t.astimezone(SHANGHAI).isoformat(timespec="seconds")


def decision_rows(history: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``CertLedger.history`` that ``explain`` reads: every row but the signatures over
    anything other than a decision (``explain`` shows only the signature of the decision it
    explains; a signature is shown only once checked, D46, so the caller checks the rows kept and
    no other signature is verified for nothing, D59)."""
    rows = list(history)
    decided = {r["version"] for r in rows if r["type"] in ("CertificationDecided", "DecisionSuperseded")}
    return [r for r in rows if r["type"] != "ActSigned" or decided.intersection(r["fields"].get("act_versions") or ())]


def _recorded_times(history: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], datetime]:
    """When each score entry, exclusion and decision was recorded, from ``CertLedger.history`` rows."""
    out: dict[tuple[str, ...], datetime] = {}
    for row in history:
        f, t = row.get("fields", {}), row.get("type")
        if t in ("ScoreEntered", "ScoreCorrected"):
            out[("entry", f["entry_id"])] = row["recorded_at"]
        elif t == "ItemExcluded":
            out[("exclusion", f["audit_id"], f["item"])] = row["recorded_at"]
        elif t == "CertificationDecided":
            out[("decision", f["decision_id"])] = row["recorded_at"]
    return out


class _Provenance:
    """Who entered each standing score, when, and what it replaced."""

    def __init__(self, client: "Client", audit_id: str, times: dict[tuple[str, ...], datetime]) -> None:
        self.client, self.audit_id, self.times = client, audit_id, times
        self.standing = {(e["item"], e["facet"]): e for e in client.effective_entries(audit_id)}

    def _entry(self, e: dict[str, Any]) -> dict[str, Any]:
        said = self.client.annotation_of(e["id"]) or {}  # the note and evidence entered with it (annotations, issue 9)
        return {"id": e["id"], "value": e["value"], "actor": e["actor"], "on": e["on"],
                "recorded_at": _moment(self.times.get(("entry", e["id"]))),
                "note": said.get("note") or None, "evidence": list(said.get("evidence") or [])}

    def entry(self, item: str, facet: str | None) -> dict[str, Any] | None:
        e = self.standing.get((item, facet))
        if e is None:
            return None
        out = self._entry(e)
        chain = []
        while e["corrects"]:
            old = self.client.entries[e["corrects"]]
            chain.append({"replaced": self._entry(old), "by": self._entry(e), "reason": e["reason"]})
            e = old
        out["corrections"] = chain[::-1]
        return out

    def exclusion(self, item: str) -> dict[str, Any] | None:
        x = self.client.exclusions.get(self.audit_id, {}).get(item)
        if x is None:
            return None
        return {"reason": x["reason"], "actor": x["actor"], "on": x["on"],
                "recorded_at": _moment(self.times.get(("exclusion", self.audit_id, item)))}


def _scheme_info(scheme: Scheme, basis: str, audit_id: str | None = None, start_on: date | None = None) -> dict[str, Any]:
    latest = load_scheme(scheme.id)
    versions = list(scheme.versions) or [scheme.version]
    newer = versions[versions.index(scheme.version) + 1:] if scheme.version in versions else []
    info = {"id": scheme.id, "version": scheme.version, "versions": versions, "latest_version": latest.version,
            "newer_versions": newer, "effective_from": scheme.effective_from, "document_number": scheme.document_number,
            "title_zh": scheme.title_zh, "title_en": scheme.title_en, "issuer_zh": scheme.issuer_zh,
            "issuer_en": scheme.issuer_en, "basis": basis}
    later_zh = f"；其后已有新版本 {'、'.join(newer)}，不影响本次计算" if newer else ""
    later_en = f"; newer version(s) {', '.join(newer)} exist and do not apply here" if newer else ""
    if basis == "decision":
        info["why_zh"] = f"按认证决定记录的方案版本 {scheme.version} 重算（001 §13.1：适用活动当时有效的版本）{later_zh}。"
        info["why_en"] = (f"Recomputed under the scheme version the decision recorded, {scheme.version} "
                          f"(001 §13.1: the version in force at the time applies){later_en}.")
    elif basis == "audit":
        info["why_zh"] = f"审核 {audit_id} 尚无认证决定：按该审核适用的方案版本 {scheme.version}（审核开始日 {start_on} 有效的版本，001 §13.1）计算{later_zh}。"
        info["why_en"] = (f"Audit {audit_id} has no decision yet: computed under the version that applies to it, "
                          f"{scheme.version} (in force on its first day, {start_on}; 001 §13.1){later_en}.")
    else:
        info["why_zh"] = f"试算：按方案 {scheme.id} {scheme.version} 计算，不涉及任何账本记录。"
        info["why_en"] = f"What-if: computed under {scheme.id} {scheme.version}; no ledger involved."
    return info


# -- the body shared by explain and preview --------------------------------------------------------

def _body(scheme: Scheme, ev: Evaluation, provenance: _Provenance | None) -> dict[str, Any]:
    rules = {name: describe_rule(scheme, name) for name in dict.fromkeys(i.rule for i in scheme.items)}
    items = []
    for row in ev.items:
        out = {k: row[k] for k in ("id", "label", "name_zh", "name_en", "group", "path_zh", "part", "points",
                                   "rule", "status", "earned", "reason_zh", "reason_en")}
        item = scheme.item(row["id"])
        out.update(excludable=item.excludable, mandatory=item.mandatory, rule_clause=rules[item.rule]["clause"],
                   rule_summary_zh=rules[item.rule]["summary_zh"], rule_summary_en=rules[item.rule]["summary_en"])
        out["inputs"] = [{**inp, "entry": provenance.entry(row["id"], inp["facet"]) if provenance else None}
                         for inp in row["inputs"]]
        if row["status"] == "excluded":
            out["exclusion"] = (provenance.exclusion(row["id"]) if provenance else None) or {"reason": row["exclusion_reason"]}
        else:
            out["exclusion"] = None
        items.append(out)

    depth: dict[str, int] = {}
    groups = []
    for g in scheme.groups:
        depth[g.id] = depth[g.parent] + 1 if g.parent in depth else 0
        sub = ev.subtotals.get(g.id)
        if sub is None:
            continue
        groups.append({"id": g.id, "label": g.label, "parent": g.parent, "part": g.part, "depth": depth[g.id],
                       "name_zh": g.name_zh, "name_en": g.name_en, "points": sub["points"],
                       "applicable": sub["applicable"], "earned": sub["earned"]})

    conditions = []
    for c in ev.conditions:
        kind_zh, kind_en = CONDITION_KINDS.get(c["kind"], (c["kind"], c["kind"]))
        st_zh, st_en = CONDITION_STATUS.get(c["status"], (c["status"], c["status"]))
        conditions.append({**c, "kind_zh": kind_zh, "kind_en": kind_en, "status_zh": st_zh, "status_en": st_en,
                           "entry": provenance.entry(c["id"], None) if provenance else None})

    return {
        "total": ev.total, "max_total": ev.max_total, "percent": ev.percent, "grade": ev.grade,
        "grade_name_zh": ev.grade_name_zh, "grade_name_en": ev.grade_name_en, "band": ev.band,
        "complete": ev.complete, "missing_items": ev.missing_items, "excluded": ev.excluded,
        "items": items, "groups": groups, "parts": list(ev.parts.values()), "conditions": conditions,
        "vetoes": ev.vetoes, "grading": _grading(scheme, ev), "why": _why(scheme, ev), "notes": ev.notes,
        "rules": rules,
    }


def _measure_words(scheme: Scheme) -> tuple[str, str]:
    m = scheme.grading.measure
    if m == "percent":
        return "得分率（实际得分 / 涉及项总分值）", "the percentage (points / applicable points)"
    if m.startswith("part:"):
        p = scheme.part(m[5:])
        return p.name_zh, p.name_en
    return "总分", "the total"


def _grading(scheme: Scheme, ev: Evaluation) -> dict[str, Any]:
    value = graded_value(scheme, ev)
    containing = band_containing(scheme, value)
    symbol = "%" if scheme.grading.measure == "percent" else "X"
    given = next((b for b in scheme.grading.bands if ev.grade and b.code == ev.grade), None)
    mz, me = _measure_words(scheme)
    return {"measure": scheme.grading.measure, "measure_zh": mz, "measure_en": me, "value": value,
            "clause": scheme.clause(scheme.grading.clause) if scheme.grading.clause else None,
            "source": scheme.grading.source, "when_requirement_unmet": scheme.grading.when_requirement_unmet,
            "bands": [{**b.to_dict(symbol), "given": b is given, "contains_value": b is containing}
                      for b in scheme.grading.bands]}


def _why(scheme: Scheme, ev: Evaluation) -> list[dict[str, Any]]:
    """Why the grade is what it is, sentence by sentence (both languages)."""
    why: list[dict[str, Any]] = []

    def say(zh: str, en: str, clause: str | None = None, kind: str = "fact") -> None:
        why.append({"kind": kind, "clause": clause, "zh": zh, "en": en})

    pct_zh = f"，得分率 {fmt(ev.percent)}%" if ev.percent is not None else ""
    pct_en = f", {fmt(ev.percent)} %" if ev.percent is not None else ""
    excl = len(ev.excluded)
    excl_zh = f"（{excl} 项删减，按涉及项总分值计）" if excl else ""
    excl_en = f" ({excl} item(s) excluded: applicable points only)" if excl else ""
    say(f"总分 {fmt(ev.total)} / {fmt(ev.max_total)}{pct_zh}{excl_zh}。",
        f"Total {fmt(ev.total)} of {fmt(ev.max_total)}{pct_en}{excl_en}.")
    for p in ev.parts.values():
        if p.get("level_name_zh"):
            say(f"{p['name_zh']}：{fmt(p['total'])} 分，成熟度{p['level_name_zh']}（{p['level_band']}）。",
                f"{p['name_en']}: {fmt(p['total'])}, {p['level_name_en']} ({p['level_band']}).")
        elif scheme.part(p["id"]).levels and not p["complete"]:
            say(f"{p['name_zh']}尚未评完，成熟度等级未定。", f"{p['name_en']} is not fully scored: no maturity level yet.")
    value = graded_value(scheme, ev)
    mz, me = _measure_words(scheme)
    clause = scheme.clause(scheme.grading.clause) if scheme.grading.clause else None
    if scheme.grading.bands and value is not None:
        src_zh = "文件规定" if scheme.grading.source == "document" else "本机构配置（非文件规定）"
        src_en = "from the document" if scheme.grading.source == "document" else "configured by the body, not from the document"
        unit = "%" if scheme.grading.measure == "percent" else ""
        say(f"判级依据：{mz} = {fmt(value)}{unit}；等级区间{src_zh}。", f"Graded on {me} = {fmt(value)}{unit}; bands {src_en}.", clause)
    if ev.grade:
        band = next(b for b in scheme.grading.bands if b.code == ev.grade)
        symbol = "%" if scheme.grading.measure == "percent" else "X"
        src_zh = "" if band.source == "document" else f"，来源：{band.source}"
        src_en = "" if band.source == "document" else f", source: {band.source}"
        unit = "%" if scheme.grading.measure == "percent" else ""
        say(f"{fmt(value)}{unit} 落在 {band.name_zh} 的区间 {band.range.text(symbol)}（{band.range.semantics_zh()}{src_zh}），等级为 {band.name_zh}。",
            f"{fmt(value)}{unit} lies in {band.name_en}: {band.range.text(symbol)} ({band.range.semantics()}{src_en}); grade {band.code}.",
            scheme.clause(band.clause) if band.clause else clause, "grade")
    for v in ev.vetoes:
        kz, ke = CONDITION_KINDS.get(v["kind"], (v["kind"], v["kind"]))
        say(f"{kz} {v['id']}（{v['name_zh']}）{CONDITION_STATUS[v['status']][0]}：{v['reason_zh']}——不评级。",
            f"{ke} {v['id']} ({v['name_en']}) {CONDITION_STATUS[v['status']][1]}: {v['reason_en']}: no grade.",
            scheme.clause(v["clause"]) if v["clause"] else None, "veto")
    met = [c for c in ev.conditions if c["status"] == "met"]
    if met and not ev.vetoes:
        say("前提条件和否决项：" + "；".join(f"{c['id']} {CONDITION_STATUS['met'][0]}" for c in met) + "。",
            "Prerequisites and vetoes: " + "; ".join(f"{c['id']} met" for c in met) + ".")
    for n in ev.notes:
        say(n["zh"], n["en"], scheme.clause(n["clause"]) if n.get("clause") else None, f"note:{n['id']}")
    return why


# -- preview ---------------------------------------------------------------------------------------

def preview(scheme: Scheme, sheet: Any) -> dict[str, Any]:
    """Evaluate a what-if score sheet (the JSON of ``certledger score preview``) under a scheme.

    ``{"entries": [{"item": ID or Chinese name, "facet": null or text, "value": {...}}, ...],
    "exclusions": {ITEM: reason, ...}, "context": {"application_date": "YYYY-MM-DD", "facts": {...}}}``.
    Bad input raises RuleViolation naming the entry, the item and the rule.
    """
    entries, exclusions, context = _parse_sheet(scheme, sheet)
    ev = _evaluate(scheme, entries, exclusions, context)
    return jsonable({"kind": "preview", "scheme": _scheme_info(scheme, "preview"), "context": context,
                     **_body(scheme, ev, None)})


def preview_file(path: str, scheme_id: str, version: str | None = None) -> dict[str, Any]:
    """Read a score sheet file (UTF-8 JSON) and preview it under a scheme (latest version if None)."""
    scheme = find_scheme(scheme_id, version)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        raise RuleViolation("ledger: input file", f"无法读取评分文件 {path}：{e.strerror}。",
                            f"Cannot read the score file {path}: {e.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RuleViolation(PREVIEW_FORMAT, f"{path} 不是有效的 UTF-8（第 {e.start + 1} 个字节）。",
                            f"{path} is not valid UTF-8 (byte {e.start + 1}).") from None
    try:
        sheet = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise RuleViolation(PREVIEW_FORMAT, f"{path} 不是有效的 JSON：{e.msg}（第 {e.lineno} 行第 {e.colno} 列）。",
                            f"{path} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno}).") from None
    return preview(scheme, sheet)


def _format_error(zh: str, en: str) -> RuleViolation:
    return RuleViolation(PREVIEW_FORMAT, f"评分文件格式有误：{zh}", f"The score file is malformed: {en}")


def _parse_sheet(scheme: Scheme, sheet: Any) -> tuple[list[Entry], dict[str, str], dict[str, Any]]:
    if not isinstance(sheet, dict):
        raise _format_error("顶层应为 JSON 对象 {\"entries\": [...], \"exclusions\": {...}, \"context\": {...}}。",
                            'the top level must be an object {"entries": [...], "exclusions": {...}, "context": {...}}.')
    unknown = sorted(set(sheet) - {"entries", "exclusions", "context"})
    if unknown:
        raise _format_error(f"未知字段 {unknown}；可用字段：entries、exclusions、context。",
                            f"unknown field(s) {unknown}; the fields are entries, exclusions, context.")
    raw_entries = sheet.get("entries", [])
    if not isinstance(raw_entries, list):
        raise _format_error("entries 应为列表。", "entries must be a list.")
    entries = []
    for n, e in enumerate(raw_entries):
        where_zh, where_en = f"第 {n + 1} 条评分（entries[{n}]）", f"entries[{n}]"
        if not isinstance(e, dict):
            raise _format_error(f"{where_zh}应为对象 {{\"item\": ..., \"facet\": ..., \"value\": {{...}}}}。",
                                f'{where_en} must be an object {{"item": ..., "facet": ..., "value": {{...}}}}.')
        extra = sorted(set(e) - {"item", "facet", "value"})
        if extra:
            raise _format_error(f"{where_zh}有未知字段 {extra}；可用字段：item、facet、value。",
                                f"{where_en} has unknown field(s) {extra}; the fields are item, facet, value.")
        item, facet, value = e.get("item"), e.get("facet"), e.get("value")
        if not isinstance(item, str) or not item.strip():
            raise _format_error(f"{where_zh}缺少 item（指标编号或中文名称）。", f"{where_en} lacks item (an item id or Chinese name).")
        if facet is not None and not isinstance(facet, str):
            raise _format_error(f"{where_zh}（{item}）的 facet 应为文本或 null。", f"{where_en} ({item}): facet must be text or null.")
        if not isinstance(value, dict):
            raise _format_error(f"{where_zh}（{item}）的 value 应为对象，例如 {{\"percent\": 85}}。",
                                f'{where_en} ({item}): value must be an object such as {{"percent": 85}}.')
        try:
            checked = scheme.validate_entry(item, facet, value)
        except ScoringError as x:
            raise RuleViolation(x.rule, f"{where_zh}：{x.message_zh}", f"{where_en}: {x.message_en}") from None
        entries.append(checked)
    exclusions = sheet.get("exclusions", {})
    if not isinstance(exclusions, dict) or not all(isinstance(v, str) for v in exclusions.values()):
        raise _format_error("exclusions 应为 {\"指标\": \"删减理由\", ...}。", 'exclusions must be {"ITEM": "reason", ...}.')
    for ref, reason in exclusions.items():
        try:
            scheme.validate_exclusion(ref, reason)
        except ScoringError as x:
            raise RuleViolation(x.rule, f"删减 {ref}：{x.message_zh}", f"exclusion of {ref}: {x.message_en}") from None
    context = sheet.get("context", {})
    if not isinstance(context, dict):
        raise _format_error("context 应为对象。", "context must be an object.")
    allowed = {"application_date", "facts"} | {c.context_key for c in scheme.conditions if c.context_key}
    unknown = sorted(set(context) - allowed)
    if unknown:
        raise _format_error(f"context 中有未知字段 {unknown}；本方案可用：{sorted(allowed)}。",
                            f"context has unknown field(s) {unknown}; this scheme takes {sorted(allowed)}.")
    if context.get("application_date") is not None:
        try:
            date.fromisoformat(str(context["application_date"]).strip())
        except ValueError:
            raise _format_error(f"context.application_date 应为日期 YYYY-MM-DD，收到 {context['application_date']!r}。",
                                f"context.application_date must be a date YYYY-MM-DD, got {context['application_date']!r}.") from None
    if context.get("facts") is not None and not isinstance(context["facts"], dict):
        raise _format_error("context.facts 应为 {\"条件编号\": {...}}。", 'context.facts must be {"CONDITION": {...}}.')
    return entries, dict(exclusions), dict(context)
