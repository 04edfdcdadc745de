"""How events become stored rows and back: the library's JSON transcoder with the ledger's own
transcodings (business dates as ISO text), and a mapper that turns a stored row into an event only
if its topic names one of the ledger's own event classes. ``CertLedger`` uses both; a worker
process that only decodes rows (a rebuild's) gets the same mapper without opening the event store.

A stored row is data the database gives back, and the database can be altered: a topic is never
imported on the row's say-so (a forged topic would otherwise make a read import any module it
names), and a row that does not decode is a ``DamagedHistory`` naming the client and version, not a
traceback (docs/audit-trail.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding

from ledger.store.errors import DamagedHistory


class DateAsISO(Transcoding):
    """Business dates (``datetime.date``) as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """The ledger's transcodings, beside the library's (UUID, Decimal, datetime)."""
    transcoder.register(DateAsISO())


_EVENT_TOPICS: dict[str, type] | None = None
_BODY_TOPICS = False  # the body's topics added to ``_EVENT_TOPICS``


def event_topics(body: bool = True) -> dict[str, type]:
    """The stored topics of the ledger's own events (``aggregates.client:Client.<Name>``), each with
    its class: the only topics a stored row may name. ``body=False``: the clients' and the people's
    only, without importing the body's aggregate (a row naming one of the body's topics adds them:
    ``LedgerMapper``; D66)."""
    global _EVENT_TOPICS, _BODY_TOPICS
    if _EVENT_TOPICS is None:
        from aggregates.client import Client
        from aggregates.people import Person  # the body's people (issue 15): the second aggregate in the one log

        _EVENT_TOPICS = _topics_of(Client, Person)
    if body and not _BODY_TOPICS:
        from aggregates.body import Body  # the body's own acts (issue 17): the third aggregate in the one log

        _EVENT_TOPICS.update(_topics_of(Body))
        _BODY_TOPICS = True
    return _EVENT_TOPICS


def _topics_of(*classes: type) -> dict[str, type]:
    from eventsourcing.domain import Aggregate
    from eventsourcing.utils import get_topic

    return {get_topic(v): v for cls in classes for name, v in vars(cls).items()
            if isinstance(v, type) and issubclass(v, Aggregate.Event) and name not in ("Event", "Created")}


class LedgerMapper(Mapper[Any]):
    """The library's mapper, refusing what the ledger never writes: a topic that is not one of its
    event classes (never imported), a state that does not decode, a creation event naming another
    aggregate class. Each is a ``DamagedHistory`` (a ``RuleViolation``) naming the client and version."""

    def to_domain_event(self, stored_event: Any) -> Any:
        topics = event_topics(body=str(stored_event.topic).startswith(_BODY_TOPIC))
        client, version = stored_event.originator_id, stored_event.originator_version
        if stored_event.topic not in topics:
            topic = repr(str(stored_event.topic)[:80])
            raise DamagedHistory(client, (f"未知的事件类型 {topic}", f"unknown event type {topic}"), version)
        try:
            event = super().to_domain_event(stored_event)
        except Exception as e:  # noqa: BLE001 - whatever the row holds, it is damaged data, named
            raise DamagedHistory(client, (f"存储的内容无法解码：{type(e).__name__}", f"its stored state does not decode: {type(e).__name__}"),
                                 version) from None
        origin = getattr(event, "originator_topic", None)
        if origin is not None and origin not in _AGGREGATE_TOPICS:
            other = repr(str(origin)[:80])
            raise DamagedHistory(client, (f"它创建的是另一类对象 {other}", f"it creates an aggregate of another class {other}"), version)
        return event


_CLIENT_TOPIC = "aggregates.client:Client"
_BODY_TOPIC = "aggregates.body:Body"
_AGGREGATE_TOPICS = (_CLIENT_TOPIC, "aggregates.people:Person", _BODY_TOPIC)  # a person's (issue 15) and the body's (issue 17) events share the log


def construct_mapper(app: Any) -> Any:
    """The mapper of an application (``Application.construct_mapper``): the ledger's."""
    return app.factory.mapper(transcoder=app.construct_transcoder(), mapper_class=LedgerMapper)


def mapper(env: dict[str, str]) -> Any:
    """The application's mapper (transcoder, and any cipher or compressor ``env`` names), built
    without opening the event store: for worker processes that decode stored rows."""
    from eventsourcing.application import Application

    class Codec(Application[Any]):
        name = "certledger"

        def register_transcodings(self, transcoder: JSONTranscoder) -> None:
            super().register_transcodings(transcoder)
            register_transcodings(transcoder)

        def construct_mapper(self) -> Any:
            return construct_mapper(self)

    return Codec(env={**env, "PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
