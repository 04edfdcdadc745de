"""A synthetic certification body: N clients' lifecycles as JSON Lines commands, deterministic.

The one generator of a body's workload: ``certledger demo --clients N`` imports it, the tests and
the benchmark (bench/run.py) use it.

    from ledger.synthetic import generate, lines, write_jsonl
    for line in generate(100, seed=7): ...          # dicts, as ``certledger import`` reads them
    write_jsonl("batch.jsonl", 100, seed=7)          # the same lines in a file

Each client runs one story, chosen by a random generator seeded with ``(seed, client index)``:
application submit (which registers the client) -> review -> contract -> stage 1 audit -> stage 2
audit with a full score sheet (``score_sheet``) and sometimes nonconformities, answered
and (major ones) verified -> decision -> certificate issue and report to the CNCA when the recorded
scores reach a grade; then, for some, a notified change, a complaint and its result, a suspension
that is restored or ends in withdrawal, an appeal heard and decided, or a cancellation. About one
applicant in twelve is refused on review, told in writing and appeals the refusal.

Clients cycle through the five shipped schemes (client ``i`` uses ``SCHEMES[i % 5]``). The 003
scheme (jx-qci-2023) publishes no grade bands, so its clients never get a positive decision: they
are generated up to the completed stage 2 audit (plus complaints), never decided.

Every line is legal when the lines are imported in the order given into an empty ledger: business
dates are in 2025-2026, never before the scheme version in force, never after 2026-11-20, and never
before what they depend on. Lines are ordered by business date across clients (a body's working
days, interleaved), each client's own lines in their order. Every line names its actor. Numbers in
score values are ``Decimal``; ``dumps``/``lines`` write them as JSON numbers, which the importer
reads back as ``Decimal``.

USCCs are valid (GB 32100 check character) and distinct for distinct client indexes below 10^6
within one seed; ``uscc(i, seed)`` gives client ``i``'s code.
"""

from __future__ import annotations

import functools
import heapq
import json
import random
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from ledger.rules.procedures import procedure_for

SCHEMES = ("zgc-ru015", "hzx-mr0118", "tbsc94", "zdrz-69", "jx-qci-2023")
UNGRADED = frozenset({"jx-qci-2023"})  # no grade bands in the document: never decided here
LAST_DAY = date(2026, 11, 20)  # no business date on or after this day
FIRST_DAY = date(2025, 1, 6)
LATEST_START = date(2026, 6, 30)  # a story lasts at most ~140 days

ADMIN = "张伟"
DECIDER = "赵敏"  # never on an audit team
AUDITORS = ("王芳", "李强", "陈静", "刘洋", "杨帆", "黄磊")
PANEL = ("孙丽", "周强")  # appeal panel: not involved in the decisions appealed
DIVISIONS = ("330100", "440300", "360100", "110108", "320500", "420100", "310115", "510104")
CITIES = {"330100": "浙江省杭州市", "440300": "广东省深圳市", "360100": "江西省南昌市", "110108": "北京市海淀区",
          "320500": "江苏省苏州市", "420100": "湖北省武汉市", "310115": "上海市浦东新区", "510104": "四川省成都市"}
TRADES = ("科技", "商贸", "物业服务", "精工制造", "电子", "食品", "医药", "物流")
SCOPES = {
    "zgc-ru015": "企业质量信用管理",
    "hzx-mr0118": "商业信誉评价：批发与零售",
    "tbsc94": "物业管理服务",
    "zdrz-69": "精密零部件的生产和服务",
    "jx-qci-2023": "电子元器件的制造",
}


def _q(x: float, places: str = "0.01") -> Decimal:
    return Decimal(str(x)).quantize(Decimal(places))


