"""Personal signatures (issue 15, item 4), as data: the acts with legal meaning that carry a
signature, who signs each and what the signature means (the table of meanings), and the catalogue
entries of the keys and of the body's signing policy, which ``ledger.commands`` turns into its
``Command`` entries. Stdlib only: imports nothing of ``ledger.commands`` (no import loop).

Each signed act: the roles the signer must hold (the first one held is the role stated), whose
signature it is (``signer``: "actor", the person named by a parameter such as "decider", or one of
a list of them such as "deciders"; ``leader``: the actor must also be the audit's team leader;
``panel``: the act's event field naming a panel, every member of which signs — the first with the
act, the others by co-signing, ``certledger sign``, ledger/signing_cosign.py), and
the meaning in Chinese and English, with a second wording where the act says no (``refused``).
"""

from __future__ import annotations

from typing import Any

SIGN_KEY: dict[str, Any] = {
    "name": "sign-key", "required": False,
    "help": "the signer's private key file (certledger people key init); default $CERTLEDGER_SIGN_KEY. Signs the act "
            "(电子签名法 §13); required once the body requires signing (people signing)"}

# command -> (roles, signer parameter, (meaning zh, meaning en), (meaning when the act says no, zh, en) or None)
SIGNED_ACTS: dict[str, dict[str, Any]] = {
    "decide": {"roles": ("decider",), "signer": "decider",
               "meaning": ("本人作出认证决定：授予认证。", "I decide to grant certification."),
               "refused": ("本人作出认证决定：不予认证。", "I decide to refuse certification.")},
    "appeal redecide": {"roles": ("decider",), "signer": "decider",
                        "meaning": ("本人就已成立的申诉重新作出认证决定：授予认证。", "On the upheld appeal, I decide anew to grant certification."),
                        "refused": ("本人就已成立的申诉重新作出认证决定：不予认证。", "On the upheld appeal, I decide anew to refuse certification.")},
    "certificate issue": {"roles": ("decider", "administrator"), "signer": "actor",
                          "meaning": ("本人依据认证决定签发此证书。", "I issue this certificate on the certification decision.")},
    "certificate suspend": {"roles": ("decider", "administrator"), "signer": "actor",
                            "meaning": ("本人决定暂停此证书。", "I decide to suspend this certificate.")},
    "certificate restore": {"roles": ("decider", "administrator"), "signer": "actor",
                            "meaning": ("本人决定恢复此证书。", "I decide to restore this certificate.")},
    "certificate withdraw": {"roles": ("decider", "administrator"), "signer": "actor",
                             "meaning": ("本人决定撤销此证书。", "I decide to withdraw this certificate.")},
    "appeal decide": {"roles": ("case_handler",), "signer": "decider", "panel": "deciders",
                      "meaning": ("本人作出所记录的申诉处理决定。", "I decide the appeal as recorded.")},
    "complaint admit": {"roles": ("case_handler",), "signer": "decider", "panel": "deciders",
                        "meaning": ("本人决定受理此投诉。", "I decide to accept this complaint."),
                        "refused": ("本人决定不予受理此投诉。", "I decide not to accept this complaint.")},
    "complaint resolve": {"roles": ("case_handler",), "signer": "actor",
                          "meaning": ("本人确认所记录的投诉处理结果。", "I resolve the complaint as recorded.")},
    "audit complete": {"roles": ("lead_auditor",), "signer": "actor", "leader": True,
                       "meaning": ("本人作为审核组长提交此审核的结论及其评分。", "As the team's leader, I submit this audit's conclusion and its scores.")},
}

_PERSON: dict[str, Any] = {"name": "person", "help": "the person: a name held by one registered person, or their document number"}
_ON: dict[str, Any] = {"name": "on", "type": "date", "required": False,
                       "help": "business date YYYY-MM-DD on which it happened (default: today, Asia/Shanghai)"}

SIGNING_COMMANDS: tuple[tuple[str, str, str, tuple[dict[str, Any], ...]], ...] = (
    ("people key add", "add_person_key", "Register a person's Ed25519 public key (登记签名公钥); a new key rotates: the "
     "earlier one is valid until the new one's first day.", (
        _PERSON,
        {"name": "public-key", "help": "the public key: the .pub file certledger people key init wrote, its text, or the raw key in base64"},
        {"name": "valid-from", "type": "date", "required": False, "help": "the key's first valid day (default: the business date)"},
        _ON,
    )),
    ("people key revoke", "revoke_person_key", "Revoke a person's key (吊销签名密钥) from a day: it signs nothing from then on.", (
        _PERSON,
        {"name": "key-id", "help": "the key's id (its fingerprint, as people key add printed it)"},
        {"name": "reason", "help": "why the key is revoked (lost, compromised, left...)"},
        {"name": "revoked-on", "type": "date", "required": False, "help": "the first day the key is no longer valid (default: the business date)"},
        _ON,
    )),
    ("sign", "cosign_act", "Co-sign a panel's act already signed by one of its members (会签): every person the act names "
     "(appeal decide, complaint admit: --decider) signs with their own key (004 §14.1.3 (4); 电子签名法 §13).", (
        {"name": "client", "help": "the client's USCC (统一社会信用代码, 18 characters)"},
        {"name": "act", "type": "int", "help": "the version of the act's event (as certledger history shows it)"},
        {**SIGN_KEY, "help": "the co-signer's private key file (certledger people key init); default $CERTLEDGER_SIGN_KEY"},
        _ON,
    )),
    ("people signing", "set_signing_policy", "Require personal signatures on acts with legal meaning from a day (签名要求), "
     "or no longer (--off); recorded by an administrator (the actor).", (
        {"name": "required-from", "type": "date", "required": False, "help": "the first business day on which the acts must be signed"},
        {"name": "act", "multiple": True, "required": False, "choices": tuple(SIGNED_ACTS),
         "help": "an act that must be signed; repeat for each (default: every act that can be signed)"},
        {"name": "off", "type": "bool", "required": False, "default": False, "help": "signing no longer required"},
        {"name": "reason", "required": False, "help": "why signing is no longer required (required with --off; shown by people show)"},
        _ON,
    )),
)
