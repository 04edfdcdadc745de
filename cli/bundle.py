"""Inspection bundles (001 §12): ``certledger export`` writes one, ``certledger verify-bundle``
checks one offline. See docs/inspection-bundle.md."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import click

from cli.output import Duration, common_options, emit, refusals, settings
from ledger.words import age_words

KEY_HELP = ("The body's signing key file: it signs the report (PAdES) and its <key>.pub is bundled (default: $CERTLEDGER_KEY "
            "or signing.key beside the default ledger).")


@click.command()
@click.argument("clients", nargs=-1, metavar="[CLIENT]...")
@click.option("--all", "all_clients", is_flag=True, help="Export every client in the ledger instead of the CLIENTs named.")
@click.option("--out", "out", required=True, metavar="DIR", help="A new (or empty) directory to write the bundle to.")
@click.option("--public-key", metavar="KEY|FILE", help="The body's public key to bundle (default: <key>.pub, or derived from --key).")
@click.option("--key", "key", metavar="PATH", help=KEY_HELP)
@common_options
def export(clients: tuple[str, ...], all_clients: bool, out: str, public_key: str | None, key: str | None) -> None:
    """Write an inspection bundle for CLIENT (a USCC; several may be named) or --all: the events as
    canonical JSON Lines, the latest signed checkpoint, an inclusion proof per event, the body's
    public key, a PDF/A-3b report in Chinese with the events attached, signed with the body's key
    (PAdES), and a SHA-256 manifest.
    Reads only: if the latest checkpoint does not cover every exported event, run certledger
    checkpoint first."""
    if bool(clients) == all_clients:
        raise click.UsageError("name at least one CLIENT, or give --all (not both)")
    with refusals():
        from ledger.explain_text import render_explanation
        from ledger.bundle import export_bundle
        from ledger.trail.keys import load_signer, load_verifier

        verifier = load_verifier(public_key, key)
        signer = load_signer(key)  # signs the report (PAdES)
        s = settings()
        result = export_bundle(s.app(existing=True), out, verifier, None if all_clients else list(clients),
                               lambda d: render_explanation(d, "zh"), signer=signer)
    zh_more = "".join(" --witness-key <见证方公钥>" for _ in result.witnesses) + (" --tsa-cert <时间戳服务证书链>" if result.time_stamped else "")
    en_more = "".join(" --witness-key <the witness's key>" for _ in result.witnesses) + (" --tsa-cert <the TSA's chain>" if result.time_stamped else "")
    attested_zh = (f"；见证方：{'、'.join(result.witnesses)}" if result.witnesses else "") + ("；附时间戳" if result.time_stamped else "")
    attested_en = (f"; cosigned by {', '.join(result.witnesses)}" if result.witnesses else "") + ("; time-stamped" if result.time_stamped else "")
    emit(result.to_dict(), lambda st: st.t(
        f"已导出检查包：{result.directory}\n  {len(result.clients)} 个组织，{result.events} 个事件；检查点 #{result.checkpoint_id}"
        f"（{result.tree_size} 个事件，来源 {result.origin}）{attested_zh}\n  检查人员可离线核验（公钥、见证方公钥和时间戳服务证书链均须另行取得）："
        f"certledger verify-bundle {result.directory} --public-key <公钥> --origin {result.origin}{zh_more}",
        f"Bundle written: {result.directory}\n  {len(result.clients)} client(s), {result.events} event(s); checkpoint "
        f"#{result.checkpoint_id} ({result.tree_size} events, origin {result.origin}){attested_en}\n  An inspector checks it offline "
        f"with (each key and chain obtained separately): certledger verify-bundle {result.directory} --public-key <the body's public "
        f"key> --origin {result.origin}{en_more}"))


def _age(report: Any, lang: str) -> str:
    """The checkpoint's time of signing and its age, as a clause of the verdict."""
    if report.signed_at is None:
        return "检查点未签入签发时间" if lang == "zh" else "the checkpoint carries no time of signing"
    age = age_words(datetime.now(timezone.utc) - report.signed_at, lang)
    when = f"{report.signed_at:%Y-%m-%d %H:%M} UTC"
    return f"检查点签发于 {when}（{age}前）" if lang == "zh" else f"checkpoint signed {when} ({age} ago)"


def _attested(report: Any, s: Any) -> str:
    """What the witnesses and the time-stamping authority attest, as a line of the verdict."""
    parts_zh, parts_en = [], []
    for name, when in report.witnessed:
        parts_zh.append(f"见证方 {name} 于 {when:%Y-%m-%d %H:%M} UTC 副署")
        parts_en.append(f"cosigned by witness {name} at {when:%Y-%m-%d %H:%M} UTC")
    if report.stamped_at is not None:
        at = f"{report.stamped_at:%Y-%m-%d %H:%M:%S} UTC"
        if report.stamp_checked:
            parts_zh.append(f"时间戳（已用 --tsa-cert 核验）证明检查点于 {at} 已存在")
            parts_en.append(f"time-stamped (verified with --tsa-cert): the checkpoint existed at {at}")
        else:
            parts_zh.append(f"附有时间戳（{at}），未核验：请用 --tsa-cert 给出时间戳服务的证书链")
            parts_en.append(f"carries a time stamp ({at}), not checked: give the TSA's chain with --tsa-cert")
    return s.t("检查点：" + "；".join(parts_zh) + "。", "The checkpoint: " + "; ".join(parts_en) + ".")


