"""How events become stored rows and back: the library's JSON transcoder with the ledger's own
transcodings (business dates as ISO text). ``CertLedger`` registers them; a worker process that
only decodes rows (a rebuild's) gets the same mapper without opening the event store."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding


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


def mapper(env: dict[str, str]) -> Any:
    """The application's mapper (transcoder, and any cipher or compressor ``env`` names), built
    without opening the event store: for worker processes that decode stored rows."""
    from eventsourcing.application import Application

    class Codec(Application[Any]):
        name = "certledger"

        def register_transcodings(self, transcoder: JSONTranscoder) -> None:
            super().register_transcodings(transcoder)
            register_transcodings(transcoder)

    return Codec(env={**env, "PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
