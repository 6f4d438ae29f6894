"""API keys, roles and what each role may do.

A key is ``kunde_`` followed by 43 URL-safe characters (256 random bits from :mod:`secrets`).
It is shown once; the store keeps only its SHA-256 hash and its first characters (to recognise it
in a list). The roles follow DESIGN.md:

========== ==================================================================
admin      everything, including managing keys
staff      customer service: reads (audited) and changes personal data, records consent,
           issues customer tokens, exports a customer's data (audited); may not erase
integration writes orders, events and products; records consent (checkout); reads products;
           no personal data
analyst    aggregates and the catalog; no personal data, no writes
========== ==================================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import OperationalError

from kunde.errors import (
    AuthenticationError,
    InvalidFieldError,
    NotFoundError,
    PermissionDeniedError,
)
from kunde.privacy import TOKEN_PREFIX
from kunde.store import Store

__all__ = [
    "KEY_CACHE_SECONDS",
    "KEY_PREFIX",
    "ROLES",
    "ROLE_PERMISSIONS",
    "KeyCache",
    "Permission",
    "Principal",
    "authenticate",
    "authorize",
    "cached_principal",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
]

KEY_PREFIX = "kunde_"
"""Every key starts with this, so that secret scanners and people recognise it."""

_SHOWN_PREFIX = 12  # characters of a key kept in clear: "kunde_" + 6 random ones
_MAX_KEY_LENGTH = 256  # longer strings are not keys; refuse them before hashing
_TOUCH_EVERY = timedelta(minutes=5)  # last_used_at precision; spares a write per request

KEY_CACHE_SECONDS = 5.0
"""How long a process trusts a key it authenticated without asking the database again.

A revocation takes effect at once in the process that revokes (it drops the key from its
cache); other processes (``kunde serve --workers N``, a CLI ``kunde keys revoke``) stop
accepting the key at the latest this many seconds later.
"""


class Permission(StrEnum):
    """Things a role may be allowed to do."""

    WRITE_DATA = "write_data"
    """Post orders, events and products."""
    READ_PRODUCTS = "read_products"
    """Read the catalog (no personal data)."""
    READ_AGGREGATES = "read_aggregates"
    """Read segment sizes, model figures and other aggregates."""
    READ_PERSONAL_DATA = "read_personal_data"
    """Read one customer's profile, identifiers and history."""
    MANAGE_KEYS = "manage_keys"
    """Create and revoke API keys."""
    WRITE_PERSONAL_DATA = "write_personal_data"
    """Change one customer's profile and saved payment methods."""
    RECORD_CONSENT = "record_consent"
    """Append grants and withdrawals to a customer's consent ledger (e.g. at checkout)."""
    READ_AUDIT = "read_audit"
    """Read the audit trail."""
    READ_RECOMMENDATIONS = "read_recommendations"
    """Read one customer's recommendations (the shop backend renders them on its pages)."""
    MANAGE_EDITORIAL = "manage_editorial"
    """Set the shop's editorial picks for the recommendation feeds."""
    LINK_IDENTIFIERS = "link_identifiers"
    """Link identifiers (login, checkout) to a customer, which may merge profiles."""
    ISSUE_CUSTOMER_TOKEN = "issue_customer_token"
    """Issue a token with which a customer reads and changes their own data."""
    EXPORT_PERSONAL_DATA = "export_personal_data"
    """Export all personal data of one customer."""
    ERASE_PERSONAL_DATA = "erase_personal_data"
    """Erase a customer."""


ROLES: tuple[str, ...] = ("admin", "staff", "integration", "analyst")
"""Every role a key can have."""

ROLE_PERMISSIONS: Mapping[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "staff": frozenset(
        {
            Permission.READ_PERSONAL_DATA,
            Permission.WRITE_PERSONAL_DATA,
            Permission.RECORD_CONSENT,
            Permission.READ_PRODUCTS,
            Permission.READ_AGGREGATES,
            Permission.READ_RECOMMENDATIONS,
            Permission.MANAGE_EDITORIAL,
            Permission.LINK_IDENTIFIERS,
            Permission.ISSUE_CUSTOMER_TOKEN,
            Permission.EXPORT_PERSONAL_DATA,
        }
    ),
    "integration": frozenset(
        {
            Permission.WRITE_DATA,
            Permission.RECORD_CONSENT,
            Permission.READ_PRODUCTS,
            Permission.READ_RECOMMENDATIONS,
            Permission.LINK_IDENTIFIERS,
        }
    ),
    "analyst": frozenset({Permission.READ_PRODUCTS, Permission.READ_AGGREGATES}),
}
"""What each role may do."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key that authenticated and its role."""

    key_id: int
    role: str

    def can(self, permission: Permission) -> bool:
        """Whether this principal's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


class KeyCache:
    """Principals of recently authenticated keys, by key hash, for ``ttl`` seconds.

    Only keys that authenticated are kept (unknown and revoked keys always ask the database),
    at most ``max_keys`` of them: when full, the cache is emptied rather than evicting one by one.
    Safe to share between threads.

    Args:
        ttl: seconds an entry is trusted.
        max_keys: largest number of entries.
    """

    def __init__(self, ttl: float = KEY_CACHE_SECONDS, max_keys: int = 1024) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        """The cached principal of ``key_hash``, ``None`` if absent or expired."""
        entry = self._entries.get(key_hash)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key_hash: str, principal: Principal) -> None:
        """Trust ``principal`` for ``key_hash`` for the next ``ttl`` seconds."""
        with self._lock:
            if len(self._entries) >= self.max_keys:
                self._entries.clear()
            self._entries[key_hash] = (time.monotonic() + self.ttl, principal)

    def forget(self, key_id: int) -> None:
        """Drop the key ``key_id`` (it was revoked): its next use asks the database."""
        with self._lock:
            for key_hash in [h for h, (_, p) in self._entries.items() if p.key_id == key_id]:
                del self._entries[key_hash]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_key(key: str) -> str:
    """The SHA-256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(store: Store, role: str, name: str | None = None) -> str:
    """Create a key with ``role``; return the key (the only time it is available).

    Raises:
        InvalidFieldError: the role is not one of :data:`ROLES`, or the name is too long.
    """
    if role not in ROLES:
        raise InvalidFieldError("role", f"must be one of {', '.join(ROLES)}, not {role!r}")
    if name is not None and len(name) > 200:
        raise InvalidFieldError("name", "must be at most 200 characters")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    store.keys.insert(
        prefix=key[:_SHOWN_PREFIX], key_hash=hash_key(key), role=role, name=name, created_at=_now()
    )
    return key


