"""The one check of a refusal the tests share: the rule named, nothing written."""

import pytest

from aggregates.errors import RuleViolation


def refused(app, fn, rule):
    """Run ``fn``, which must be refused under ``rule`` with no event written; returns the refusal."""
    before = app.event_count()
    with pytest.raises(RuleViolation) as e:
        fn()
    assert e.value.rule == rule, (e.value.rule, e.value.message_en)
    assert app.event_count() == before
    return e.value
