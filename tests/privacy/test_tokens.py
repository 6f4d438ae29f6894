"""Customer tokens: signed, expiring, scoped; every kind of wrong token is refused clearly."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kunde.errors import AuthenticationError
from kunde.privacy import TOKEN_PREFIX, issue_customer_token, verify_customer_token

SECRET = "s" * 40
NOW = datetime(2026, 11, 23, 12, 0, 0)


def test_a_token_names_its_customer_until_it_expires() -> None:
    token = issue_customer_token(SECRET, "C-1", NOW, 3600)
    assert token.token.startswith(TOKEN_PREFIX)
    assert token.expires_at == NOW + timedelta(hours=1)
    assert verify_customer_token(SECRET, token.token, NOW).customer_id == "C-1"
    assert verify_customer_token(SECRET, token.token, NOW + timedelta(seconds=3599)).customer_id
    with pytest.raises(AuthenticationError, match="expired"):
        verify_customer_token(SECRET, token.token, NOW + timedelta(seconds=3600))


def test_another_secret_does_not_verify() -> None:
    token = issue_customer_token(SECRET, "C-1", NOW, 3600).token
    with pytest.raises(AuthenticationError, match="signature"):
        verify_customer_token("t" * 40, token, NOW)


def test_a_changed_payload_is_refused() -> None:
    forged = issue_customer_token(SECRET, "C-2", NOW, 3600).token
    real = issue_customer_token(SECRET, "C-1", NOW, 3600).token
    # C-2's payload with C-1's signature
    spliced = forged.rsplit(".", 1)[0] + "." + real.rsplit(".", 1)[1]
    with pytest.raises(AuthenticationError, match="signature"):
        verify_customer_token(SECRET, spliced, NOW)


@pytest.mark.parametrize(
    "token",
    ["", "kunde_abc", "kct1.", "kct1..", "kct1.e30.", "Bearer x", "kct1." + "a" * 2000, "kct1.ü.x"],
    ids=["empty", "api-key", "prefix", "dots", "no-signature", "scheme", "huge", "non-ascii"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(AuthenticationError):
        verify_customer_token(SECRET, token, NOW)


@given(st.text(max_size=80), st.integers(min_value=0, max_value=200))
def test_any_flipped_character_breaks_the_token(customer_id: str, position: int) -> None:
    token = issue_customer_token(SECRET, customer_id or "x", NOW, 600).token
    i = position % len(token)
    flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    with pytest.raises(AuthenticationError):
        verify_customer_token(SECRET, flipped, NOW)
