"""Read models built only from the event stream, in ``rm_*`` tables beside the event table.

Each projection writes its rows and its tracking position (``rm_tracking``) in one transaction;
they never write events or touch aggregates, and can be dropped and rebuilt at any time. See
docs/read-models.md.

    from projections import catch_up, read_models, rebuild, queries
    catch_up(app)                         # after a write: idempotent, fast when nothing is new
    engine = read_models(app)             # catch up, then query
    queries.register(engine)
    follower = Follower(app)              # a bulk write: follower.saved(app.save(...)); follower.finish()
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Lazy, so importing the package (e.g. to find it) does not import SQLAlchemy.
    if name in ("catch_up", "rebuild", "read_models", "all_projections", "select_projections", "require_current",
                "Follower"):
        from projections import runner

        return getattr(runner, name)
    if name in ("engine_for", "dispose"):
        from projections import db

        return getattr(db, name)
    if name == "queries":
        import importlib

        return importlib.import_module("projections.queries")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
