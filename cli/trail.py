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
@click.option("--tsa", "tsa_url", metavar="URL", help="An RFC 3161 time-stamping authority to stamp the checkpoint (default: $CERTLEDGER_TSA_URL).")
@click.option("--tsa-cert", metavar="FILE", help="The TSA's certificate chain (PEM) to check its token on receipt (default: $CERTLEDGER_TSA_CERT).")
@click.option("--witness", "witness_urls", multiple=True, metavar="URL",
              help="A witness to cosign the checkpoint (certledger witness serve, or any C2SP tlog-witness); repeatable "
                   "(default: $CERTLEDGER_WITNESS_URL, space-separated).")
@click.option("--witness-key", "witness_keys", multiple=True, metavar="KEY|FILE",
              help="That witness's cosignature key, one per --witness in the same order (default: $CERTLEDGER_WITNESS_KEY).")
@common_options
def checkpoint(key: str | None, tsa_url: str | None, tsa_cert: str | None, witness_urls: tuple[str, ...],
               witness_keys: tuple[str, ...]) -> None:
    """Sign the tree head over every event, store it, have it time-stamped and cosigned by the
    configured authority and witnesses, and print it for publishing outside the database. An
    unchanged ledger gets what its latest checkpoint lacks (a failed time stamp or cosignature is
    asked for again); exit 1 when one could not be obtained (the checkpoint itself is kept)."""
    from ledger.config import attestation_settings
    from ledger.trail import make_checkpoint
    from ledger.trail.attest import Witness, check_url
    from ledger.trail.keys import load_signer, load_tsa_chain, load_witness_key

    signer = load_signer(key)
    tsa_url, tsa_cert, pairs = attestation_settings(tsa_url, tsa_cert, witness_urls, witness_keys)
    chain = load_tsa_chain(tsa_cert) if tsa_cert else None
    if chain is not None and not tsa_url:
        from ledger.errors import RuleViolation

        raise RuleViolation("001 §12 audit trail: time stamp", "给出了时间戳服务的证书链（--tsa-cert），却没有时间戳服务地址（--tsa / CERTLEDGER_TSA_URL）。",
                            "A time-stamping authority chain was given (--tsa-cert) but no authority URL (--tsa / CERTLEDGER_TSA_URL).")
    if tsa_url:
        check_url(tsa_url, "时间戳服务", "time-stamping authority", "--tsa / CERTLEDGER_TSA_URL")
    for url, _ in pairs:
        check_url(url, "见证方", "witness", "--witness / CERTLEDGER_WITNESS_URL")
    witnesses = tuple(Witness(url, load_witness_key(k)) for url, k in pairs)
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
    note, attested = result.note, None
    if tsa_url or witnesses:
        from ledger.trail.attest import attest_latest

        attested = attest_latest(app, signer.verifier, tsa_url=tsa_url, tsa_chain=chain, witnesses=witnesses)
    from ledger.trail.attest import stored_note

    note = stored_note(app, result.id, result.note)
    s = settings()
    data = {"id": result.id, "origin": result.checkpoint.origin, "tree_size": result.checkpoint.size,
            "new_events": result.new_events, "checkpoint": note}
    if attested is not None:
        data |= {"time_stamp": attested.stamped_at.isoformat() if attested.stamped_at else None,
                 "cosigned_by": [{"witness": n, "time": t.isoformat() if t else None, "new": new} for n, t, new in attested.cosigned],
                 "failures": [e.to_dict() for e in attested.failures]}
    if s.json:
        emit(data)
    else:
        click.echo(note, nl=False)
        if result.new_events or not attested:
            click.echo(s.t(f"已存为检查点 #{result.id}（{result.checkpoint.size} 个事件，新增 {result.new_events} 个）；请把上面的文本保存在数据库之外。",
                           f"Stored as checkpoint #{result.id} ({result.checkpoint.size} events, {result.new_events} new); keep the text above outside the database."), err=True)
        else:
            click.echo(s.t(f"账本自检查点 #{result.id}（{result.checkpoint.size} 个事件）以来没有新事件：未签发新检查点，只为它补取所缺的时间戳和副署。",
                           f"No events since checkpoint #{result.id} ({result.checkpoint.size} events): no new checkpoint; only what it "
                           "lacks (time stamp, cosignatures) was asked for."), err=True)
        if attested is not None:
            for line in _attested_lines(attested, s):
                click.echo(line, err=True)
    if attested is not None and attested.failures:
        raise click.exceptions.Exit(1)


