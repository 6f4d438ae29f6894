"""API keys and roles through the engine (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from kunde._engine.access import ROLE_PERMISSIONS, ROLES, hash_key
from kunde.engine import Engine, Permission, Principal
from kunde.errors import (
    AuthenticationError,
    InvalidFieldError,
    NotFoundError,
    PermissionDeniedError,
)


@pytest.mark.parametrize("role", ROLES)
def test_created_key_authenticates_with_its_role(any_engine: Engine, role: str) -> None:
    key = any_engine.create_key(role, "shop")
    principal = any_engine.authenticate(key)
    assert principal.role == role
    assert principal.key_id > 0


def test_key_is_random_prefixed_and_only_its_hash_is_stored(any_engine: Engine) -> None:
    keys = {any_engine.create_key("admin") for _ in range(5)}
    assert len(keys) == 5
    for key in keys:
        assert key.startswith("kunde_") and len(key) >= 40
        record = any_engine.store.keys.find_by_hash(hash_key(key))
        assert record is not None
        assert record.prefix == key[:12]
    with any_engine.store.db.connect() as conn:
        stored = " ".join(
            str(v) for row in conn.exec_driver_sql("SELECT * FROM api_keys") for v in row
        )
    assert not any(key in stored or key[12:] in stored for key in keys)


@pytest.mark.parametrize(
    "key",
    ["", "kunde_", "kunde_unknown", "not-a-kunde-key", "kunde_" + "x" * 5000, "kunde_ünï"],
    ids=["empty", "prefix-only", "unknown", "foreign", "huge", "non-ascii"],
)
def test_unknown_keys_are_refused(any_engine: Engine, key: str) -> None:
    any_engine.create_key("admin")
    with pytest.raises(AuthenticationError):
        any_engine.authenticate(key)


def test_revoked_key_stops_working_and_others_go_on(any_engine: Engine) -> None:
    revoked = any_engine.create_key("integration")
    kept = any_engine.create_key("integration")
    any_engine.revoke_key(any_engine.authenticate(revoked).key_id)
    with pytest.raises(AuthenticationError, match="revoked"):
        any_engine.authenticate(revoked)
    assert any_engine.authenticate(kept).role == "integration"


def test_revoking_an_unknown_key_is_not_found(any_engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        any_engine.revoke_key(999)


def test_unknown_role_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        engine.create_key("superuser")
    assert caught.value.field == "role"


def test_authentication_records_last_use(engine: Engine) -> None:
    key = engine.create_key("analyst")
    engine.authenticate(key)
    record = engine.store.keys.find_by_hash(hash_key(key))
    assert record is not None and record.last_used_at is not None


# Expected permissions per role, written out independently of ROLE_PERMISSIONS.
EXPECTED = {
    "admin": set(Permission),
    "staff": {
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
    },
    "integration": {
        Permission.WRITE_DATA,
        Permission.RECORD_CONSENT,
        Permission.READ_PRODUCTS,
        Permission.READ_RECOMMENDATIONS,
        Permission.LINK_IDENTIFIERS,
    },
    "analyst": {Permission.READ_PRODUCTS, Permission.READ_AGGREGATES},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission", list(Permission), ids=str)
def test_authorize_follows_the_role_table(
    role: str, permission: Permission, engine: Engine
) -> None:
    principal = Principal(key_id=1, role=role)
    if permission in EXPECTED[role]:
        engine.authorize(principal, permission, "C-1")
    else:
        with pytest.raises(PermissionDeniedError):
            engine.authorize(principal, permission, "C-1")
    assert set(ROLE_PERMISSIONS[role]) == EXPECTED[role]


def test_no_role_but_admin_and_staff_reads_personal_data() -> None:
    readers = {r for r in ROLES if Principal(1, r).can(Permission.READ_PERSONAL_DATA)}
    assert readers == {"admin", "staff"}


def test_only_admin_erases() -> None:
    erasers = {r for r in ROLES if Principal(1, r).can(Permission.ERASE_PERSONAL_DATA)}
    assert erasers == {"admin"}
