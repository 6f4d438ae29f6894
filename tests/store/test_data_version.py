"""The ``customer_days`` data version: bumped by every batch that adds lines, on both stores."""

from __future__ import annotations

from pathlib import Path

from kunde.engine import Engine


def test_the_counter_moves_only_with_new_lines(any_engine: Engine, cdnow_orders: Path) -> None:
    assert any_engine.store.value.data_version() == 0
    any_engine.import_orders(cdnow_orders)
    imported = any_engine.store.value.data_version()
    assert imported > 0
    any_engine.import_orders(cdnow_orders)  # all duplicates: nothing changed
    assert any_engine.store.value.data_version() == imported
