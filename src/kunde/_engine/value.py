"""Fitting the customer-value models on the store's per-customer-day rows, and exporting them.

The fitted parameters are one JSON artefact under ``data_dir/models/value/current.json``,
written to a temporary name and swapped in atomically (``os.replace``); each fit bumps its
``version``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from threadpoolctl import threadpool_limits

from kunde._engine import value_snapshot
from kunde._engine.value_consent import objected_mask, objected_profiles
from kunde.config import Settings
from kunde.errors import (
    ConvergenceError,
    InputError,
    InvalidFieldError,
    NotFittedError,
)
from kunde.privacy import consent_mask
from kunde.store import Store
from kunde.store.value import CustomerDays
from kunde.value import (
    BGNBD,
    MBGNBD,
    SEGMENTS,
    CustomerSummary,
    GammaGamma,
    ParetoNBD,
    PurchaseModel,
    rfm_scores,
    segment_codes,
    select_by_likelihood,
    summarize_customer_days,
    summarize_customer_totals,
)

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
    "model_names",
    "score",
    "unscored_customer",
]

ARTEFACT_FORMAT = 1
UNIT_DAYS = {"D": 1.0, "W": 7.0}
MODELS: dict[str, type[PurchaseModel]] = {
    "bgnbd": BGNBD,
    "pareto_nbd": ParetoNBD,
    "mbgnbd": MBGNBD,
}
_EPOCH = date(1970, 1, 1)
Ids: TypeAlias = "pa.Array | np.ndarray[Any, np.dtype[np.object_]]"
"""Customer ids aligned with a summary: Arrow strings, or a numpy array of Python strings."""
_SEGMENT_NAMES = pa.array(SEGMENTS, type=pa.string())


def artefact_path(settings: Settings) -> Path:
    """Where the current fitted value models are stored."""
    return settings.data_dir / "models" / "value" / "current.json"


def _summary(store: Store, as_of: date | None, *, ids: bool = True) -> tuple[Ids, CustomerSummary]:
    """Every profile's purchase history: customers merged into one profile count as one, a day
    several of them bought on once (the summary counts distinct days per index).

    Without ``as_of``, the per-customer totals the store keeps up to date are read (one row per
    customer); only the customers in an active merge are summarised again from their days. With
    ``as_of``, the days up to it are read and summarised. Ids come in no particular order.
    """
    if as_of is None:
        return _current_summary(store, ids=ids)
    rows = store.value.customer_days(as_of)
    if rows.day.size == 0 or not np.any(rows.purchase_lines > 0):
        raise InputError("no purchases stored (up to the as-of date): import orders first")
    return _days_summary(store, rows, as_of)


def _days_summary(
    store: Store, rows: CustomerDays, as_of: date | int | None, *, part: bool = False
) -> tuple[np.ndarray[Any, np.dtype[np.object_]], CustomerSummary]:
    """``part``: the rows are only some customers' (merged profiles), so none left is fine."""
    ids, customer = rows.customer_ids, rows.customer
    resolution = store.identity.resolution()
    if resolution.absorbed:  # one vectorised remap of customer indexes to profile indexes
        profiles = resolution.resolve(ids).astype(str)
        unique, to_profile = np.unique(profiles, return_inverse=True)
        ids, customer = unique.astype(object), to_profile.reshape(-1)[customer]
    # an objection to analytics: the profile has no purchase day, so it is neither fitted,
    # scored nor counted in a segment
    purchase_day = (rows.purchase_lines > 0) & ~objected_mask(store, ids)[customer]
    if not part and not purchase_day.any():
        raise InputError("every customer with purchases objected to analytics: nobody to value")
    summary = summarize_customer_days(
        customer,
        rows.day,
        rows.purchased + rows.returned,
        as_of=as_of,
        purchase_day=purchase_day,
        n_customers=int(ids.shape[0]),
    )
    return ids, summary


