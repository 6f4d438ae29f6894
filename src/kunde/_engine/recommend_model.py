"""The trained recommendation model on disk: versioned, swapped atomically, reloaded cheaply.

Layout under ``KUNDE_DATA_DIR``::

    models/recommend/<version>/model.npz      arrays (sparse matrices as data/indices/indptr)
    models/recommend/<version>/manifest.json  version, trained_at, counts, settings used
    models/recommend/current.json             pointer: {"version": "<version>"}

``kunde train`` writes a version into a temporary directory, renames it into place and then
replaces ``current.json`` with ``os.replace`` — a reader sees the old version or the new one,
never half of one. A running server holds a :class:`ModelCache`: at most every
``KUNDE_RECOMMEND_RELOAD_SECONDS`` a request stats the pointer; when it changed, that request
loads the new version and swaps the reference, while other requests keep serving the old one.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde._engine.recommend_data import index_of

__all__ = ["ModelCache", "RecommendModel", "model_root", "write_model"]

FORMAT = 1
KEEP_VERSIONS = 3
_SPARSE = ("also_bought", "complements", "similarity", "features")
_POINTER = "current.json"


def model_root(data_dir: Path) -> Path:
    """Directory of the recommendation model versions."""
    return data_dir / "models" / "recommend"


@dataclass(frozen=True)
class RecommendModel:
    """One trained version, in memory.

    Attributes:
        version: the version name (sortable: training time plus a counter).
        manifest: what ``kunde train`` recorded (counts, settings, timings).
        product_ids: sorted product ids; index = position.
        names: product name per product.
        item_category: feed category index per product (-1: none).
        category_names: the feed categories.
        released_day: release day per product (-1: unknown).
        customer_ids: sorted ids of the customers with a stored personal list.
        candidates: per customer, personal candidates best first (-1 padded).
        also_bought: product × product co-purchase neighbours (CSR).
        complements: product × product cross-category lift (CSR).
        similarity: product × product neighbours of the personal ranking (CSR), used for
            "because you bought …" and for profiles changed after training.
        features: product × word text features (CSR) for new releases.
        trend: recent popularity per product.
        segment_names: sorted segments (countries); ``segment_popular`` their top products.
        new_releases: products released within the novelty window.
        as_of_day: day of the newest line the model saw.
        trained_at: when it was trained (UTC, naive ISO string in the manifest).
        absorbed_ids: customer ids that were part of another profile when it was trained
            (sorted); ``absorbed_profile`` their profile ids. A profile whose members differ
            now (a merge or unmerge since) is scored live until the next train.
    """

    version: str
    manifest: dict[str, Any]
    product_ids: NDArray[np.str_]
    names: NDArray[np.str_]
    item_category: NDArray[np.int64]
    category_names: NDArray[np.str_]
    released_day: NDArray[np.int64]
    customer_ids: NDArray[np.str_]
    candidates: NDArray[np.int32]
    also_bought: sp.csr_matrix
    complements: sp.csr_matrix
    similarity: sp.csr_matrix
    features: sp.csr_matrix
    trend: NDArray[np.float32]
    segment_names: NDArray[np.str_]
    segment_popular: NDArray[np.int32]
    new_releases: NDArray[np.int64]
    as_of_day: int
    absorbed_ids: NDArray[np.str_]
    absorbed_profile: NDArray[np.str_]

    @cached_property
    def similarity_by_column(self) -> sp.csc_matrix:
        """``similarity`` in column-major form, for slicing the columns of ranked products."""
        return sp.csc_matrix(self.similarity)

    @cached_property
    def features_by_word(self) -> sp.csr_matrix:
        """``features`` transposed (word × product), for summing a customer's products."""
        return sp.csr_matrix(self.features.T)

    @property
    def trained_at(self) -> str:
        """ISO time of training (UTC)."""
        return str(self.manifest["trained_at"])

    def product(self, product_id: str) -> int:
        """Index of a product, -1 if the model does not know it."""
        return int(index_of(self.product_ids, np.array([product_id], dtype=np.str_))[0])

    def products(self, product_ids: list[str]) -> NDArray[np.int64]:
        """Indices of products (-1 where unknown)."""
        return index_of(self.product_ids, np.array(product_ids, dtype=np.str_))

    def category_index(self, categories: list[str]) -> NDArray[np.int64]:
        """Indices of feed categories (-1 where unknown)."""
        return index_of(self.category_names, np.array(categories, dtype=np.str_))

    def customer(self, customer_id: str) -> int:
        """Row of a customer's stored personal list, -1 if there is none."""
        return int(index_of(self.customer_ids, np.array([customer_id], dtype=np.str_))[0])

    def members(self, profile_id: str) -> list[str]:
        """The customer ids the profile ``profile_id`` was made of at training, sorted."""
        others = self.absorbed_ids[self.absorbed_profile == profile_id].tolist()
        return sorted([profile_id, *others])

    def popular_for(self, segment: str) -> NDArray[np.int64]:
        """The segment's popular products, else the shop's."""
        s = int(index_of(self.segment_names, np.array([segment], dtype=np.str_))[0])
        if s >= 0:
            row: NDArray[np.int64] = self.segment_popular[s].astype(np.int64)
            return row[row >= 0]
        return self.shop_popular()

    def shop_popular(self) -> NDArray[np.int64]:
        """The shop's trending products, most popular first."""
        order = np.argsort(-self.trend, kind="stable")
        top: NDArray[np.int64] = order[self.trend[order] > 0][:200].astype(np.int64)
        return top


