"""Erasure rules that need no database: pseudonyms, the register digest, bookkeeping retention.

After an erasure kunde keeps the customer's order lines only as long as bookkeeping law requires
(``KUNDE_BOOKKEEPING_RETENTION_YEARS``, 10 in Germany: HGB §257, AO §147, counted from the end
of the calendar year of the record), under a random pseudonym that cannot be derived from the
customer id. The erasure register keeps a keyed digest of the id (HMAC-SHA256 under
``KUNDE_SECRET_KEY``), never the id: trainers and imports can recognise the person and leave them
out, while the register itself names nobody to anyone without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

__all__ = [
    "PSEUDONYM_PREFIX",
    "erased_mask",
    "new_pseudonym",
    "redact",
    "retained_until",
    "retention_cutoff",
    "subject_digest",
]

PSEUDONYM_PREFIX = "erased-"
"""Every pseudonym starts with this, so that kept records are recognisable as erased."""


def redact(text: str, values: Iterable[str], mark: str = "[erased]") -> str:
    """``text`` with every occurrence of ``values`` (longest first) replaced by ``mark``."""
    ordered = sorted((v for v in values if v), key=len, reverse=True)
    if not ordered:
        return text
    return re.sub("|".join(re.escape(v) for v in ordered), mark, text)


def new_pseudonym() -> str:
    """A random pseudonym (96 bits from :mod:`secrets`), unrelated to any customer id."""
    return PSEUDONYM_PREFIX + secrets.token_hex(12)


def subject_digest(secret: str, customer_id: str) -> str:
    """The keyed digest under which the erasure register remembers ``customer_id``."""
    key = secret.encode("utf-8")
    return hmac.new(key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()


def erased_mask(
    secret: str, customer_ids: Iterable[str], register: frozenset[str]
) -> npt.NDArray[np.bool_]:
    """Which of ``customer_ids`` models must leave out: erased customers (their digest is in
    ``register``) and the pseudonyms under which their order lines are kept for bookkeeping
    only (a kept line may be used for bookkeeping, not for training).

    The pseudonym test is vectorised; digests are computed only when the register is not empty.
    """
    ids = np.asarray(list(customer_ids), dtype=np.str_)
    mask: npt.NDArray[np.bool_] = np.char.startswith(ids, PSEUDONYM_PREFIX)
    if register and ids.size:
        mask |= np.fromiter(
            (subject_digest(secret, str(c)) in register for c in ids), dtype=bool, count=ids.size
        )
    return mask


def retention_cutoff(now: datetime, years: int) -> datetime:
    """Records from before this moment are past their bookkeeping retention and may go.

    A record of year ``Y`` is kept until the end of year ``Y + years``.
    """
    return datetime(now.year - years, 1, 1)


def retained_until(latest: datetime | None, years: int) -> date | None:
    """The last day the records up to ``latest`` must be kept (``None``: nothing kept)."""
    if latest is None:
        return None
    return date(latest.year + years, 12, 31)
