"""The words of the records in the reader's language: each closed vocabulary of the lifecycle
(``aggregates.vocabulary``) by a name, for whoever renders records (the command line, reports).

    word("stage", "valid", "en")          # "certificate active"
    word("certificate_status", "valid")   # "有效"
"""

from __future__ import annotations

from datetime import timedelta

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


def age_words(age: timedelta, lang: str = "zh") -> str:
    """A ``timedelta`` as minutes, hours or days, in the output's language."""
    hours = max(0.0, age.total_seconds() / 3600)
    if hours < 1:
        return f"{hours * 60:.0f} 分钟" if lang == "zh" else f"{hours * 60:.0f} minutes"
    if hours < 48:
        return f"{hours:.1f} 小时" if lang == "zh" else f"{hours:.1f} hours"
    return f"{hours / 24:.1f} 天" if lang == "zh" else f"{hours / 24:.1f} days"
