"""A witness (C2SP tlog-witness) run by a regulator or any third party: its key and state, the logs
it witnesses, the add-checkpoint endpoint, offline cosigning. See docs/witness.md."""

from __future__ import annotations

import sys

import click

from cli.output import common_options, emit, refusals, settings

STATE_HELP = "The witness's state folder (its key witness.key, witness.pub and witness.sqlite)."


@click.group()
def witness() -> None:
    """A witness: cosigns a ledger's checkpoints only when consistent with the last it cosigned (C2SP tlog-witness)."""


@witness.command("init")
@click.option("--state", "state", required=True, metavar="DIR", help=STATE_HELP)
@click.option("--name", required=True, help="The witness's key name in cosignature lines, e.g. witness.samr.example/w1 "
                                            "(any text, Chinese included, without whitespace or '+').")
@common_options
def init(state: str, name: str) -> None:
    """Make the witness's key (witness.key, mode 0600; witness.pub) and its database; never overwrites."""
    with refusals():
        from pathlib import Path

        from ledger.trail.witness import PUB_FILE, init_witness

        verifier = init_witness(state, name)
    pub = Path(state).expanduser() / PUB_FILE
    emit({"state": state, "public_key_file": str(pub), "public_key": verifier.encode()},
         lambda s: s.t(f"见证已建立：{state}\n见证公钥：{pub}\n  {verifier.encode()}\n请把见证公钥交给被见证的机构与检查人员。",
                       f"Witness made: {state}\nWitness public key: {pub}\n  {verifier.encode()}\n"
                       "Give the witness public key to the bodies it witnesses and to inspectors."))


@witness.command("add-log")
@click.option("--state", "state", required=True, metavar="DIR", help=STATE_HELP)
@click.option("--public-key", "public_key", required=True, metavar="KEY|FILE",
              help="The body's public key (name+id+base64, the .pub file certledger keys init writes) or that file.")
@click.option("--origin", metavar="ORIGIN", help="The ledger's origin, the first line of its checkpoints (certledger/<uuid>).")
@click.option("--checkpoint", "checkpoint_file", metavar="FILE",
              help="A checkpoint of the ledger signed by that key: its origin is taken (and must match --origin if given).")
@common_options
def add_log(state: str, public_key: str, origin: str | None, checkpoint_file: str | None) -> None:
    """Witness a ledger: its origin and the public key that signs its checkpoints."""
    with refusals():
        from ledger.errors import RuleViolation
        from ledger.trail.keys import load_verifier
        from ledger.trail.note import open_checkpoint, read_checkpoint_file
        from ledger.trail.witness import RULE, add_log as add, load_witness_signer

        load_witness_signer(state)
        verifier = load_verifier(public_key)
        if checkpoint_file is not None:
            found = open_checkpoint(read_checkpoint_file(checkpoint_file), verifier).origin
            if origin is not None and origin != found:
                raise RuleViolation(RULE, f"--origin {origin} 与检查点的来源 {found} 不一致。",
                                    f"--origin {origin} differs from the checkpoint's origin {found}.")
            origin = found
        if origin is None:
            raise RuleViolation(RULE, "请用 --origin 给出账本的来源（其检查点的第一行，certledger/<uuid>），或用 --checkpoint 给出一份该账本的检查点。",
                                "Give the ledger's origin with --origin (the first line of its checkpoints, certledger/<uuid>), "
                                "or one of its checkpoints with --checkpoint.")
        added = add(state, verifier, origin)
    emit({"origin": origin, "public_key": verifier.encode(), "added": added},
         lambda s: s.t(f"{'已登记' if added else '早已登记（未改动）'}：来源 {origin}，公钥 {verifier.encode()}",
                       f"{'Registered' if added else 'Already registered (unchanged)'}: origin {origin}, key {verifier.encode()}"))


def _listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"{value!r} is not HOST:PORT, e.g. 127.0.0.1:8040")
    return host, int(port)


