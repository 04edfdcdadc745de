"""How ``show`` renders the changes area (issue 9): the master data in force and its recorded
changes, each notified change with its lateness, assessment and follow-ups, and the certificate's
versions (换证). The data is ``summary["changes"]`` (ledger/rules/deadlines_changes.py)."""

from __future__ import annotations

from typing import Any

from ledger.words import word


def _value(field: str, value: Any, en: bool) -> str:
    if field == "sites":
        return ("; " if en else "；").join(f"{s['name']}={s['address']}" for s in value or []) or "—"
    if isinstance(value, list):
        return (", " if en else "、").join(str(x) for x in value) or "—"
    return str(value) if value not in (None, "") else "—"


def render_changes(d: dict[str, Any], lang: str) -> list[str]:
    en = lang == "en"
    t = (lambda zh, e: e) if en else (lambda zh, e: zh)
    ch = d["changes"]
    lines: list[str] = []
    master = ch["master_data"]
    extra = [f for f in ("legal_representative", "top_management", "licences", "business_lines", "headcount") if master.get(f) not in (None, "", [], 0)]
    if extra or ch["master_data_changes"]:
        lines.append(f"  {t('主数据（现行）', 'Master data in force')}:")
        for f in ("name", "address", "sites", *extra):
            lines.append(f"    {word('master_data_field', f, lang)}: {_value(f, master.get(f), en)}")
    if ch["master_data_changes"]:
        lines.append(f"  {t('主数据变更记录', 'Master data changes')}:")
        for r in ch["master_data_changes"]:
            what = ("; " if en else "；").join(
                f"{word('master_data_field', f, lang)} {_value(f, r['previous'].get(f), en)} → {_value(f, v, en)}" for f, v in r["values"].items())
            link = f" [{r['change_id']}]" if r.get("change_id") else ""
            lines.append(f"    {r['id']} {t('生效', 'effective')} {r['on']}{link}: {what}")
    if ch["notified_changes"]:
        lines.append(f"  {t('信息通报', 'Notified changes')}:")
        for c in ch["notified_changes"]:
            late = (f"  {t('逾期', 'LATE')} {c['days_late']} {t('天', 'days')}{t('（', ' (')}{t('应于', 'due by')} {c['due']}{t('，', ', ')}{c['clause']}"
                    + (f"{t('；', '; ')}{t('可作为暂停原因', 'citable as suspension reason')} {c['citable_as']}" if c.get("citable_as") else "")
                    + t("）", ")")) if c["late"] else ""
            lines.append(f"    {c['id']} {word('change_kind', c['kind'], lang)} {t('变更日期', 'changed')} {c['changed_on']}, "
                         f"{t('通报日期', 'notified')} {c['notified_on']}: {c['description']}{late}")
            a = c.get("assessment")
            if a:
                outcomes = (", " if en else "、").join(word("change_outcome", o, lang) for o in a["outcomes"])
                lines.append(f"      {t('评审', 'Assessed')} {a['on']} {t('评审人', 'by')} {a['assessor']}: {outcomes} — {a['conclusion']}")
            else:
                lines.append(f"      {t('尚未评审', 'not assessed yet')}")
            for kind, ref in (c.get("follow_ups") or {}).items():
                lines.append(f"      → {word('change_follow_up', kind, lang)} {ref}")
            if c.get("records"):
                lines.append(f"      → {t('主数据变更', 'master data changes')} {', '.join(c['records'])}")
    if ch["certificate_versions"]:
        lines.append(f"  {t('证书版本', 'Certificate versions')} ({t('现行第 ', 'now version ')}{ch['certificate_version']}{t(' 版', '')}):")
        for v in ch["certificate_versions"]:
            why = f" [{v['change_id']}]" if v.get("change_id") else ""
            semi = t("；", "; ")
            lines.append(f"    v{v['version']} {t('颁发', 'issued')} {v['issued_on']}{why}: {v['name']}{t('，', ', ')}{v['address']}{semi}"
                         f"{t('范围', 'scope')} {v['scope']}{semi}{t('场所', 'sites')} {_value('sites', v['sites'], en)}"
                         + (f"{semi}{t('经营类别', 'business lines')} {_value('business_lines', v['business_lines'], en)}" if v.get("business_lines") else ""))
    return lines
