"""Everything the rulebooks say, and nothing else: scheme files and the scoring engine, the
procedures, the working-day calendar, deadlines, lifecycle rules, audit planning and record
retention. Pure: the standard library, ``holidays`` and ``aggregates``; no database, no clock, no
command line (docs/architecture.md)."""
