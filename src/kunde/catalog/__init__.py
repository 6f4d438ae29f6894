"""Products, category tree, releases."""

from __future__ import annotations

from kunde.catalog._model import ProductIn

__all__ = ["ProductIn"]
