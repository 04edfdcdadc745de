"""A witness (C2SP tlog-witness): a third party — a regulator, an accreditation body, anyone —
with its own key and state, that cosigns a ledger's checkpoint only when it is consistent with the
last one it cosigned for that origin, and so refuses a split view.

The state folder holds ``witness.key`` (0600), ``witness.pub`` and ``witness.sqlite``: the logs it
witnesses (origin -> the log's note verifier key), per origin the latest cosigned checkpoint, and
the signed requests it refused as inconsistent (evidence of a log's misbehaviour).
``add_checkpoint`` applies the add-checkpoint rules in one ``BEGIN IMMEDIATE`` transaction;
``make_server`` (``certledger witness serve``) and ``running_witness`` put it behind ``POST /add-checkpoint``. See docs/witness.md.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from aggregates.errors import RuleViolation
from ledger.trail import merkle
from ledger.trail.cosignature import CosignatureSigner, CosignatureVerifier, add_cosignature, cosign, parse_witness_signer
from ledger.trail.note import (
    EM_DASH,
    Checkpoint,
    MAX_NOTE_BYTES,
    NoteError,
    Verifier,
    _b64decode,
    open_note,
    parse_checkpoint_text,
    parse_verifier,
    split_note,
)

KEY_FILE = "witness.key"
PUB_FILE = "witness.pub"
DB_FILE = "witness.sqlite"
MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = MAX_NOTE_BYTES + 8 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
RULE = "ledger: witness (C2SP tlog-witness)"
SCHEMA = """
CREATE TABLE IF NOT EXISTS logs (
    origin TEXT PRIMARY KEY,
    log_key TEXT NOT NULL,
    added_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS latest (
    origin TEXT PRIMARY KEY REFERENCES logs(origin),
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    cosigned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    origin TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    status INTEGER NOT NULL,
    reason TEXT NOT NULL,
    request BLOB NOT NULL
);
"""


class WitnessError(RuleViolation):
    """A witness refusal; ``status`` is the HTTP status the add-checkpoint API answers with."""

    def __init__(self, status: int, zh: str, en: str, *, known_size: int | None = None) -> None:
        super().__init__(RULE, zh, en)
        self.status = status
        self.known_size = known_size


def _state_error(zh: str, en: str) -> WitnessError:
    return WitnessError(500, zh, en)


# ------------------------------------------------------------------------------------ state folder


@dataclass(frozen=True)
class LogState:
    origin: str
    log_key: str
    size: int | None
    root: bytes | None
    cosigned_at: datetime | None


def _missing_state(folder: Path) -> WitnessError:
    return _state_error(
        f"{folder} 不是见证状态文件夹（缺少 {KEY_FILE} 或 {DB_FILE}）：请先运行 certledger witness init --state {folder} --name 名称。",
        f"{folder} is not a witness state folder (no {KEY_FILE} or {DB_FILE}): run certledger witness init "
        f"--state {folder} --name NAME first.")


def _connect(folder: Path, *, create: bool = False) -> sqlite3.Connection:
    path = folder / DB_FILE
    if not create and not path.is_file():
        raise _missing_state(folder)
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        if create:
            conn.executescript(SCHEMA)
    except sqlite3.Error as e:
        raise _state_error(f"无法打开见证数据库 {path}：{e}。", f"Cannot open the witness database {path}: {e}.") from None
    return conn


def init_witness(state_dir: str | Path, name: str) -> CosignatureVerifier:
    """Make a witness: the state folder (if needed), its key (witness.key 0600, witness.pub) and
    its database. Refused, writing nothing, when the name is invalid or a key is already there."""
    from ledger.trail.keys import _write_new

    folder = Path(state_dir).expanduser()
    signer = CosignatureSigner.generate(name)  # checks the name first
    key, pub, db = folder / KEY_FILE, folder / PUB_FILE, folder / DB_FILE
    for p in (key, pub, db):
        if p.exists():
            raise _state_error(f"{p} 已存在，不会覆盖：覆盖会使该见证已发出的签名无法再核验。",
                               f"{p} already exists and is not overwritten: that would make the witness's "
                               "cosignatures unverifiable.")
    made_folder = not folder.exists()
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_new(key, (signer.encode() + "\n").encode("utf-8"), 0o600)
        written.append(key)
        _write_new(pub, (signer.verifier.encode() + "\n").encode("utf-8"), 0o644)
        written.append(pub)
        _connect(folder, create=True).close()
        written.append(db)
    except BaseException as e:
        for p in reversed(written):
            p.unlink(missing_ok=True)
        for extra in ("-wal", "-shm"):
            (folder / (DB_FILE + extra)).unlink(missing_ok=True)
        if made_folder:
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(e, (OSError, sqlite3.Error)):
            raise _state_error(f"无法创建见证状态 {folder}：{e}。未留下任何文件。",
                               f"Cannot create the witness state in {folder}: {e}. No file was left behind.") from None
        raise
    return signer.verifier


def load_witness_signer(state_dir: str | Path) -> CosignatureSigner:
    folder = Path(state_dir).expanduser()
    path = folder / KEY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _missing_state(folder) from None
    except (OSError, UnicodeDecodeError) as e:
        raise _state_error(f"无法读取见证私钥 {path}：{e}。", f"Cannot read the witness key {path}: {e}.") from None
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise _state_error(f"见证私钥 {path} 的权限为 {mode:o}，其他用户可读；请执行 chmod 600 {path}。",
                           f"Witness key {path} has mode {mode:o} and is readable by others; run chmod 600 {path}.")
    return parse_witness_signer(text)


def witness_verifier(state_dir: str | Path) -> CosignatureVerifier:
    return load_witness_signer(state_dir).verifier


def add_log(state_dir: str | Path, log_key: Verifier, origin: str) -> bool:
    """Witness the log ``origin`` signed by ``log_key``. Returns False if it was already there with
    the same key; refused if the origin is configured with another key (the witness's state for
    that origin would no longer mean anything) or is not a valid origin line."""
    folder = Path(state_dir).expanduser()
    load_witness_signer(folder)
    if not origin or any(c.isspace() and c != " " or ord(c) < 0x20 for c in origin) or origin != origin.strip():
        raise _state_error(f"来源“{origin[:80]}”无效：来源是检查点的第一行（certledger/<uuid>），不能为空，不能含换行或首尾空白。",
                           f"Origin '{origin[:80]}' is invalid: the origin is the first line of a checkpoint "
                           "(certledger/<uuid>); it cannot be empty or contain line breaks or leading/trailing spaces.")
    conn = _connect(folder)
    try:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT log_key FROM logs WHERE origin = ?", (origin,)).fetchone()
        if row is not None:
            conn.execute("ROLLBACK")
            if row[0] == log_key.encode():
                return False
            raise _state_error(
                f"来源 {origin} 已以另一个公钥（{row[0]}）登记，不会替换：替换会使已见证的检查点失去意义。",
                f"Origin {origin} is already registered with another key ({row[0]}) and is not replaced: that would "
                "void what was witnessed for it.")
        conn.execute("INSERT INTO logs (origin, log_key, added_at) VALUES (?, ?, ?)",
                     (origin, log_key.encode(), int(datetime.now(timezone.utc).timestamp())))
        conn.execute("COMMIT")
        return True
    finally:
        conn.close()


def logs(state_dir: str | Path) -> list[LogState]:
    """Every witnessed log and its latest cosigned size (None before the first)."""
    conn = _connect(Path(state_dir).expanduser())
    try:
        rows = conn.execute("SELECT l.origin, l.log_key, c.size, c.root, c.cosigned_at FROM logs l "
                            "LEFT JOIN latest c ON c.origin = l.origin ORDER BY l.origin").fetchall()
        return [LogState(o, k, s, bytes(r) if r is not None else None,
                         datetime.fromtimestamp(t, timezone.utc) if t is not None else None) for o, k, s, r, t in rows]
    finally:
        conn.close()


def evidence_count(state_dir: str | Path) -> dict[str, int]:
    conn = _connect(Path(state_dir).expanduser())
    try:
        return dict(conn.execute("SELECT origin, count(*) FROM evidence GROUP BY origin").fetchall())
    finally:
        conn.close()


def latest_checkpoint(state_dir: str | Path, origin: str) -> str:
    """The latest checkpoint the witness cosigned for ``origin``: the body, the log's signature
    lines and the witness's cosignature. Refused for an unknown origin or none cosigned yet."""
    conn = _connect(Path(state_dir).expanduser())
    try:
        known = conn.execute("SELECT 1 FROM logs WHERE origin = ?", (origin,)).fetchone()
        row = conn.execute("SELECT note FROM latest WHERE origin = ?", (origin,)).fetchone()
    finally:
        conn.close()
    if known is None:
        raise _unknown_origin(origin)
    if row is None:
        raise WitnessError(404, f"见证尚未为来源 {origin} 签过任何检查点。",
                           f"The witness has not cosigned any checkpoint for origin {origin} yet.")
    return row[0]


# -------------------------------------------------------------------------------- add-checkpoint


@dataclass(frozen=True)
class Request:
    old_size: int
    proof: list[bytes]
    note: str


def _malformed(zh: str, en: str) -> WitnessError:
    return WitnessError(400, f"add-checkpoint 请求格式不正确：{zh}", f"Malformed add-checkpoint request: {en}")


def parse_request(data: bytes) -> Request:
    """``old <size>\\n``, up to 63 base64 proof hashes one a line, an empty line, the signed note."""
    if len(data) > MAX_REQUEST_BYTES:
        raise WitnessError(413, f"请求超过 {MAX_REQUEST_BYTES} 字节。", f"The request is larger than {MAX_REQUEST_BYTES} bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("不是 UTF-8 文本。", "it is not UTF-8 text.") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise _malformed("缺少证明与检查点之间的空行。", "no empty line between the proof and the checkpoint.")
    lines = head.split("\n")
    first = lines[0]
    size_s = first[4:] if first.startswith("old ") else ""
    if not size_s.isascii() or not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")) or len(size_s) > 19:
        raise _malformed("第一行应为“old <十进制树大小>”（无前导零）。", "the first line must be 'old <decimal tree size>' (no leading zeroes).")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise _malformed(f"一致性证明超过 {MAX_PROOF_LINES} 行。", f"the consistency proof has more than {MAX_PROOF_LINES} lines.")
    proof = []
    for line in lines[1:]:
        try:
            h = _b64decode(line)
        except (ValueError, binascii.Error):
            h = b""
        if len(h) != merkle.HASH_SIZE or base64.b64encode(h).decode() != line:
            raise _malformed(f"一致性证明行“{line[:60]}”不是 32 字节哈希的 base64。",
                             f"consistency proof line '{line[:60]}' is not the base64 of a 32-byte hash.")
        proof.append(h)
    return Request(int(size_s), proof, note)


def encode_request(old_size: int, proof: list[bytes], note: str) -> bytes:
    lines = [f"old {old_size}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def _unknown_origin(origin: str) -> WitnessError:
    return WitnessError(404, f"本见证不见证来源为“{origin[:120]}”的账本：请见证方先运行 certledger witness add-log 登记它。",
                        f"This witness does not witness a log with origin '{origin[:120]}': its operator must register it "
                        "with certledger witness add-log first.")


def _keep_log_lines(note: str, log_key: Verifier) -> str:
    """The note with only the log key's signature lines (other keys' lines are ignored, per the
    spec, and not repeated in what the witness keeps)."""
    text, sigs = split_note(note)
    lines = [f"{EM_DASH} {s.name} {base64.b64encode(s.key_id + s.signature).decode()}"
             for s in sigs if s.name == log_key.name and s.key_id == log_key.key_id]
    return text + "\n" + "\n".join(lines) + "\n"


def cosign_request(state_dir: str | Path, request_bytes: bytes, *, now: datetime | None = None) -> str:
    """Apply the tlog-witness add-checkpoint rules to one request and return the cosignature line
    (no final newline); WitnessError, with its HTTP status, when refused. Checking the old size
    against the latest cosigned checkpoint and recording the new one is one BEGIN IMMEDIATE
    transaction, so two requests from the same old size cannot both advance."""
    folder = Path(state_dir).expanduser()
    signer = load_witness_signer(folder)
    req = parse_request(request_bytes)
    try:
        body_text, _ = split_note(req.note)
        cp = parse_checkpoint_text(body_text)
    except NoteError as e:
        raise WitnessError(400, e.message_zh, e.message_en) from None
    conn = _connect(folder)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            line = _decide(conn, signer, req, cp, body_text, now or datetime.now(timezone.utc), request_bytes)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return line
    except sqlite3.Error as e:
        raise _state_error(f"见证数据库出错：{e}。", f"Witness database error: {e}.") from None
    finally:
        conn.close()


def _evidence(conn: sqlite3.Connection, origin: str, status: int, reason: str, request: bytes, when: datetime) -> None:
    """Keep a log-signed request refused as inconsistent: proof of the log's misbehaviour."""
    conn.execute("INSERT INTO evidence (origin, received_at, status, reason, request) VALUES (?, ?, ?, ?, ?)",
                 (origin, int(when.timestamp()), status, reason, request))
    conn.execute("COMMIT")


def _decide(conn: sqlite3.Connection, signer: CosignatureSigner, req: Request, cp: Checkpoint,
            body_text: str, now: datetime, raw: bytes) -> str:
    row = conn.execute("SELECT log_key FROM logs WHERE origin = ?", (cp.origin,)).fetchone()
    if row is None:
        raise _unknown_origin(cp.origin)
    log_key = parse_verifier(row[0])
    try:
        open_note(req.note, log_key)
    except NoteError:
        raise WitnessError(403, f"检查点没有来源 {cp.origin} 登记的公钥 {log_key.name}（{log_key.key_id.hex()}）的有效签名：不予见证。",
                           f"The checkpoint carries no valid signature of the key registered for origin {cp.origin}, "
                           f"{log_key.name} ({log_key.key_id.hex()}): not cosigned.") from None
    if req.old_size > cp.size:
        raise _malformed(f"old {req.old_size} 大于检查点的树大小 {cp.size}。",
                         f"old {req.old_size} is larger than the checkpoint's tree size {cp.size}.")
    latest = conn.execute("SELECT size, root FROM latest WHERE origin = ?", (cp.origin,)).fetchone()
    known_size, known_root = (latest[0], bytes(latest[1])) if latest else (0, merkle.EMPTY_ROOT)
    if req.old_size != known_size:
        smaller = cp.size < known_size
        raise WitnessError(
            409,
            f"old {req.old_size} 与本见证为来源 {cp.origin} 最近签过的检查点大小 {known_size} 不符"
            + (f"；而且该检查点（{cp.size}）小于已见证的大小：账本可能被回滚。" if smaller else "：请从该大小出发提供一致性证明。"),
            f"old {req.old_size} does not match the size of the latest checkpoint this witness cosigned for origin "
            f"{cp.origin}, {known_size}"
            + (f"; and this checkpoint ({cp.size}) is smaller than what was witnessed: the ledger may have been rolled back."
               if smaller else ": send a consistency proof from that size."),
            known_size=known_size)
    if cp.size == 0 and cp.root != merkle.EMPTY_ROOT:
        raise WitnessError(422, "树大小为 0 的检查点，其根哈希应为空树的哈希。",
                           "A checkpoint of tree size 0 must carry the empty tree's root hash.")
    if req.old_size == cp.size and cp.root != known_root:
        reason = f"split view: size {cp.size}, witnessed root {base64.b64encode(known_root).decode()}, offered {base64.b64encode(cp.root).decode()}"
        _evidence(conn, cp.origin, 409, reason, raw, now)
        raise WitnessError(
            409,
            f"分叉视图：本见证已为来源 {cp.origin} 签过大小 {cp.size} 的检查点，其根哈希不同。同一大小出现两个根，说明账本向不同的人出示了不同的记录；"
            "不予见证，该请求已作为证据保存。",
            f"Split view: this witness already cosigned a checkpoint of size {cp.size} for origin {cp.origin} with another "
            "root hash. Two roots for one size mean the ledger showed different records to different parties; not "
            "cosigned, and the request is kept as evidence.")
    if not merkle.verify_consistency(req.old_size, cp.size, known_root, cp.root, req.proof):
        _evidence(conn, cp.origin, 422, f"consistency proof {req.old_size} -> {cp.size} does not verify", raw, now)
        raise WitnessError(
            422,
            f"从大小 {req.old_size} 到 {cp.size} 的一致性证明不成立：该检查点不是本见证已签检查点的延续"
            "（记录被改写或分叉，或证明有误）。不予见证，该请求已作为证据保存。",
            f"The consistency proof from size {req.old_size} to {cp.size} does not verify: this checkpoint does not "
            "extend the one this witness cosigned (records rewritten or forked, or a wrong proof). Not cosigned; the "
            "request is kept as evidence.")
    line = cosign(body_text, signer, now)
    stored = add_cosignature(_keep_log_lines(req.note, log_key), line)
    conn.execute("INSERT INTO latest (origin, size, root, note, cosigned_at) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, "
                 "cosigned_at = excluded.cosigned_at", (cp.origin, cp.size, cp.root, stored, int(now.timestamp())))
    return line


def add_checkpoint(state_dir: str | Path, request_bytes: bytes) -> tuple[int, str, bytes]:
    """The add-checkpoint endpoint as a function: (HTTP status, content type, body). 200 with the
    cosignature line; 409 ``text/x.tlog.size`` with the latest size when ``old`` does not match;
    409 for a split view; 422 for a proof that does not verify; 404 an unknown origin; 403 no
    valid signature of the log's key; 400 (413 too large) a malformed request."""
    try:
        line = cosign_request(state_dir, request_bytes)
    except WitnessError as e:
        if e.known_size is not None:
            return e.status, SIZE_CONTENT_TYPE, f"{e.known_size}\n".encode()
        return e.status, TEXT_CONTENT_TYPE, f"{e.message_en}\n{e.message_zh}\n".encode("utf-8")
    except RuleViolation as e:  # the witness's own key cannot be used
        return 500, TEXT_CONTENT_TYPE, f"{e.message_en}\n{e.message_zh}\n".encode("utf-8")
    return 200, TEXT_CONTENT_TYPE, (line + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------ HTTP server


def _handler(state_dir: Path, quiet: bool) -> type:
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "certledger-witness"

        def _reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _refuse(self, status: int, message: str, *, allow: str | None = None) -> None:
            self.close_connection = True
            self.send_response(status)
            if allow:
                self.send_header("Allow", allow)
            body = (message + "\n").encode()
            self.send_header("Content-Type", TEXT_CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.split("?", 1)[0] != "/add-checkpoint":
                self._refuse(404, "not found: this witness serves POST /add-checkpoint only")
                return
            if self.headers.get("Transfer-Encoding"):
                self._refuse(411, "send the request with a Content-Length")
                return
            length_s = self.headers.get("Content-Length", "")
            if not length_s.isdigit():
                self._refuse(411, "send the request with a Content-Length")
                return
            length = int(length_s)
            if length > MAX_REQUEST_BYTES:
                self._refuse(413, f"the request is larger than {MAX_REQUEST_BYTES} bytes")
                return
            data = self.rfile.read(length)
            if len(data) != length:
                self.close_connection = True
                return
            self._reply(*add_checkpoint(state_dir, data))

        def do_GET(self) -> None:  # noqa: N802
            self._refuse(405, "this witness serves POST /add-checkpoint only", allow="POST")

        do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            if not quiet:
                super().log_message(format, *args)

    return Handler


def make_server(state_dir: str | Path, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = False):  # noqa: ANN201
    """A ThreadingHTTPServer for the witness in ``state_dir`` (checked before it listens)."""
    from http.server import ThreadingHTTPServer

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the listen backlog: bursts of ledgers asking at once are not reset (default 5)

    folder = Path(state_dir).expanduser()
    load_witness_signer(folder)
    _connect(folder).close()
    try:
        server = Server((host, port), _handler(folder, quiet))
    except OSError as e:
        raise _state_error(f"无法在 {host}:{port} 上监听：{e.strerror or e}。", f"Cannot listen on {host}:{port}: {e.strerror or e}.") from None
    server.daemon_threads = True
    return server


@contextlib.contextmanager
def running_witness(state_dir: str | Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the witness from a thread; yields its base URL (``http://host:port``)."""
    server = make_server(state_dir, host, port, quiet=True)
    thread = threading.Thread(target=server.serve_forever, name="certledger-witness", daemon=True)
    thread.start()
    try:
        bound_host, bound_port = server.server_address[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        yield f"http://{shown}:{bound_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
