"""Fitting the customer-value models on the store's per-customer-day rows, and exporting them.

The fitted parameters are one JSON artefact under ``data_dir/models/value/current.json``,
written to a temporary name and swapped in atomically (``os.replace``); each fit bumps its
``version``. Next to it the fit keeps the per-customer summary it fitted on (``summary.arrow``,
:mod:`kunde._engine.value_snapshot`), which the export and the scores reuse while the store is
unchanged.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from threadpoolctl import threadpool_limits

import kunde.value
from kunde._engine import value_snapshot
from kunde._engine.value_summary import id_column, kept_summary, store_summary
from kunde.config import Settings
from kunde.errors import (
    ConvergenceError,
    InvalidFieldError,
    NotFittedError,
)
from kunde.store import Store
from kunde.value import (
    SEGMENTS,
    PurchaseModel,
    rfm_scores,
    segment_codes,
    select_by_likelihood,
)

if TYPE_CHECKING:
    from kunde.value import GammaGamma

__all__ = [
    "ARTEFACT_FORMAT",
    "MODELS",
    "UNIT_DAYS",
    "artefact_path",
    "export",
    "fit",
    "fit_purchase_model",
    "fit_purchase_models",
    "load_artefact",
    "model_class",
    "model_names",
    "score",
    "unscored_customer",
    "write_csv",
]

ARTEFACT_FORMAT = 1
UNIT_DAYS = {"D": 1.0, "W": 7.0}
MODELS: dict[str, str] = {"bgnbd": "BGNBD", "pareto_nbd": "ParetoNBD", "mbgnbd": "MBGNBD"}
"""The purchase models by name: their classes in :mod:`kunde.value` (see :func:`model_class`)."""
_EPOCH = date(1970, 1, 1)
_SEGMENT_NAMES = pa.array(SEGMENTS, type=pa.string())


def artefact_path(settings: Settings) -> Path:
    """Where the current fitted value models are stored."""
    return settings.data_dir / "models" / "value" / "current.json"


def model_class(name: str) -> type[PurchaseModel]:
    """The class of a purchase model named in :data:`MODELS` (imports scipy.special once)."""
    cls: type[PurchaseModel] = getattr(kunde.value, MODELS[name])
    return cls


def _load_fitting(names: Sequence[str]) -> None:
    """Import the named models, Gamma-Gamma and the optimiser (~0.4 s of imports; a fit runs
    this on a thread while SQLite reads the histories, which frees the GIL)."""
    for name in names:
        model_class(name)
    _spend_class()
    importlib.import_module("scipy.optimize")


def _load_scoring(chosen: str) -> None:
    """Import the chosen model and Gamma-Gamma (scipy.special) for scoring."""
    if chosen in MODELS:
        model_class(chosen)
    _spend_class()


def _spend_class() -> type[GammaGamma]:
    return kunde.value.GammaGamma


def fit_purchase_model(
    cls: type[PurchaseModel], f: np.ndarray[Any, Any], r: np.ndarray[Any, Any], t: Any
) -> PurchaseModel:
    """Plain maximum likelihood; a small penalty if that does not converge."""
    try:
        return cls().fit(f, r, t)
    except ConvergenceError:
        return cls(penalizer=0.001).fit(f, r, t)


def model_names(names: Sequence[str] | None) -> list[str]:
    """The purchase models to fit, checked: the named ones (duplicates dropped), or all.

    Raises:
        InvalidFieldError: an unknown model name.
    """
    chosen = list(MODELS) if not names else list(dict.fromkeys(names))
    unknown = [n for n in chosen if n not in MODELS]
    if unknown:
        raise InvalidFieldError("model", f"unknown {unknown[0]!r}; one of {', '.join(MODELS)}")
    return chosen


def fit_purchase_models(
    f: np.ndarray[Any, Any],
    r: np.ndarray[Any, Any],
    t: np.ndarray[Any, Any],
    names: Sequence[str] | None = None,
) -> tuple[dict[str, PurchaseModel], dict[str, str]]:
    """Fit the named purchase models (default all): (fitted models, error message per failure).

    Raises:
        InvalidFieldError: an unknown model name.
        ConvergenceError: no model could be fitted.
    """
    chosen = model_names(names)
    fitted: dict[str, PurchaseModel] = {}
    failures: dict[str, str] = {}
    for name in chosen:
        try:
            fitted[name] = fit_purchase_model(model_class(name), f, r, t)
        except ConvergenceError as exc:
            failures[name] = str(exc)
    if not fitted:
        raise ConvergenceError("; ".join(failures.values()))
    return fitted, failures


def _fit_spend(f: np.ndarray[Any, Any], m: np.ndarray[Any, Any]) -> GammaGamma:
    try:
        return _spend_class()().fit(f, m)
    except ConvergenceError:
        return _spend_class()(penalizer=0.001).fit(f, m)


def _write_atomically(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_artefact(settings: Settings) -> dict[str, Any] | None:
    """The stored artefact, or ``None`` when the value models were never fitted."""
    path = artefact_path(settings)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return data


def fit(
    store: Store,
    settings: Settings,
    as_of: date | None = None,
    time_unit: str = "W",
    models: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Fit the purchase models (default BG/NBD, Pareto/NBD and MBG/NBD) and Gamma-Gamma, choose
    the purchase model by BIC and store the artefact.

    Raises:
        InputError: no purchases to fit on.
        InvalidFieldError: unknown time unit or model name.
        ConvergenceError: no purchase model could be fitted.
    """
    if time_unit not in UNIT_DAYS:
        raise InvalidFieldError("time_unit", "must be D (days) or W (weeks)")
    names = model_names(models)
    # the models' and the optimiser's imports run while SQLite reads the histories
    threading.Thread(target=_load_fitting, args=(names,), daemon=True).start()
    data_version = store.value.data_version()  # read first: a later change makes it stale
    ids, summary = store_summary(store, as_of)
    f, r, t = summary.history(time_unit)
    keep = summary.has_purchase
    value_snapshot.save(settings, data_version, as_of, ids, summary)  # for the export
    # BLAS threads only slow L-BFGS-B's small vector steps down: on 1 M customers one thread
    # halves the fits' CPU (0.79 -> 0.36 s for BG/NBD), the woken threads spin for nothing.
    # (Gamma-Gamma on a second thread beside BG/NBD was tried: no faster, +0.2-0.3 s CPU and
    # +100 MiB peak at 1 M customers on the shared 2 cores.)
    with threadpool_limits(limits=1, user_api="blas"):
        fitted, failures = fit_purchase_models(f, r, t, names)
        spend = _fit_spend(summary.frequency[keep], summary.monetary[keep])
    if store.value.data_version() != data_version:  # e.g. an erasure meanwhile: keep no ids
        value_snapshot.discard(settings)
    choice = select_by_likelihood(fitted)

    previous = load_artefact(settings)
    result: dict[str, Any] = {
        "as_of": (_EPOCH + timedelta(days=summary.as_of)).isoformat(),
        "time_unit": time_unit,
        "customers": int(keep.sum()),
    }
    for name in MODELS:
        model = fitted.get(name)
        if model is None:
            error = failures.get(name, "not requested (--model)")
            result[name] = {"params": None, "log_likelihood": None, "error": error}
        else:
            result[name] = {
                "params": dict(model.params_),
                "log_likelihood": model.log_likelihood_,
                "bic": choice.scores[name],
            }
    result["gamma_gamma"] = {"params": dict(spend.params_), "log_likelihood": spend.log_likelihood_}
    result["chosen"] = choice.best
    artefact = {
        **result,
        "format": ARTEFACT_FORMAT,
        "version": int(previous.get("version", 0)) + 1 if previous else 1,
        "fitted_at": datetime.now(UTC).isoformat(),
        "data_version": data_version,
        "models": names,
    }
    _write_atomically(artefact_path(settings), artefact)
    return result