def score_sheet(scheme: Any, quality: float, seed: int = 0) -> list[tuple[str, str | None, dict[str, Any]]]:
    """A plausible full score sheet for a scheme: one value per item (per respondent where the
    scheme asks for respondents) and every prerequisite checked and met. ``quality`` in 0..1."""
    rng = random.Random(seed)

    def jitter(spread: float = 0.06) -> float:
        return min(1.0, max(0.0, quality + rng.uniform(-spread, spread)))

    sheet: list[tuple[str, str | None, dict[str, Any]]] = []
    for item in scheme.items:
        rule = item.rule
        if rule in ("banded-percent", "percent-or-deduction"):
            sheet.append((item.id, None, {"percent": _q(jitter() * 100, "1")}))
        elif rule == "likert-alpha":
            for respondent in ("R1", "R2", "R3"):
                alpha = jitter(0.1)
                likert = min(5, max(1, int(alpha * 5 - 1e-9) + 1))
                low, high = Decimal(likert - 1) / 5, Decimal(likert) / 5
                a = max(low + Decimal("0.01"), min(high, _q(alpha)))
                sheet.append((item.id, respondent, {"likert": likert, "alpha": a}))
        elif rule == "maturity-level":
            sheet.append((item.id, None, {"level": min(5, max(1, round(jitter(0.1) * 5)))}))
        elif rule == "points-range":
            sheet.append((item.id, None, {"points": _q(float(item.points) * jitter(), "1")}))
        elif rule == "check":
            sheet.append((item.id, None, {"met": rng.random() < quality}))
        elif rule == "base-plus-increment":
            sheet.append((item.id, None, {"count": rng.randint(1, 4)}))
        elif rule == "highest-of":
            options = item.params.get("options", [])
            sheet.append((item.id, None, {"awards": [options[-1]["key"]] if options and rng.random() < quality else []}))
        elif rule == "cumulative-capped":
            kinds = item.params.get("kinds", [])
            sheet.append((item.id, None, {"counts": {kinds[-1]["key"]: rng.randint(0, 3)} if kinds else {}}))
        else:  # pragma: no cover - a new rule needs a line here
            raise ValueError(f"demo has no sample value for rule {rule}")
    for cond in scheme.conditions:
        if cond.rule == "attest":
            sheet.append((cond.id, None, {"met": True}))
        elif cond.rule == "lookback":
            sheet.append((cond.id, None, {"occurrences": []}))
        elif cond.rule == "threshold":
            sheet.append((cond.id, None, {"value": (cond.minimum or Decimal(0)) + 10}))
    return sheet


def uscc(i: int, seed: int = 0) -> str:
    """Client ``i``'s USCC: organisation type 91, a division code, the seed and the index."""
    from aggregates.uscc import make_uscc

    return make_uscc(f"91{DIVISIONS[i % len(DIVISIONS)]}{seed % 1000:03d}{i % 1_000_000:06d}")


def _earliest_start(scheme_id: str) -> date:
    from ledger.rules.scoring import load_scheme

    return max(FIRST_DAY, load_scheme(scheme_id).effective_from + timedelta(days=7))


def _reason_code(scheme_id: str, kind: str) -> str:
    """A reason code the client's procedure knows (001 codes, or 004 codes for hzx-mr0118)."""
    from aggregates.errors import RuleViolation
    from ledger.rules.procedures import procedure_for

    procedure = procedure_for(scheme_id)
    for code in (("7.2.1a", "8.1a") if kind == "suspension" else ("7.3.1a", "8.3a")):
        try:
            return procedure.reason(kind, code).code
        except RuleViolation:
            continue
    raise ValueError(f"no {kind} reason code for {scheme_id}")  # pragma: no cover - procedures changed


def _grade_reached(scheme: Any, sheet: list[tuple[str, str | None, dict[str, Any]]], applied_on: date) -> bool:
    """Whether the score sheet reaches a grade: the decision's outcome, computed as the ledger will."""
    from ledger.rules.scoring import Entry, evaluate

    entries = []
    for item, facet, value in sheet:
        checked = scheme.validate_entry(item, facet, value)
        entries.append(Entry(item=checked.item, facet=checked.facet, value=checked.value))
    return evaluate(scheme, entries, {}, {"application_date": applied_on}).grade is not None


@functools.lru_cache(maxsize=1)
def _calendar():
    from ledger.rules.calendar import Calendar

    return Calendar()


def client_story(i: int, seed: int = 0) -> list[dict[str, Any]]:
    """Client ``i``'s lines, in order (business dates never decrease)."""
    out = _story(i, seed)
    out.sort(key=lambda x: x["on"])  # stable: same-day lines keep the order they were written in
    return out


