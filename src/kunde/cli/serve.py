"""``kunde serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import os
import shutil
import tempfile

import typer

from kunde.cli import _common

__all__ = ["serve"]

_APP = "kunde.api:create_app"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs); brings the schema up to date first."""
    import uvicorn  # only here: every other command starts faster without it

    engine = _common.engine()
    engine.init()  # once, here, rather than racing in every worker
    engine.close()
    metrics_dir = None
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker is its own process; /metrics must add up all of them.
        metrics_dir = tempfile.mkdtemp(prefix="kunde-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    _common.err.print(f"kunde serves on http://{host}:{port} (docs at /docs)")
    try:
        uvicorn.run(_APP, factory=True, host=host, port=port, workers=workers, log_level="info")
    finally:
        if metrics_dir is not None:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]
            shutil.rmtree(metrics_dir, ignore_errors=True)
