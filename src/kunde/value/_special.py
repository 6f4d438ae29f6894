"""A Gauss hypergeometric function that does not return NaN where scipy's does."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = ["hyp2f1"]

FloatArray = npt.NDArray[np.float64]

_MAX_TERMS = 1_000_000


def hyp2f1(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike, z: npt.ArrayLike) -> FloatArray:
    """2F1(a, b; c; z) for 0 <= z < 1 and c > 0.

    scipy's implementation is accurate for the parameters these models use but returns NaN or
    infinity for some integer parameters (e.g. a = b = 1, c = 101, z = 0.9; scipy 1.17). Those
    entries are recomputed by the power series, which converges for |z| < 1 (a loop over terms,
    vectorised over the failing entries only).
    """
    a_, b_, c_, z_ = (np.asarray(v, dtype=np.float64) for v in (a, b, c, z))
    with np.errstate(all="ignore"):
        out: FloatArray = np.asarray(special.hyp2f1(a_, b_, c_, z_), dtype=np.float64)
    bad = ~np.isfinite(out)
    if not np.any(bad):
        return out
    shape = out.shape
    a_, b_, c_, z_ = (np.broadcast_to(v, shape)[bad] for v in (a_, b_, c_, z_))
    term = np.ones(a_.shape)
    total = np.ones(a_.shape)
    todo = np.arange(a_.size)
    for n in range(_MAX_TERMS):
        term[todo] *= (a_[todo] + n) * (b_[todo] + n) / ((c_[todo] + n) * (n + 1.0)) * z_[todo]
        total[todo] += term[todo]
        todo = todo[np.abs(term[todo]) > 1e-17 * np.abs(total[todo])]
        if todo.size == 0:
            break
    out = out.copy()
    out[bad] = total
    return out
