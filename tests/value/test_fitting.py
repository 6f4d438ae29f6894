"""Collapsing histories to distinct values: whole days, weeks, near-whole and arbitrary floats."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.value._fitting import factorize


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(np.array([3.0, 0.0, 730.0, 3.0, 12.0]), id="whole-days"),
        pytest.param(np.array([3.0, 0.0, 730.0, 3.0, 12.0]) / 7.0, id="weeks"),
        pytest.param(np.array([1.5, 0.25, 1.5, 2.0, 0.25]), id="arbitrary"),
        pytest.param(np.r_[np.arange(5000.0), 3.0 + 1e-12], id="near-whole-after-head"),
        pytest.param(np.r_[np.arange(5000.0), 3.5], id="not-whole-after-head"),
        pytest.param(np.zeros(0), id="empty"),
    ],
)
def test_factorize_gives_distinct_values_and_their_index(values) -> None:
    unique, inverse = factorize(values)
    assert np.all(np.diff(unique) > 0)  # sorted, distinct
    np.testing.assert_allclose(unique[inverse], values, rtol=1e-9, atol=1e-9)
    expected = np.unique(np.round(values, 6))
    assert unique.size == expected.size
