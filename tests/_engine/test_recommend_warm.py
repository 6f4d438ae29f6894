"""Warming the page cache: the pages a server computes before they are asked for."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest

from kunde._engine.recommend_warm import PageWarmer
from kunde.engine import Engine
from kunde.errors import NotFittedError, StoreUnavailableError

from .test_recommend_pages import computed


@pytest.fixture
def server(demo_engine: Engine) -> Iterator[Engine]:
    """A fresh server process's engine on the trained demo shop (empty page cache)."""
    engine = Engine(demo_engine.settings.model_copy(update={"recommend_warm_pages": 25}))
    yield engine
    engine.close()


def fresh_page(engine: Engine, customer: str) -> bytes | None:
    return engine.fresh_recommendations_json(customer, 10, "home", ())


def test_warming_computes_the_pages_of_the_most_recently_active_customers(server: Engine) -> None:
    recent = server.store.recommend.recent_customers(1_000)
    assert len(recent) > 25
    assert server.warm_recommend_pages() == 25
    for customer in recent[:25]:
        page = fresh_page(server, customer)  # answered without computing or reading the state
        assert page is not None
        assert json.loads(page) == computed(server, customer)
    assert all(fresh_page(server, customer) is None for customer in recent[25:])


def test_warming_is_capped_by_the_page_cache_and_can_be_switched_off(demo_engine: Engine) -> None:
    for update, expected in (
        ({"recommend_warm_pages": 50, "recommend_page_cache": 10}, 10),
        ({"recommend_warm_pages": 0}, 0),
        ({"recommend_page_cache": 0}, 0),
    ):
        engine = Engine(demo_engine.settings.model_copy(update=update))
        try:
            assert engine.warm_recommend_pages() == expected
            assert (engine.start_page_warmer() is None) == (expected == 0)
        finally:
            engine.close()


def test_warming_stops_when_asked(server: Engine) -> None:
    stop = threading.Event()
    stop.set()
    assert server.warm_recommend_pages(stop) == 0


def test_the_server_warms_in_the_background_once_per_model(server: Engine) -> None:
    warmer = server.start_page_warmer()
    assert warmer is not None
    try:
        version = server.recommend_model().version
        deadline = time.monotonic() + 60
        while version not in warmer.warmed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert warmer.warmed == {version: 25}
        first = server.store.recommend.recent_customers(1)[0]
        assert fresh_page(server, first) is not None
    finally:
        warmer.stop()


class Versions:
    """An engine stand-in whose model version and failures the test sets."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.failure: Exception | None = None
        self.calls: list[str] = []
        self.called = threading.Event()

    def recommend_model_version(self) -> str | None:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure
        return self.version

    def warm_recommend_pages(self, stop: threading.Event | None = None) -> int:
        assert self.version is not None
        self.calls.append(self.version)
        self.called.set()
        return 7


def wait_for(event: threading.Event) -> None:
    assert event.wait(10), "the warmer did not warm"
    event.clear()


def test_the_warmer_warms_each_new_model_once_and_outlives_failures() -> None:
    engine = Versions()
    warmer = PageWarmer(engine, every_seconds=0.01)
    warmer.start()
    try:
        engine.failure = NotFittedError("not trained")
        time.sleep(0.1)
        assert engine.calls == []  # nothing to warm before the first model
        engine.version = "v1"
        wait_for(engine.called)
        time.sleep(0.1)
        assert engine.calls == ["v1"]  # not again while the model is the same
        engine.version = "v2"
        wait_for(engine.called)
        assert engine.calls == ["v1", "v2"]
        assert warmer.warmed == {"v1": 7, "v2": 7}
    finally:
        warmer.stop()
    assert not warmer._thread.is_alive()


def test_a_failed_warming_is_logged_and_the_thread_goes_on(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kunde._engine.recommend_warm._RETRY_SECONDS", 0.01)
    engine = Versions()
    engine.failure = StoreUnavailableError("The database cannot be reached.")
    engine.version = "v1"
    warmer = PageWarmer(engine, every_seconds=0.01)
    with caplog.at_level("WARNING", logger="kunde.recommend"):
        warmer.start()
        try:
            wait_for(engine.called)
        finally:
            warmer.stop()
    assert "warming recommendation pages failed" in caplog.text
    assert engine.calls == ["v1"]
