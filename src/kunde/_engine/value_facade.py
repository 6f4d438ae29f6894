"""Engine methods for customer value beyond fit/export/score: the holdout evaluation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kunde.config import Settings
from kunde.store import Store

__all__ = ["ValueFacade"]


class ValueFacade:
    """Mixed into :class:`kunde.engine.Engine`."""

    store: Store
    settings: Settings

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
