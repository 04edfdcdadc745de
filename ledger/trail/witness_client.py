"""The ledger's side of C2SP tlog-witness: submit a signed checkpoint with a consistency proof to a
witness's ``POST <url>/add-checkpoint`` and take back its verified cosignature line."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Callable

from aggregates.errors import RuleViolation
from ledger.trail.cosignature import CosignatureError, CosignatureVerifier, check_cosignature_line
from ledger.trail.note import EM_DASH, NoteError, parse_checkpoint_text, split_note
from ledger.trail.witness import SIZE_CONTENT_TYPE, encode_request

RULE = "ledger: witness cosignature request (C2SP tlog-witness)"
MAX_RESPONSE_BYTES = 64 * 1024


class WitnessRequestError(RuleViolation):
    """A witness did not give a cosignature that verifies; ``status`` is its HTTP status, if any."""

    def __init__(self, zh: str, en: str, status: int | None = None) -> None:
        super().__init__(RULE, zh, en)
        self.status = status


def _said(body: bytes, lang: str) -> str:
    """What the witness said, one line: our witness answers English then Chinese."""
    lines = [x.strip() for x in body.decode("utf-8", "replace").splitlines() if x.strip()]
    if not lines:
        return ""
    text = lines[1] if lang == "zh" and len(lines) > 1 else lines[0]
    return text[:300]


def _post(url: str, data: bytes, timeout: float) -> tuple[int, str, bytes]:
    try:
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8", "User-Agent": "certledger"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (the URL is the operator's)
            return resp.status, resp.headers.get("Content-Type", ""), resp.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers.get("Content-Type", "") if e.headers else "", e.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, socket.timeout, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise WitnessRequestError(
            f"无法连接见证 {url}：{reason}。请检查见证地址、网络，以及见证是否在运行（certledger witness serve）。",
            f"Cannot reach the witness at {url}: {reason}. Check the witness URL, the network, and that the witness is "
            "running (certledger witness serve).") from None


def _size_of(body: bytes) -> int | None:
    text = body.decode("ascii", "replace")
    if not text.endswith("\n") or "\n" in text[:-1]:
        return None
    s = text[:-1]
    if not s.isascii() or not s.isdigit() or (s != "0" and s.startswith("0")):
        return None
    return int(s)


def request_cosignature(url: str, witness: CosignatureVerifier, note: str, old_size: int,
                        proof_from: Callable[[int], list[bytes]], *, timeout: float = 10) -> str:
    """Ask the witness at ``url`` (its submission prefix) to cosign ``note``, a checkpoint signed by
    the body; ``old_size`` is the size the witness last cosigned, as far as the ledger knows (0 if
    never), and ``proof_from(size)`` the consistency proof from that size to the note's. On 409 with
    the witness's size, it retries once from that size. Returns the cosignature line of ``witness``
    (no final newline), verified against the note's body; WitnessRequestError otherwise."""
    try:
        body_text, _ = split_note(note)
        size = parse_checkpoint_text(body_text).size
    except NoteError as e:
        raise WitnessRequestError(e.message_zh, e.message_en) from None
    endpoint = url.rstrip("/") + "/add-checkpoint"
    tried: list[int] = []
    old = old_size
    while True:
        if old > size:
            raise WitnessRequestError(
                f"见证 {url} 已为这本账签过大小为 {old} 的检查点，大于本检查点的 {size}：账本被回滚或分叉。"
                "不要继续签发检查点，请运行 certledger verify --checkpoint（以见证保存的最新检查点）查明。",
                f"The witness at {url} has cosigned a checkpoint of size {old} for this ledger, larger than this "
                f"checkpoint's {size}: the ledger was rolled back or forked. Stop and run certledger verify --checkpoint "
                "with the witness's latest checkpoint to find out.", 409)
        try:
            proof = [] if old == 0 else list(proof_from(old))
        except (ValueError, RuleViolation) as e:
            why = e.message_en if isinstance(e, RuleViolation) else str(e)
            raise WitnessRequestError(
                f"无法给出从大小 {old} 到 {size} 的一致性证明（见证 {url}）：{e}",
                f"Cannot make the consistency proof from size {old} to {size} for the witness at {url}: {why}") from None
        tried.append(old)
        status, ctype, body = _post(endpoint, encode_request(old, proof, note), timeout)
        if status == 409 and ctype.split(";")[0].strip().lower() == SIZE_CONTENT_TYPE:
            known = _size_of(body)
            if known is None:
                raise WitnessRequestError(f"见证 {url} 的 409 回复中没有有效的树大小。",
                                          f"The witness at {url} answered 409 without a valid tree size.", 409)
            if known in tried:
                raise WitnessRequestError(
                    f"见证 {url} 一再要求从大小 {known} 出发（已试过 {tried}），请稍后重试：可能有另一份检查点同时在提交。",
                    f"The witness at {url} keeps asking for size {known} (tried {tried}); retry later: another checkpoint "
                    "may be being submitted at the same time.", 409)
            if len(tried) >= 2:
                raise WitnessRequestError(
                    f"见证 {url} 已签的大小在变化（{tried} 之后为 {known}）：可能有另一份检查点同时在提交，请稍后重试。",
                    f"The size the witness at {url} has cosigned keeps changing ({tried}, now {known}): another checkpoint "
                    "may be being submitted at the same time; retry later.", 409)
            old = known
            continue
        break
    if status != 200:
        raise _refused(url, status, body, size, old)
    if len(body) > MAX_RESPONSE_BYTES:
        raise WitnessRequestError(f"见证 {url} 的回复过大。", f"The witness at {url} sent an oversized reply.", status)
    text = body.decode("utf-8", "replace")
    for line in text.split("\n"):
        if not line.startswith(EM_DASH + " "):
            continue
        try:
            if check_cosignature_line(body_text, line, witness) is not None:
                return line
        except CosignatureError as e:
            raise WitnessRequestError(
                f"见证 {url} 回复的签名无法用其公钥 {witness.name}（{witness.key_id.hex()}）核验：{e.message_zh}",
                f"The cosignature from the witness at {url} does not verify with its key {witness.name} "
                f"({witness.key_id.hex()}): {e.message_en}", status) from None
    raise WitnessRequestError(
        f"见证 {url} 的回复中没有公钥 {witness.name}（{witness.key_id.hex()}）的签名：请核对见证地址与见证公钥是否对应。",
        f"The reply of the witness at {url} has no cosignature of key {witness.name} ({witness.key_id.hex()}): check "
        "that the witness URL and the witness key belong together.", status)


