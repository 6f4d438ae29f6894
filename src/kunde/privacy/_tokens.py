"""Customer tokens: signed, expiring and scoped to one customer.

A token is ``kct1.<payload>.<signature>``: the payload is URL-safe base64 of compact JSON
``{"sub": customer id, "exp": expiry (Unix seconds), "jti": random id, "iat": issue time (Unix
seconds, microsecond precision)}``, the signature is the
HMAC-SHA256 of ``kct1.<payload>`` under ``KUNDE_SECRET_KEY``. A token never starts with the API
key prefix ``kunde_``, so no token can pass as an API key and no key as a token.

A signature cannot be taken back, so revocation is kept in the store: the customer's tokens
issued up to a moment (``iat``), or one token (``jti``), are refused from then on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from kunde.errors import AuthenticationError

__all__ = ["TOKEN_PREFIX", "CustomerToken", "issue_customer_token", "verify_customer_token"]

TOKEN_PREFIX = "kct1."
"""Every customer token starts with this (version 1 of the format)."""

_MAX_TOKEN_LENGTH = 1024


@dataclass(frozen=True)
class CustomerToken:
    """An issued or verified customer token."""

    token: str
    customer_id: str
    expires_at: datetime
    """When it stops working (naive UTC)."""
    token_id: str = ""
    """The random ``jti`` (what revoking one session names)."""
    issued_at: datetime = datetime.min
    """When it was issued (naive UTC; ``datetime.min`` for tokens from before ``iat``)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, message: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), message.encode("ascii"), hashlib.sha256).digest())


def issue_customer_token(
    secret: str, customer_id: str, now: datetime, ttl_seconds: int
) -> CustomerToken:
    """Sign a token for ``customer_id`` that works for ``ttl_seconds`` from ``now`` (naive UTC)."""
    issued = now.replace(tzinfo=UTC).timestamp()
    expires = int(issued) + ttl_seconds
    token_id = secrets.token_hex(8)
    payload = {"sub": customer_id, "exp": expires, "jti": token_id, "iat": round(issued, 6)}
    body = TOKEN_PREFIX + _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return CustomerToken(
        token=f"{body}.{_sign(secret, body)}",
        customer_id=customer_id,
        expires_at=datetime.fromtimestamp(expires, UTC).replace(tzinfo=None),
        token_id=token_id,
        issued_at=_utc(issued),
    )


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def verify_customer_token(secret: str, token: str, now: datetime) -> CustomerToken:
    """The customer a token is valid for.

    Raises:
        AuthenticationError: not a customer token, a wrong signature (tampered or signed with
            another key), or expired. The message says which, never what the token holds.
    """
    if not token:
        raise AuthenticationError(
            "No customer token: send the header 'Authorization: Bearer <customer token>'."
        )
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        raise AuthenticationError(
            "This is not a customer token; /v1/me needs a token from "
            "POST /v1/customers/{customer_id}/token."
        )
    body, _, signature = token.rpartition(".")
    if not body.startswith(TOKEN_PREFIX) or not hmac.compare_digest(
        signature.encode("ascii"), _sign(secret, body).encode("ascii")
    ):
        raise AuthenticationError("The customer token is not valid (its signature does not match).")
    try:
        payload = json.loads(_unb64(body.removeprefix(TOKEN_PREFIX)))
        customer_id, expires = payload["sub"], payload["exp"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise AuthenticationError("The customer token is not valid (unreadable).") from None
    token_id, issued = payload.get("jti", ""), payload.get("iat")
    if (
        not isinstance(customer_id, str)
        or not isinstance(expires, int)
        or not isinstance(token_id, str)
        or not (issued is None or isinstance(issued, int | float))
    ):
        raise AuthenticationError("The customer token is not valid (unreadable).")
    try:
        expires_at = _utc(expires)
        issued_at = datetime.min if issued is None else _utc(issued)
    except (OverflowError, OSError, ValueError):
        raise AuthenticationError("The customer token is not valid (unreadable).") from None
    if now >= expires_at:
        raise AuthenticationError("The customer token has expired; ask for a new one.")
    return CustomerToken(
        token=token,
        customer_id=customer_id,
        expires_at=expires_at,
        token_id=token_id,
        issued_at=issued_at,
    )
