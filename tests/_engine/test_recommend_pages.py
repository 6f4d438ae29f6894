"""The page cache: pages equal freshly computed ones, and every change counts on the next request.

A "server" here is a second :class:`Engine` on the same database and model files, with its own
page cache (as a second worker process has); changes go through the other engine or through a
separate Python process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kunde._engine.recommend_pages import PageCache, page_json
from kunde.config import Settings
from kunde.engine import Engine
from kunde.orders import OrderIn

from .test_recommend_identity import merge
from .test_recommend_serve import ADMIN, PERSONAL_CODES, consent, loyal_customers


@pytest.fixture
def server(demo_engine: Engine) -> Iterator[Engine]:
    """Another engine on the demo shop's files: a second worker with its own page cache."""
    engine = Engine(demo_engine.settings)
    yield engine
    engine.close()


def computed(engine: Engine, customer: str, **request: Any) -> dict[str, Any]:
    """The page computed from the store without any cache."""
    page = page_json(
        engine.store, engine.settings, engine.recommend_model(), PageCache(0), customer, **request
    )
    decoded: dict[str, Any] = json.loads(page)
    return decoded


def served(engine: Engine, customer: str) -> dict[str, Any]:
    """The page as the server answers it, checked against a fresh computation."""
    page = engine.recommendations(customer)
    assert page == computed(engine, customer)
    return page


def warm(engine: Engine, customer: str) -> dict[str, Any]:
    """Serve the page twice; the second comes from the cache."""
    pages = engine.recommend_pages()
    first = served(engine, customer)
    hits = pages.hits
    assert served(engine, customer) == first
    assert pages.hits == hits + 1
    return first


def test_cached_pages_equal_computed_pages(demo_engine: Engine) -> None:
    model = demo_engine.recommend_model()
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    pages = demo_engine.recommend_pages()
    for customer in [*loyal_customers(demo_engine, 4), *model.customer_ids[:20].tolist()]:
        requests: list[dict[str, Any]] = [
            {},
            {"k": 5},
            {"context": "cart", "context_products": [product]},
        ]
        for request in requests:
            args = (request.get("k", 10), request.get("context", "home"))
            ids = request.get("context_products", [])
            first = demo_engine.recommendations(customer, *args, ids)
            misses = pages.misses
            assert demo_engine.recommendations(customer, *args, ids) == first
            assert pages.misses == misses  # the second came from the cache
            assert first == computed(demo_engine, customer, **request)
    assert 0 < len(pages) <= demo_engine.settings.recommend_page_cache


def test_no_cache_when_switched_off(demo_engine: Engine) -> None:
    settings = Settings(**{**demo_engine.settings.model_dump(), "recommend_page_cache": 0})
    engine = Engine(settings)
    customer = loyal_customers(engine, 1)[0]
    assert served(engine, customer) == served(engine, customer)
    assert len(engine.recommend_pages()) == 0
    assert engine.recommend_pages().hits == 0
    engine.close()


def test_the_cache_keeps_the_last_pages(demo_engine: Engine) -> None:
    settings = Settings(**{**demo_engine.settings.model_dump(), "recommend_page_cache": 3})
    engine = Engine(settings)
    customers = engine.recommend_model().customer_ids[:5].tolist()
    for customer in customers:
        served(engine, customer)
    assert len(engine.recommend_pages()) == 3
    hits = engine.recommend_pages().hits
    served(engine, customers[-1])  # kept
    served(engine, customers[0])  # dropped: computed again
    assert engine.recommend_pages().hits == hits + 1
    engine.close()


