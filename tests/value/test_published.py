"""Fits on the CDNOW sample (39-week calibration, weekly units) against published numbers."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.value import BGNBD, MBGNBD, GammaGamma, ParetoNBD


def _close(params: dict[str, float], published: dict[str, float], rel: float = 0.01) -> None:
    for name, value in published.items():
        assert params[name] == pytest.approx(value, rel=rel), name


def test_bgnbd_params_match_fader_hardie_lee_2005(cdnow) -> None:
    """Fader, Hardie & Lee (2005), "Counting your customers the easy way", CDNOW sample."""
    model = BGNBD().fit(cdnow.x, cdnow.t_x, cdnow.T)
    _close(model.params_, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)


def test_bgnbd_conditional_expectation_matches_fader_hardie_lee_2005(cdnow) -> None:
    """The paper's worked example: x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in 39 weeks."""
    model = BGNBD().fit(cdnow.x, cdnow.t_x, cdnow.T)
    expected = model.conditional_expected_purchases(39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=0.001)


def test_pareto_nbd_params_match_fader_hardie_lee_2005(cdnow) -> None:
    """Fader, Hardie & Lee (2005), "RFM and CLV", and Fader & Hardie's Pareto/NBD note."""
    model = ParetoNBD().fit(cdnow.x, cdnow.t_x, cdnow.T)
    _close(model.params_, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    assert model.log_likelihood_ == pytest.approx(-9595.0, abs=0.1)


def test_gamma_gamma_params_match_fader_hardie_2005(cdnow) -> None:
    """Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves": p, q, v on CDNOW."""
    model = GammaGamma().fit(cdnow.x, cdnow.zbar)
    _close(model.params_, {"p": 6.25, "q": 3.74, "v": 15.44})
    assert model.n_customers_ == 946
    assert model.population_mean_spend_ == pytest.approx(35.17, abs=0.01)


def test_mbgnbd_params_match_btydplus_cdnow(cdnow) -> None:
    """Batislam, Denizel & Filiztekin (2007) model; CDNOW values as estimated by BTYDplus."""
    model = MBGNBD().fit(cdnow.x, cdnow.t_x, cdnow.T)
    _close(model.params_, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614})


def test_fit_is_the_same_in_days_up_to_scale(cdnow) -> None:
    weeks = BGNBD().fit(cdnow.x, cdnow.t_x, cdnow.T)
    days = BGNBD().fit(cdnow.x, cdnow.t_x * 7, cdnow.T * 7)
    assert days.params_["alpha"] == pytest.approx(weeks.params_["alpha"] * 7, rel=1e-4)
    assert days.params_["r"] == pytest.approx(weeks.params_["r"], rel=1e-4)
    np.testing.assert_allclose(
        days.conditional_expected_purchases(273, cdnow.x, cdnow.t_x * 7, cdnow.T * 7),
        weeks.conditional_expected_purchases(39, cdnow.x, cdnow.t_x, cdnow.T),
        rtol=1e-4,
    )
