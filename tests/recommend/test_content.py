"""Text features of products."""

from __future__ import annotations

import numpy as np

from kunde.recommend import text_features


def test_rows_are_unit_length_and_share_words() -> None:
    f = text_features(["Red Lantern", "red lantern, large", "Tea towel", None, "a"])
    norms = np.sqrt(np.asarray(f.multiply(f).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms[:3], 1.0, rtol=1e-5)
    assert norms[3] == 0.0 and norms[4] == 0.0  # empty text and one-letter words give no features
    sim = (f @ f.T).toarray()
    assert sim[0, 1] > 0.5
    assert sim[0, 2] == 0.0


def test_rare_words_weigh_more() -> None:
    f = text_features(["blue mug", "blue cup", "blue plate", "green mug"]).toarray()
    # in "blue mug" the rarer word "mug" outweighs "blue", shared by three products
    row = f[0][f[0] > 0]
    assert len(row) == 2 and row.max() > row.min()
