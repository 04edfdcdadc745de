"""``certledger people key init|add|revoke`` (issue 15, item 4; docs/people.md, "Keys and signatures").

``init`` writes a fresh Ed25519 keypair on the person's own machine and prints its public part: the
private key never reaches the ledger. ``add`` and ``revoke`` are the catalogue's writes
(ledger/commands_signing.py), built by cli/writes.py and named here under ``key``."""

from __future__ import annotations

import click

from cli.output import common_options, emit


@click.group("key")
def key() -> None:
    """A person's signing keys: init (a keypair, locally), add (register the public key), revoke (签名密钥)."""


@key.command("init")
@click.option("--out", "out", required=True, metavar="PATH", help="the private key file to write (mode 0600; PATH.pub beside it); never overwritten")
@click.option("--name", default="certledger-person", show_default=True,
              help="the key's name in the note format (no whitespace or '+'; Chinese allowed), e.g. the person's name")
@common_options
def key_init(out: str, name: str) -> None:
    """Make a personal signing key (private file 0600, kept by the person) and print its public part for people key add."""
    from ledger.signing import init_personal_key, key_fingerprint

    files = init_personal_key(out, name)
    kid = key_fingerprint(files.verifier.public_key)  # the one id of a personal key: key add, key revoke, history (trial item 18)
    emit({"key": str(files.private), "public_key_file": str(files.public), "public_key": files.verifier.encode(), "key_id": kid},
         lambda s: s.t(f"个人签名私钥：{files.private}（仅本人可读，由本人保管，切勿交给他人或存入账本）\n公钥文件：{files.public}\n"
                       f"密钥编号：{kid}（登记、吊销和签名记录均使用此编号；公钥文件采用签名注记格式，其中的 8 位十六进制数是该格式的密钥哈希，不是密钥编号）\n"
                       f"请管理员登记公钥：certledger people key add --person 姓名 --public-key {files.public}",
                       f"Personal signing key: {files.private} (owner-only; the person keeps it, never give it away or store it in the ledger)\n"
                       f"Public key file: {files.public}\n"
                       f"Key id: {kid} (people key add, people key revoke and the signatures name the key by it; the public key "
                       "file is in the signed-note key format, whose 8 hex digits are that format's key hash, not the key id)\n"
                       f"Have an administrator register it: certledger people key add --person NAME --public-key {files.public}"))


def _catalogued() -> None:
    from cli.writes import _make
    from ledger.commands import COMMANDS

    for c in COMMANDS:
        if c.name.startswith("people key "):
            made = _make(c)
            made.name = c.name.rsplit(" ", 1)[-1]
            key.add_command(made)


_catalogued()
