"""The in-process cache of authenticated keys: revocation is immediate where it happens and
bounded by the cache's lifetime elsewhere (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from kunde._engine.access import KeyCache, authenticate, cached_principal, revoke_key
from kunde.engine import Engine
from kunde.errors import AuthenticationError


def test_a_key_revoked_by_this_engine_stops_at_once(any_engine: Engine) -> None:
    key = any_engine.create_key("integration")
    principal = any_engine.authenticate(key)
    assert any_engine.cached_principal(key) == principal  # now served from the cache
    any_engine.revoke_key(principal.key_id)
    assert any_engine.cached_principal(key) is None
    with pytest.raises(AuthenticationError, match="revoked"):
        any_engine.authenticate(key)


def test_a_key_revoked_elsewhere_lasts_at_most_the_cache_lifetime(any_engine: Engine) -> None:
    key = any_engine.create_key("analyst")
    store = any_engine.store
    worker = KeyCache(ttl=3600.0)  # another worker process that authenticated the key
    expired = KeyCache(ttl=0.0)  # the same worker once its entry's lifetime has passed
    principal = authenticate(store, key, worker)
    authenticate(store, key, expired)
    revoke_key(store, principal.key_id)  # e.g. `kunde keys revoke` in another process
    assert authenticate(store, key, worker) == principal  # still trusted within its lifetime
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(store, key, expired)


def test_only_valid_keys_are_cached(any_engine: Engine) -> None:
    cache = KeyCache()
    unknown = "kunde_" + "x" * 43
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="not valid"):
            authenticate(any_engine.store, unknown, cache)
    assert cached_principal(cache, unknown) is None
    assert cached_principal(cache, "not-a-key") is None


def test_a_full_cache_starts_over_and_still_authenticates(any_engine: Engine) -> None:
    cache = KeyCache(max_keys=2)
    keys = [any_engine.create_key("staff") for _ in range(3)]
    principals = [authenticate(any_engine.store, key, cache) for key in keys]
    assert cached_principal(cache, keys[0]) is None  # dropped when the third came in
    assert cached_principal(cache, keys[2]) == principals[2]
    assert [authenticate(any_engine.store, key, cache) for key in keys] == principals