def _attested_lines(attested: Any, s: Any) -> list[str]:
    lines = []
    if attested.stamped_at is not None:
        at = f"{attested.stamped_at:%Y-%m-%d %H:%M:%S} UTC"
        lines.append(s.t(f"时间戳：时间戳服务证明该检查点于 {at} 已存在" + ("（本次取得）。" if attested.stamped_now else "（此前已取得）。"),
                         f"Time stamp: the time-stamping authority attests the checkpoint existed at {at}"
                         + (" (obtained now)." if attested.stamped_now else " (obtained before).")))
    for name, when, new in attested.cosigned:
        at = f"{when:%Y-%m-%d %H:%M:%S} UTC" if when else "?"
        lines.append(s.t(f"见证：{name} 于 {at} 副署" + ("（本次取得）。" if new else "（此前已取得）。"),
                         f"Witness: {name} cosigned at {at}" + (" (obtained now)." if new else " (obtained before).")))
    for e in attested.failures:
        lines.append(s.t(f"未能取得：{e.message_zh}", f"Not obtained: {e.message_en}"))
    if attested.failures:
        lines.append(s.t("检查点本身已签发并保存。服务无法连接或出错时，恢复后再次运行 certledger checkpoint 即可补取（账本未变时只补取所缺的部分）；"
                         "见证方若因不一致（分叉、回滚）拒绝副署，说明它见过另一段历史：请用 certledger witness latest 取得它的最近检查点，"
                         "再以 certledger verify --checkpoint … --witness-key … 查明。",
                         "The checkpoint itself is signed and stored. If a service was unreachable or failed, run certledger "
                         "checkpoint again once it is back (an unchanged ledger only gets what its latest checkpoint lacks). A "
                         "witness that refuses the checkpoint as inconsistent (split view, rollback) has seen another history: get "
                         "its latest checkpoint (certledger witness latest) and run certledger verify --checkpoint … --witness-key …."))
    return lines


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
@click.option("--witness-key", "witness_keys", multiple=True, metavar="KEY|FILE",
              help="A witness's cosignature key: its stored cosignatures must verify, and a --checkpoint must carry its "
                   "cosignature (the witness's latest, from certledger witness latest: a ledger rolled back past it is reported). Repeatable.")
