"""The audit trail (001 §12): the body's signing key, signed checkpoints, verification."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any

import click

from cli.output import Duration, common_options, emit, settings
from ledger.words import age_words

KEY_HELP = "The body's signing key file (default: $CERTLEDGER_KEY or signing.key beside the default ledger)."


@click.group()
def keys() -> None:
    """The body's Ed25519 key that signs checkpoints (kept outside the database)."""


@keys.command("init")
@click.option("--key", "key", metavar="PATH", help=KEY_HELP)
@click.option("--name", default="certledger", show_default=True, help="Key name in signature lines: any text, Chinese included, without whitespace or '+' (C2SP signed-note), e.g. the body's domain.")
@common_options
def keys_init(key: str | None, name: str) -> None:
    """Make the signing key (file mode 0600) and its public key (<key>.pub); never overwrites."""
    from ledger.trail.keys import init_key

    files = init_key(key, name)
    emit({"key": str(files.private), "public_key_file": str(files.public), "public_key": files.verifier.encode()},
         lambda s: s.t(f"签名私钥：{files.private}（仅本人可读，请备份并妥善保管）\n公钥：{files.public}\n  {files.verifier.encode()}\n请把公钥交给检查人员。",
                       f"Signing key: {files.private} (owner-only; back it up and keep it safe)\nPublic key: {files.public}\n  {files.verifier.encode()}\nGive the public key to inspectors."))


def _progress(label: str, total: int) -> Any:
    if total < 20000:
        return None
    return click.progressbar(length=total, label=label, file=sys.stderr)


@click.command()
@click.option("--key", "key", metavar="PATH", help=KEY_HELP)
@common_options
def checkpoint(key: str | None) -> None:
    """Sign the tree head over every event, store it, and print it for publishing outside the database."""
    from ledger.trail import make_checkpoint
    from ledger.trail.keys import load_signer

    signer = load_signer(key)
    app = settings().app(existing=True)
    bar: list[Any] = []

    def on_size(n: int) -> None:
        b = _progress(settings().t("签入事件", "Checkpointing events"), n)
        if b is not None:
            bar.append(b.__enter__())

    try:
        result = make_checkpoint(app, signer, progress=lambda k: bar and bar[0].update(k), on_size=on_size)
    finally:
        if bar:
            bar[0].__exit__(None, None, None)
    data = {"id": result.id, "origin": result.checkpoint.origin, "tree_size": result.checkpoint.size,
            "new_events": result.new_events, "checkpoint": result.note}
    if settings().json:
        emit(data)
        return
    click.echo(result.note, nl=False)
    s = settings()
    click.echo(s.t(f"已存为检查点 #{result.id}（{result.checkpoint.size} 个事件，新增 {result.new_events} 个）；请把上面的文本保存在数据库之外。",
                   f"Stored as checkpoint #{result.id} ({result.checkpoint.size} events, {result.new_events} new); keep the text above outside the database."), err=True)


@click.command()
@click.option("--checkpoint", "checkpoint_file", metavar="FILE",
              help="A checkpoint kept outside the database (as printed by certledger checkpoint); '-' reads stdin.")
@click.option("--public-key", metavar="KEY|FILE", help="The body's public key (name+id+base64) or its file (default: <key>.pub, or derived from --key).")
@click.option("--key", "key", metavar="PATH", help=KEY_HELP)
@click.option("--max-uncovered", type=Duration(), metavar="AGE",
              help="The oldest event accepted with no signed checkpoint over it, e.g. 36h, 7d (default: $CERTLEDGER_MAX_UNCOVERED or 2d).")
@click.option("--read-models", "read_models", is_flag=True,
              help="Also recompute the read models (what show, clients, due and the register read) from the events and "
                   "compare them row by row; exit 1 on any difference.")
