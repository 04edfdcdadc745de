"""Record retention (001 §12): records are kept at least as long as the certificate is valid, and
electronic records are kept in a non-editable form. The ledger never deletes or edits an event:
the audit trail's hashes and signed checkpoints would expose it, and an inspector must be able to
replay any client's history. A purge request is therefore refused; this module says why, with the
date the retention period ends so that the body can plan an archive (``certledger export``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aggregates.errors import RuleViolation


def retention_ends(client: Any) -> date | None:
    """The last day of the minimum retention period: the latest validity end of any certificate the
    client held (001 §12.2). None if it never held one (the rulebooks then set no minimum)."""
    ends = [c["valid_until"] for c in client.certificates.values()]
    return max(ends) if ends else None


def refuse_purge(client: Any, today: date) -> None:
    end = retention_ends(client)
    if end is not None and today <= end:
        raise RuleViolation(
            "001 §12.2",
            f"{client.name} 的记录保存期至少到 {end}（证书有效期截止日，001 §12.2）；保存期内的记录不得删除。",
            f"{client.name}'s records must be kept at least until {end}, the end of its certificate's validity "
            "(001 §12.2); records within the retention period cannot be purged.",
        )
    raise RuleViolation(
        "001 §12.3",
        f"{client.name} 的记录已过最短保存期{f'（{end}）' if end else ''}，但账本不删除也不修改任何事件（001 §12.3 不可编辑；"
        "审计链的哈希和签名检查点会暴露删除）。如需归档，请用 certledger export 导出检查包。",
        f"{client.name}'s records are past the minimum retention period{f' ({end})' if end else ''}, but the ledger never "
        "deletes or edits an event (001 §12.3, non-editable; the audit trail's hashes and signed checkpoints would expose "
        "it). To archive, export an inspection bundle with certledger export.",
    )
