"""``certledger sheet import``: a filled score sheet into the ledger, through the same road as the
command line (``CertLedger.execute`` of ``score enter`` / ``score correct`` / ``score exclude``, in
one session as ``certledger import --atomic`` runs its lines): all or nothing per workbook.

Each row gives, per value block, one act:

* cells empty: nothing (an item left for later) — unless a score stands for it in the ledger: a
  sheet cannot withdraw a score, refused;
* a value equal to the standing score of that item and line (both checked by the rule and
  compared normalised): nothing, so importing the same workbook again changes nothing;
* a value where a different score stands: ``score correct`` of the standing entry, the reason
  naming the workbook and its SHA-256;
* a value where none stands: ``score enter`` (the business line of its block as the facet);
* an exclusion reason: ``score exclude``, unless the item is already excluded with that reason.

The note of a row goes with each act of the row (``--note``); every act carries the workbook's
SHA-256 as evidence (``--evidence``). Every error is collected, as ``FILE!SHEET!CELL: message``,
and any error means nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aggregates.errors import RuleViolation
from aggregates.policy.audits import open_audit
from aggregates.uscc import normalise_uscc
from ledger.sheets import layout as L
from ledger.sheets.read import CellError, check_layout, error, lines_of, open_workbook
from ledger.sheets.write import META_KEYS


@dataclass
class SheetReport:
    file: str
    sha256: str = ""
    rows: int = 0
    entered: int = 0
    corrected: int = 0
    excluded: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)

    @property
    def written(self) -> int:
        return 0 if self.errors else self.entered + self.corrected + self.excluded

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "rows": self.rows, "entered": self.entered, "corrected": self.corrected,
                "excluded": self.excluded, "unchanged": self.unchanged, "written": self.written,
                "errors": [dict(e.to_dict(), where=e.where(self.file)) for e in self.errors]}


@dataclass
class _Act:
    command: str
    fields: dict[str, Any]
    cell: str


def _meta_cell(key: str) -> str:
    return f"B{META_KEYS.index(key) + 1}"


def _meta_error(key: str, zh: str, en: str, rule: str = L.RULE) -> CellError:
    return error(L.META, _meta_cell(key), zh, en, rule)


def _check_meta(book: Any, client: Any, audit: str, scheme: Any) -> list[CellError]:
    meta = book.meta
    if meta.get("format") != L.FORMAT:
        return [_meta_error("format", f"格式标识应为 {L.FORMAT}，实为“{meta.get('format', '')}”：请用 certledger sheet template 重新生成模板。",
                            f"The format mark should be {L.FORMAT}, found '{meta.get('format', '')}': write a new template with certledger sheet template.")]
    errors = []
    if meta.get("scheme") != scheme.id or meta.get("version") != scheme.version:
        errors.append(_meta_error(
            "scheme", f"这是方案 {meta.get('scheme')} 版本 {meta.get('version')} 的评分表，而审核 {audit} 按方案 {scheme.id} 版本 {scheme.version} 评分"
            f"（审核首日有效的版本）；请用 certledger sheet template --scheme {scheme.id} --client {client.uscc} --audit {audit} 生成的模板。",
            f"This is a score sheet of scheme {meta.get('scheme')} version {meta.get('version')}, but audit {audit} is scored under scheme "
            f"{scheme.id} version {scheme.version} (the version in force on its first day); use the template of certledger sheet template "
            f"--scheme {scheme.id} --client {client.uscc} --audit {audit}.", "001 §13.1"))
    if meta.get("client") and meta["client"] != client.uscc:
        errors.append(_meta_error("client", f"这份评分表是为客户 {meta['client']} 生成的，不是 {client.uscc}；请用该客户的模板。",
                                  f"This score sheet was written for client {meta['client']}, not {client.uscc}; use that client's template."))
    if meta.get("audit") and meta["audit"] != audit:
        errors.append(_meta_error("audit", f"这份评分表是为审核 {meta['audit']} 生成的，不是 {audit}；请用 --audit {meta['audit']} 或该审核的模板。",
                                  f"This score sheet was written for audit {meta['audit']}, not {audit}; use --audit {meta['audit']} or that audit's template."))
    if meta.get("lang") not in ("zh", "en"):
        errors.append(_meta_error("lang", "语言标识应为 zh 或 en。", "The language mark must be zh or en."))
    return errors


def _check_lines(book: Any, client: Any, scheme: Any, audit: str) -> list[CellError]:
    """The sheet's business lines are the client's declared ones (004 §4.18.2): an unknown line
    would be a phantom line that changes the mean; no line columns where the client declared
    several would leave every item without its line."""
    parts = [p for p in scheme.parts if p.facet_from == "business_lines"]
    if not parts:
        return []
    rule = scheme.clause(parts[0].clause)
    declared = client.business_lines_for(audit)
    sheet = lines_of(book.meta)
    lay = L.build(scheme, sheet, book.meta.get("lang", "zh"))
    errors = []
    listed = "、".join(declared) or "—"
    for block in lay.blocks:
        if block.line is not None and (block.line not in declared or len(declared) < 2):
            where = L.cell_name(L.HEADER_ROW, block.columns[0].index)
            errors.append(error(L.SHEET, where, f"业务范围“{block.line}”不是客户申报的业务范围（{listed}）；请用 certledger sheet template "
                                f"--client {client.uscc} --audit {audit} 重新生成模板。",
                                f"'{block.line}' is not one of the client's declared business lines ({listed}); write a new template with "
                                f"certledger sheet template --client {client.uscc} --audit {audit}.", rule))
    if len(declared) >= 2 and not sheet:
        errors.append(error(L.SHEET, L.cell_name(L.HEADER_ROW, 5), f"客户申报了多个业务范围（{listed}），各指标须按业务范围分别评分（{rule}），"
                            f"这份评分表没有分业务范围的列；请用 certledger sheet template --client {client.uscc} --audit {audit} 生成的模板。",
                            f"The client declared several business lines ({listed}) and items are scored per line ({rule}); this sheet has no "
                            f"columns per line; use the template of certledger sheet template --client {client.uscc} --audit {audit}.", rule))
    return errors


def _acts(book: Any, lay: L.Layout, client: Any, audit: str, file: str, note_evidence: list[str], report: SheetReport) -> tuple[list[_Act], list[CellError]]:
    scheme = lay.scheme
    standing = {(e["item"], e["facet"] or None): e for e in client.effective_entries(audit)}
    excluded = client.exclusions.get(audit, {})
    reason = f"按评分表 {file}（sha256 {book.sha256[:16]}…）更正"
    acts: list[_Act] = []
    errors: list[CellError] = []

    def same(item: str, facet: str | None, value: dict[str, Any], entry: dict[str, Any]) -> bool:
        try:
            return scheme.validate_entry(item, facet, value).value == scheme.validate_entry(item, facet, entry["value"]).value
        except RuleViolation:
            return False  # the act reports it

    for n, row in enumerate(lay.rows):
        r = L.FIRST_ROW + n
        item = row.id
        note = book.value(r, lay.note.index)
        note = str(note).strip() if note is not None else ""
        extra = {"note": note} if note else {}
        mine: list[_Act] = []
        touched = False
        xcol = lay.exclusion.index
        reason_cell = book.value(r, xcol)
        if reason_cell is not None and str(reason_cell).strip():
            touched = True
            text = str(reason_cell).strip()
            if item in excluded and excluded[item]["reason"] == text:
                report.unchanged += 1
            else:
                mine.append(_Act("score exclude", {"audit": audit, "item": item, "reason": text}, L.cell_name(r, xcol)))
        elif item in excluded:
            errors.append(error(L.SHEET, L.cell_name(r, xcol), f"指标 {item} 已在审核 {audit} 中删减（理由：{excluded[item]['reason']}），评分表不能撤销删减；请恢复删减理由。",
                                f"Item {item} is excluded in audit {audit} (reason: {excluded[item]['reason']}); a sheet cannot undo an exclusion; restore the reason."))
        for block in lay.blocks:
            cols = lay.cells(row, block)
            if not cols:
                continue
            filled = {c.key: (c, book.value(r, c.index)) for c in cols if not L.is_empty(book.value(r, c.index))}
            entry = standing.get((item, block.line))
            if not filled:
                if entry is not None:
                    errors.append(error(L.SHEET, L.cell_name(r, cols[0].index),
                                        f"指标 {item} 在账本中已有评分 {entry['id']}，评分表不能撤销评分；请填写数值（改动即更正）。",
                                        f"Item {item} has the standing score {entry['id']} in the ledger; a sheet cannot withdraw a score; fill a value "
                                        "(a changed value is a correction)."))
                continue
            touched = True
            value = {k: L.cell_value(k, x) for k, (_, x) in filled.items()}
            cell = L.cell_name(r, min(c.index for c, _ in filled.values()))
            if entry is None:
                fields = {"audit": audit, "item": item, "value": value}
                if block.line is not None:
                    fields["facet"] = block.line
                mine.append(_Act("score enter", fields, cell))
            elif same(item, block.line, value, entry):
                report.unchanged += 1
            else:
                mine.append(_Act("score correct", {"entry": entry["id"], "value": value, "reason": reason}, cell))
        if note and not touched:
            errors.append(error(L.SHEET, L.cell_name(r, lay.note.index), f"第 {r + 1} 行有备注但没有评分或删减：备注随该行的评分或删减记录；请填写评分，或删去备注。",
                                f"Row {r + 1} has a note but no score or exclusion: a note is kept with its row's score or exclusion; fill a score or remove the note."))
        for act in mine:
            act.fields.update(extra, evidence=note_evidence)
        acts.extend(mine)
    return acts, errors


class _Abort(Exception):
    pass


def import_sheet(app: Any, path: str | Path, *, client: str, audit: str, actor: str | None, on: date | None = None,
                 name: str | None = None) -> SheetReport:
    """Read the workbook at ``path`` into the client's audit; ``name`` is how errors name the file
    (default: the path as given). Refusals that concern no cell (no actor, an unknown client or a
    closed audit) are raised; everything about the workbook is reported in ``errors``."""
    file = name or str(path)
    app._actor(actor, on)
    c = app.client(client)
    uscc = normalise_uscc(client)
    open_audit(c, audit)
    book = open_workbook(path)
    report = SheetReport(file, book.sha256)
    if book.errors and not book.grid:
        report.errors = book.errors
        return report
    scheme = app.audit_scheme(c, audit)
    report.errors = [*_check_meta(book, c, audit, scheme)]
    if report.errors:
        return report
    report.errors = [*_check_lines(book, c, scheme, audit)]
    if report.errors:
        return report
    lay = L.build(scheme, lines_of(book.meta), book.meta.get("lang", "zh"))
    report.rows = len(lay.rows)
    report.errors = [*book.errors, *check_layout(book, lay)]
    if report.errors:
        return report
    evidence = [f"sha256:{book.sha256} 评分表 {Path(file).name}"[:300]]
    acts, errors = _acts(book, lay, c, audit, Path(file).name, evidence, report)
    report.errors.extend(errors)
    counts = {"score enter": 0, "score correct": 0, "score exclude": 0}
    try:
        with app.session():
            for act in acts:
                fields = dict(act.fields, client=uscc)
                if on is not None:
                    fields["on"] = on
                try:
                    app.execute(act.command, fields, actor=actor)
                except RuleViolation as e:
                    report.errors.append(CellError(L.SHEET, act.cell, e.rule, e.message_zh, e.message_en))
                    continue
                counts[act.command] += 1
            if report.errors:
                raise _Abort
    except _Abort:
        report.errors.sort(key=_order)
        return report
    report.entered, report.corrected, report.excluded = counts["score enter"], counts["score correct"], counts["score exclude"]
    if report.written:
        app.update_read_models()
    return report


def _order(e: CellError) -> tuple[int, int]:
    from ledger.sheets.read import index_of

    return index_of(e.cell or "A1")
