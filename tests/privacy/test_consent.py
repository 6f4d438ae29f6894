"""Deriving the current consent state from the ledger."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kunde.privacy import (
    PURPOSE_DESCRIPTIONS,
    ConsentChange,
    ConsentEntry,
    Purpose,
    consent_mask,
    current_consents,
)

T0 = datetime(2026, 11, 23, 9, 0)


def _entry(i: int, purpose: Purpose, granted: bool) -> ConsentEntry:
    return ConsentEntry(
        entry_id=i,
        customer_id="C-1",
        purpose=purpose,
        granted=granted,
        policy_version=f"v{i}",
        source="web",
        recorded_at=T0 + timedelta(minutes=i),
        recorded_by="staff:1",
    )


def test_without_entries_nothing_is_granted() -> None:
    states = current_consents([])
    assert [s.purpose for s in states] == list(Purpose)
    assert not any(s.granted for s in states)
    assert all(s.recorded_at is None for s in states)


def test_a_withdrawal_after_a_grant_wins() -> None:
    entries = [
        _entry(1, Purpose.PERSONALIZATION, True),
        _entry(2, Purpose.EMAIL_MARKETING, True),
        _entry(3, Purpose.PERSONALIZATION, False),
    ]
    states = {s.purpose: s for s in current_consents(entries)}
    assert not states[Purpose.PERSONALIZATION].granted
    assert states[Purpose.PERSONALIZATION].policy_version == "v3"
    assert states[Purpose.EMAIL_MARKETING].granted


@given(
    st.lists(st.tuples(st.sampled_from(list(Purpose)), st.booleans()), max_size=40),
    st.randoms(use_true_random=False),
)
def test_the_latest_entry_per_purpose_decides_in_any_input_order(
    changes: list[tuple[Purpose, bool]], random: Random
) -> None:
    entries = [_entry(i + 1, p, g) for i, (p, g) in enumerate(changes)]
    expected = dict.fromkeys(Purpose, False)
    for purpose, granted in changes:
        expected[purpose] = granted
    shuffled = list(entries)
    random.shuffle(shuffled)
    states = current_consents(shuffled)
    assert {s.purpose: s.granted for s in states} == expected


@given(
    st.lists(st.text(min_size=1, max_size=5), max_size=30),
    st.sets(st.text(min_size=1, max_size=5), max_size=10),
)
def test_consent_mask_is_set_membership(ids: list[str], consented: set[str]) -> None:
    mask = consent_mask(ids, consented)
    assert mask.dtype == np.bool_
    assert mask.tolist() == [i in consented for i in ids]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "spam", "granted": True, "policy_version": "1", "source": "web"}, "purpose"),
        ({"purpose": "sms", "granted": "maybe", "policy_version": "1", "source": "web"}, "granted"),
        (
            {"purpose": "sms", "granted": True, "policy_version": "", "source": "web"},
            "policy_version",
        ),
        (
            {"purpose": "sms", "granted": True, "policy_version": "1", "source": "Web Shop"},
            "source",
        ),
        ({"purpose": "sms", "granted": True, "policy_version": "1"}, "source"),
    ],
    ids=["purpose", "granted", "policy-version", "source-shape", "source-missing"],
)
def test_invalid_changes_name_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        ConsentChange.model_validate(change)
    assert [e["loc"] for e in info.value.errors()] == [(field,)]


def test_every_purpose_is_described() -> None:
    assert set(PURPOSE_DESCRIPTIONS) == set(Purpose)
    assert [p.value for p in Purpose] == [
        "personalization",
        "email_marketing",
        "postal_marketing",
        "sms",
        "push",
        "location_offers",
        "analytics",
    ]
