"""Building the demo shop into a store: generate, write canonical files, import, train."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

import numpy as np
import pyarrow.compute as pc

from kunde._engine.access import hash_key
from kunde.demo import DemoShop, generate_shop, write_shop
from kunde.errors import ConfigurationError

if TYPE_CHECKING:
    from kunde.engine import Engine

__all__ = ["build_demo", "demo_admin_key"]

_KEY_MARKER = "admin-key.sha256"
"""Hash (never the key) of the admin key the demo created, to know whether it still works."""


def build_demo(
    engine: Engine, *, seed: int = 7, customers: int = 2000, progress: bool = False
) -> dict[str, object]:
    """Generate the demo shop, import it through the ordinary importers and fit the models.

    Running it again on the same database changes nothing: the imports are idempotent and
    profiles are replaced by identical ones.

    Returns:
        ``{"directory", "seed", "customers", "products", "orders", "events", "value",
        "consents", "recommend", "example_customer_id", "example_product_id"}``: the import
        entries are the ``--json`` summaries of ``kunde import``, ``consents`` how many starting
        consent entries were recorded, ``value`` what ``value_fit()`` returned, ``recommend``
        the manifest of ``train_recommend()``.

    Raises:
        ConfigurationError: the settings say production (the demo writes made-up customers).
    """
    if engine.settings.environment == "production":
        raise ConfigurationError(
            "kunde demo writes made-up customers and orders; it does not run with "
            "KUNDE_ENVIRONMENT=production. Point KUNDE_DATABASE_URL at a scratch database."
        )
    engine.init()
    shop = generate_shop(seed=seed, customers=customers)
    directory = engine.settings.data_dir / "demo"
    paths = write_shop(shop, directory)
    written = engine.upsert_customers(shop.profiles())
    customer_id, product_id = _examples(shop)
    consents = _starting_consents(engine, shop, example=customer_id)
    products = engine.import_products(paths["products"])
    orders = engine.import_orders(paths["orders"], progress=progress)
    events = engine.import_events(paths["events"])
    value = engine.value_fit()
    recommend = engine.train_recommend()
    return {
        "directory": str(directory),
        "seed": seed,
        "customers": written,
        "products": products.as_dict(),
        "orders": orders.as_dict(),
        "events": events.as_dict(),
        "consents": consents,
        "value": value,
        "recommend": recommend,
        "example_customer_id": customer_id,
        "example_product_id": product_id,
    }


PERSONALIZATION_SHARE = 0.7
"""Share of demo customers who agreed to personalization (the rest see a non-personal feed)."""
EMAIL_MARKETING_SHARE = 0.45
"""Share of demo customers who subscribed to e-mail marketing."""


def _starting_consents(engine: Engine, shop: DemoShop, *, example: str) -> int:
    """Record the demo customers' consents as a checkout would (only into empty ledgers).

    A deterministic 70 % agreed to personalization and 45 % to e-mail marketing; the example
    customer shown by ``kunde demo`` agreed to personalization, so that the personal feed
    can be tried at once.
    """
    from kunde.privacy import ConsentChange, Purpose

    ids = np.asarray(shop.customers.column("customer_id").to_pylist(), dtype=object)
    draw = np.random.default_rng(shop.seed + 1).random((2, len(ids)))
    personal = (draw[0] < PERSONALIZATION_SHARE) | (ids == example)
    email = draw[1] < EMAIL_MARKETING_SHARE

    def change(purpose: Purpose) -> ConsentChange:
        return ConsentChange(
            purpose=purpose, granted=True, policy_version="demo-2025-01", source="web"
        )

    entries = [(str(c), change(Purpose.PERSONALIZATION)) for c in ids[personal]]
    entries += [(str(c), change(Purpose.EMAIL_MARKETING)) for c in ids[email]]
    recorded_at = datetime.combine(shop.today, time(9, 0))
    return engine.store.consents.seed(entries, recorded_at=recorded_at, recorded_by="demo")


def _examples(shop: DemoShop) -> tuple[str, str]:
    """A loyal customer and a best seller, to try the API with."""
    truth = shop.truth
    loyal = int(np.argmax(truth["observed_purchases"].to_numpy() * truth["alive"].to_numpy()))
    counts = pc.value_counts(pc.drop_null(shop.lines["product_id"]))
    values = counts.field("values").to_pylist()
    ranked = sorted(
        zip(counts.field("counts").to_pylist(), values, strict=True),
        key=lambda pair: (-pair[0], pair[1]),
    )
    best_seller = next(product for _, product in ranked if product != "POST")
    return str(truth["customer_id"][loyal]), str(best_seller)


def demo_admin_key(engine: Engine, *, new: bool = False) -> str | None:
    """An admin key for trying the demo's API, or ``None`` when the demo already made one.

    The key itself is only returned (to be printed once). Its hash is kept beside the demo's
    files so that a rerun knows the earlier key still works and creates no new one.

    Args:
        engine: the demo's engine.
        new: create a new key even if the earlier one still works.
    """
    marker = engine.settings.data_dir / "demo" / _KEY_MARKER
    if not new and marker.exists():
        record = engine.store.keys.find_by_hash(marker.read_text(encoding="ascii").strip())
        if record is not None and record.revoked_at is None:
            return None
    key = engine.create_key("admin", name="demo")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(hash_key(key) + "\n", encoding="ascii")
    return key
