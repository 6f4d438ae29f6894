"""Streaming a zip that the engine writes: spooled to a temporary file, sent in chunks."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

__all__ = ["ZIP_RESPONSE", "zip_download"]

_IN_MEMORY = 8 * 1024 * 1024  # larger exports go to a temporary file
_CHUNK = 64 * 1024

ZIP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A zip of JSON and CSV files with a README.txt.",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}
"""The OpenAPI ``responses`` entry of a zip download."""


def zip_download(write: Callable[[IO[bytes]], object], filename: str) -> StreamingResponse:
    """Let ``write`` fill a spooled temporary file, then stream it in 64 KiB chunks."""
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 closed below
    try:
        write(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        while chunk := spool.read(_CHUNK):
            yield chunk

    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        background=BackgroundTask(spool.close),
    )