def _save(path: Path, arrays: dict[str, Any]) -> None:
    flat: dict[str, Any] = {}
    for name, value in arrays.items():
        if name in _SPARSE:
            m = sp.csr_matrix(value)
            flat[f"{name}__data"] = m.data.astype(np.float32)
            flat[f"{name}__indices"] = m.indices.astype(np.int32)
            flat[f"{name}__indptr"] = m.indptr.astype(np.int64)
            flat[f"{name}__shape"] = np.array(m.shape, dtype=np.int64)
        else:
            flat[name] = value
    np.savez(path, **flat)


def write_model(data_dir: Path, arrays: dict[str, Any], manifest: dict[str, Any]) -> str:
    """Write a new version and make it current atomically; return the version name.

    Older versions beyond the last few are removed (a server holds its model in memory).
    """
    root = model_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    existing = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    number = 1 + max((int(n.rsplit("-", 1)[-1]) for n in existing if "-" in n), default=0)
    version = f"{stamp}-{number:06d}"
    tmp = root / f".tmp-{version}-{os.getpid()}"
    tmp.mkdir()
    try:
        _save(tmp / "model.npz", arrays)
        full = {**manifest, "version": version, "format": FORMAT}
        (tmp / "manifest.json").write_text(json.dumps(full, indent=2, sort_keys=True), "utf-8")
        os.rename(tmp, root / version)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    pointer_tmp = root / f".{_POINTER}.{os.getpid()}.tmp"
    pointer_tmp.write_text(json.dumps({"version": version}), "utf-8")
    os.replace(pointer_tmp, root / _POINTER)
    for old in existing[: max(len(existing) + 1 - KEEP_VERSIONS, 0)]:
        shutil.rmtree(root / old, ignore_errors=True)
    return version


