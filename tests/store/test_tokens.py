"""Contract tests of revoked customer tokens and the erasure register look-up (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from kunde.engine import Engine
from kunde.privacy import Actor, subject_digest
from kunde.store.tables import token_revocations

T0 = datetime(2026, 12, 4, 9, 0, 0, 250_000)


def test_revoke_all_covers_tokens_issued_up_to_the_moment(any_engine: Engine) -> None:
    tokens = any_engine.store.tokens
    assert not tokens.is_revoked("C-1", "aa", T0)
    tokens.revoke_all("C-1", T0)
    assert tokens.is_revoked("C-1", "aa", T0 - timedelta(days=1))
    assert tokens.is_revoked("C-1", "bb", T0)  # issued in the same instant: revoked
    assert tokens.is_revoked("C-1", "cc", datetime.min)  # a token without an issue time
    assert not tokens.is_revoked("C-1", "dd", T0 + timedelta(microseconds=1))
    assert not tokens.is_revoked("C-2", "aa", T0 - timedelta(days=1))


def test_revoke_one_names_a_single_token_and_forgets_expired_ones(any_engine: Engine) -> None:
    tokens = any_engine.store.tokens
    tokens.revoke_one("C-1", "aa", T0 + timedelta(hours=1), T0)
    assert tokens.is_revoked("C-1", "aa", T0 - timedelta(minutes=5))
    assert not tokens.is_revoked("C-1", "bb", T0 - timedelta(minutes=5))
    assert not tokens.is_revoked("C-2", "aa", T0 - timedelta(minutes=5))
    tokens.revoke_one("C-1", "bb", T0 + timedelta(hours=3), T0 + timedelta(hours=2))
    with any_engine.store.db.connect() as conn:  # "aa" had expired: its row is gone
        ids = conn.execute(select(token_revocations.c.token_id)).scalars().all()
        assert ids == ["bb"]
        assert conn.execute(select(func.count()).select_from(token_revocations)).scalar() == 1


def test_erasure_deletes_the_rows_and_the_register_answers(any_engine: Engine) -> None:
    from kunde.identity import CustomerProfile

    engine = any_engine
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    engine.store.tokens.revoke_all("C-1", T0)
    digest = subject_digest(engine.settings.secret_key, "C-1")
    assert not engine.store.rights.is_erased(digest)
    engine.erase_customer(Actor(key_id=None, role="admin"), "C-1")
    assert engine.store.rights.is_erased(digest)
    with engine.store.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(token_revocations)).scalar() == 0
