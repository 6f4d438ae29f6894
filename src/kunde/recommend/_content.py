"""Content features of products from their text (name, description, category)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

__all__ = ["text_features"]

TOKEN_PATTERN = r"[^\p{L}\p{N}]+"


def text_features(texts: Sequence[str | None], *, min_length: int = 2) -> sp.csr_matrix:
    """TF-IDF word features of product texts, one L2-normalised row per product.

    Tokenisation runs in Arrow compute kernels (upper-case, split on anything that is not a
    letter or digit), so there is no Python loop over products. Words shorter than
    ``min_length`` characters are dropped. The idf is the smoothed ``1 + log((1 + n) / (1 + df))``
    (as in scikit-learn), so rare words weigh more and no word weighs zero.

    Args:
        texts: one text per product (``None`` counts as empty).
        min_length: shortest word kept.

    Returns:
        CSR float32 (len(texts) × vocabulary size); empty texts give an all-zero row.
    """
    arr = pa.array(list(texts), type=pa.string())
    n = len(arr)
    words = pc.split_pattern_regex(pc.utf8_upper(pc.fill_null(arr, "")), TOKEN_PATTERN)
    lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(words)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keep = pc.greater_equal(pc.utf8_length(flat), min_length).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(flat.filter(pa.array(keep)))
    cols = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    rows = rows[np.asarray(keep, dtype=bool)]
    n_words = len(encoded.dictionary)
    m = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n_words), dtype=np.float32
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    df = np.bincount(m.indices, minlength=n_words).astype(np.float64)
    idf = (1.0 + np.log((1.0 + n) / (1.0 + df))).astype(np.float32)
    m = sp.csr_matrix(m @ sp.diags(idf))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1), dtype=np.float64).ravel())
    m = sp.csr_matrix(sp.diags((1.0 / np.where(norms > 0, norms, 1.0)).astype(np.float32)) @ m)
    m.eliminate_zeros()
    return m
