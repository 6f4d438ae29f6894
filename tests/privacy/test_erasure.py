"""Pseudonyms, the register digest and bookkeeping retention."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from kunde.privacy import (
    PSEUDONYM_PREFIX,
    erased_mask,
    new_pseudonym,
    redact,
    retained_until,
    retention_cutoff,
    subject_digest,
)

SECRET = "k" * 40


def test_pseudonyms_are_random_hex_not_derived_from_anything() -> None:
    drawn = {new_pseudonym() for _ in range(1000)}
    assert len(drawn) == 1000
    for pseudonym in drawn:
        tail = pseudonym.removeprefix(PSEUDONYM_PREFIX)
        assert len(tail) == 24 and int(tail, 16) >= 0


@given(st.text(min_size=1, max_size=64), st.text(min_size=1, max_size=64))
def test_digests_differ_between_ids(first: str, second: str) -> None:
    assert (subject_digest(SECRET, first) == subject_digest(SECRET, second)) == (first == second)


def test_the_register_recognises_erased_ids_and_pseudonyms() -> None:
    register = frozenset({subject_digest(SECRET, "C-1")})
    ids = ["C-1", "C-2", new_pseudonym(), ""]
    assert erased_mask(SECRET, ids, register).tolist() == [True, False, True, False]
    assert erased_mask(SECRET, ids, frozenset()).tolist() == [False, False, True, False]
    assert erased_mask("other" * 8, ["C-1"], register).tolist() == [False]
    assert subject_digest(SECRET, "C-1") != subject_digest(SECRET, "C-2")


def test_bookkeeping_retention_counts_from_the_end_of_the_year() -> None:
    now = datetime(2026, 6, 1)
    assert retention_cutoff(now, 10) == datetime(2016, 1, 1)  # 2015 records ended 2025-12-31
    assert retained_until(datetime(2026, 3, 1), 10) == date(2036, 12, 31)
    assert retained_until(None, 10) is None


def test_redact_replaces_longest_values_first() -> None:
    values = ["Jana", "Jana Müller", "a.b@example.org", ""]
    text = "Jana Müller (a.b@example.org) called; Jana again"
    assert redact(text, values) == "[erased] ([erased]) called; [erased] again"
    assert redact("nothing", []) == "nothing"