def _restore(artefact: dict[str, Any]) -> tuple[PurchaseModel, GammaGamma]:
    chosen = str(artefact["chosen"])
    model = model_class(chosen)()
    model.params_ = {k: float(v) for k, v in artefact[chosen]["params"].items()}
    spend = _spend_class()()
    spend.params_ = {k: float(v) for k, v in artefact["gamma_gamma"]["params"].items()}
    return model, spend


def _fitted(store: Store, settings: Settings, as_of: date | None) -> dict[str, Any]:
    """The stored artefact; fitted first (with the stored time unit and models) when none
    exists, when it is as of another day, or when the stored data changed since (orders,
    returns, merges, erasures: the ``customer_days`` counter moved)."""
    artefact = load_artefact(settings)
    if (
        artefact is None
        or (as_of is not None and artefact.get("as_of") != as_of.isoformat())
        or artefact.get("data_version") != store.value.data_version()
    ):
        previous = artefact or {}
        fit(
            store,
            settings,
            as_of=as_of,
            time_unit=str(previous.get("time_unit", "W")),
            models=previous.get("models"),
        )
        artefact = load_artefact(settings)
        assert artefact is not None
    return artefact


def score(
    store: Store,
    settings: Settings,
    horizon_days: int = 365,
    as_of: date | None = None,
    *,
    fit_missing: bool = True,
) -> pa.Table:
    """Value predictions of every customer with a purchase, one row each (the export columns).

    Raises:
        InvalidFieldError: negative horizon.
        InputError: no purchases to score.
        NotFittedError: no stored models and ``fit_missing`` is false.
    """
    if horizon_days < 0:
        raise InvalidFieldError("horizon_days", "must be >= 0")
    if fit_missing:
        artefact = _fitted(store, settings, as_of)
    else:
        stored = load_artefact(settings)
        if stored is None:
            raise NotFittedError("the value models are not fitted yet: run 'kunde value fit'")
        artefact = stored
    # the models' imports (scipy.special, ~0.2 s) run while the histories are read and ranked
    loading = threading.Thread(target=_load_scoring, args=(str(artefact["chosen"]),), daemon=True)
    loading.start()
    time_unit = str(artefact["time_unit"])
    unit = UNIT_DAYS[time_unit]
    ids, summary = kept_summary(store, settings, as_of)
    keep = summary.has_purchase
    f, r, t = summary.history(time_unit)
    monetary = summary.monetary[keep]
    horizon = horizon_days / unit
    segments = segment_codes(
        rfm_scores(summary.days_since_last[keep], f + 1.0, summary.total_value[keep]), f
    )
    loading.join()
    model, spend = _restore(artefact)
    spend_per_purchase = spend.conditional_expected_spend(f, monetary)
    p_alive, purchases = model.conditional_alive_and_expected(horizon, f, r, t)
    value = purchases * spend_per_purchase  # = expected_value(...) without discount or margin
    return pa.table(
        {
            "customer_id": id_column(ids, keep),
            "frequency": f.astype(np.int64),
            "recency_days": summary.recency_days[keep].astype(np.int64),
            "tenure_days": summary.tenure_days[keep].astype(np.int64),
            "monetary": np.round(monetary, 2),
            "p_alive": np.round(p_alive, 6),
            "expected_purchases": np.round(purchases, 6),
            "expected_value": np.round(value, 2),
            "segment": _SEGMENT_NAMES.take(pa.array(segments)),
        }
    )


