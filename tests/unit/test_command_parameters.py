"""``ledger.acts.parameter_names`` reads a command's parameters from its code instead of
``inspect.signature`` (a command's start, D49): the same names for every command of the ledger and
for every kind of parameter."""

from __future__ import annotations

import functools
import inspect

from ledger.acts import parameter_names


def _signature_names(fn) -> frozenset[str]:
    return frozenset(inspect.signature(fn).parameters)


def test_every_kind_of_parameter_is_named():
    def f(a, b=1, /, c=2, *args, d, e=3, **kwargs):
        local = a  # a local variable is not a parameter
        return local

    def g(self, act, *, note="", evidence=None):
        pass

    @functools.wraps(g)
    def wrapped(*args, **kwargs):
        return g(*args, **kwargs)

    for fn in (f, g, wrapped, lambda: None):
        assert parameter_names(fn) == _signature_names(fn)
    assert parameter_names(f) == {"a", "b", "c", "args", "d", "e", "kwargs"}


def test_every_command_of_the_ledger():
    from ledger.app import CertLedger

    commands = [m.__wrapped__ for name in dir(CertLedger) if getattr(m := getattr(CertLedger, name), "command_name", None)]
    assert len(commands) > 40
    assert [parameter_names(fn) for fn in commands] == [_signature_names(fn) for fn in commands]
