"""The demo's audit trail: what a body does at the end of a working day, on the demo's fresh ledger.

The demo has no network, so it stands up what a body would reach over one: a witness with its own
key and state (``ledger.trail.witness``, as a regulator would run ``certledger witness serve``) and a
local RFC 3161 time-stamping authority (``ledger.trail.local_tsa``, ``openssl ts``). Both listen on
127.0.0.1 only while the checkpoint is made. The body's signing key, the witness's state and public
key and the authority's certificate chain are left in the demo's folder, so that the bundle of any
demo client can be verified with the commands the demo prints.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BODY_KEY_NAME = "演示认证机构"
WITNESS_NAME = "演示监管见证"


@dataclass
class DemoTrail:
    key: Path
    public_key: Path
    origin: str
    checkpoint_id: int | None
    size: int
    witness_key: Path
    tsa_chain: Path | None = None
    stamped_at: datetime | None = None
    cosigned_at: datetime | None = None
    problems: list[Any] = field(default_factory=list)  # RuleViolations: what could not be obtained
    documents: dict[str, str] = field(default_factory=dict)  # what the body signed before the checkpoint (ledger/demo_documents.py)

    def to_dict(self) -> dict[str, Any]:
        return {"key": str(self.key), "public_key": str(self.public_key), "origin": self.origin,
                "checkpoint_id": self.checkpoint_id, "tree_size": self.size, "witness_key": str(self.witness_key),
                "tsa_chain": str(self.tsa_chain) if self.tsa_chain else None,
                "time_stamp": self.stamped_at.isoformat() if self.stamped_at else None,
                "cosigned_at": self.cosigned_at.isoformat() if self.cosigned_at else None,
                "problems": [p.to_dict() for p in self.problems], "documents": dict(self.documents)}


def checkpoint_demo(app: Any, folder: Path, before: Any = None) -> DemoTrail:
    """Make the body's key in ``folder``, sign a checkpoint over the demo's events, have it
    cosigned by a witness and time-stamped by a local authority (when ``openssl`` is there).
    ``before(signer)``: what the body signs with its key before the checkpoint (the demo's
    documents), its result kept as ``documents``."""
    from ledger.trail import make_checkpoint
    from ledger.trail.attest import Witness, attest_latest
    from ledger.trail.keys import init_key
    from ledger.trail.local_tsa import local_tsa
    from ledger.trail.witness import add_log, init_witness, running_witness

    folder = Path(folder)
    files = init_key(folder / "signing.key", BODY_KEY_NAME)
    from ledger.trail.keys import load_signer

    signer = load_signer(files.private)
    documents = before(signer) if before is not None else {}
    result = make_checkpoint(app, signer)
    origin = result.checkpoint.origin
    witness_dir = folder / "witness"
    witness = init_witness(witness_dir, WITNESS_NAME)
    add_log(witness_dir, files.verifier, origin)
    trail = DemoTrail(files.private, files.public, origin, result.id, result.checkpoint.size, witness_dir / "witness.pub",
                      documents=documents)
    with running_witness(witness_dir) as url:
        if shutil.which("openssl"):
            with local_tsa(folder / "tsa") as tsa:
                trail.tsa_chain = folder / "tsa-chain.pem"
                trail.tsa_chain.write_bytes(tsa.chain_pem)
                attested = attest_latest(app, files.verifier, tsa_url=tsa.url, tsa_chain=tsa.chain_pem,
                                         witnesses=(Witness(url, witness),))
        else:
            from aggregates.errors import RuleViolation

            attested = attest_latest(app, files.verifier, witnesses=(Witness(url, witness),))
            attested.failures.append(RuleViolation(
                "001 §12 audit trail: time stamp",
                "本机没有 openssl 命令，演示无法启动本地时间戳服务：检查点未加盖时间戳（安装 openssl 后重新运行演示）。",
                "This machine has no openssl command, so the demo cannot start its local time-stamping authority: the "
                "checkpoint carries no time stamp (install openssl and run the demo again)."))
    trail.stamped_at = attested.stamped_at
    trail.cosigned_at = next((t for _, t, _ in attested.cosigned), None)
    trail.problems = attested.failures
    return trail