def cached_principal(cache: KeyCache, key: str) -> Principal | None:
    """The principal of ``key`` if ``cache`` holds it, without touching the database."""
    if not key.startswith(KEY_PREFIX) or len(key) > _MAX_KEY_LENGTH or not key.isascii():
        return None
    return cache.get(hash_key(key))


def authenticate(store: Store, key: str, cache: KeyCache | None = None) -> Principal:
    """The principal behind ``key``.

    With a ``cache``, a key that authenticated less than ``cache.ttl`` seconds ago is trusted
    without reading the database (see :data:`KEY_CACHE_SECONDS`).

    Raises:
        AuthenticationError: the key is empty, unknown or revoked.
    """
    if not key:
        raise AuthenticationError("No API key: send the header 'Authorization: Bearer <key>'.")
    record = None
    if key.startswith(KEY_PREFIX) and len(key) <= _MAX_KEY_LENGTH and key.isascii():
        key_hash = hash_key(key)
        if cache is not None and (principal := cache.get(key_hash)) is not None:
            return principal
        record = store.keys.find_by_hash(key_hash)
    if record is None:
        if key.startswith(TOKEN_PREFIX):
            raise AuthenticationError(
                "A customer token works only for /v1/me; this endpoint needs an API key."
            )
        raise AuthenticationError("The API key is not valid.")
    if record.revoked_at is not None:
        raise AuthenticationError("The API key was revoked.")
    now = _now()
    if record.last_used_at is None or now - record.last_used_at >= _TOUCH_EVERY:
        # A busy database must not fail or stall the request: the timestamp is informative.
        with contextlib.suppress(OperationalError):
            store.keys.touch(record.key_id, now)
    principal = Principal(key_id=record.key_id, role=record.role)
    if cache is not None:
        cache.put(key_hash, principal)
    return principal


def list_keys(store: Store) -> list[dict[str, object]]:
    """Every key (never the key itself): id, shown prefix, role, name and timestamps."""
    return [dataclasses.asdict(record) for record in store.keys.all()]


def revoke_key(store: Store, key_id: int, cache: KeyCache | None = None) -> None:
    """Revoke a key; it stops working at once here (``cache`` forgets it), elsewhere within
    :data:`KEY_CACHE_SECONDS`.

    Raises:
        NotFoundError: there is no key with this id.
    """
    if not store.keys.revoke(key_id, _now()):
        raise NotFoundError(f"There is no API key with id {key_id}.")
    if cache is not None:
        cache.forget(key_id)


def authorize(principal: Principal, permission: Permission, customer_id: str | None = None) -> None:
    """Check that ``principal`` may do ``permission`` (on ``customer_id``'s data, if given).

    This is the one place every access to personal data passes through. Reads are audited by
    the API's ``PersonalDataReader`` dependency right after this check (it knows the route and
    the request's id and reason); changes are audited by the engine method that makes them.

    Raises:
        PermissionDeniedError: the principal's role does not grant ``permission``.
    """
    if not principal.can(permission):
        raise PermissionDeniedError(f"The role {principal.role!r} may not {_describe(permission)}.")


def _describe(permission: Permission) -> str:
    return {
        Permission.WRITE_DATA: "write orders, events or products",
        Permission.READ_PRODUCTS: "read products",
        Permission.READ_AGGREGATES: "read aggregates",
        Permission.READ_PERSONAL_DATA: "read personal data",
        Permission.MANAGE_KEYS: "manage API keys",
        Permission.WRITE_PERSONAL_DATA: "change personal data",
        Permission.RECORD_CONSENT: "record consent",
        Permission.READ_RECOMMENDATIONS: "read a customer's recommendations",
        Permission.MANAGE_EDITORIAL: "change the editorial picks",
        Permission.READ_AUDIT: "read the audit trail",
        Permission.LINK_IDENTIFIERS: "link identifiers",
        Permission.ISSUE_CUSTOMER_TOKEN: "issue customer tokens",
        Permission.EXPORT_PERSONAL_DATA: "export personal data",
        Permission.ERASE_PERSONAL_DATA: "erase customers",
    }[permission]
