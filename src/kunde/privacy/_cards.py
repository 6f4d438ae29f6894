"""Recognising payment card numbers, so that kunde can refuse them.

kunde keeps payment service provider tokens only. A card number (PAN) must never be stored or
logged, so every field of a payment method is searched for anything that looks like one: 13 to
19 digits, optionally grouped by spaces or dashes, passing the Luhn check (ISO/IEC 7812-1).
In a longer run of grouped digits every span of whole groups is checked (a card number followed
by its security code); an ungrouped run of digits is one number (so that a 16-digit provider
reference that fails the Luhn check is not refused because some 13 of its digits pass it).

The check is vectorised: the Luhn sums of all candidate spans of a run come from parity-split
prefix sums, so a long run costs a few array operations rather than a loop per span.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CARD_SEPARATORS",
    "KEY",
    "card_number_locations",
    "looks_like_card_number",
    "luhn_valid",
]

CARD_SEPARATORS = " \t\u00a0\u202f-\u2010\u2011\u2012\u2013\u2014"
"""Characters that may group the digits of a card number (spaces and dashes of all kinds)."""

MIN_DIGITS = 13
MAX_DIGITS = 19

# A run of digits in which neighbouring digits may be apart by up to three separator characters.
_SEP = "[" + re.escape(CARD_SEPARATORS) + "]"
_RUN = re.compile(rf"\d(?:{_SEP}{{0,3}}\d){{{MIN_DIGITS - 1},}}")
_SPLIT = re.compile(rf"{_SEP}+")
# Luhn: a doubled digit contributes 2d, minus 9 when that is two digits.
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)

Location = tuple[str | int, ...]


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (the check digit is the last one).

    Raises:
        ValueError: ``digits`` is empty or holds something other than decimal digits.
    """
    if not digits or not digits.isdecimal():
        raise ValueError("luhn_valid needs a non-empty string of decimal digits")
    d = np.array([int(c) for c in reversed(digits)], dtype=np.int64)
    total = d[0::2].sum() + _DOUBLED[d[1::2]].sum()
    return bool(total % 10 == 0)


def _luhn_spans(
    d: npt.NDArray[np.int64], start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> bool:
    """Whether any span ``d[start[i]:end[i] + 1]`` passes the Luhn check (all at once)."""
    parity = np.arange(d.size) % 2
    zero = np.zeros(1, dtype=np.int64)
    # plain[p] / doubled[p]: prefix sums of the digits as they are / doubled, at positions of
    # parity p. The span's last digit (the check digit) and every second one before it keep
    # their value; the others are doubled.
    plain = [np.concatenate([zero, np.cumsum(np.where(parity == p, d, 0))]) for p in (0, 1)]
    doubled = [
        np.concatenate([zero, np.cumsum(np.where(parity == p, _DOUBLED[d], 0))]) for p in (0, 1)
    ]
    even_end = end % 2 == 0
    kept = np.where(
        even_end, plain[0][end + 1] - plain[0][start], plain[1][end + 1] - plain[1][start]
    )
    twice = np.where(
        even_end, doubled[1][end + 1] - doubled[1][start], doubled[0][end + 1] - doubled[0][start]
    )
    return bool(np.any((kept + twice) % 10 == 0))


def _candidate_spans(
    group_start: npt.NDArray[np.int64], group_end: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Spans of whole consecutive digit groups that hold 13 to 19 digits."""
    starts: list[npt.NDArray[np.int64]] = []
    ends: list[npt.NDArray[np.int64]] = []
    groups = group_start.size
    for extra in range(min(groups, MAX_DIGITS)):  # spans of extra + 1 groups
        first = group_start[: groups - extra]
        last = group_end[extra:]
        digits = last - first + 1
        fits = (digits >= MIN_DIGITS) & (digits <= MAX_DIGITS)
        starts.append(first[fits])
        ends.append(last[fits])
    return np.concatenate(starts), np.concatenate(ends)


def looks_like_card_number(text: str) -> bool:
    """Whether ``text`` contains anything that looks like a payment card number.

    That is 13 to 19 digits, possibly grouped by :data:`CARD_SEPARATORS`, passing the Luhn
    check. Within a longer run of grouped digits every span of whole groups counts (a card
    number followed by its security code, ``4111 1111 1111 1111 123``); an ungrouped run counts
    as one number.
    """
    for match in _RUN.finditer(text):
        run = match.group()
        digits = [int(c) for c in run if c.isdecimal()]
        groups = [len(g) for g in _SPLIT.split(run) if g]
        group_end = np.cumsum(np.array(groups, dtype=np.int64)) - 1
        group_start = group_end - np.array(groups, dtype=np.int64) + 1
        start, end = _candidate_spans(group_start, group_end)
        if start.size and _luhn_spans(np.array(digits, dtype=np.int64), start, end):
            return True
    return False


KEY = "[key]"
"""Stands for an object key that looks like a card number in a location (never the key)."""


def card_number_locations(data: Any) -> list[Location]:
    """Where in parsed JSON (keys, strings and integers, at any depth) card numbers appear.

    A key that looks like a card number is reported as :data:`KEY` in its object (and named
    so in the locations below it), so that no location repeats a card number.

    Returns:
        The locations, each once, in document order, e.g. ``[("token",), ("meta", "[key]")]``;
        empty when there is nothing that looks like a card number.
    """
    found: list[Location] = []
    stack: list[tuple[Location, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            children = []
            for key, value in node.items():
                name = str(key)
                if looks_like_card_number(name):
                    found.append((*path, KEY))
                    name = KEY
                children.append(((*path, name), value))
            stack.extend(reversed(children))
        elif isinstance(node, list | tuple):
            stack.extend(((*path, i), value) for i, value in reversed(list(enumerate(node))))
        elif (isinstance(node, str) or (isinstance(node, int) and not isinstance(node, bool))) and (
            looks_like_card_number(str(node))
        ):
            found.append(path)
    return list(dict.fromkeys(found))
