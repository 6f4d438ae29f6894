"""The public names of the API package and the engine's access types."""

from __future__ import annotations

import kunde.api
import kunde.engine


def test_api_exports_only_the_factory() -> None:
    assert kunde.api.__all__ == ["create_app"]


def test_engine_exports_the_access_types() -> None:
    assert {"Engine", "Permission", "Principal"} <= set(kunde.engine.__all__)