@click.command("verify-bundle")
@click.argument("directory", metavar="DIR")
@click.option("--public-key", metavar="KEY|FILE",
              help="The body's public key as obtained independently (name+id+base64, or its file): required to verify; a bundled key that differs is reported.")
@click.option("--origin", metavar="ORIGIN", help="The body's ledger (certledger/<uuid>, as the body published it): a checkpoint of any other ledger is refused.")
@click.option("--max-age", type=Duration(), metavar="AGE", help="The oldest checkpoint accepted, e.g. 7d, 36h (default: no bound; the age is always shown).")
@click.option("--structure-only", is_flag=True, help="Without --public-key: check only that the bundle is consistent with its own key (never 'verified').")
@click.option("--witness-key", "witness_keys", multiple=True, metavar="KEY|FILE",
              help="A witness's cosignature key (C2SP vkey, or its file) as obtained from the witness: the checkpoint must carry its valid cosignature. Repeatable.")
@click.option("--tsa-cert", metavar="FILE",
              help="The time-stamping authority's certificate chain (PEM, TSA certificate first, root last): the bundle's time stamp must verify against it.")
@common_options
def verify_bundle(directory: str, public_key: str | None, origin: str | None, max_age: timedelta | None, structure_only: bool,
                  witness_keys: tuple[str, ...], tsa_cert: str | None) -> None:
    """Check an inspection bundle offline, without the database: the manifest's hashes, every event
    re-hashed to its leaf, each inclusion proof against the checkpoint's root, each client's signed
    head (its events in the bundle must end there: nothing left out), the checkpoint's signature,
    origin and age, and the PDF's attached events; exit 1 naming everything that does not verify.
    Verifying needs the body's public key obtained independently (--public-key)."""
    s = settings()
    with refusals():
        from ledger.bundle import verify_bundle as check
        from ledger.trail.keys import load_tsa_chain, load_verifier, load_witness_key

        given = load_verifier(public_key) if public_key else None
        witnesses = tuple({w.encode(): w for w in (load_witness_key(k) for k in witness_keys)}.values())  # each once
        chain = load_tsa_chain(tsa_cert) if tsa_cert else None
        report = check(directory, given, structure_only=structure_only, origin=origin, max_age=max_age,
                       witness_keys=witnesses, tsa_chain=chain)
    if s.json:
        emit(report.to_dict())
    elif report.ok and given is not None:
        of_zh = f"（账本共 {report.ledger_clients} 条记录：组织、人员与本机构）" if report.ledger_clients is not None else ""
        of_en = f" of the ledger's {report.ledger_clients} records (clients, people and the body)" if report.ledger_clients is not None else ""
        click.echo(s.t(f"已验证：{report.events} 个事件、{len(report.clients)} 个组织{of_zh}，与签名检查点（{report.tree_size} 个事件，"
                       f"来源 {report.origin}）一致，各组织的事件完整至检查点签入的末端；{_age(report, 'zh')}；公钥 {report.key}（由检查人另行提供）。",
                       f"Verified: {report.events} events of {len(report.clients)} client(s){of_en} match the signed checkpoint "
                       f"({report.tree_size} events, origin {report.origin}), each client complete to the head the checkpoint "
                       f"signed; {_age(report, 'en')}; public key {report.key} (given by the inspector)."))
        if report.witnessed or report.stamped_at:
            click.echo(_attested(report, s))
        from cli.trail import personal_signatures_line

        if personal_signatures_line(report.signatures, s):
            click.echo(personal_signatures_line(report.signatures, s))
    elif report.ok:
        click.echo(s.t(f"检查包内部一致：{report.events} 个事件、{len(report.clients)} 个组织与检查点（{report.tree_size} 个事件，来源 "
                       f"{report.origin}）相符，但签名只用检查包自带的公钥 {report.key} 核对过，未经独立认证。"
                       "请用 --public-key 给出从认证机构另行取得的公钥，才算验证。",
                       f"The bundle is internally consistent: {report.events} events of {len(report.clients)} client(s) match the "
                       f"checkpoint ({report.tree_size} events, origin {report.origin}), but the signature was checked only with the "
                       f"bundle's own public key {report.key}, which nothing authenticates. Give the body's key obtained "
                       "independently with --public-key to verify."))
    if report.pending and not s.json:  # panel acts awaiting a co-signature: work in progress, not a failure (D48c)
        click.echo("\n".join([s.t(f"待会签：{len(report.pending)} 项由多人共同作出的行为尚缺成员的会签（导出时仍在进行中，并非记录被改动）：",
                                   f"Awaiting co-signature: {len(report.pending)} act(s) taken by a panel still lacked a member's "
                                   "co-signature when exported (work in progress, not an alteration):")]
                             + ["  - " + s.t(p.message_zh, p.message_en) for p in report.pending]))
    if not report.ok:
        lines = [s.t(f"检查包校验失败：{len(report.problems)} 项未通过。", f"Bundle verification failed: {len(report.problems)} problem(s).")]
        lines += [f"  - [{p.what}] " + s.t(p.message_zh, p.message_en) for p in report.problems]
        click.echo("\n".join(lines), err=True)
        raise click.exceptions.Exit(1)
