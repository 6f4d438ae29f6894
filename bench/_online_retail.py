"""Load UCI Online Retail (Daqing Chen, CC BY 4.0) into the parallel arrays kunde trains on.

Source: UCI Machine Learning Repository, dataset 352 "Online Retail", doi:10.24432/C5BW33.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from numpy.typing import NDArray

from _machine import SHARED_DATA

DATA = SHARED_DATA / "online-retail" / "online_retail.csv.gz"
ORIGIN = dt.date(2010, 12, 1)
CREDIT = "UCI Online Retail, Daqing Chen, CC BY 4.0 (doi:10.24432/C5BW33)"


@dataclass
class Lines:
    """Order lines as parallel arrays plus the product dictionary."""

    customer: NDArray[np.int64]
    basket: NDArray[np.int64]
    item: NDArray[np.int64]
    day: NDArray[np.int64]
    quantity: NDArray[np.float64]
    is_gift: NDArray[np.bool_]
    kind: NDArray[np.str_]
    n_customers: int
    n_baskets: int
    n_items: int
    item_codes: NDArray[np.str_]
    item_category: NDArray[np.int64]
    categories: list[str]
    item_text: list[str]


def day_of(date: str) -> int:
    """Day number of an ISO date (days since 2010-12-01)."""
    return (dt.date.fromisoformat(date) - ORIGIN).days


def _codes(col: pa.ChunkedArray) -> tuple[NDArray[np.int64], NDArray[np.str_]]:
    enc = pc.dictionary_encode(col).combine_chunks()
    return (
        np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64),
        np.asarray(enc.dictionary.to_pylist(), dtype=str),
    )


def load(path: Path = DATA) -> Lines:
    """Read the CSV with pyarrow; cancellations become returns, odd stock codes non-products."""
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={
                "InvoiceNo": pa.string(),
                "StockCode": pa.string(),
                "Description": pa.string(),
                "Quantity": pa.float64(),
                "InvoiceDate": pa.timestamp("s"),
                "UnitPrice": pa.float64(),
                "CustomerID": pa.string(),
            }
        ),
    )
    invoice = table["InvoiceNo"]
    cancelled = np.asarray(pc.starts_with(invoice, "C").to_numpy(zero_copy_only=False), dtype=bool)
    stock = pc.utf8_upper(table["StockCode"])
    # product stock codes are five digits plus an optional variant letter; the rest are
    # postage, fees, manual adjustments, vouchers ('POST', 'M', 'BANK CHARGES', 'gift_0001_10')
    is_product = np.asarray(
        pc.match_substring_regex(stock, r"^\d{5}").to_numpy(zero_copy_only=False), dtype=bool
    )
    price = table["UnitPrice"].to_numpy()
    kind = np.where(is_product & (price > 0), "product", "adjustment")
    kind = np.where(is_product, kind, "fee")
    quantity = table["Quantity"].to_numpy().astype(np.float64)
    quantity = np.where(cancelled, -np.abs(quantity), quantity)
    ts = table["InvoiceDate"].to_numpy().astype("datetime64[D]")
    day = (ts - np.datetime64(ORIGIN.isoformat(), "D")).astype(np.int64)
    cust_raw = table["CustomerID"]
    cust_raw = pc.fill_null(cust_raw, "")
    has_cust = np.asarray(pc.not_equal(cust_raw, "").to_numpy(zero_copy_only=False), dtype=bool)
    cust_codes, _ = _codes(cust_raw)
    # renumber so that anonymous is -1 and known customers are 0..n-1
    known = np.unique(cust_codes[has_cust])
    remap = np.full(cust_codes.max() + 1, -1, dtype=np.int64)
    remap[known] = np.arange(len(known))
    customer = np.where(has_cust, remap[cust_codes], -1)
    basket, _ = _codes(invoice)
    item, item_codes = _codes(stock)
    desc = table["Description"].to_pylist()
    first = np.full(len(item_codes), -1, dtype=np.int64)
    order = np.arange(len(item))[::-1]
    first[item[order]] = order  # first line of each item wins
    categories_of = []
    for i in first:
        words = re.findall(r"[A-Z]+", (desc[i] or "").upper())
        categories_of.append(words[-1] if words else "OTHER")
    categories, item_category = np.unique(np.asarray(categories_of), return_inverse=True)
    return Lines(
        customer=customer,
        basket=basket,
        item=item,
        day=day,
        quantity=quantity,
        is_gift=np.zeros(len(item), dtype=bool),
        kind=kind,
        n_customers=len(known),
        n_baskets=int(basket.max() + 1),
        n_items=len(item_codes),
        item_codes=item_codes,
        item_category=item_category.astype(np.int64),
        categories=[str(c) for c in categories],
        item_text=[desc[i] or "" for i in first],
    )