@witness.command("serve")
@click.option("--state", "state", required=True, metavar="DIR", help=STATE_HELP)
@click.option("--listen", default="127.0.0.1:8040", show_default=True, metavar="HOST:PORT", help="Where to listen (plain HTTP; put TLS in front).")
@common_options
def serve(state: str, listen: str) -> None:
    """Serve POST /add-checkpoint until interrupted (Ctrl-C)."""
    host, port = _listen(listen)
    with refusals():
        from ledger.trail.witness import make_server, witness_verifier

        vkey = witness_verifier(state).encode()
        server = make_server(state, host, port)
    s = settings()
    bound = server.server_address
    click.echo(s.t(f"见证 {vkey}\n在 http://{listen.rpartition(':')[0]}:{bound[1]}/add-checkpoint 上受理；Ctrl-C 停止。",
                   f"Witness {vkey}\nserving http://{listen.rpartition(':')[0]}:{bound[1]}/add-checkpoint; Ctrl-C stops."), err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@witness.command("cosign")
@click.option("--state", "state", required=True, metavar="DIR", help=STATE_HELP)
@click.argument("request_file", metavar="REQUEST_FILE")
@common_options
def cosign(state: str, request_file: str) -> None:
    """Offline: apply the add-checkpoint rules to the request in REQUEST_FILE ('-' reads stdin) and print the cosignature line."""
    with refusals():
        from ledger.errors import RuleViolation
        from ledger.trail.witness import MAX_REQUEST_BYTES, RULE, cosign_request, load_witness_signer

        load_witness_signer(state)  # a missing state folder is named before the request file
        try:
            if request_file == "-":
                data = sys.stdin.buffer.read(MAX_REQUEST_BYTES + 1)
            else:
                with open(request_file, "rb") as f:
                    data = f.read(MAX_REQUEST_BYTES + 1)
        except OSError as e:
            raise RuleViolation(RULE, f"无法读取请求文件 {request_file}：{e.strerror or e}。",
                                f"Cannot read the request file {request_file}: {e.strerror or e}.") from None
        line = cosign_request(state, data)
    emit({"cosignature": line}, lambda s: line)


@witness.command("latest")
@click.option("--state", "state", required=True, metavar="DIR", help=STATE_HELP)
@click.option("--origin", required=True, metavar="ORIGIN", help="The ledger's origin.")
@common_options
def latest(state: str, origin: str) -> None:
    """Print the latest checkpoint cosigned for ORIGIN (with the witness's cosignature), e.g. for certledger verify --checkpoint."""
    with refusals():
        from ledger.trail.witness import latest_checkpoint

        note = latest_checkpoint(state, origin)
    if settings().json:
        emit({"origin": origin, "checkpoint": note})
    else:
        click.echo(note, nl=False)


@witness.command("show")
@click.option("--state", "state", required=True, metavar="DIR", help=STATE_HELP)
@common_options
def show(state: str) -> None:
    """The witness's key, the logs it witnesses and the latest size cosigned for each."""
    with refusals():
        from ledger.trail.witness import evidence_count, logs, witness_verifier

        vkey = witness_verifier(state).encode()
        rows = logs(state)
        evidence = evidence_count(state)
    data = {"public_key": vkey, "logs": [{"origin": r.origin, "public_key": r.log_key, "size": r.size,
                                          "cosigned_at": r.cosigned_at, "refused_as_inconsistent": evidence.get(r.origin, 0)}
                                         for r in rows]}

    def render(s) -> str:  # noqa: ANN001
        out = [s.t(f"见证公钥：{vkey}", f"Witness key: {vkey}")]
        if not rows:
            out.append(s.t("尚未登记任何账本（certledger witness add-log）。", "No ledger registered yet (certledger witness add-log)."))
        for r in rows:
            when = f"{r.cosigned_at:%Y-%m-%d %H:%M:%S} UTC" if r.cosigned_at else ""
            size = (s.t(f"最近签过大小 {r.size}（{when}）", f"latest cosigned size {r.size} ({when})") if r.size is not None
                    else s.t("尚未签过", "nothing cosigned yet"))
            out.append(f"  {r.origin}  {size}")
            out.append(s.t(f"    公钥 {r.log_key}", f"    key {r.log_key}"))
            n = evidence.get(r.origin, 0)
            if n:
                out.append(s.t(f"    已拒绝并保存 {n} 份不一致的签名请求（分叉或证明不成立）", f"    {n} signed inconsistent request(s) refused and kept (split view or bad proof)"))
        return "\n".join(out)

    emit(data, render)
