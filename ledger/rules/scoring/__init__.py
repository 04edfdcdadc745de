"""The scoring engine: schemes as versioned data files and pure functions over them.

No database, no click, no structlog: stdlib and Decimal only. See docs/scoring.md.
"""

from .catalogue import SCHEME_DIR, grade_names, list_schemes, load_scheme, scheme_in_force
from .engine import Entry, Evaluation, band_containing, evaluate, evaluate_kept, graded_value
from .errors import SchemeNotFound, ScoringError
from .model import Condition, Item, Scheme

__all__ = ["Condition", "Entry", "Evaluation", "Item", "SCHEME_DIR", "Scheme", "SchemeNotFound", "grade_names",
           "ScoringError", "band_containing", "evaluate", "evaluate_kept", "graded_value", "list_schemes", "load_scheme", "scheme_in_force"]
