"""Complaints (004 §14.2) and appeals (004 §14.1) beyond their first steps: acceptance with its notice, impartial deciders, the client informed, written results, appeal extensions, the effect of an upheld appeal.

An area of ``Client`` (aggregates/client.py inherits it). The library's ``@event`` decorator works
only on the aggregate class itself, so an area writes each event as a class with its own ``apply``
(as ``Client.ScoreEntered`` is) and its command method calls ``self.trigger_event(self.<Event>,
...)`` after the area's checks. The aggregate's metaclass re-creates the event classes on
``Client``, so their stored topic is ``aggregates.client:Client.<Event>`` like every other event's
(never rename one). ``apply`` only applies state: no clock, no generated id, no check.
"""

from __future__ import annotations


class CasesArea:
    """Commands and events of this area (mixed into ``Client``)."""
