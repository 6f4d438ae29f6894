"""Card number detection: every valid card number is caught, provider tokens never are."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kunde.privacy import (
    CARD_SEPARATORS,
    card_number_locations,
    looks_like_card_number,
    luhn_valid,
)

# Published test card numbers of the card schemes / payment providers.
TEST_CARDS = {
    "visa": "4111111111111111",
    "visa-stripe": "4242424242424242",
    "visa-13": "4222222222222",
    "mastercard": "5555555555554444",
    "mastercard-2series": "2223003122003222",
    "amex": "378282246310005",
    "discover": "6011111111111117",
    "diners-14": "30569309025904",
    "jcb": "3530111333300000",
    "unionpay-19": "6212345678901265",
    "maestro-19": "6759649826438453",
}


def _luhn_reference(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _check_digit(body: str) -> str:
    return next(str(d) for d in range(10) if _luhn_reference(body + str(d)))


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid number of 13 to 19 digits."""
    length = draw(st.integers(13, 19))
    body = draw(st.text(alphabet=string.digits, min_size=length - 1, max_size=length - 1))
    return body + _check_digit(body)


@st.composite
def grouped(draw: st.DrawFn, digits: str) -> str:
    """``digits`` with 0 to 3 separator characters between any two of them."""
    parts = [digits[0]]
    for d in digits[1:]:
        parts.append(draw(st.text(alphabet=CARD_SEPARATORS, max_size=3)))
        parts.append(d)
    return "".join(parts)


# Text around a card number: no decimal digits right next to it.
no_digits = st.text(
    alphabet=st.characters(blacklist_categories=["Nd", "Cs"], blacklist_characters="\x00"),
    max_size=20,
)


@pytest.mark.parametrize("number", TEST_CARDS.values(), ids=TEST_CARDS.keys())
def test_published_test_cards_are_luhn_valid_and_caught(number: str) -> None:
    assert luhn_valid(number)
    assert looks_like_card_number(number)
    grouped4 = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    assert looks_like_card_number(grouped4)
    assert looks_like_card_number(grouped4.replace(" ", "-"))
    assert looks_like_card_number(f"card: {grouped4} exp 12/28")


@given(st.text(alphabet=string.digits, min_size=1, max_size=40))
def test_luhn_matches_the_reference(digits: str) -> None:
    assert luhn_valid(digits) == _luhn_reference(digits)


@given(number=card_numbers(), data=st.data(), before=no_digits, after=no_digits)
def test_every_valid_card_number_is_caught_with_any_separators(
    number: str, data: st.DataObject, before: str, after: str
) -> None:
    text = before + data.draw(grouped(number)) + after
    assert looks_like_card_number(text)
    assert card_number_locations({"token": text}) == [("token",)]


@given(number=card_numbers(), cvc=st.text(alphabet=string.digits, min_size=3, max_size=4))
def test_a_card_number_followed_by_its_security_code_is_caught(number: str, cvc: str) -> None:
    assert looks_like_card_number(f"{number} {cvc}")
    assert looks_like_card_number(f"{cvc} {number}")


@given(number=card_numbers())
def test_full_width_digits_do_not_hide_a_card_number(number: str) -> None:
    full_width = "".join(chr(ord("０") + int(d)) for d in number)
    assert looks_like_card_number(full_width)


@given(st.text(alphabet=string.digits, min_size=13, max_size=19))
def test_an_ungrouped_run_is_judged_as_one_number(digits: str) -> None:
    assert looks_like_card_number(digits) == _luhn_reference(digits)


PSP_TOKENS = [
    "tok_visa",
    "tok_mastercard",
    "pm_card_visa",
    "pm_1NvXkL2eZvKYlo2C0n8jBq3x",
    "seti_1Mm2cBLkdIwHu7ixaiKW3ElR",
    "src_1Ab2Cd3Ef4Gh5Ij6Kl7Mn8Op",
    "B-5YL38529J7581633C",
    "mdt_pWUnw6pkBN",
    "ctoken_4n8xk2q9",
    "braintree-abc123xyz",
]


@pytest.mark.parametrize("token", PSP_TOKENS)
def test_typical_provider_tokens_are_not_flagged(token: str) -> None:
    assert not looks_like_card_number(token)
    assert card_number_locations({"provider": "stripe", "token": token}) == []


@st.composite
def provider_tokens(draw: st.DrawFn) -> str:
    """``<prefix>_`` and letter/digit chunks in which digits never run to 13."""
    prefix = draw(st.sampled_from(["pm", "tok", "src", "card", "seti", "pi", "ba", "cus"]))
    chunks = draw(
        st.lists(
            st.one_of(
                st.text(alphabet=string.ascii_letters, min_size=1, max_size=6),
                st.text(alphabet=string.digits, min_size=1, max_size=12),
            ),
            min_size=1,
            max_size=8,
        )
    )
    body = ""
    for chunk in chunks:  # digit chunks are always kept apart by a letter
        if body and body[-1].isdigit() and chunk[0].isdigit():
            body += "x"
        body += chunk
    return f"{prefix}_{body}"


@given(provider_tokens())
def test_provider_tokens_are_never_flagged(token: str) -> None:
    assert not looks_like_card_number(token)


def test_locations_cover_keys_nested_values_and_integers() -> None:
    data = {
        "provider": "stripe",
        "token": "tok_visa",
        "4111111111111111": "x",
        "meta": {"notes": ["fine", "5555 5555 5555 4444"]},
        "label": 378282246310005,
        "flag": True,
        "amount": 12.5,
    }
    assert card_number_locations(data) == [("[key]",), ("meta", "notes", 1), ("label",)]


def test_a_card_number_key_is_never_part_of_a_location() -> None:
    data = {"outer": {"4111 1111 1111 1111": {"note": "5555555555554444"}}}
    assert card_number_locations(data) == [("outer", "[key]"), ("outer", "[key]", "note")]


def test_long_digit_runs_are_cheap() -> None:
    assert isinstance(looks_like_card_number("1 " * 200_000), bool)


def test_luhn_valid_refuses_non_digits() -> None:
    with pytest.raises(ValueError, match="decimal digits"):
        luhn_valid("4111-1111")
