"""Engine methods for customer value: the cached scores behind the API, the holdout evaluation."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from kunde._engine import value_consent
from kunde._engine.value_cache import ScoreCache, Scores
from kunde.config import Settings
from kunde.errors import NotFittedError, NotFoundError
from kunde.store import Store

__all__ = ["ValueFacade"]

_CACHE_LOCK = threading.Lock()


class ValueFacade:
    """Mixed into :class:`kunde.engine.Engine`."""

    store: Store
    settings: Settings

    def _value_scores(self, horizon_days: int) -> Scores:
        """Every customer's scores with the stored models, cached until orders or models change.

        Raises:
            NotFittedError: the value models were never fitted.
        """
        from kunde._engine import value as _value  # scipy: loaded only when scoring

        with _CACHE_LOCK:
            cache: ScoreCache | None = getattr(self, "_value_cache", None)
            if cache is None:
                cache = ScoreCache()
                self._value_cache = cache
        artefact = _value.load_artefact(self.settings)
        if artefact is None:
            raise NotFittedError("the value models are not fitted yet: run 'kunde value fit'")
        key = (
            artefact.get("version"),
            artefact.get("fitted_at"),
            self.store.value.data_version(),
            horizon_days,
        )
        return cache.get(
            key, lambda: _value.score(self.store, self.settings, horizon_days, fit_missing=False)
        )

    def customer_value(self, customer_id: str, horizon_days: int = 365) -> dict[str, Any]:
        """One customer's predicted value with the stored models (the export's columns).

        A customer merged into another profile gets the profile's value (``customer_id`` is then
        the profile's id). A customer who objected to ``analytics`` is not valued:
        ``profiled`` is false, the numbers are ``None`` and ``not_profiled_reason`` says why.

        Segments are quintiles over all customers, so the whole base is scored once per model
        and data version and horizon, and cached.

        Raises:
            NotFoundError: unknown customer.
            NotFittedError: the value models were never fitted.
        """
        from kunde._engine import value as _value

        scores = self._value_scores(horizon_days)
        profile = self.store.identity.resolution_of([customer_id]).profile_of(customer_id)
        row = scores.row(profile)  # a merged customer is valued as their whole profile
        if row is not None:
            return {**row, "horizon_days": horizon_days, "profiled": True}
        if value_consent.objects_to_profiling(self.store, customer_id):
            return value_consent.not_profiled(customer_id, horizon_days)
        if self.store.customers.get(customer_id) is None:
            raise NotFoundError(f"Customer {customer_id!r} not found.")
        return _value.unscored_customer(customer_id, horizon_days)

    def segments(self, horizon_days: int = 365) -> dict[str, Any]:
        """Customers and predicted value per segment (aggregates, no personal data).

        Raises:
            NotFittedError: the value models were never fitted.
        """
        totals = self._value_scores(horizon_days).segments()
        return {
            "horizon_days": horizon_days,
            "customers": totals["customers"],
            "segments": [
                {**entry, "expected_value": round(entry["expected_value"], 2)}
                for entry in totals["segments"]
            ],
        }

    def value_evaluate(
        self,
        calibration_end: date,
        holdout_end: date | None = None,
        time_unit: str = "W",
        plot_dir: Path | None = None,
    ) -> dict[str, Any]:
        """Fit every purchase model up to ``calibration_end``, score it on the holdout window.

        Returns:
            ``{"calibration_end", "holdout_end", "time_unit", "horizon", "customers",
            "holdout_purchases", "models", "best_by_mae", "chosen_by_likelihood",
            "frequency_table"}`` and ``"plots"`` (written files) with ``plot_dir``; each model
            entry holds ``params``, ``log_likelihood``, ``mae``, ``bias`` and
            ``predicted_purchases``.

        Raises:
            InvalidFieldError: unknown time unit or an empty holdout window.
            InputError: no purchases in the calibration or the holdout window.
            ConvergenceError: no model could be fitted.
        """
        from kunde._engine import value_evaluate  # scipy: loaded only when evaluating

        return value_evaluate.evaluate(
            self.store, calibration_end, holdout_end, time_unit=time_unit, plot_dir=plot_dir
        )
