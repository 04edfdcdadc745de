"""What the regulator and the public must be told (001 §7.4, §7.3.2, §4.6.6): reports to CNCA with their references, a withdrawn certificate recalled or a public statement, publication on the body's website; and follow-ups (a minor nonconformity verified at the next surveillance, the date a cause was verified).

An area of ``Client`` (aggregates/client.py inherits it). The library's ``@event`` decorator works
only on the aggregate class itself, so an area writes each event as a class with its own ``apply``
(as ``Client.ScoreEntered`` is) and its command method calls ``self.trigger_event(self.<Event>,
...)`` after the area's checks. The aggregate's metaclass re-creates the event classes on
``Client``, so their stored topic is ``aggregates.client:Client.<Event>`` like every other event's
(never rename one). ``apply`` only applies state: no clock, no generated id, no check.
"""

from __future__ import annotations


class ReportingArea:
    """Commands and events of this area (mixed into ``Client``)."""
