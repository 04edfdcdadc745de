"""Who acts in the demo, shared by ledger/demo.py and its continuations (ledger/demo_<area>.py)."""

ADMIN = "张伟"  # the body's administrator who records most actions