@common_options
def verify(checkpoint_file: str | None, public_key: str | None, key: str | None, max_uncovered: Any, read_models: bool) -> None:
    """Recompute the audit trail from the stored events and check it against every checkpoint; exit 1 on any
    change, 3 when events older than --max-uncovered have no checkpoint over them."""
    from ledger.trail import verify_trail
    from ledger.trail.keys import load_verifier
    from ledger.trail.note import read_checkpoint_file

    from ledger.config import max_uncovered as configured_max_uncovered

    limit = max_uncovered if max_uncovered is not None else configured_max_uncovered()
    verifier = load_verifier(public_key, key)
    external = read_checkpoint_file(checkpoint_file) if checkpoint_file is not None else None
    app = settings().app(existing=True)
    s = settings()
    bar: list[Any] = []

    def on_size(n: int) -> None:
        b = _progress(s.t("校验事件", "Verifying events"), n)
        if b is not None:
            bar.append(b.__enter__())

    try:
        report = verify_trail(app, verifier, external, progress=lambda k: bar and bar[0].update(k), on_size=on_size)
    finally:
        if bar:
            bar[0].__exit__(None, None, None)
    now = datetime.now(timezone.utc)
    too_old = report.ok and report.uncovered_since is not None and now - report.uncovered_since > limit
    from cli.readcheck import report_read_models

    models: dict[str, Any] = {}
    models_ok = report_read_models(app, s, models if s.json else None) if read_models and report.ok else True
    if s.json:
        emit({**report.to_dict(), "max_uncovered_hours": round(limit.total_seconds() / 3600, 2), "uncovered_too_old": too_old}
             | ({"verified": False} if too_old or not models_ok else {}) | models)
    elif report.ok and not too_old and not models_ok:
        click.echo(s.t(f"（事件本身与 {report.checkpoints_checked} 个检查点一致；不一致的只是读模型。）",
                       f"(The events themselves are consistent with {report.checkpoints_checked} checkpoint(s); only the read "
                       "models differ.)"), err=True)
    elif report.ok and not too_old:
        click.echo(s.t(f"已验证：{report.size} 个事件，{report.checkpoints_checked} 个检查点一致（来源 {report.origin}）。",
                       f"Verified: {report.size} events consistent with {report.checkpoints_checked} checkpoint(s) (origin {report.origin})."))
        if report.unsigned:
            click.echo(s.t(f"注意：最近的检查点之后记录的 {report.unsigned} 个事件尚无签名检查点担保；请运行 certledger checkpoint 并在库外发布。",
                           f"Note: the {report.unsigned} events recorded after the latest checkpoint are not yet vouched for by a signed "
                           "checkpoint; run certledger checkpoint and publish it outside the database."))
    if too_old:
        age = now - report.uncovered_since
        click.echo(s.t(
            f"校验未通过：最早一个没有检查点担保的事件记录于 {report.uncovered_since:%Y-%m-%d %H:%M} UTC（{age_words(age, 'zh')}前），"
            f"超过了允许的 {age_words(limit, 'zh')}（--max-uncovered / CERTLEDGER_MAX_UNCOVERED）：在此期间这些事件可被改动而不留痕迹。"
            "请运行 certledger checkpoint 并在库外发布。",
            f"Not verified: the oldest event with no checkpoint over it was recorded {report.uncovered_since:%Y-%m-%d %H:%M} UTC "
            f"({age_words(age, 'en')} ago), longer than the {age_words(limit, 'en')} allowed (--max-uncovered / "
            "CERTLEDGER_MAX_UNCOVERED): until a checkpoint covers them they can be changed without trace. Run certledger "
            "checkpoint and publish it outside the database."), err=True)
        raise click.exceptions.Exit(3)
    if not report.ok:
        first = report.first
        if report.altered:
            head = s.t("校验失败：审计记录被改动。", "Verification failed: the audit trail was altered.")
        else:
            head = s.t("校验未通过。", "Verification failed.")
        lines = [head]
        if first is not None:
            lines.append(s.t(f"第一个问题：{first.message_zh}", f"First problem: {first.message_en}"))
        for f in report.findings:
            if f is not first:
                lines.append("  - " + s.t(f.message_zh, f.message_en))
        click.echo("\n".join(lines), err=True)
        raise click.exceptions.Exit(1)
    if not models_ok:
        raise click.exceptions.Exit(1)
