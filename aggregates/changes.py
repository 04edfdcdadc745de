"""Changes administered end to end (001 4.2.2 c; 004 §15, §6.9.2): the client's master data (name, address, legal representative, top management, sites, headcount, licences, business lines) changed by events, a notified change assessed (who, when, outcome), a certificate amended and reissued (换证).

An area of ``Client`` (aggregates/client.py inherits it). The library's ``@event`` decorator works
only on the aggregate class itself, so an area writes each event as a class with its own ``apply``
(as ``Client.ScoreEntered`` is) and its command method calls ``self.trigger_event(self.<Event>,
...)`` after the area's checks. The aggregate's metaclass re-creates the event classes on
``Client``, so their stored topic is ``aggregates.client:Client.<Event>`` like every other event's
(never rename one). ``apply`` only applies state: no clock, no generated id, no check.
"""

from __future__ import annotations


class ChangesArea:
    """Commands and events of this area (mixed into ``Client``)."""
