"""RFC 3161 time stamps for signed checkpoints, from a configured time-stamping authority (TSA).

A signed checkpoint says what the ledger held; a time stamp token says *when* it held it, attested by
a third party. ``request_token`` sends an RFC 3161 TimeStampReq over SHA-256 of the given bytes (the
checkpoint's body, the text its signature and its witnesses' cosignatures cover, as UTF-8) to the TSA's URL and returns the DER-encoded TimeStampResp the TSA
answered; ``verify_token`` checks such a response against the TSA's certificate chain and returns the
time the TSA attests (genTime).

The token kept is the whole TimeStampResp (status + TimeStampToken), as ``openssl ts -reply`` writes
it and ``openssl ts -verify -in`` reads it; its TimeStampToken is a CMS SignedData over a TSTInfo that
holds the SHA-256 message imprint, the nonce of the request and genTime.

Every failure is a ``TimestampError`` (a ``RuleViolation``) naming what failed and what to check, in
Chinese and English; nothing here lets a network or parse error escape as a traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import re
import urllib.error
import urllib.parse
import urllib.request

from aggregates.errors import RuleViolation

RULE = "001 §12 audit trail: time stamp"
SHA256_OID = "2.16.840.1.101.3.4.2.1"
MAX_RESPONSE_BYTES = 1024 * 1024
QUERY_CONTENT_TYPE = "application/timestamp-query"


class TimestampError(RuleViolation):
    """A time stamp that could not be obtained or did not verify."""


def _fail(zh: str, en: str) -> TimestampError:
    return TimestampError(RULE, zh, en)


# --------------------------------------------------------------------------------------- request


def request_token(data: bytes, tsa_url: str, *, timeout: float = 10) -> bytes:
    """Ask the TSA at ``tsa_url`` to time-stamp ``data``; return the DER TimeStampResp it answered.

    The request carries SHA-256(data), a random 64-bit nonce and certReq=True (the TSA includes its
    signing certificate). The response must be granted and carry the request's nonce and imprint.
    Its signature is *not* checked here (that needs the TSA's certificate): call ``verify_token``.
    """
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    from ledger.config import is_service_url

    if not is_service_url(tsa_url):
        raise _fail(f"时间戳服务地址“{tsa_url}”无效：应为 http:// 或 https:// 开头的 URL；请检查所配置的 TSA 地址。",
                    f"Time-stamping authority URL '{tsa_url}' is invalid: expected an http:// or https:// URL; "
                    "check the configured TSA URL.")
    if not data:
        raise _fail("没有要加盖时间戳的内容（数据为空）。", "Nothing to time-stamp: the data is empty.")

    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    digest = hashlib.sha256(data).digest()

    body = _post(tsa_url, request.as_bytes(), timeout)
    response = _decode(body, tsa_url)

    from rfc3161_client import PKIStatus

    if response.status != PKIStatus.GRANTED:
        try:
            status = PKIStatus(response.status).name.lower()
        except ValueError:
            status = str(response.status)
        text = "; ".join(response.status_string)
        detail = f"{status}{f' ({text})' if text else ''}"
        raise _fail(f"时间戳服务 {tsa_url} 未批准请求，状态为 {detail}；请检查 TSA 地址及其是否接受 SHA-256 请求。",
                    f"The time-stamping authority at {tsa_url} did not grant the request: status {detail}; check "
                    "the TSA URL and that it accepts SHA-256 requests.")
    try:
        info = response.tst_info
        nonce, imprint = info.nonce, info.message_imprint
        algorithm, message = imprint.hash_algorithm.dotted_string, imprint.message
    except ValueError as exc:
        raise _malformed(tsa_url, str(exc)) from None
    if nonce != request.nonce:
        raise _fail(f"时间戳服务 {tsa_url} 的回复不是对本次请求的回复（随机数 nonce 不符），可能是重放或缓存的旧回复；"
                    "未采用该时间戳，请检查 TSA 地址及其间的代理。",
                    f"The reply from the time-stamping authority at {tsa_url} does not answer this request (the "
                    "nonce differs): a replayed or cached reply. The time stamp was not used; check the TSA URL "
                    "and any proxy in between.")
    if algorithm != SHA256_OID or message != digest:
        raise _fail(f"时间戳服务 {tsa_url} 回复中的消息摘要（message imprint）不是所提交数据的 SHA-256；"
                    "未采用该时间戳，请检查 TSA 地址。",
                    f"The message imprint in the reply from the time-stamping authority at {tsa_url} is not the "
                    "SHA-256 of the data sent. The time stamp was not used; check the TSA URL.")
    return body


def _post(tsa_url: str, query: bytes, timeout: float) -> bytes:
    req = urllib.request.Request(tsa_url, data=query, method="POST",
                                 headers={"Content-Type": QUERY_CONTENT_TYPE, "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as reply:
            body = reply.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _fail(f"时间戳服务 {tsa_url} 返回 HTTP {exc.code} {exc.reason}；请检查 TSA 地址是否正确、服务是否正常。",
                    f"The time-stamping authority at {tsa_url} answered HTTP {exc.code} {exc.reason}; check the "
                    "TSA URL and that the service is up.") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise _fail(f"无法连接时间戳服务 {tsa_url}：{reason}；请检查 TSA 地址、网络与代理设置。",
                    f"Cannot reach the time-stamping authority at {tsa_url}: {reason}; check the TSA URL, the "
                    "network and proxy settings.") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise _malformed(tsa_url, f"the reply is larger than {MAX_RESPONSE_BYTES} bytes")
    return body


def _malformed(tsa_url: str, detail: str) -> TimestampError:
    return _fail(f"时间戳服务 {tsa_url} 的回复不是有效的 RFC 3161 时间戳响应（{detail}）；请检查 TSA 地址是否指向 RFC 3161 服务。",
                 f"The reply from the time-stamping authority at {tsa_url} is not a valid RFC 3161 time-stamp "
                 f"response ({detail}); check that the TSA URL points to an RFC 3161 service.")


def _decode(body: bytes, tsa_url: str):
    from rfc3161_client import decode_timestamp_response

    if not body:
        raise _malformed(tsa_url, "empty reply")
    try:
        return decode_timestamp_response(body)
    except ValueError as exc:
        raise _malformed(tsa_url, str(exc)) from None


# ---------------------------------------------------------------------------------------- verify


def token_imprint(token: bytes) -> bytes | None:
    """The SHA-256 message imprint a stored token states, unverified (None if it cannot be read or
    is not SHA-256)."""
    from rfc3161_client import decode_timestamp_response

    try:
        imprint = decode_timestamp_response(token).tst_info.message_imprint
        if imprint.hash_algorithm.dotted_string != SHA256_OID:
            return None
        return bytes(imprint.message)
    except ValueError:
        return None


def token_time(token: bytes) -> dt.datetime | None:
    """The genTime a stored token states, unverified (None if it cannot be read): for showing
    when a checkpoint was stamped; ``verify_token`` is what proves it."""
    from rfc3161_client import decode_timestamp_response

    try:
        gen_time = decode_timestamp_response(token).tst_info.gen_time
    except ValueError:
        return None
    return gen_time.replace(tzinfo=dt.UTC) if gen_time.tzinfo is None else gen_time.astimezone(dt.UTC)


def verify_token(token: bytes, data: bytes, tsa_certificate_pem: bytes) -> dt.datetime:
    """Verify a TimeStampResp from ``request_token`` for ``data``; return its genTime (aware, UTC).

    ``tsa_certificate_pem`` is the TSA's certificate chain in PEM, as the TSA publishes it: the TSA's
    own (signing) certificate first, then any intermediate CA certificates, then the root CA
    certificate the inspector trusts (a self-signed TSA certificate alone also serves). The token must
    be granted, signed by that TSA certificate (extendedKeyUsage critical timeStamping) under that root,
    with certificates valid at genTime, and its message imprint must be SHA-256(data).
    """
    from cryptography import x509
    from rfc3161_client import (
        VerificationError,
        VerifierBuilder,
        decode_timestamp_response,
    )

    try:
        certificates = x509.load_pem_x509_certificates(tsa_certificate_pem)
    except ValueError:
        certificates = []
    if not certificates:
        raise _fail("时间戳服务（TSA）证书不是 PEM 格式的证书；请提供 TSA 发布的证书链（TSA 证书在前，根 CA 证书在后）。",
                    "The time-stamping authority (TSA) certificate is not a PEM certificate; give the chain the "
                    "TSA publishes (the TSA certificate first, the root CA certificate last).")
    roots = [c for c in certificates if c.subject == c.issuer]
    if not roots:
        raise _fail("所给的时间戳服务证书链不含根 CA 证书（自签名证书）；请在 TSA 证书之后附上其根 CA 证书。",
                    "The time-stamping authority certificate chain given has no root CA (self-signed) certificate; "
                    "append the TSA's root CA certificate after the TSA certificate.")
    leaf = certificates[0]
    builder = VerifierBuilder().tsa_certificate(leaf)
    for cert in roots:
        builder = builder.add_root_certificate(cert)
    for cert in certificates[1:]:
        if cert not in roots:
            builder = builder.add_intermediate_certificate(cert)

    try:
        response = decode_timestamp_response(token)
        info = response.tst_info
        algorithm, gen_time = info.message_imprint.hash_algorithm.dotted_string, info.gen_time
    except ValueError:
        raise _fail("时间戳令牌无法解析，不是有效的 RFC 3161 时间戳响应：它被改动、截断或损坏。",
                    "The time stamp token cannot be read: it is not a valid RFC 3161 time-stamp response (altered, "
                    "truncated or corrupt).") from None
    if algorithm != SHA256_OID:
        raise _fail(f"时间戳令牌的消息摘要算法为 {algorithm}，不是 SHA-256。",
                    f"The time stamp token's message imprint uses {algorithm}, not SHA-256.")
    try:
        builder.build().verify_message(response, data)
    except VerificationError as exc:
        detail = str(exc)
        openssl_reason = re.search(r'data: "([^"]+)"', detail)  # the OpenSSL verify error, without its stack
        if openssl_reason:
            detail = openssl_reason.group(1)
        if str(exc) == "Mismatch between messages":
            raise _fail("时间戳令牌所盖的不是这份数据：令牌中的消息摘要与数据的 SHA-256 不符（数据被改动过，或令牌属于别的检查点）。",
                        "The time stamp token is not for this data: its message imprint differs from the data's "
                        "SHA-256 (the data was altered, or the token belongs to another checkpoint).") from None
        raise _fail(f"时间戳令牌的签名未能用所给的时间戳服务证书链验证（{detail}）：令牌被改动，或所给的链不属于签发它的时间戳服务"
                    "（链中应为该 TSA 的证书在前、根 CA 证书在后）。",
                    f"The time stamp token's signature does not verify with the time-stamping authority chain given "
                    f"({detail}): the token was altered, or the chain is not that of the authority that issued it (its "
                    "certificate first, the root CA last).") from None
    except ValueError:
        raise _fail("时间戳令牌无法验证：它被改动、截断或损坏。",
                    "The time stamp token cannot be verified: it was altered, truncated or is corrupt.") from None
    if gen_time.tzinfo is None:
        return gen_time.replace(tzinfo=dt.UTC)
    return gen_time.astimezone(dt.UTC)
