"""MBG/NBD: the modified BG/NBD model, where a customer may also drop out right away."""

from __future__ import annotations

from typing import ClassVar

from kunde.value._bgnbd import BGNBD

__all__ = ["MBGNBD"]


class MBGNBD(BGNBD):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    Assumptions as :class:`BGNBD`, except that the customer may drop out with probability p
    also right after the first purchase, not only after repeat purchases. Customers without
    repeat purchases therefore have P(alive) < 1, which BG/NBD cannot express.

    Parameters (``params_``): ``r``, ``alpha``, ``a``, ``b`` with the BG/NBD meanings.

    Reference: E. P. Batislam, M. Denizel and A. Filiztekin (2007), "Empirical validation and
    comparison of models for customer base analysis", International Journal of Research in
    Marketing 24(3), 201-209.
    """

    name: ClassVar[str] = "mbgnbd"
    _shift: ClassVar[int] = 1
