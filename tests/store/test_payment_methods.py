"""Contract tests of saved payment methods (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from kunde.engine import Engine
from kunde.privacy import PaymentMethod

T0 = datetime(2026, 11, 23, 9, 0, 0)
T1 = datetime(2026, 11, 24, 9, 0, 0)


def _method(
    pm_id: str, customer_id: str = "C-1", token: str = "pm_abc", at: datetime = T0
) -> PaymentMethod:
    return PaymentMethod(
        payment_method_id=pm_id,
        customer_id=customer_id,
        provider="stripe",
        token=token,
        label="Visa ending 4242",
        last4="4242",
        expiry_month=8,
        expiry_year=2029,
        created_at=at,
    )


def test_add_list_remove(any_engine: Engine) -> None:
    repo = any_engine.store.payment_methods
    first = _method("kpm_1")
    second = _method("kpm_2", token="pm_def", at=T1)
    assert repo.add(first) == (first, True)
    assert repo.add(second) == (second, True)
    assert repo.list("C-1") == [first, second]
    assert repo.list("C-2") == []
    assert repo.remove("C-1", "kpm_1")
    assert not repo.remove("C-1", "kpm_1")
    assert repo.list("C-1") == [second]


def test_the_same_token_again_returns_the_saved_one(any_engine: Engine) -> None:
    repo = any_engine.store.payment_methods
    first = _method("kpm_1")
    repo.add(first)
    assert repo.add(_method("kpm_9", at=T1)) == (first, False)
    assert repo.list("C-1") == [first]


def test_one_customer_cannot_remove_anothers_method(any_engine: Engine) -> None:
    repo = any_engine.store.payment_methods
    repo.add(_method("kpm_1", customer_id="C-1"))
    repo.add(_method("kpm_2", customer_id="C-2"))  # same token, other customer: allowed
    assert not repo.remove("C-2", "kpm_1")
    assert [m.payment_method_id for m in repo.list("C-1")] == ["kpm_1"]
    assert [m.payment_method_id for m in repo.list("C-2")] == ["kpm_2"]
