"""``kunde serve``'s app warms its page cache when it starts: the first request finds its page."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from kunde.api import create_app
from kunde.config import get_settings
from kunde.engine import Engine


def test_the_served_app_warms_pages_at_start_up(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = demo_engine.settings
    monkeypatch.setenv("KUNDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KUNDE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("KUNDE_ENVIRONMENT", "test")
    monkeypatch.setenv("KUNDE_RECOMMEND_WARM_PAGES", "20")
    get_settings.cache_clear()
    key = demo_engine.create_key("integration")
    newest = demo_engine.store.recommend.recent_customers(1)[0]
    try:
        with TestClient(create_app()) as client:
            warmer = client.app.state.page_warmer  # type: ignore[attr-defined]
            deadline = time.monotonic() + 60
            while not warmer.warmed and time.monotonic() < deadline:
                time.sleep(0.05)
            assert list(warmer.warmed.values()) == [20]
            pages = client.app.state.engine.recommend_pages()  # type: ignore[attr-defined]
            misses = pages.misses
            response = client.get(
                f"/v1/customers/{newest}/recommendations",
                headers={"Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 200
            assert pages.misses == misses  # the page was ready
        assert not warmer._thread.is_alive()  # stopped with the app
    finally:
        get_settings.cache_clear()
