"""Records that explain themselves: a note and any number of evidence references attached to an act.

An area of ``Client`` (aggregates/client.py inherits it). The library's ``@event`` decorator works
only on the aggregate class itself, so an area writes each event as a class with its own ``apply``
(as ``Client.ScoreEntered`` is) and its command method calls ``self.trigger_event(self.<Event>,
...)`` after the area's checks. The aggregate's metaclass re-creates the event classes on
``Client``, so their stored topic is ``aggregates.client:Client.<Event>`` like every other event's
(never rename one). ``apply`` only applies state: no clock, no generated id, no check.
"""

from __future__ import annotations


class AnnotationsArea:
    """Commands and events of this area (mixed into ``Client``)."""
