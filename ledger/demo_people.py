"""The demo's staff (issue 15): the body's people registered before its year begins, with every role
(administrator, auditors and lead auditors, a technical expert, deciders, case handlers, an inspector),
CCAA registrations, training and competence, so that every team, decider and case handler of
``ledger.demo.play``'s stories is checked against the register (docs/people.md); an auditor who joins
during the year; everyone's personal key (made in a folder of their own: the private keys never enter
the ledger) and the body's rule, from the year's first day, that every act with legal meaning is signed
by its signer (``SignedByStaff``); declarations of interest made when a client applies, before anyone
acts for it ("none", or an interest that bars the person: ``declare_interests``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aggregates.policy.people import id_check_character
from ledger.demo_cast import ADMIN

# name, the first 17 digits of a (made-up) 居民身份证号码 (its check character computed), roles; the
# administrator first: on an empty register the first person registered is the actor themself (D37)
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
    ("吴刚", "32010219760412003", ("technical_expert",)),  # precision machining: on Beijing's stage 2 (001 §4.3.2.2)
    ("郑洁", "11010219840916002", ("inspector",)),  # reads only: impartiality, history, bundles
)
# joins during the year (``join_auditor``), after eight years at Suzhou's client until shortly before
JOINER = ("郭婷", "32058319890217002", ("auditor",))
# who declares their interests in a client when it applies (004 §4.3): whoever may audit or decide for it
DECLARING_ROLES = frozenset({"auditor", "lead_auditor", "technical_expert", "decider"})
# who holds a personal key (电子签名法 §13): everyone who may sign an act (ledger/commands_signing.SIGNED_ACTS)
SIGNING_ROLES = frozenset({"administrator", "lead_auditor", "decider", "case_handler"})
# who audits Shenzhen (004): competent for its scope's one business line, 29 (批发和零售业; 004 §5.2.2, §5.1.4 4))
COMPETENT_004 = ("刘洋", "杨帆", "陈静")
# the schemes of the demo's clients (ledger.demo.CLIENTS): every auditor is trained on each
DEMO_SCHEMES = ("zgc-ru015", "hzx-mr0118", "tbsc94", "zdrz-69", "jx-qci-2023")


def _first_in_force(scheme_id: str) -> date:
    from ledger.rules.scoring.catalogue import load_scheme

    latest = load_scheme(scheme_id)
    return min(load_scheme(scheme_id, v).effective_from for v in latest.versions or (latest.version,))


def register_staff(app: Any, on: date, folder: Any = None) -> dict[str, str]:
    """Register the demo's staff on ``on`` (the day before the first story): joined a year earlier,
    auditors registered with the CCAA for three years and trained on the schemes' standards, each
    signer's key made in ``folder`` (new, 0700; ``key_folder``) and registered; then the body requires
    every act with legal meaning signed from ``on`` (people signing, every act). Returns each signer's
    private key file (``SignedByStaff``)."""
    folder = key_folder(folder)
    keys: dict[str, str] = {}
    for name, first17, roles in STAFF:
        _register(app, name, first17, roles, on - timedelta(days=365), on, keys, folder)
    for name in COMPETENT_004:
        app.record_competence(person=name, scheme="hzx-mr0118", code=["29"], actor=ADMIN, on=on)
    app.set_signing_policy(required_from=on, actor=ADMIN, on=on)  # no --act: every act that can be signed
    return keys


def key_folder(folder: Any = None) -> Any:
    """The folder of the staff's private keys, made new and readable by its owner only (0700; each
    private key 0600): ``folder``, beside the ledger (``certledger demo`` gives ``<ledger>.staff-keys``,
    trial 12 item 8), or a temporary one when none is given (the tests' ledgers)."""
    import os
    import tempfile
    from pathlib import Path

    if folder is None:
        return Path(tempfile.mkdtemp(prefix="certledger-demo-staff-keys-"))
    path = Path(folder)
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)  # whatever the umask
    return path


def join_auditor(app: Any, on: date, keys: dict[str, str]) -> str:
    """The auditor who joins the body on ``on`` (``JOINER``), registered and trained as the others."""
    from pathlib import Path

    name, first17, roles = JOINER
    _register(app, name, first17, roles, on, on, keys, Path(keys[ADMIN]).parent)
    return name


