"""CDNOW fixtures: the calibration summary and the raw sample with its 39-week holdout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class CdnowSummary:
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    zbar: np.ndarray


@dataclass(frozen=True)
class CdnowSample:
    customer: np.ndarray  # 0-based sample customer index
    day: np.ndarray  # datetime64[D]
    cds: np.ndarray
    value: np.ndarray


@pytest.fixture(scope="session")
def cdnow() -> CdnowSummary:
    """The published 39-week calibration summary (weeks)."""
    data = np.loadtxt(
        FIXTURES / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1
    )
    return CdnowSummary(x=data[:, 1], t_x=data[:, 2], T=data[:, 3], zbar=data[:, 4])


@pytest.fixture(scope="session")
def cdnow_sample() -> CdnowSample:
    """The raw CDNOW sample: one row per purchase."""
    raw = np.loadtxt(FIXTURES / "CDNOW_sample.txt", dtype=str)
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]], dtype="datetime64[D]")
    return CdnowSample(
        customer=raw[:, 1].astype(np.int64) - 1,
        day=dates,
        cds=raw[:, 3].astype(np.int64),
        value=raw[:, 4].astype(np.float64),
    )
