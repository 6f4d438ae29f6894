"""Keeping customer ids and other personal data out of the HTTP access log.

uvicorn logs every request line (``"GET /v1/customers/C-1/consents?x=1 HTTP/1.1" 200``). A
customer id in a path is personal data and would survive an erasure in every log file, so the
access log gets the route's shape instead (``/v1/customers/{customer_id}/consents``) and never
the query string, which may carry a ``customer_id`` too.
"""

from __future__ import annotations

import logging
import re

__all__ = ["ACCESS_LOGGER", "RedactPaths", "install_log_redaction", "redact_path"]

ACCESS_LOGGER = "uvicorn.access"
"""The logger uvicorn writes request lines to."""

_CUSTOMER_PATH = re.compile(r"^(/v1/customers/)[^/?#]+")


def redact_path(path: str) -> str:
    """``path`` without its query string and with any customer id replaced by a placeholder."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return _CUSTOMER_PATH.sub(r"\1{customer_id}", path)


class RedactPaths(logging.Filter):
    """Rewrites the path argument of uvicorn's access log records (and drops nothing)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install_log_redaction() -> None:
    """Add :class:`RedactPaths` to uvicorn's access logger once (idempotent)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactPaths) for f in logger.filters):
        logger.addFilter(RedactPaths())