def _register(app: Any, name: str, first17: str, roles: tuple[str, ...], joined: date, on: date, keys: dict[str, str],
              folder: Any) -> None:
    from ledger.signing import init_personal_key

    app.register_person(name=name, number=first17 + id_check_character(first17), joined_on=joined, actor=ADMIN, on=on)
    missing = [r for r in roles if r not in app.find_person(name).roles]  # the first (ADMIN, themself) is the administrator already
    if missing:
        app.grant_roles(person=name, role=missing, actor=ADMIN, on=on)
    if "auditor" in roles:
        app.record_ccaa(person=name, number=f"CCAA-{first17[-6:]}", category="auditor", valid_from=joined,
                        valid_to=on + timedelta(days=3 * 365), actor=ADMIN, on=on)
        for scheme in DEMO_SCHEMES:  # trained on each scheme's standard before any audit (001 §3.2; checked at audit plan),
            day = max(on, _first_in_force(scheme))  # once the scheme is in force (a scheme newer than the demo's year)
            app.record_training(person=name, scheme=scheme, hours=16, evidence=[f"{scheme} 培训证书"], actor=ADMIN, on=day)
    if SIGNING_ROLES & set(roles):  # the key is made on the person's own machine; only its public half is registered
        files = init_personal_key(str(folder / f"{name}.key"), name)
        app.add_person_key(person=name, public_key=str(files.public), valid_from=on, actor=ADMIN, on=on)
        keys[name] = str(files.private)


def declare_interests(app: Any, uscc: str, on: date, interests: dict[str, tuple[str, str, date | None]] | None = None) -> None:
    """When a client applies, everyone who may audit or decide for it declares, in their own name, their
    interest in it (004 §4.2 d), §4.3): ``interests`` by name (kind, what, the day it ended), "none" for
    the others. Made before anyone acts for the client, so every team and decision is checked against
    them (ledger/people_checks.py) and ``people impartiality`` shows who stands aside."""
    for p in app.people():
        if DECLARING_ROLES & set(p.roles) and p.joined_on <= on and p.left_on is None:
            kind, detail, ended = (interests or {}).get(p.name, ("none", "", None))
            app.declare_interest(person=p.name, client=uscc, kind=kind, detail=detail, ended_on=ended, actor=p.name, on=on)


class SignedByStaff:
    """The ledger as the demo's staff use it: an act with legal meaning (ledger/commands_signing.py,
    ``SIGNED_ACTS``) is recorded and signed by its signer — the actor, the decider named, or the first of a
    panel — with their own key file (``keys``: in a body each stays on its owner's machine; here in the
    demo's folder). Everything else passes through unchanged."""

    def __init__(self, app: Any, keys: dict[str, str]) -> None:
        self._app = app
        self._keys = keys

    def __getattr__(self, name: str) -> Any:
        from ledger.commands_signing import SIGNED_ACTS

        attr = getattr(self._app, name)
        spec = SIGNED_ACTS.get(getattr(attr, "command_name", None) or "")
        if spec is None:
            return attr

        def signed(**fields: Any) -> Any:
            who = fields.get(spec["signer"])
            who = who[0] if isinstance(who, list) and who else who
            if who in self._keys:  # recorded by the signer in person (电子签名法 §13 (2): the key in their sole control)
                fields.setdefault("sign_key", self._keys[who])
                fields["actor"] = who
            return attr(**fields)

        return signed


def cosign_panel(app: Any, uscc: str, command: str, name: str, keys: dict[str, str], on: date) -> None:
    """Every member of a panel signs its act (004 §14.1.3 (4)): ``name`` co-signs the client's latest
    ``command`` (certledger sign, ledger/signing_cosign.py), once the staff hold keys."""
    if name in keys:
        signed = app.client(uscc).__dict__.get("signatures", {})
        version = max(int(v) for v, s in signed.items() if s["command"] == command)
        app.cosign_act(client=uscc, act=version, actor=name, on=on, sign_key=keys[name])


def staff_summary(app: Any, codes: list[str]) -> dict[str, Any]:
    """What ``certledger demo`` says of the body's people at the end of its year: how many hold each
    role, since when acts are signed and how many are, and who stands aside from which client."""
    from aggregates.vocabulary import PERSON_ROLES
    from ledger.signing import current_policy

    people = app.people()
    policy = current_policy(app) or {}
    aside = [{"name": r["name"], "client": code, "client_name": app.client(code).name, "clause": c["clause"], "kind": c["kind"]}
             for code in codes for r in app.impartiality(code) for c in r["conflicts"]]
    return {"people": len(people),
            "roles": [[role, n] for role in PERSON_ROLES if (n := sum(1 for p in people if role in p.roles))],
            "signing_required_from": policy.get("required_from"),
            **_signature_counts(app),
            "standing_aside": aside}


def _signature_counts(app: Any) -> dict[str, int]:
    """The acts signed and the signatures over them (a panel's act once, with each member's signature;
    what ``certledger verify`` counts; trial 12, item 13)."""
    from ledger.signing import stored_json
    from ledger.signing_complete import ACT_SIGNED

    acts: set[tuple[str, tuple[int, ...]]] = set()
    signatures, position = 0, 0
    while batch := app.recorder.select_notifications(position, 500, topics=[ACT_SIGNED], inclusive_of_start=False):
        for n in batch:
            position = n.id
            signatures += 1
            acts.add((str(n.originator_id), tuple(stored_json(app.mapper, n.state).get("act_versions") or ())))
    return {"signed_acts": len(acts), "signatures": signatures}
