"""The words of the records in the reader's language: each closed vocabulary of the lifecycle
(``aggregates.vocabulary``) by a name, for whoever renders records (the command line, reports).

    word("stage", "valid", "en")          # "certificate active"
    word("certificate_status", "valid")   # "有效"
"""

from __future__ import annotations

from aggregates import vocabulary as v

VOCABULARIES: dict[str, dict[str, tuple[str, str]]] = {
    "stage": v.STAGES,
    "certificate_status": v.CERTIFICATE_STATUSES,
    "audit_kind": v.AUDIT_KINDS,
    "application_kind": v.APPLICATION_KINDS,
    "change_kind": v.CHANGE_KINDS,
    "nc_severity": v.NC_SEVERITIES,
    "nc_status": v.NC_STATUSES,
    "scope_change_kind": v.SCOPE_CHANGE_KINDS,
    "appeal_outcome": v.APPEAL_OUTCOMES,
}


def word(vocabulary: str, key: str | None, lang: str = "zh") -> str:
    """``key``'s word in ``lang`` (zh or en); a key the vocabulary does not know is shown as it is."""
    return v.word(VOCABULARIES[vocabulary], key or "", lang) if key is not None else ""
