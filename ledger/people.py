"""The body's people in the application (issue 15, docs/people.md): the commands of the register
(``people register|grant|withdraw-role|ccaa|train|competence|leave``, catalogued in
ledger/commands_people.py), the register read from the log (``people``, ``person``, as of a date),
and how a name or a document number finds one person.

A person is a second aggregate (``aggregates.people.Person``) in the same log as the clients. Its
commands take the same road as a client's (the catalogue, ``CertLedger.execute``, an import's
session): the actor and the business date are checked first, the person is loaded, the aggregate
command runs its checks, and the person is saved (in a session: with the session's next flush).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from aggregates.annotations import check_annotation
from aggregates.errors import NotFound, RuleViolation, no_such_client, shell_arg
from aggregates.people import Person, person_id_for
from aggregates.policy.people import REGISTER, conflicts, normalise_document
from aggregates.uscc import normalise_uscc
from aggregates.vocabulary import CCAA_CATEGORIES, IDENTITY_DOCUMENTS, INTEREST_KINDS, PERSON_ROLES, word
from ledger.people_actor import first_administrator, keeps_an_administrator, register_writer

WORDS = {"role": PERSON_ROLES, "document": IDENTITY_DOCUMENTS, "ccaa": CCAA_CATEGORIES, "interest": INTEREST_KINDS}


def people_word(kind: str, code: str, lang: str = "zh") -> str:
    """A role's, document kind's or CCAA category's word in ``lang`` (for the command line's views)."""
    return word(WORDS[kind], code, lang)


def person_topics() -> list[str]:
    """The stored topics of a person's events."""
    from ledger.store.codec import event_topics

    return [t for t in event_topics(body=False) if t.startswith("aggregates.people:Person.")]


REGISTER_SETTLE = 1000  # events past the register's settled position before it is moved on (PostgreSQL, D51)
REGISTER_WAIT = 0.0  # the move does not wait for the event writers open then: while one is, it stays, and is tried at the next write


class _Register:
    """The people replayed from the log, advanced from the last position read (a person's events
    are few: the whole register is kept in memory)."""

    def __init__(self) -> None:
        self.position = 0
        self.people: dict[UUID, Person] = {}
        self.scanned_to = -1  # the log's last id when last read: unchanged, nothing new to read (D37)
        self.unsettled = False  # a writer was still open at the last read (PostgreSQL): read again from ``position``


