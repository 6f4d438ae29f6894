"""kunde's HTTP API: ``create_app`` builds the FastAPI application that ``kunde serve`` runs."""

from __future__ import annotations

from kunde.api.app import create_app

__all__ = ["create_app"]