def _story(i: int, seed: int) -> list[dict[str, Any]]:
    from ledger.rules.scoring import scheme_in_force

    rng = random.Random(f"certledger-workload:{seed}:{i}")
    scheme_id = SCHEMES[i % len(SCHEMES)]
    code = uscc(i, seed)
    division = DIVISIONS[i % len(DIVISIONS)]
    first = _earliest_start(scheme_id)
    day0 = first + timedelta(days=rng.randrange((LATEST_START - first).days + 1))
    d = lambda n: (day0 + timedelta(days=n)).isoformat()  # noqa: E731
    team = rng.sample(AUDITORS, 2)
    address = f"{CITIES[division]}第{rng.randint(1, 99)}号路{rng.randint(1, 999)}号"
    name = f"{CITIES[division][-3:-1]}{TRADES[i % len(TRADES)]}{i}号有限公司"
    out: list[dict[str, Any]] = []

    def line(command: str, on: str, actor: str = ADMIN, **fields: Any) -> None:
        out.append({"command": command, "client": code, **fields, "on": on, "actor": actor})

    sites = [{"name": "总部", "address": address}]
    if rng.random() < 0.3:
        sites.append({"name": "生产基地", "address": f"{CITIES[division]}工业园区{rng.randint(1, 50)}号"})
    headcount = rng.choice((12, 35, 48, 80, 120, 160, 240, 320))
    line("application submit", d(0), name=name, address=address, scheme=scheme_id, scope=SCOPES[scheme_id],
         site=sites, headcount=headcount, evidence="营业执照、组织机构图、质量信用管理手册")

    if rng.random() < 1 / 12:  # refused on review; told in writing; appeals the refusal
        line("application review", d(2), application="AP1", refuse=True, reason="被列入严重违法失信名单（001 §4.2.1）")
        line("application notify-refusal", d(4), application="AP1")
        if rng.random() < 0.5:
            line("appeal lodge", d(6), against="AP1", grounds="名单已移出，请求重新评审")
        return out

    line("application review", d(2), application="AP1", accept=True, reason="资料齐全，具备受理能力")
    line("application contract", d(4), **{"contract-no": f"HT-{seed}-{i:06d}"})
    line("audit plan", d(5), kind="stage1", member=[team[0]], start=d(10))
    line("audit complete", d(10), team[0], audit="A1", conclusion="文件评价符合要求，可安排第二阶段审核")
    line("audit plan", d(12), kind="stage2", member=list(team), leader=team[0], start=d(20))

    scheme = scheme_in_force(scheme_id, day0 + timedelta(days=20))
    quality = rng.uniform(0.72, 0.97)
    sheet = score_sheet(scheme, quality, seed=i)
    for item, facet, value in sheet:
        fields: dict[str, Any] = {"audit": "A2", "item": item, "value": value}
        if facet is not None:
            fields["facet"] = facet
        line("score enter", d(21), team[1], **fields)
    ncs = []
    if rng.random() < 0.4:
        ncs.append("minor")
    if rng.random() < 0.15:
        ncs.append("major")
    for k, severity in enumerate(ncs, 1):
        line("nc raise", d(21), team[0], audit="A2", severity=severity, clause="人员资质管理" if severity == "minor" else "诚信管理制度",
             description="培训记录不完整" if severity == "minor" else "未建立诚信风险识别与应对制度")
    line("audit complete", d(22), team[0], audit="A2", conclusion="推荐认证")
    for k, severity in enumerate(ncs, 1):
        line("nc respond", d(30), nc=f"NC{k}", correction="已立即纠正并举一反三排查", **{"corrective-action": "分析根本原因，修订制度并培训"})
        if severity == "major":
            line("nc verify", d(36), team[0], nc=f"NC{k}", verification="现场复核：纠正措施已实施并有效")

    if scheme_id in UNGRADED:  # 003 gives no grade bands: audited, never decided
        if rng.random() < 0.3:
            line("complaint receive", d(40), complainant="消费者 王某", subject="交货延迟")
        return out

    line("decide", d(40), audit="A2", decider=DECIDER, reason="审核报告信息充分，不符合项已按 4.6.3 处理")
    if not _grade_reached(scheme, sheet, day0):
        if rng.random() < 0.5:
            line("appeal lodge", d(44), against="D1", grounds="认为部分指标评分偏低，请求复核")
        return out
    line("certificate issue", d(42), decision="D1")
    line("certificate report", d(50), reference=f"CNCA-{seed}-{i:06d}")
    if rng.random() < 0.3:
        line("change notify", d(60), kind="address", **{"changed-on": d(55)}, description="经营场所迁址")
    if rng.random() < 0.3:
        line("complaint receive", d(65), complainant="顾客 陈某", subject="售后服务承诺未兑现")
        if rng.random() < 0.6:
            if procedure_for(scheme_id).periods.complaint_acceptance is not None:  # 004 §14.2.2: accepted first, with its notice
                line("complaint admit", d(68), complaint="C1", accept=True, decider=["孙丽"])
            line("complaint resolve", d(75), complaint="C1", result="经核实部分属实，已要求整改并书面答复投诉人")
    fate = rng.random()
    if fate < 0.2:
        line("certificate suspend", d(80), **{"reason-code": _reason_code(scheme_id, "suspension")}, reason="经调查核实", months=3)
        if rng.random() < 0.6:
            line("certificate restore", d(110), reason="原因已消除，经现场验证有效")
        else:
            line("certificate withdraw", d(120), **{"reason-code": _reason_code(scheme_id, "withdrawal")}, reason="暂停期满未整改")
    elif fate < 0.3:
        line("appeal lodge", d(44), against="D1", grounds="认为部分指标评分偏低，请求复核")
        line("appeal admit", d(47), appeal="AL1", accept=True, decider=["孙丽"])
        # 004 §14.1.3 (2): notice at least 5 working days ahead, hearing within 20 of lodging; counted
        # on the working-day calendar so that a holiday (the Spring Festival) never breaks the story.
        hearing = _calendar().add_working_days(day0 + timedelta(days=47), 6).due
        line("appeal hear", hearing.isoformat(), appeal="AL1", **{"hearing-on": hearing.isoformat(), "notice-on": d(47)},
             panel=list(PANEL))
        line("appeal decide", (hearing + timedelta(days=10)).isoformat(), appeal="AL1", outcome="dismissed",
             result="经复核，维持原认证决定", decider=list(PANEL))
    elif fate < 0.35:
        line("certificate cancel", d(90), reason="组织申请注销")
    return out


