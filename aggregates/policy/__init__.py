"""The checks of the client's commands, by area: pure functions over the client's state that
raise ``RuleViolation`` naming the rule and what to change, or return the command's values cleaned
(trimmed text, validated sites). A command method of ``Client`` calls its check, then triggers one
event whose ``apply`` only applies state (aggregates/area_events.py); nothing here records anything.

    common         the shared checks: text given, a known word, dates in order, a reference exists
    applications   registration, application, review, refusal notice, contract, transfer request
    audits         audit plan and completion, score entries, corrections, exclusions, nonconformities
    decisions      the certification decision
    certificates   issue, report to the CNCA, suspension, restoration, withdrawal, cancellation,
                   expiry, scope change
    appeals        notified changes, complaints and appeals

Rules that need the calendar, a scheme or a procedure are in ``ledger/rules/``, not here
(docs/architecture.md).
"""
