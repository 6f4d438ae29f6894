"""The error responses routes document in OpenAPI."""

from __future__ import annotations

from typing import Any

from kunde.api.schemas import ErrorOut, ValidationErrorOut

__all__ = ["errors"]

_DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one.",
    403: "The key's role may not do this.",
    404: "Unknown id.",
    409: "Conflicts with what is stored.",
    413: "The body is larger than KUNDE_MAX_BODY_BYTES.",
    422: "Invalid input; one entry per problem, with its location.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    return {
        status: {
            "model": ValidationErrorOut if status == 422 else ErrorOut,
            "description": _DESCRIPTIONS[status],
        }
        for status in statuses
    }
