"""Orders and their lines: model, readers, formats, column maps, rejects."""

from __future__ import annotations

from kunde.orders._model import ImportSummary, LineIn, OrderIn, OrdersResult

__all__ = ["ImportSummary", "LineIn", "OrderIn", "OrdersResult"]
