"""Score sheet benchmark (issue 17, item 1): a 1,000-row sheet imported, beside a baseline measured
in the same run on the same rows. Standalone, not part of the test suite (docs/performance.md):

    python bench/sheets.py              # 1,000 rows on SQLite (about half a minute)
    python bench/sheets.py --rows 200 --keep /tmp/sheets

The rulebooks have at most 49 items, so the 1,000 rows are a body's own scheme file (under
``CERTLEDGER_SCHEMES``): zgc-ru015 (001) with its 22 items replaced by ``--rows - 1`` items of one
point each, plus its prerequisite. Two clients reach their stage 2 audit under it. Then, each a
fresh ``certledger`` process, so start-up and imports are counted as a user pays them:

  * ``certledger sheet template`` for the first client (not the target; reported);
  * ``certledger sheet import`` of the template filled with openpyxl (every row a percent, the
    prerequisite met): the figure;
  * baseline: the same scores as JSON Lines, ``certledger import --atomic`` into the second client
    (the same commands through the same road, without the workbook);
  * the second import of the same sheet (nothing to write).

Then the import in this process, split into its stages (read and checked, acts built, commands run
in the session, read models caught up), to say where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCHEME = "bench-sheet"
ON = "2025-03-14"


def scheme_file(rows: int) -> str:
    """zgc-ru015 with its groups and items replaced by one group of ``rows`` one-point items."""
    text = (ROOT / "ledger/rules/schemes/zgc-ru015@A0.toml").read_text(encoding="utf-8")
    kept, drop = [], False
    for line in text.splitlines():
        if line.startswith("["):
            drop = line.strip() in ("[[groups]]", "[[items]]")
        if not drop:
            kept.append(line)
    out = "\n".join(kept).replace('id = "zgc-ru015"', f'id = "{SCHEME}"', 1).replace("max_total = 1000", f"max_total = {rows}", 1)
    out = out.replace("points = 1000\nin_total", f"points = {rows}\nin_total", 1)
    out += f'\n\n[[groups]]\nid = "G1"\nname_zh = "基准组"\nname_en = "Bench group"\npoints = {rows}\n'
    for n in range(1, rows + 1):
        out += f'\n[[items]]\nid = "B.{n}"\ngroup = "G1"\nname_zh = "基准指标{n}"\nname_en = "Bench item {n}"\npoints = 1\n'
    return out


def cli(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"certledger {' '.join(args[:3])} failed:\n{done.stderr[-2000:]}")
    return seconds


def setup(app, code: str) -> None:
    from datetime import date

    day = lambda n: date(2025, 3, 3 + n)  # noqa: E731
    site = [{"name": "总部", "address": "广东省深圳市南山区科技园1号"}]
    app.submit_application(client=code, name="基准科技有限公司", address="广东省深圳市南山区科技园1号", scheme=SCHEME, scope="基准",
                           site=site, headcount=40, actor="张伟", on=day(0))
    app.review_application(client=code, application="AP1", accept=True, reason="资料齐全", actor="张伟", on=day(1))
    app.sign_contract(client=code, contract_no=f"HT-{code[-4:]}", actor="张伟", on=day(2))
    app.plan_audit(client=code, kind="stage1", member=["王芳"], start=day(5), actor="张伟", on=day(3))
    app.complete_audit(client=code, audit="A1", conclusion="文件评价符合要求", actor="王芳", on=day(5))
    app.plan_audit(client=code, kind="stage2", member=["王芳", "李强"], start=day(10), actor="张伟", on=day(6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows of the sheet (items and the prerequisite)")
    parser.add_argument("--keep", metavar="DIR", help="keep the ledger and the workbooks here")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="certledger-sheets-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "schemes").mkdir(exist_ok=True)
    (work / "schemes" / f"{SCHEME}@bench.toml").write_text(scheme_file(args.rows - 1), encoding="utf-8")
    os.environ["CERTLEDGER_SCHEMES"] = str(work / "schemes")
    db = str(work / "ledger.sqlite")
    if os.path.exists(db):
        os.remove(db)
    env = dict(os.environ, CERTLEDGER_DB=db, CERTLEDGER_ACTOR="李强", CERTLEDGER_SCHEMES=str(work / "schemes"))

    import openpyxl

    from aggregates.uscc import check_character
    from ledger.bootstrap import bootstrap
    from projections import dispose

    codes = []
    for n in (1, 2, 3):
        body = f"9144030019229{n:04d}"
        codes.append(body + check_character(body))
    app = bootstrap(db)
    for code in codes:
        setup(app, code)
    dispose(app)
    app.close()
    sheet, twin, third = codes

    template = work / "template.xlsx"
    t_template = cli(env, "sheet", "template", "--scheme", SCHEME, "--client", sheet, "--audit", "A2", "--out", str(template))
    filled = work / "filled.xlsx"
    shutil.copy(template, filled)
    wb = openpyxl.load_workbook(filled)
    ws = wb["评分表"]
    lines = []
    for r in range(5, ws.max_row + 1):
        item = ws.cell(r, 1).value
        if item == "4.2.1":
            ws.cell(r, 10).value = "是"
            value = {"met": True}
        else:
            ws.cell(r, 6).value = 60 + r % 40
            value = {"percent": 60 + r % 40}
        lines.append({"command": "score enter", "client": twin, "audit": "A2", "item": item, "value": value, "on": ON,
                      "evidence": ["sha256:" + "0" * 64 + " 评分表 filled.xlsx"]})
    wb.save(filled)
    batch = work / "same.jsonl"
    batch.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")

    t_import = cli(env, "sheet", "import", str(filled), "--client", sheet, "--audit", "A2", "--on", ON)
    t_baseline = cli(env, "import", "--atomic", str(batch))
    t_again = cli(env, "sheet", "import", str(filled), "--client", sheet, "--audit", "A2", "--on", ON)

    stages = in_process(db, filled, third)
    print(f"rows: {len(lines)} (scheme {SCHEME}: {args.rows - 1} items + the prerequisite), SQLite, each a fresh process")
    print(f"  sheet template           {t_template:6.2f} s")
    print(f"  sheet import             {t_import:6.2f} s   (target < 2 s)")
    print(f"  baseline: import --atomic of the same {len(lines)} commands as JSON Lines  {t_baseline:6.2f} s")
    print(f"  sheet import again (nothing written)  {t_again:6.2f} s")
    print("  in one process: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def in_process(db: str, filled: Path, code: str) -> dict[str, float]:
    """The import's stages in this process, for a third client (the same workbook, its own audit; the
    metadata's client check, which would refuse another client's sheet, is the one step left out)."""
    from ledger.bootstrap import bootstrap
    from ledger.sheets import load
    from ledger.sheets import layout as L
    from ledger.sheets.read import check_layout, lines_of, open_workbook

    app = bootstrap(db)
    c = app.client(code)
    t0 = time.perf_counter()
    book = open_workbook(filled)
    scheme = app.audit_scheme(c, "A2")
    lay = L.build(scheme, lines_of(book.meta), "zh")
    assert not book.errors and not check_layout(book, lay)
    t1 = time.perf_counter()
    report = load.SheetReport(str(filled), book.sha256)
    acts, errors = load._acts(book, lay, c, "A2", filled.name, [f"sha256:{book.sha256}"], report)
    t2 = time.perf_counter()
    with app.session():
        for act in acts:
            app.execute(act.command, dict(act.fields, client=code, on=ON), actor="李强")
    t3 = time.perf_counter()
    app.update_read_models()
    t4 = time.perf_counter()
    app.close()
    return {"read and check": t1 - t0, "acts": t2 - t1, "commands and save": t3 - t2, "read models": t4 - t3}


if __name__ == "__main__":
    main()
