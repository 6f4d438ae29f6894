"""When customers buy: the BG/NBD process on a seasonal clock.

Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2). While alive, a customer purchases as a Poisson
process with their own rate (Gamma-distributed across customers); after every purchase they
lapse with their own chance (Beta-distributed). Time runs on a seasonal clock (busy days pass
faster), so the same process gives a Christmas peak and a quiet late summer. The process
starts at each customer's acquisition, which may lie before the history: those early orders
are drawn but not part of it, as in a real shop's export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kunde.demo._calendar import busyness
from kunde.demo._customers import CHANNELS, Customers

__all__ = ["Purchases", "clock_times", "draw_purchases"]

IntArray = npt.NDArray[np.int64]

_STORE, _CALL_CENTRE = CHANNELS.index("store"), CHANNELS.index("call_centre")
_HOURS = {
    "online": np.array([1, .5, .3, .2, .2, .4, 1, 2, 3, 3.5, 4, 4, 4.5, 4, 4, 4, 4.5, 5, 6, 7,
                        7.5, 6.5, 4, 2]),
    "store": np.array([0] * 9 + [2, 3, 4, 5, 5, 4, 4, 5, 6, 6, 3] + [0] * 4, dtype=float),
    "call_centre": np.array([0] * 8 + [3, 5, 5, 4, 3, 4, 4, 4, 3, 3, 2, 1] + [0] * 4,
                            dtype=float),
}  # fmt: skip


@dataclass(frozen=True)
class Purchases:
    """Purchase days (one entry per order, anonymous ones last) and per-customer counts."""

    customer: IntArray
    """Customer index per order, -1 for an anonymous order."""
    day: IntArray
    """Day number of each order."""
    planned: IntArray
    """Per customer: purchases they would make before lapsing (0: registered, never bought)."""
    before: IntArray
    """Per customer: purchases before the history starts (not in it)."""
    observed: IntArray
    """Per customer: purchases in the history."""


def draw_purchases(
    rng: np.random.Generator,
    customers: Customers,
    today_day: int,
    history_days: int,
    anonymous_share: float,
) -> Purchases:
    """Draw every purchase day of the history (up to the day before ``today_day``).

    Anonymous orders (``anonymous_share`` of all) follow the same seasonal clock.
    """
    first_day = today_day - history_days
    clock_start = int(min(customers.acquired_day.min(), first_day))
    busy = busyness(np.arange(clock_start, today_day, dtype=np.int64))
    clock = np.concatenate([[0.0], np.cumsum(busy)])
    end = clock[-1]
    history_start = clock[first_day - clock_start]
    n = len(customers.customer_id)

    start = customers.acquired_day - clock_start
    t0 = clock[start] + rng.random(n) * busy[start]
    planned = rng.geometric(customers.dropout).astype(np.int64)
    planned[rng.random(n) < 0.05] = 0  # registered, never bought
    expected = customers.purchase_rate * (end - t0)
    cap = np.ceil(expected + 6 * np.sqrt(expected) + 6).astype(np.int64)
    slots = np.minimum(planned, cap)
    owner = np.repeat(np.arange(n), slots)
    gaps = rng.exponential(1.0, owner.size) / customers.purchase_rate[owner]
    first_slot = (np.cumsum(slots) - slots)[slots > 0]
    gaps[first_slot] = 0.0
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[first_slot], slots[slots > 0])
    times = t0[owner] + elapsed
    before = np.bincount(owner[times < history_start], minlength=n)
    keep = (times >= history_start) & (times < end)
    owner, times = owner[keep], times[keep]
    observed = np.bincount(owner, minlength=n).astype(np.int64)

    n_anonymous = round(owner.size * anonymous_share / (1 - anonymous_share))
    customer = np.concatenate([owner, np.full(n_anonymous, -1)]).astype(np.int64)
    times = np.concatenate([times, history_start + rng.random(n_anonymous) * (end - history_start)])
    day = clock_start + np.clip(np.searchsorted(clock, times, side="right") - 1, 0, None)
    return Purchases(
        customer=customer,
        day=day.astype(np.int64),
        planned=planned,
        before=before.astype(np.int64),
        observed=observed,
    )


def clock_times(rng: np.random.Generator, channel: IntArray) -> IntArray:
    """Seconds after midnight for orders on each channel (evenings online, opening hours else)."""
    seconds = np.zeros(channel.size, dtype=np.int64)
    groups = {
        "online": channel < _STORE,
        "store": channel == _STORE,
        "call_centre": channel == _CALL_CENTRE,
    }
    for key, mask in groups.items():
        hours = _HOURS[key]
        picked = rng.choice(24, int(mask.sum()), p=hours / hours.sum())
        seconds[mask] = picked * 3600
    return seconds + rng.integers(0, 3600, channel.size)
