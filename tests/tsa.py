"""The local time-stamping authority the tests start (it lives in the product, which the demo uses)."""

from ledger.trail.local_tsa import LocalTSA, local_tsa, make_ca, make_tsa_certificate  # noqa: F401
