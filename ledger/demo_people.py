"""The demo's staff (issue 10): the body's people registered before its year begins, with their roles,
CCAA registrations, training and competence, so that every team, decider and case handler of
``ledger.demo.play``'s stories is checked against the register (docs/people.md); the deciders' and case
handlers' personal keys (made in a folder of their own: the private keys never enter the ledger) and
the body's rule that decisions and appeal decisions are signed; and, after the year, declarations of
interest ("none") by the team of one client, for its impartiality view."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aggregates.policy.people import id_check_character
from ledger.demo_cast import ADMIN

# name, the first 17 digits of a (made-up) 居民身份证号码 (its check character computed), roles
STAFF = (
    ("张伟", "11010519800101001", ("administrator",)),
    ("王芳", "33010619850312002", ("auditor", "lead_auditor")),
    ("李强", "33010219900101001", ("auditor", "lead_auditor")),
    ("陈静", "42010619880606002", ("auditor", "lead_auditor")),
    ("刘洋", "44030519870909001", ("auditor", "lead_auditor")),
    ("杨帆", "36010219910215002", ("auditor", "lead_auditor")),
    ("黄磊", "32050619830725001", ("auditor", "lead_auditor")),
    ("赵敏", "33010519780520004", ("decider",)),
    ("钱七", "11010819700303001", ("decider",)),
    ("孙丽", "33010819820808003", ("case_handler",)),
    ("周强", "44010619790101001", ("case_handler",)),
)
# who audits Shenzhen (004): competent for its scope's one business line (004 §5.2.2)
COMPETENT_004 = ("刘洋", "杨帆", "陈静")
# who signs (电子签名法 §13): the deciders and the case handlers; the acts the body requires signed
SIGNERS = ("赵敏", "钱七", "孙丽", "周强")
SIGNED_ACTS = ("decide", "appeal redecide")  # required; the demo also signs its appeal decisions


def register_staff(app: Any, on: date) -> dict[str, str]:
    """Register the demo's staff on ``on`` (before the first story): joined a year earlier, auditors
    registered with the CCAA for three years and trained on the scheme's standard; the signers' keys
    made and registered, signing required from ``on``. Returns each signer's private key file."""
    import tempfile
    from pathlib import Path

    from ledger.signing import init_personal_key

    joined = on - timedelta(days=365)
    for name, first17, roles in STAFF:
        app.register_person(name=name, number=first17 + id_check_character(first17), joined_on=joined, actor=ADMIN, on=on)
        app.grant_roles(person=name, role=list(roles), actor=ADMIN, on=on)
        if "auditor" in roles:
            app.record_ccaa(person=name, number=f"CCAA-{first17[-6:]}", category="auditor", valid_from=joined,
                            valid_to=on + timedelta(days=3 * 365), actor=ADMIN, on=on)
            app.record_training(person=name, scheme="zgc-ru015", hours=16, evidence=["GB/T 31863 培训证书"], actor=ADMIN, on=on)
    for name in COMPETENT_004:
        app.record_competence(person=name, scheme="hzx-mr0118", code=["商业信誉评价：日用百货批发与零售"], actor=ADMIN, on=on)
    folder = Path(tempfile.mkdtemp(prefix="certledger-demo-staff-keys-"))
    keys = {}
    for name in SIGNERS:
        files = init_personal_key(str(folder / f"{name}.key"), name)
        app.add_person_key(person=name, public_key=str(files.public), valid_from=on, actor=ADMIN, on=on)
        keys[name] = str(files.private)
    app.set_signing_policy(required_from=on, act=list(SIGNED_ACTS), actor=ADMIN, on=on)
    return keys


def play_people(app: Any, codes: list[str], today: date) -> None:
    """Hangzhou's team declares no interest in it (004 §4.2 d), §4.3), for ``people impartiality``."""
    for name in ("王芳", "李强", "陈静"):
        app.declare_interest(person=name, client=codes[0], kind="none", actor=ADMIN, on=today - timedelta(days=5))