@click.option("--tsa-cert", metavar="FILE", help="The time-stamping authority's PEM chain: every stored time stamp token must verify against it.")
@common_options
def verify(checkpoint_file: str | None, public_key: str | None, key: str | None, max_uncovered: Any, read_models: bool,
           witness_keys: tuple[str, ...], tsa_cert: str | None) -> None:
    """Recompute the audit trail from the stored events and check it against every checkpoint; exit 1 on any
    change, 3 when events older than --max-uncovered have no checkpoint over them."""
    from ledger.trail import verify_trail
    from ledger.trail.keys import load_tsa_chain, load_verifier, load_witness_key
    from ledger.trail.note import read_checkpoint_file

    from ledger.config import max_uncovered as configured_max_uncovered

    limit = max_uncovered if max_uncovered is not None else configured_max_uncovered()
    app = settings().app(existing=True)  # the ledger first: a mistyped --db is named as such, not as a missing key
    verifier = load_verifier(public_key, key)
    external = read_checkpoint_file(checkpoint_file) if checkpoint_file is not None else None
    witnesses = tuple(load_witness_key(k) for k in witness_keys)
    from ledger.trail.attest import cosigned_by

    witnessed = cosigned_by(external, witnesses) if external is not None else []
    s = settings()
    bar: list[Any] = []

    def on_size(n: int) -> None:
        b = _progress(s.t("校验事件", "Verifying events"), n)
        if b is not None:
            bar.append(b.__enter__())

    try:
        report = verify_trail(app, verifier, external, progress=lambda k: bar and bar[0].update(k), on_size=on_size,
                              witness_keys=witnesses, tsa_chain=load_tsa_chain(tsa_cert) if tsa_cert else None)
    finally:
        if bar:
            bar[0].__exit__(None, None, None)
    now = datetime.now(timezone.utc)
    too_old = report.ok and report.uncovered_since is not None and now - report.uncovered_since > limit
    from cli.readcheck import report_read_models

    models: dict[str, Any] = {}
    models_ok = report_read_models(app, s, models if s.json else None) if read_models and report.ok else True
    overdue = _overdue_cosignatures(report.pending)
    if s.json:
        emit({**report.to_dict(), "max_uncovered_hours": round(limit.total_seconds() / 3600, 2), "uncovered_too_old": too_old,
              "cosignature_overdue": bool(overdue)}
             | ({"verified": False} if too_old or not models_ok or overdue else {}) | models)
    elif report.ok and not too_old and not models_ok:
        click.echo(s.t(f"（事件本身与 {report.checkpoints_checked} 个检查点一致；不一致的只是读模型。）",
                       f"(The events themselves are consistent with {report.checkpoints_checked} checkpoint(s); only the read "
                       "models differ.)"), err=True)
    elif report.ok and not too_old:
        click.echo(s.t(f"已验证：{report.size} 个事件，{report.checkpoints_checked} 个检查点一致（来源 {report.origin}）。",
                       f"Verified: {report.size} events consistent with {report.checkpoints_checked} checkpoint(s) (origin {report.origin})."))
        if personal_signatures_line(report.signatures, s):
            click.echo(personal_signatures_line(report.signatures, s))
        if report.unsigned:
            click.echo(s.t(f"注意：最近的检查点之后记录的 {report.unsigned} 个事件尚无签名检查点担保；请运行 certledger checkpoint 并在库外发布。",
                           f"Note: the {report.unsigned} events recorded after the latest checkpoint are not yet vouched for by a signed "
                           "checkpoint; run certledger checkpoint and publish it outside the database."))
    if report.pending and not s.json:
        _echo_pending(report.pending, overdue, s)
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
        if witnessed and report.external is not None and report.external.size > report.size:
            lines.append(s.t(f"账本被回滚到见证方（{'、'.join(witnessed)}）副署的检查点之前：见证方已见过 {report.external.size} 个事件，账本现只有 {report.size} 个。",
                             f"The ledger was rolled back past a checkpoint the witness(es) {', '.join(witnessed)} cosigned: they saw "
                             f"{report.external.size} events; the ledger now has {report.size}."))
        if first is not None:
            lines.append(s.t(f"第一个问题：{first.message_zh}", f"First problem: {first.message_en}"))
        for f in report.findings:
            if f is not first:
                lines.append("  - " + s.t(f.message_zh, f.message_en))
        click.echo("\n".join(lines), err=True)
        raise click.exceptions.Exit(1)
    if not models_ok:
        raise click.exceptions.Exit(1)
    if overdue:
        raise click.exceptions.Exit(3)


def _overdue_cosignatures(pending: list[Any]) -> list[Any]:
    """The acts awaiting a co-signature recorded more than COSIGN_DAYS days ago (D48c)."""
    from datetime import date, timedelta

    from ledger.signing_complete import COSIGN_DAYS

    today = datetime.now(timezone(timedelta(hours=8))).date()  # days are counted in Asia/Shanghai, as recorded_day
    return [f for f in pending if f.recorded_on and (today - date.fromisoformat(f.recorded_on)).days > COSIGN_DAYS]


def _echo_pending(pending: list[Any], overdue: list[Any], s: Any) -> None:
    """The section of acts awaiting a co-signature: work in progress, not an alteration."""
    from ledger.signing_complete import COSIGN_DAYS

    lines = [s.t(f"待会签：{len(pending)} 项由多人共同作出的行为尚缺成员的会签（进行中的工作，并非记录被改动）：",
                 f"Awaiting co-signature: {len(pending)} act(s) taken by a panel still lack a member's co-signature (work in "
                 "progress, not an alteration):")]
    lines += ["  - " + s.t(f.message_zh, f.message_en) for f in pending]
    if overdue:
        lines.append(s.t(f"校验未通过：其中 {len(overdue)} 项记录已超过 {COSIGN_DAYS} 天仍未会签；请相关人员尽快会签。",
                         f"Not verified: {len(overdue)} of them were recorded more than {COSIGN_DAYS} days ago and are still "
                         "not co-signed; the members named should co-sign now."))
    click.echo("\n".join(lines), err=bool(overdue))


def personal_signatures_line(count: int, s: Any) -> str | None:
    """What verify and verify-bundle say of the personal signatures they checked (issue 15, item 4)."""
    if not count:
        return None
    return s.t(f"个人签名：{count} 个，均已用签名人在行为业务日期有效的登记公钥核验（电子签名法 §13）。",
               f"Personal signatures: {count}, each verified with its signer's key registered and valid on the act's "
               "business date (电子签名法 §13).")