class PeopleHandlers:
    """The people's commands and the register, mixed into ``Handlers`` (``CertLedger`` supplies the rest)."""

    _actor: Callable[..., str]
    _business_date: Callable[..., date]
    _scheme: Callable[..., Any]
    _uow: Any
    _exists: Callable[[str], bool]
    _load: Callable[[str], Any]
    recorder: Any
    mapper: Any
    repository: Any
    events: Any
    save: Callable[..., Any]

    # ------------------------------------------------------------------ the register

    def people(self, as_of: date | None = None) -> list[Person]:
        """Every registered person, in registration order; ``as_of``: as the events dated on or
        before that day make them (those registered later left out)."""
        register = self._people_register()
        everyone = list(register.values())  # in the order of the log
        if as_of is None:
            return everyone
        out = [self._person_as_of(p.id, as_of) for p in everyone]
        return [p for p in out if p is not None]

    def has_people(self) -> bool:
        """Whether the register holds anyone: the checks at the acts apply from the first person
        registered (docs/people.md, D31)."""
        return bool(self._people_register())

    def person(self, ref: str, as_of: date | None = None) -> Person:
        """One person by name or document number, now or as of a business date."""
        found = self.find_person(ref)
        if as_of is None:
            return found
        then = self._person_as_of(found.id, as_of)
        if then is None:
            raise NotFound(REGISTER, f"截至业务日期 {as_of}，人员名册中还没有 {found.name}（{found.document_number}）。",
                           f"{found.name} ({found.document_number}) was not in the register of people as of {as_of}.")
        return then

    def find_person(self, ref: str) -> Person:
        """The person a reference names: a document number, or a name held by one registered
        person only (two of the same name: the number is asked for)."""
        text = (ref or "").strip()
        register = self._people_register()
        key = "".join(text.split()).upper()
        by_number = [p for p in register.values() if p.document_number == key]
        if by_number:
            return by_number[0]
        named = [p for p in register.values() if p.name == text]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            numbers = "、".join(p.document_number for p in named)
            raise RuleViolation(REGISTER, f"人员名册中有 {len(named)} 位名为 {text} 的人员（证件号码 {numbers}）；请用证件号码指明其中一位。",
                                f"The register holds {len(named)} people named {text} (document numbers {numbers}); name one by its document number.")
        raise NotFound(REGISTER, f"人员名册中没有 {text}；请先登记：people register --name {shell_arg(text)} --number 证件号码。",
                       f"The register of people has no {text}; register them first: people register --name {shell_arg(text)} --number NUMBER.")

    def _people_register(self) -> dict[UUID, Person]:
        register: _Register | None = self.__dict__.get("_register_of_people")
        if register is None:
            register = self.__dict__["_register_of_people"] = _Register()
        uow = self._uow
        read = uow is not None and uow.__dict__.get("register_read", False)  # a session reads the log once (D37)
        if not read:
            since = getattr(self.recorder, "select_since_with_last", None)
            if since is not None:  # PostgreSQL: one round trip before every write (D51)
                self._read_register_since(register, since)
            else:
                top = self.recorder.max_notification_id() or 0
                if top != register.scanned_to or register.unsettled:  # every write asks (people_actor.py): read again only when the log grew
                    self._read_register(register, top)
        if uow is not None:
            uow.__dict__["register_read"] = True  # later in the session: its own people are pending
        pending = self._pending_people()
        return {**register.people, **pending} if pending else register.people

    def _read_register(self, register: _Register, top: int) -> None:
        """Apply the people's events from ``register.position`` up to ``top``. The position passes only
        ids below which nothing can still be committed (``ledger.store.committed_horizon``, the read
        models' and the audit trail's rule): on PostgreSQL an event may be committed below a higher id
        already read, and a grant or a leaving in that gap must not be missed. While a writer is open,
        the range above the position is read again at the next write (an event seen before is skipped)."""
        from ledger.store import trail_store

        store = trail_store(self)
        settled = top if not store.gaps_expected else store.committed_horizon(0.0)
        start = register.position
        while True:
            batch = self.recorder.select_notifications(start, 500, stop=top, topics=person_topics(), inclusive_of_start=False)
            if not batch:
                break
            self._apply_people(register, batch)
            start = batch[-1].id
        if settled is not None:
            register.position = max(register.position, min(settled, top))
        register.unsettled = settled is None or settled < top
        register.scanned_to = top

    def _read_register_since(self, register: _Register, since: Callable[..., Any]) -> None:
        """PostgreSQL's read (D51): every person's event above the settled position and the log's last
        id, in one round trip, at every write; so a grant committed by another process, even below an
        id already read, is seen before the next write is judged. The position (below which nothing
        can still be committed) moves on only once the log has grown ``REGISTER_SETTLE`` events past
        it, by the committed horizon (``ledger.store.committed_horizon``, without waiting: while a
        writer is open it stays, and the next write tries again): reading again the few people's
        events above it costs less than asking."""
        topics = person_topics()
        batch, top = since(register.position, topics, 500)
        self._apply_people(register, batch)
        while len(batch) == 500:  # a register read from the start: the rest in pages
            batch = self.recorder.select_notifications(batch[-1].id, 500, stop=top, topics=topics, inclusive_of_start=False)
            self._apply_people(register, batch)
        if top - register.position > REGISTER_SETTLE:
            from ledger.store import committed_horizon

            settled = committed_horizon(self, REGISTER_WAIT)
            if settled is not None:
                register.position = max(register.position, min(settled, top))
        register.scanned_to = top

    def _apply_people(self, register: _Register, batch: list[Any]) -> None:
        for n in batch:
            ev = self.mapper.to_domain_event(n)
            known = register.people.get(ev.originator_id)
            if known is not None and known.version >= ev.originator_version:
                continue  # read before (the range above an unsettled position is read again)
            if known is None and ev.originator_version == 1 or known is not None and known.version == ev.originator_version - 1:
                register.people[ev.originator_id] = ev.mutate(known)
            else:  # an earlier event of this person not seen yet (committed out of order): read the person again
                register.people[ev.originator_id] = self.repository.get(ev.originator_id)

    def _pending_people(self) -> dict[UUID, Person]:
        uow = self._uow
        return uow.__dict__.setdefault("people", {}) if uow is not None else {}

    def _person_as_of(self, person_id: UUID, as_of: date) -> Person | None:
        person: Any = None
        for e in self.events.get(person_id):
            if e.occurred_on > as_of:
                continue
            if person is None and e.originator_version != 1:  # an act dated before its person's registration:
                continue  # not in the register as of that day, so nothing to apply it to
            if person is not None:
                person.version = e.originator_version - 1  # events dated later leave gaps: replay across them
            person = e.mutate(person)
        return person

    # ------------------------------------------------------------------ the road of a person's command

    def _person_run(self, ref: str, action: str, act: dict[str, Any], fn: Callable[[Person], Any], note: str = "",
                    evidence: list[str] | None = None) -> Any:
        """Load the person a reference names, act (with the act's note and evidence, checked first,
        in the same save), save (a session: with its next flush)."""
        note, refs = check_annotation(note, evidence, action)
        found = self.find_person(ref)
        register_writer(self, act["actor"], action, found)  # the register's writes: an administrator's (D37)
        pending = self._pending_people()
        for attempt in range(3):
            person = pending.get(found.id) if found.id in pending else self.repository.get(found.id)
            since = person.version
            result = fn(person)
            if note or refs:
                person.annotate(command=action, since=since, note=note, evidence=refs, **act)
            if self._uow is not None:
                pending[person.id] = person
                self._uow.dirty[person.id] = person
                return result
            try:
                self.save(person)
            except IntegrityError:
                if attempt == 2:
                    raise RuleViolation("ledger: concurrent writes", f"另一位用户同时修改了 {person.name} 的记录；{action} 未写入，请重试。",
                                        f"Someone else changed {person.name}'s record at the same time; {action} was not written; try again.") from None
                continue
            return result
        raise AssertionError("unreachable")

    def _act(self, actor: str | None, on: date | None) -> dict[str, Any]:
        return {"actor": self._actor(actor, on), "occurred_on": self._business_date(on)}

    # ------------------------------------------------------------------ commands (each takes --note and --evidence too)

    def register_person(self, *, name: str, number: str, document: str = "resident_id", joined_on: date | None = None,
                        actor: str | None = None, on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        act = self._act(actor, on)
        note, refs = check_annotation(note, evidence, "people register")
        joined = self._business_date(joined_on, "入职日期", "The date the person joined") if joined_on else act["occurred_on"]
        kind, normal = normalise_document(document, number, act["occurred_on"])
        first = not self.has_people()  # the first registers themself and is the administrator (D37)
        if first:
            act["actor"] = first_administrator(act["actor"], name, normal)
        else:
            register_writer(self, act["actor"], "people register")
        person_id = person_id_for(kind, normal)
        pending = self._pending_people()
        if person_id in pending or self.recorder.select_events(person_id, limit=1) != []:
            raise RuleViolation(REGISTER, f"{word(IDENTITY_DOCUMENTS, kind)} {normal} 已在人员名册中登记。",
                                f"{word(IDENTITY_DOCUMENTS, kind, 'en')} {normal} is already in the register of people.")
        person = Person.register(name=name, document_kind=kind, document_number=normal, joined_on=joined, **act)
        if first:
            person.grant(roles=["administrator"], **act)
        if note or refs:
            person.annotate(command="people register", since=0, note=note, evidence=refs, **act)
        if self._uow is not None:
            pending[person.id] = person
            self._uow.dirty[person.id] = person
        else:
            try:
                self.save(person)
            except IntegrityError:
                raise RuleViolation(REGISTER, f"{normal} 刚被另一位用户登记。", f"{normal} was just registered by someone else.") from None
        out = {"id": person.document_number, "name": person.name, "joined_on": joined}
        return {**out, "roles": ["administrator"]} if first else out  # the first: the administrator (D37)

    def grant_roles(self, *, person: str, role: list[str], actor: str | None = None, on: date | None = None, note: str = "",
                    evidence: list[str] | None = None) -> list[str]:
        act = self._act(actor, on)
        return self._person_run(person, "people grant", act, lambda p: p.grant(roles=role, **act), note, evidence)

    def withdraw_roles(self, *, person: str, role: list[str], reason: str, actor: str | None = None, on: date | None = None,
                       note: str = "", evidence: list[str] | None = None) -> list[str]:
        act = self._act(actor, on)
        keeps_an_administrator(self, person, "people withdraw-role", role, act["actor"])  # the register keeps one (trial 12, item 3)
        return self._person_run(person, "people withdraw-role", act, lambda p: p.withdraw_roles(roles=role, reason=reason, **act), note, evidence)

    def record_ccaa(self, *, person: str, number: str, category: str, valid_from: date, valid_to: date,
                    actor: str | None = None, on: date | None = None, note: str = "", evidence: list[str] | None = None) -> str:
        act = self._act(actor, on)
        return self._person_run(person, "people ccaa", act, lambda p: p.record_ccaa(number=number, category=category, valid_from=valid_from,
                                                                                     valid_to=valid_to, **act), note, evidence)

    def record_training(self, *, person: str, scheme: str, hours: Decimal, evidence: list[str] | str, trained_on: date | None = None,
                        actor: str | None = None, on: date | None = None, note: str = "") -> None:
        """The training's evidence is its own field (every reference kept); a note rides as with any act."""
        act = self._act(actor, on)
        day = trained_on or act["occurred_on"]
        scheme_id = self._scheme(scheme, on=day).id
        refs = [evidence] if isinstance(evidence, str) else list(evidence)
        return self._person_run(person, "people train", act, lambda p: p.record_training(scheme_id=scheme_id, trained_on=day, hours=hours,
                                                                                          evidence=refs, **act), note)

    def record_competence(self, *, person: str, scheme: str, code: list[str] | None = None, actor: str | None = None,
                          on: date | None = None, note: str = "", evidence: list[str] | None = None) -> dict[str, Any]:
        """The scheme's codes as now recorded, and the earlier record they replace (trial item 15: a
        second record for a scheme replaces the first; the echo says so)."""
        act = self._act(actor, on)
        scheme_id = self._scheme(scheme, on=act["occurred_on"]).id
        earlier = self.find_person(person).competence.get(scheme_id)
        codes = self._person_run(person, "people competence", act,
                                 lambda p: p.record_competence(scheme_id=scheme_id, codes=code or [], **act), note, evidence)
        return {"id": scheme_id, "codes": codes, "replaced": earlier if earlier is not None else None}

    def record_leaving(self, *, person: str, left_on: date | None = None, actor: str | None = None, on: date | None = None,
                       note: str = "", evidence: list[str] | None = None) -> None:
        act = self._act(actor, on)
        day = left_on or act["occurred_on"]
        keeps_an_administrator(self, person, "people leave", actor=act["actor"])  # the register keeps one (trial 12, item 3)
        return self._person_run(person, "people leave", act, lambda p: p.leave(left_on=day, **act), note, evidence)

    # ------------------------------------------------------------------ PostgreSQL logins (item 5, D32)

    def map_login(self, *, person: str, role: str, actor: str | None = None, on: date | None = None, note: str = "",
                  evidence: list[str] | None = None) -> str:
        """Map a database login role to a person (``people login``); a role belongs to one person at
        a time. On PostgreSQL only the tables' owner may record it (the database refuses others)."""
        act = self._act(actor, on)
        found = self.find_person(person)
        wanted = (role or "").strip()
        holder = next((p for p in self._people_register().values() if wanted in getattr(p, "logins", []) and p.id != found.id), None)
        if holder is not None:
            raise RuleViolation(REGISTER, f"数据库登录角色 {wanted} 已对应 {holder.name}（{holder.document_number}）：请先运行 "
                                f"certledger people logout --person {holder.document_number} --role {wanted}。",
                                f"The database login {wanted} is mapped to {holder.name} ({holder.document_number}): run "
                                f"certledger people logout --person {holder.document_number} --role {wanted} first.")
        return self._person_run(person, "people login", act, lambda p: p.map_login(role=role, **act), note, evidence)

    def unmap_login(self, *, person: str, role: str, actor: str | None = None, on: date | None = None, note: str = "",
                    evidence: list[str] | None = None) -> str:
        """Unmap a database login role from its person (``people logout``)."""
        act = self._act(actor, on)
        return self._person_run(person, "people logout", act, lambda p: p.unmap_login(role=role, **act), note, evidence)

    # ------------------------------------------------------------------ impartiality (item 3)

    def declare_interest(self, *, person: str, client: str, kind: str, detail: str = "", ended_on: date | None = None,
                         actor: str | None = None, on: date | None = None, note: str = "", evidence: list[str] | None = None) -> None:
        """A person's declaration about one client (004 §4.2 d), §4.3): an interest, or "none"."""
        act = self._act(actor, on)
        uscc = normalise_uscc(client)
        if not self._exists(uscc):
            raise no_such_client(uscc)
        return self._person_run(person, "people declare", act,
                                lambda p: p.declare_interest(uscc=uscc, kind=kind, detail=detail, ended_on=ended_on, **act), note, evidence)

    def impartiality(self, uscc: str, as_of: date | None = None) -> list[dict[str, Any]]:
        """For inspectors: every person's current declaration about the client (as of a business
        date), and the interests that bar them from its team and decisions on that date."""
        from ledger import clock

        code = normalise_uscc(uscc)
        self._load(code)  # a clear refusal for an unknown client
        day = as_of or clock.today()
        rows = []
        for p in self.people(as_of=as_of):
            record = p.interests.get(code)
            rows.append({"name": p.name, "document_number": p.document_number, "roles": sorted(p.roles),
                         "declared_on": record["declared_on"] if record else None,
                         "interests": list(record["items"]) if record else [],
                         # every declaration, the latest first, with who recorded it and what replaced it (trial 12, item 5)
                         "declarations": [dict(h) for h in reversed(record.get("history", []))] if record else [],
                         "conflicts": conflicts(p, code, day)})
        return rows
