"""Finding an item or condition by id, label, Chinese name or "group/name"."""

from __future__ import annotations

import difflib

from .errors import ScoringError


def _keys(scheme, x) -> list[str]:
    keys = [x.id, x.name_zh]
    if x.label:
        keys.append(x.label)
    if x.path_zh:
        keys.append("/".join((x.path_zh[-1], x.name_zh)))
        keys.append("/".join((*x.path_zh, x.name_zh)))
    return keys


def resolve(scheme, ref: str):
    ref = (ref or "").strip()
    candidates = (*scheme.items, *scheme.conditions)
    by_id = [x for x in candidates if x.id == ref]
    if by_id:
        return by_id[0]
    for attr in ("label", "name_zh"):
        hits = [x for x in candidates if getattr(x, attr) == ref]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = "、".join(f"{x.id}（{'/'.join((*x.path_zh, x.name_zh))}）" for x in hits)
            raise ScoringError(
                "ambiguous-item",
                f"“{ref}”在方案 {scheme.id} {scheme.version} 中对应多个指标：{listed}；请用编号或“分组/名称”。",
                f"'{ref}' matches several items of scheme {scheme.id} {scheme.version}: "
                f"{', '.join(x.id for x in hits)}; use the id or 'group/name'.",
                clause=scheme.clause(None))
    hits = [x for x in candidates if x.path_zh and ref in _keys(scheme, x)[3:]]
    if len(hits) == 1:
        return hits[0]
    keys = {k: x for x in candidates for k in _keys(scheme, x)}
    close = difflib.get_close_matches(ref, list(keys), n=5, cutoff=0.5)
    close += [k for k in keys if ref and ref in k and k not in close][: max(0, 5 - len(close))]
    shown = [f"{keys[k].id} {keys[k].name_zh}" for k in close]
    shown = list(dict.fromkeys(shown))
    hint_zh = f"相近的有：{'；'.join(shown)}" if shown else "请用 scheme show 查看指标编号"
    hint_en = f"close matches: {'; '.join(shown)}" if shown else "list the item ids of the scheme"
    raise ScoringError(
        "unknown-item",
        f"方案 {scheme.id} {scheme.version} 中没有指标“{ref}”。{hint_zh}",
        f"scheme {scheme.id} {scheme.version} has no item '{ref}'; {hint_en}",
        clause=scheme.clause(None))