def _refused(url: str, status: int, body: bytes, size: int, old: int) -> WitnessRequestError:
    zh_said, en_said = _said(body, "zh"), _said(body, "en")
    tail_zh = f"（见证答复：{zh_said}）" if zh_said else ""
    tail_en = f" (the witness said: {en_said})" if en_said else ""
    if status == 409:
        zh = (f"见证 {url} 拒绝：它已为这本账签过大小同为 {size}、但根哈希不同的检查点（分叉视图）。"
              "账本向不同的人出示了不同的记录，或记录被改写；请立即运行 certledger verify 查明。")
        en = (f"The witness at {url} refused: it has cosigned a checkpoint of the same size {size} with another root "
              "hash (a split view). The ledger showed different records to different parties, or they were rewritten; "
              "run certledger verify now.")
    elif status == 422:
        zh = (f"见证 {url} 拒绝：从大小 {old} 到 {size} 的一致性证明不成立，本检查点不是它所见证的记录的延续。"
              "记录可能被改写；请运行 certledger verify 查明。")
        en = (f"The witness at {url} refused: the consistency proof from size {old} to {size} does not verify; this "
              "checkpoint does not extend what it witnessed. Records may have been rewritten; run certledger verify.")
    elif status == 404:
        zh = (f"见证 {url} 不认识这本账的来源：请见证方用 certledger witness add-log 登记本机构的公钥与来源，"
              "或核对见证地址。")
        en = (f"The witness at {url} does not know this ledger's origin: its operator must register the body's public key "
              "and origin with certledger witness add-log; or check the witness URL.")
    elif status == 403:
        zh = (f"见证 {url} 拒绝：检查点上没有它为这本账登记的公钥的有效签名。请核对签名密钥（--key）与交给见证方的公钥是否一致。")
        en = (f"The witness at {url} refused: the checkpoint has no valid signature of the key it registered for this "
              "ledger. Check that the signing key (--key) matches the public key given to the witness.")
    elif status in (400, 413):
        zh = f"见证 {url} 认为请求格式不正确（HTTP {status}）。"
        en = f"The witness at {url} found the request malformed (HTTP {status})."
    else:
        zh = f"见证 {url} 答复 HTTP {status}，未给出签名：请检查见证地址及见证的运行状态。"
        en = f"The witness at {url} answered HTTP {status} without a cosignature: check the witness URL and its state."
    return WitnessRequestError(zh + tail_zh, en + tail_en, status)