def test_every_change_in_another_worker_counts_on_the_next_request(
    demo_engine: Engine, server: Engine
) -> None:
    customer, other = loyal_customers(demo_engine, 2)
    consent(demo_engine, customer)
    page = warm(server, customer)
    assert page["personal"] is True

    consent(demo_engine, customer, granted=False)  # withdrawn
    assert served(server, customer)["basis"] == "no_consent"
    warm(server, customer)
    consent(demo_engine, customer)  # granted again
    assert served(server, customer)["personal"] is True

    top = demo_engine.interests(customer)["interests"][0]["category"]
    warm(server, customer)
    demo_engine.remove_interest(ADMIN, customer, top)  # a removed interest
    page = served(server, customer)
    assert all(i["category"] != top for i in page["items"] if i["reason_code"] != "editorial")

    warm(server, customer)
    demo_engine.reset_personalization(ADMIN, customer)  # reset
    page = served(server, customer)
    assert page["basis"] == "no_history"
    assert not {i["reason_code"] for i in page["items"]} & PERSONAL_CODES

    warm(server, customer)
    model = demo_engine.recommend_model()
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    later = datetime.now().replace(microsecond=0) + timedelta(seconds=2)
    order = {
        "order_id": "PAGE-CACHE-1",
        "customer_id": customer,
        "ordered_at": later,
        "lines": [{"product_id": product, "quantity": 1, "unit_price": 5.0}],
    }
    demo_engine.add_orders([OrderIn.model_validate(order)])  # an order
    page = served(server, customer)
    assert page["personal"] is True
    assert product not in {i["product_id"] for i in page["items"]}

    warm(server, customer)
    picks = model.product_ids[-3:].tolist()
    demo_engine.put_editorial(picks, share=0.3)  # new editorial picks
    page = served(server, customer)
    assert set(picks) & {i["product_id"] for i in page["items"] if i["reason_code"] == "editorial"}

    consent(demo_engine, other)
    warm(server, other)
    merge_id = merge(demo_engine, customer, other)  # merged into customer
    assert served(server, other)["profile_id"] == customer
    warm(server, other)
    demo_engine.undo_merge(ADMIN, merge_id)  # and separated again
    assert served(server, other)["profile_id"] == other


def test_a_change_in_another_process_counts_on_the_next_request(demo_engine: Engine) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    consent(demo_engine, customer)
    assert warm(demo_engine, customer)["personal"] is True
    script = textwrap.dedent(
        f"""
        from kunde.engine import Engine
        from kunde.privacy import Actor, ConsentChange
        engine = Engine()
        change = ConsentChange(
            purpose="personalization", granted=False, policy_version="v1", source="web"
        )
        engine.record_consents(Actor(key_id=None, role="admin"), {customer!r}, [change])
        engine.close()
        """
    )
    env = {
        **os.environ,
        "KUNDE_DATABASE_URL": demo_engine.settings.database_url,
        "KUNDE_DATA_DIR": str(demo_engine.settings.data_dir),
        "KUNDE_ENVIRONMENT": "test",
    }
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)
    page = served(demo_engine, customer)
    assert page["personal"] is False
    assert page["basis"] == "no_consent"


@pytest.fixture(params=["memory", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unversioned(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A small trained shop on a database without a commit version."""
    memory = request.param == "memory"
    url = "sqlite://" if memory else request.getfixturevalue("postgres_url")
    engine = Engine(Settings(database_url=url, data_dir=tmp_path / "data", environment="test"))
    engine.build_demo(seed=7, customers=60)
    yield engine
    engine.close()


def test_without_a_commit_version_every_request_reads_the_state(unversioned: Engine) -> None:
    assert unversioned.store.commit_version() is None
    customer = loyal_customers(unversioned, 1)[0]
    consent(unversioned, customer)
    pages = unversioned.recommend_pages()
    first = warm(unversioned, customer)  # from the page cache, after reading the state
    assert first["personal"] is True
    assert pages.fresh_hits == 0
    assert unversioned.fresh_recommendations_json(customer, 10, "home", []) is None
    consent(unversioned, customer, granted=False)
    assert served(unversioned, customer)["basis"] == "no_consent"
    assert pages.fresh_hits == 0


def test_a_current_page_is_answered_without_reading_the_state(demo_engine: Engine) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    pages = demo_engine.recommend_pages()
    first = demo_engine.recommendations_json(customer)
    fresh = pages.fresh_hits
    assert demo_engine.recommendations_json(customer) == first
    assert demo_engine.fresh_recommendations_json(customer, 10, "home", []) == first
    assert pages.fresh_hits == fresh + 2
    assert demo_engine.fresh_recommendations_json(customer, 9, "home", []) is None
    consent(demo_engine, customer)  # a commit: nothing is current any more
    assert demo_engine.fresh_recommendations_json(customer, 10, "home", []) is None
