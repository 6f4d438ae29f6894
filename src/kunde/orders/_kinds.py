"""What a line sells: a product, a fee (postage, charges) or an adjustment (manual, stock).

Shops put more than products on their invoices: postage, bank charges, marketplace fees,
discounts, manual corrections, bad-debt write-offs, samples, gift vouchers. kunde stores those
lines (nothing is lost, revenue stays complete) but marks them so that recommendations and
purchase summaries ignore them.

The codes below are the ones found in real shop exports, notably the UCI Online Retail file
(``POST``, ``DOT``, ``C2``, ``M``, ``D``, ``S``, ``B``, ``BANK CHARGES``, ``AMAZONFEE``,
``CRUK``, ``PADS``, ``gift_0001_*``). They are matched case-insensitively on the whole code.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

__all__ = [
    "ADJUSTMENT",
    "ADJUSTMENT_CODES",
    "FEE",
    "FEE_CODES",
    "KINDS",
    "PRODUCT",
    "product_kinds",
]

PRODUCT = "product"
FEE = "fee"
ADJUSTMENT = "adjustment"

FEE_CODES: frozenset[str] = frozenset(
    {
        "POST",  # postage
        "POSTAGE",
        "DOT",  # dotcom postage
        "C2",  # carriage
        "CARRIAGE",
        "SHIPPING",
        "BANK CHARGES",
        "AMAZONFEE",
        "CRUK",  # charity commission
    }
)
"""Codes of charges that are not goods: postage, carriage, bank and marketplace fees."""

ADJUSTMENT_CODES: frozenset[str] = frozenset(
    {
        "M",  # manual
        "MANUAL",
        "D",  # discount
        "DISCOUNT",
        "B",  # adjust bad debt
        "S",  # samples
        "SAMPLES",
        "PADS",  # placeholder for cushion pads
        "ADJUST",
    }
)
"""Codes of corrections: manual lines, discounts, bad debt, samples, placeholders."""

_FEE_PREFIXES = ("GIFT_0001_",)  # gift vouchers: money, not goods

KINDS: tuple[str, ...] = (PRODUCT, FEE, ADJUSTMENT)
"""Kinds by code: ``KINDS[code]``."""


def product_kinds(product_id: pa.Array) -> NDArray[np.int8]:
    """The kind of each product code as an index into :data:`KINDS`.

    Args:
        product_id: product codes; nulls (order-level rows) are products.

    Returns:
        0 (product), 1 (fee) or 2 (adjustment) per code.
    """
    code = pc.utf8_upper(pc.fill_null(product_id, ""))
    is_fee = pc.is_in(code, value_set=pa.array(sorted(FEE_CODES)))
    for prefix in _FEE_PREFIXES:
        is_fee = pc.or_(is_fee, pc.starts_with(code, prefix))
    is_adjustment = pc.is_in(code, value_set=pa.array(sorted(ADJUSTMENT_CODES)))
    kinds = np.zeros(len(code), dtype=np.int8)
    kinds[np.asarray(is_adjustment.to_numpy(zero_copy_only=False), dtype=bool)] = 2
    kinds[np.asarray(is_fee.to_numpy(zero_copy_only=False), dtype=bool)] = 1
    return kinds