def generate(n_clients: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """The import lines of ``n_clients`` clients' lifecycles, ordered by business date across clients
    (each client's lines in their own order). Deterministic: the same arguments give the same lines."""
    # Each client's lines are sorted by date; merge the clients by (date, client, position).
    per_client = [[((x["on"], i, k), x) for k, x in enumerate(client_story(i, seed))] for i in range(n_clients)]
    for _key, x in heapq.merge(*per_client, key=lambda pair: pair[0]):
        yield x


_DECIMAL = re.compile(r'"\\u0000decimal:([-+0-9.Ee]+)"')


def _mark(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\x00decimal:{value}"
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark(v) for v in value]
    return value


def dumps(line: dict[str, Any]) -> str:
    """One import line as JSON text; ``Decimal`` values become JSON numbers (exactly as written)."""
    return _DECIMAL.sub(r"\1", json.dumps(_mark(line), ensure_ascii=False))


def lines(n_clients: int, seed: int = 0) -> Iterator[bytes]:
    """The lines of ``generate`` as UTF-8 JSON Lines, newline included."""
    for line in generate(n_clients, seed):
        yield (dumps(line) + "\n").encode("utf-8")


def write_jsonl(path: str | Path, n_clients: int, seed: int = 0) -> int:
    """Write ``generate(n_clients, seed)`` to ``path``; returns the number of lines."""
    return _write(path, lines(n_clients, seed))


def _write(path: str | Path, data: Iterable[bytes]) -> int:
    count = 0
    with open(path, "wb") as fh:
        for raw in data:
            fh.write(raw)
            count += 1
    return count
