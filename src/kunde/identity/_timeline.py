"""The customer timeline: purchase phases and page cursors.

Every timeline item gets a *phase* relative to the customer's purchases (orders with at least
one bought line), from the item's time ``t``:

* ``during``: within :attr:`PhaseWindows.during` (default 1 hour) of a purchase, before or
  after it: the checkout session, and the order itself.
* otherwise the nearer (in time) of
  ``after``: ``t`` is at most :attr:`PhaseWindows.after` (default 30 days) after the latest
  earlier purchase (delivery, returns, service calls, reviews), and
  ``before``: ``t`` is at most :attr:`PhaseWindows.before` (default 14 days) before the next
  purchase (browsing, searching, comparing);
* ``None``: no purchase within these windows.

Phases depend only on the purchases, not on the page or the filters, so they are stable.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["Phase", "PhaseWindows", "TimelineCursor", "purchase_phases"]


class Phase(StrEnum):
    """Where an item lies relative to a purchase."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


@dataclass(frozen=True)
class PhaseWindows:
    """How far from a purchase an item still belongs to it."""

    before: timedelta = timedelta(days=14)
    """Items at most this long before the next purchase are ``before`` it."""
    during: timedelta = timedelta(hours=1)
    """Items at most this long before or after a purchase are ``during`` it."""
    after: timedelta = timedelta(days=30)
    """Items at most this long after the latest purchase are ``after`` it."""


def purchase_phases(
    times: npt.NDArray[np.datetime64],
    purchases: npt.NDArray[np.datetime64],
    windows: PhaseWindows | None = None,
) -> list[Phase | None]:
    """The phase of each time in ``times`` relative to the ``purchases`` (vectorised).

    Args:
        times: item times (``datetime64``).
        purchases: purchase times (``datetime64``, any order).
        windows: the phase windows (module docstring); defaults to :class:`PhaseWindows`.
    """
    windows = windows or PhaseWindows()
    times = np.asarray(times, dtype="datetime64[us]")
    bought = np.sort(np.asarray(purchases, dtype="datetime64[us]"))
    if not len(bought) or not len(times):
        return [None] * len(times)
    nxt = np.searchsorted(bought, times, side="left")  # first purchase at or after t
    huge = np.timedelta64(10**18, "us")
    until_next = np.where(nxt < len(bought), bought[np.minimum(nxt, len(bought) - 1)] - times, huge)
    prv = nxt - 1  # last purchase before t
    since_prev = np.where(prv >= 0, times - bought[np.maximum(prv, 0)], huge)

    def td(delta: timedelta) -> np.timedelta64:
        return np.timedelta64(int(delta / timedelta(microseconds=1)), "us")

    during = (until_next <= td(windows.during)) | (since_prev <= td(windows.during))
    after = since_prev <= td(windows.after)
    before = until_next <= td(windows.before)
    phase = np.where(
        during,
        Phase.DURING.value,
        np.where(
            after & before,
            np.where(since_prev <= until_next, Phase.AFTER.value, Phase.BEFORE.value),
            np.where(after, Phase.AFTER.value, np.where(before, Phase.BEFORE.value, "")),
        ),
    )
    return [Phase(p) if p else None for p in phase.tolist()]


@dataclass(frozen=True)
class TimelineCursor:
    """Where a timeline page ends: items sort newest first by ``(at, source, key)``.

    The next page holds the items strictly after this position in that order.
    """

    at: datetime
    source: str
    """``consent``, ``event`` or ``order``."""
    key: str
    """The item's id within its source (a consent entry id as text)."""

    def encode(self) -> str:
        """An opaque URL-safe token."""
        raw = json.dumps([self.at.isoformat(), self.source, self.key], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> TimelineCursor:
        """The cursor in ``token``.

        Raises:
            ValueError: the token is not one :meth:`encode` made.
        """
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            at, source, key = json.loads(raw)
            cursor = cls(datetime.fromisoformat(at), source, key)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise ValueError("is not a cursor from a previous timeline page") from exc
        if (
            cursor.source not in ("consent", "event", "order")
            or not isinstance(cursor.key, str)
            or (cursor.source == "consent" and not (cursor.key.isascii() and cursor.key.isdigit()))
            or cursor.at.tzinfo is not None
        ):
            raise ValueError("is not a cursor from a previous timeline page")
        return cursor