def export(
    store: Store,
    settings: Settings,
    output: Path,
    horizon_days: int = 365,
    as_of: date | None = None,
) -> int:
    """Write one CSV row of value predictions per customer with a purchase; return the rows.

    The stored models are used while the stored data is unchanged since they were fitted; they
    are fitted first when none exist, when the data changed or when ``as_of`` differs from the
    day they were fitted as of.

    Raises:
        InvalidFieldError: negative horizon.
        InputError: no purchases to score.
    """
    table = score(store, settings, horizon_days, as_of)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, output)
    return int(table.num_rows)


def write_csv(table: pa.Table, output: Path, rows_per_part: int = 200_000) -> None:
    """``table`` as CSV (strings quoted, header first): parts of ``rows_per_part`` rows are
    formatted by two threads (Arrow releases the GIL) and written in order."""

    def part(start: int) -> bytes:
        sink = pa.BufferOutputStream()
        options = pacsv.WriteOptions(
            include_header=start == 0, batch_size=rows_per_part, quoting_style="needed"
        )
        pacsv.write_csv(table.slice(start, rows_per_part), sink, options)
        data: bytes = sink.getvalue().to_pybytes()
        return data

    starts = range(0, max(table.num_rows, 1), rows_per_part)
    with ThreadPoolExecutor(2, thread_name_prefix="kunde-csv") as pool, output.open("wb") as f:
        for data in pool.map(part, starts):
            f.write(data)


def unscored_customer(customer_id: str, horizon_days: int) -> dict[str, Any]:
    """The value entry of a known customer without any purchase."""
    return {
        "customer_id": customer_id,
        "frequency": 0,
        "recency_days": 0,
        "tenure_days": 0,
        "monetary": 0.0,
        "p_alive": None,
        "expected_purchases": 0.0,
        "expected_value": 0.0,
        "segment": None,
        "horizon_days": horizon_days,
        "profiled": True,
    }