def _current_summary(store: Store, *, ids: bool = True) -> tuple[Ids, CustomerSummary]:
    """The summary as of the latest stored day, from ``customer_summaries``; customers in an
    active merge are summarised again from their days, as one per profile.

    The ids are the store's Arrow column when nobody is merged or objected, else a numpy
    array. Without ``ids``, neither ids nor net revenue are read unless there are merges or
    objections: the ids returned are then empty.
    """
    merges = bool(store.identity.resolution().absorbed)
    objected = objected_profiles(store)
    totals = store.value.customer_totals(ids=ids or merges or bool(objected))
    if not np.any(totals.purchase_days > 0):
        raise InputError("no purchases stored (up to the as-of date): import orders first")
    as_of = int(totals.last_activity_day.max())
    summary = summarize_customer_totals(
        totals.first_purchase_day,
        totals.last_purchase_day,
        totals.purchase_days,
        totals.net_revenue,
        totals.repeat_net_revenue,
        as_of=as_of,
    )
    if objected:  # an objection to analytics: neither fitted, scored nor counted in a segment
        kept = ~consent_mask(totals.customer_ids, objected)
        if not np.any(totals.purchase_days[kept] > 0):
            raise InputError("every customer with purchases objected to analytics: nobody to value")
        totals_ids = totals.customer_ids[kept]
        summary = summary.take(kept)
    elif not merges:
        return totals.id_column, summary
    else:
        totals_ids = totals.customer_ids
    if not merges:
        return totals_ids, summary
    rows = store.value.customer_days(merged_only=True)
    every = pa.array(totals_ids, pa.string())
    merged = pc.is_in(every, value_set=pa.array(rows.customer_ids, pa.string()))
    alone = ~np.asarray(merged.to_numpy(zero_copy_only=False), dtype=bool)
    profile_ids, profiles = _days_summary(store, rows, as_of, part=True)
    return (
        np.concatenate([totals_ids[alone], profile_ids]),
        summary.take(alone).concat(profiles),
    )


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
            fitted[name] = fit_purchase_model(MODELS[name], f, r, t)
        except ConvergenceError as exc:
            failures[name] = str(exc)
    if not fitted:
        raise ConvergenceError("; ".join(failures.values()))
    return fitted, failures


def _fit_spend(f: np.ndarray[Any, Any], m: np.ndarray[Any, Any]) -> GammaGamma:
    try:
        return GammaGamma().fit(f, m)
    except ConvergenceError:
        return GammaGamma(penalizer=0.001).fit(f, m)


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
    data_version = store.value.data_version()  # read first: a later change makes it stale
    ids, summary = _summary(store, as_of)
    value_snapshot.save(settings, data_version, as_of, ids, summary)  # for the export
    if store.value.data_version() != data_version:  # e.g. an erasure meanwhile: keep no ids
        value_snapshot.discard(settings)
    f, r, t = summary.history(time_unit)
    keep = summary.has_purchase
    # BLAS threads only slow L-BFGS-B's small vector steps down: on 1 M customers one thread
    # halves the fits' CPU (0.79 -> 0.36 s for BG/NBD), the woken threads spin for nothing
    with threadpool_limits(limits=1, user_api="blas"):
        fitted, failures = fit_purchase_models(f, r, t, names)
        spend = _fit_spend(summary.frequency[keep], summary.monetary[keep])
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
    model = MODELS[chosen]()
    model.params_ = {k: float(v) for k, v in artefact[chosen]["params"].items()}
    spend = GammaGamma()
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


def _kept_summary(
    store: Store, settings: Settings, as_of: date | None
) -> tuple[Ids, CustomerSummary]:
    """The summary the last fit kept while the store is unchanged since, else read afresh."""
    kept = value_snapshot.load(settings, store.value.data_version(), as_of)
    return kept if kept is not None else _summary(store, as_of)


def _kept_ids(ids: Ids, keep: np.ndarray[Any, Any]) -> pa.Array:
    if isinstance(ids, pa.Array):
        return ids if bool(keep.all()) else ids.filter(pa.array(keep))
    return pa.array(ids[keep], type=pa.string())


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
    model, spend = _restore(artefact)
    time_unit = str(artefact["time_unit"])
    unit = UNIT_DAYS[time_unit]
    ids, summary = _kept_summary(store, settings, as_of)
    keep = summary.has_purchase
    f, r, t = summary.history(time_unit)
    monetary = summary.monetary[keep]
    horizon = horizon_days / unit
    spend_per_purchase = spend.conditional_expected_spend(f, monetary)
    segments = segment_codes(
        rfm_scores(summary.days_since_last[keep], f + 1.0, summary.total_value[keep]), f
    )
    purchases = model.conditional_expected_purchases(horizon, f, r, t)
    value = purchases * spend_per_purchase  # = expected_value(...) without discount or margin
    return pa.table(
        {
            "customer_id": _kept_ids(ids, keep),
            "frequency": f.astype(np.int64),
            "recency_days": summary.recency_days[keep].astype(np.int64),
            "tenure_days": summary.tenure_days[keep].astype(np.int64),
            "monetary": np.round(monetary, 2),
            "p_alive": np.round(model.conditional_probability_alive(f, r, t), 6),
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
    pacsv.write_csv(table, output, pacsv.WriteOptions(quoting_style="needed"))
    return int(table.num_rows)


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
