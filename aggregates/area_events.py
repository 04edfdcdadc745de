"""Events declared once and defined once, each as its aggregate's own event class (D65).

An area of an aggregate (``ChangesArea`` of ``Client``, ``PersonKeysArea`` of ``Person``...) declares
each of its events as a class deriving from ``AreaEvent``: its docstring, its fields (annotations,
with their defaults), its ``apply`` and whatever else it defines (``class_version``, ``upcast_*``).
That class is only the declaration: ``define_area_events(Client)``, called right after the
aggregate's class statement, defines from it the event class ``Client.<Event>`` on the aggregate's
own base event class, with the same fields in the same order, so its stored topic is
``aggregates.client:Client.<Event>`` as before.

Why not ``class <Event>(Aggregate.Event)`` in the area, as the library's documentation shows: the
library's metaclass makes every such class a frozen dataclass in the area, then defines it a second
time on the aggregate (a subclass of both), another dataclass with a longer MRO. Each class costs
the interpreter its slot fix-ups along the MRO and ``dataclasses`` its pass; defined once, a
command's start makes 28 event classes fewer. The events of the aggregates themselves are declared
the same way (the library's ``@event`` methods cost their decorator's and their event class's
signature work at every start, and two more classes in each event's MRO), but for the events that
create an aggregate (``@event`` on ``__init__``). tests/unit/test_event_classes.py holds every
event's topic, fields, defaults, version and upcasters to the list they had.
"""

from __future__ import annotations

from typing import Any

_NOT_COPIED = ("__dict__", "__weakref__", "__module__", "__qualname__")


class AreaEvent:
    """The declaration of one event of an aggregate or of one of its areas (not an event class:
    see ``define_area_events``)."""


def define_area_events(aggregate: Any) -> None:
    """Define every ``AreaEvent`` declared on the aggregate or on one of its areas (the first one
    in the MRO wins, as attribute lookup does) as ``<Aggregate>.<Event>``, a subclass of the
    aggregate's ``Event`` (the library's metaclass makes it a frozen dataclass)."""
    seen: set[str] = set()
    for owner in aggregate.__mro__:
        for name, declared in list(vars(owner).items()):
            if name in seen or not (isinstance(declared, type) and issubclass(declared, AreaEvent)):
                continue
            seen.add(name)
            if declared.__bases__ != (AreaEvent,):  # its own namespace is all that is copied
                raise TypeError(f"{owner.__qualname__}.{name}: an area's event derives from AreaEvent only")
            namespace = {k: v for k, v in vars(declared).items() if k not in _NOT_COPIED}
            namespace["__annotations__"] = dict(vars(declared).get("__annotations__", {}))
            namespace["__module__"] = aggregate.__module__
            namespace["__qualname__"] = f"{aggregate.__qualname__}.{name}"
            setattr(aggregate, name, type(name, (aggregate.Event,), namespace))
