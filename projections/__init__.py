"""Read models built only from the event stream, in ``rm_*`` tables beside the event table.

They never write events or touch aggregates, and can be dropped and rebuilt at any time
(docs/read-models.md). The roads through this package (docs/architecture.md):

- reads: ``projections.read`` (summary, clients, register, due... each choosing fast, general or
  replay inside);
- catch-up: ``catch_up(app)`` follows the log (``runner``); ``Follower`` keeps up with an import's
  saves; ``rebuild(app)`` builds from the first event (``bulk``); an import's workers gather rows
  (``gather``); every one of them writes through ``projections.writer``;
- staleness: one fingerprint per read model (``projections.catalogue``).

    from projections import catch_up, read_models, rebuild
    catch_up(app)                         # after a write: idempotent, fast when nothing is new
    engine = read_models(app)             # catch up, then query (projections.queries)
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Lazy, so importing the package (e.g. to find it) does not import SQLAlchemy.
    import importlib

    if name in ("catch_up", "rebuild", "read_models", "require_current", "Follower", "bring_up_to_date"):
        return getattr(importlib.import_module("projections.runner"), name)
    if name in ("all_projections", "select_projections"):
        return getattr(importlib.import_module("projections.registry"), name)
    if name in ("engine_for", "dispose"):
        return getattr(importlib.import_module("projections.db"), name)
    if name in ("queries", "read"):
        return importlib.import_module(f"projections.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