def _load(directory: Path, version: str) -> RecommendModel:
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    with np.load(directory / "model.npz", allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    sparse = {
        name: sp.csr_matrix(
            (
                arrays[f"{name}__data"],
                arrays[f"{name}__indices"],
                arrays[f"{name}__indptr"],
            ),
            shape=tuple(int(v) for v in arrays[f"{name}__shape"]),
        )
        for name in _SPARSE
    }
    return RecommendModel(
        version=version,
        manifest=manifest,
        product_ids=arrays["product_ids"],
        names=arrays["names"],
        item_category=arrays["item_category"].astype(np.int64),
        category_names=arrays["category_names"],
        released_day=arrays["released_day"].astype(np.int64),
        customer_ids=arrays["customer_ids"],
        candidates=arrays["candidates"].astype(np.int32),
        trend=arrays["trend"].astype(np.float32),
        segment_names=arrays["segment_names"],
        segment_popular=arrays["segment_popular"].astype(np.int32),
        new_releases=arrays["new_releases"].astype(np.int64),
        as_of_day=int(manifest["as_of_day"]),
        absorbed_ids=arrays.get("absorbed_ids", np.zeros(0, dtype=np.str_)),
        absorbed_profile=arrays.get("absorbed_profile", np.zeros(0, dtype=np.str_)),
        **sparse,
    )


class ModelCache:
    """The current model of one process, reloaded when ``kunde train`` swapped in a new one.

    Args:
        data_dir: the shop's data directory.
        every_seconds: least time between two checks of the pointer.
    """

    def __init__(self, data_dir: Path, every_seconds: float = 1.0) -> None:
        self.root = model_root(data_dir)
        self.every = every_seconds
        self._lock = threading.Lock()
        self._model: RecommendModel | None = None
        self._key: tuple[int, int, int] | None = None
        self._next_check = 0.0

    def invalidate(self) -> None:
        """Check the pointer on the next :meth:`get` (after training in this process)."""
        self._next_check = 0.0

    @property
    def current(self) -> RecommendModel | None:
        """The model in memory, without loading or checking anything (``None``: none yet)."""
        return self._model

    def due(self) -> bool:
        """Whether the next :meth:`get` loads a model or checks the pointer file."""
        return self._model is None or time.monotonic() >= self._next_check

    def confirm(self) -> bool:
        """Whether the model in memory is still the current one, checked now without loading.

        One ``stat`` of the pointer file (cheap enough for an event loop): ``True`` when it is
        unchanged (the next check is then due in ``every_seconds``, as after :meth:`get`);
        ``False`` when there is no model yet, the pointer changed (a new version to load: call
        :meth:`get`, in a thread) or another caller is checking right now.
        """
        if self._model is None or not self._lock.acquire(blocking=False):
            return False
        try:
            try:
                st = (self.root / _POINTER).stat()
            except FileNotFoundError:
                unchanged = True  # as :meth:`get`: keep serving the one we have
            else:
                unchanged = (st.st_mtime_ns, st.st_ino, st.st_size) == self._key
            if unchanged:
                self._next_check = time.monotonic() + self.every
            return unchanged
        finally:
            self._lock.release()

    def get(self) -> RecommendModel | None:
        """The current model (``None`` until one was trained)."""
        # Without a model every caller waits for the one loading it (rather than answering
        # "not trained" while the first load runs); with one, a single caller checks for a new
        # version and the others go on with the current model.
        due = self._model is None or time.monotonic() >= self._next_check
        if due and self._lock.acquire(blocking=self._model is None):
            try:
                now = time.monotonic()
                if self._model is None or now >= self._next_check:
                    self._next_check = now + self.every
                    self._refresh()
            finally:
                self._lock.release()
        return self._model

    def _refresh(self) -> None:
        pointer = self.root / _POINTER
        try:
            st = pointer.stat()
        except FileNotFoundError:
            return
        key = (st.st_mtime_ns, st.st_ino, st.st_size)
        if key == self._key:
            return
        try:
            version = str(json.loads(pointer.read_text("utf-8"))["version"])
            if self._model is None or version != self._model.version:
                self._model = _load(self.root / version, version)
            self._key = key
        except (OSError, ValueError, KeyError):
            # a version removed or being replaced under us: keep serving the one we have
            self._next_check = 0.0 if self._model is None else self._next_check
