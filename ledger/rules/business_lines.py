"""Business lines in scoring (004 §4.18.2): "where the scope covers several business lines, the items
are scored separately for each and the item's final score is the mean".

A part of a scheme scored per business line says so in its scheme file (``facet_from =
"business_lines"``). For an item of such a part, the facet of a score entry is decided by the lines
the client declared for the scope being audited (``Client.business_lines``, aggregates/state.py):

* two or more lines: the entry names one of them, exactly (a free-text line would be a phantom line
  that changes the mean);
* one line or none: the entry names no line (the scheme's note ``business-lines``: with a single
  line the facet is empty);
* an item keeps one form: entries of one item either all name a line or none does (the engine
  refuses a mix, which would leave the audit without an evaluation); a correction may change the
  line (``score correct --facet``), and so repair such a mix.

Pure: the client's state and the scheme in, the facet out, or a refusal naming the part's clause.
"""

from __future__ import annotations

from typing import Any

from aggregates.errors import RuleViolation


def score_facet(client: Any, scheme: Any, audit_id: str, item_ref: str, facet: str | None,
                corrects: dict[str, Any] | None = None) -> str | None:
    """The facet a score entry (or the correction of ``corrects``) of ``item_ref`` records, checked
    against the client's declared business lines when the item's part is scored per line; other
    facets are left to the scheme's own check (``Scheme.validate_entry``)."""
    facet = facet.strip() if isinstance(facet, str) else None
    facet = facet or None
    target = scheme.resolve_item(item_ref)
    if target.kind != "item":
        return facet
    part = scheme.part(target.part)
    if part.facet_from != "business_lines":
        return facet
    clause = scheme.clause(part.clause)
    lines = client.business_lines_for(audit_id)
    listed = "、".join(lines) or "—"
    verb = "correct" if corrects is not None else "enter"
    ref = f"--entry {corrects['id']}" if corrects is not None else f"--audit {audit_id} --item {target.id}"
    if len(lines) < 2:
        if facet is not None:
            raise RuleViolation(
                clause,
                f"指标 {target.id}（{target.name_zh}）：申报的业务范围只有 {len(lines)} 个（{listed}），按 {clause} 只有业务范围覆盖多个专业时才分别评分，"
                f"业务范围“{facet}”不适用；请不注明业务范围：certledger score {verb} {ref} --value ...（更正时用 --facet \"\"）。",
                f"Item {target.id} ({target.name_en}): the client declared {len(lines)} business line(s) ({listed}); under "
                f"{clause} items are scored per line only when the scope covers several, so '{facet}' does not apply; "
                f"score it without a line: certledger score {verb} {ref} --value ... (a correction: --facet \"\").",
            )
    elif facet is None:
        raise RuleViolation(
            clause,
            f"指标 {target.id}（{target.name_zh}）须按业务范围分别评分（{clause}），客户申报的业务范围：{listed}；"
            f"请注明其中之一：certledger score {verb} {ref} --facet {lines[0]} --value ...。",
            f"Item {target.id} ({target.name_en}) is scored per business line ({clause}); the client declared: {listed}; "
            f"name one of them: certledger score {verb} {ref} --facet {lines[0]} --value ...",
        )
    elif facet not in lines:
        raise RuleViolation(
            clause,
            f"业务范围“{facet}”不是客户申报的业务范围（{listed}）；请注明其中之一，例如 certledger score {verb} {ref} --facet {lines[0]} "
            "--value ...；业务范围属于认证范围，须在申请或范围变更时申报。",
            f"'{facet}' is not one of the client's declared business lines ({listed}); name one of them, e.g. "
            f"certledger score {verb} {ref} --facet {lines[0]} --value ...; business lines belong to the scope and are "
            "declared at application or on a scope change.",
        )
    _check_one_form(client, clause, audit_id, target, facet, corrects)
    return facet


def _check_one_form(client: Any, clause: str, audit_id: str, target: Any, facet: str | None,
                    corrects: dict[str, Any] | None) -> None:
    """No mix of entries with and without a line on one item, and one entry per item and line."""
    others = [e for e in client.effective_entries(audit_id)
              if e["item"] == target.id and (corrects is None or e["id"] != corrects["id"])]
    blank, line = '""', "业务范围"
    for e in others:
        if (e["facet"] is None) != (facet is None):
            what_zh = "不分业务范围" if e["facet"] is None else f"注明业务范围“{e['facet']}”"
            what_en = "without a business line" if e["facet"] is None else f"for business line '{e['facet']}'"
            raise RuleViolation(
                clause,
                f"指标 {target.id}（{target.name_zh}）已有{what_zh}的评分 {e['id']}；同一指标不得混用有/无业务范围的评分（{clause}）。"
                f"请先更正 {e['id']}：certledger score correct --entry {e['id']} --facet {line if facet else blank} --value ... --reason ...。",
                f"Item {target.id} ({target.name_en}) already has score {e['id']} {what_en}; one item may not mix entries with "
                f"and without a business line ({clause}). Correct {e['id']} first: certledger score correct --entry {e['id']} "
                f"--facet {'LINE' if facet else blank} --value ... --reason ...",
            )
        if corrects is not None and e["facet"] == facet:
            raise RuleViolation(
                clause,
                f"指标 {target.id} 在业务范围“{facet}”已有评分 {e['id']}；每个业务范围一条评分。请更正 {e['id']}，或为 {corrects['id']} 注明另一业务范围。",
                f"Item {target.id} already has score {e['id']} for business line '{facet}'; one score per line. Correct "
                f"{e['id']}, or give {corrects['id']} another line.",
            )
