"""The body's first administrator, for tests whose ledger holds a register of people: on an empty
register the first person registered is the actor themself, who becomes the administrator
(ledger/people_actor.py, D37); every later write names a registered person."""

from datetime import date

from aggregates.policy.people import id_check_character

ADMIN = "张伟"
ADMIN_NUMBER = "11010519800101001" + id_check_character("11010519800101001")


def register_admin(app, on=date(2026, 1, 5), name=ADMIN, number=ADMIN_NUMBER):
    """Register ``name`` as the first person (themself: the administrator); returns the person."""
    app.register_person(name=name, number=number, joined_on=date(2020, 3, 1), actor=name, on=on)
    return app.find_person(name)
