"""Purchase phases and timeline cursors."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kunde.identity import Phase, PhaseWindows, TimelineCursor, purchase_phases

BUY = datetime(2026, 5, 10, 12, 0)


def phases(*times: datetime, purchases: tuple[datetime, ...] = (BUY,)) -> list[Phase | None]:
    return purchase_phases(
        np.array(times, dtype="datetime64[us]"), np.array(purchases, dtype="datetime64[us]")
    )


def test_phases_around_one_purchase() -> None:
    assert phases(
        BUY - timedelta(days=20),
        BUY - timedelta(days=3),
        BUY - timedelta(minutes=20),
        BUY,
        BUY + timedelta(minutes=59),
        BUY + timedelta(days=29),
        BUY + timedelta(days=31),
    ) == [None, Phase.BEFORE, Phase.DURING, Phase.DURING, Phase.DURING, Phase.AFTER, None]


def test_between_two_purchases_the_nearer_one_decides() -> None:
    second = BUY + timedelta(days=10)
    got = phases(BUY + timedelta(days=2), second - timedelta(days=2), purchases=(second, BUY))
    assert got == [Phase.AFTER, Phase.BEFORE]


def test_without_purchases_there_is_no_phase() -> None:
    assert phases(BUY, purchases=()) == [None]


def test_windows_are_configurable() -> None:
    windows = PhaseWindows(before=timedelta(days=1))
    got = purchase_phases(
        np.array([BUY - timedelta(days=3)], dtype="datetime64[us]"),
        np.array([BUY], dtype="datetime64[us]"),
        windows,
    )
    assert got == [None]


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["consent", "event", "order"]),
    st.text(min_size=0, max_size=40).map(lambda t: t.replace("\x00", "")),
)
def test_cursor_round_trips(at: datetime, source: str, key: str) -> None:
    if source == "consent":
        key = str(len(key)).zfill(20)
    cursor = TimelineCursor(at, source, key)
    assert TimelineCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not base64!",
        "bm90IGpzb24",
        "WzEsMiwzXQ",
        "WyIyMDI2LTAxLTAxIiwidGFibGUiLCJ4Il0",
        "WyIyMDI2LTAxLTAxIiwiY29uc2VudCIsIngiXQ",
    ],
    ids=["empty", "junk", "not-json", "numbers", "unknown-source", "consent-key-not-digits"],
)
def test_bad_cursors_are_refused(token: str) -> None:
    with pytest.raises(ValueError, match="not a cursor"):
        TimelineCursor.decode(token)
