"""The user's cache folder for certledger: ``$XDG_CACHE_HOME/certledger``, else
``~/.cache/certledger`` (the one rule, used by the holidays cache here and the read models'
fingerprints in projections/catalogue.py; D41). Standard library only: ``show`` imports it."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The folder (not created). Raises RuntimeError when there is no home folder to put it in."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "certledger"
