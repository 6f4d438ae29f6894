"""One exception hierarchy for kunde.

Every error knows the HTTP status the API answers with and the exit code the CLI ends with::

    KundeError                      500 / 1
    ├── InputError                  422 / 2   unusable input or arguments, nothing written
    │   ├── UnreadableFileError     422 / 2   not CSV/Parquet, undecodable, missing columns
    │   └── InvalidFieldError       422 / 2   one field is wrong (carries the field name)
    ├── NotFoundError               404 / 2   unknown customer, product, order, ...
    ├── ConflictError               409 / 1   e.g. an order id re-posted with other content
    ├── AuthenticationError         401 / 2   no or unknown API key / token
    ├── PermissionDeniedError       403 / 2   the role may not do this
    ├── PayloadTooLargeError        413 / 2   body over the configured limit
    ├── NotFittedError              409 / 1   a model was used before it was trained/fitted
    ├── ConvergenceError            422 / 1   a model fit did not converge (says what to try)
    ├── ConfigurationError          500 / 2   unsafe or inconsistent settings
    └── StoreUnavailableError       503 / 1   the database cannot be reached
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "ConvergenceError",
    "ErasedCustomerError",
    "InputError",
    "InvalidFieldError",
    "KundeError",
    "NotFittedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "StoreUnavailableError",
    "UnreadableFileError",
]


class KundeError(Exception):
    """Base of every error kunde raises on purpose."""

    http_status: int = 500
    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(KundeError):
    """The input or the arguments cannot be used; nothing was written."""

    http_status = 422
    exit_code = 2


class UnreadableFileError(InputError):
    """A file cannot be read at all (format, encoding or missing required columns)."""


class InvalidFieldError(InputError):
    """One field of the input is invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.detail = message


class NotFoundError(KundeError):
    """An id that kunde does not know."""

    http_status = 404
    exit_code = 2


class ConflictError(KundeError):
    """The request conflicts with what is stored."""

    http_status = 409
    exit_code = 1


class ErasedCustomerError(ConflictError):
    """The data names a customer who was erased at their request: kunde stores nothing new
    about them (the erasure register recognises them by a keyed digest)."""


class AuthenticationError(KundeError):
    """No credentials, or credentials kunde does not know."""

    http_status = 401
    exit_code = 2


class PermissionDeniedError(KundeError):
    """The credentials are valid but their role may not do this."""

    http_status = 403
    exit_code = 2


class PayloadTooLargeError(KundeError):
    """The request body is larger than the configured limit."""

    http_status = 413
    exit_code = 2


class NotFittedError(KundeError):
    """A model was used before it was fitted or trained."""

    http_status = 409
    exit_code = 1


class ConvergenceError(KundeError):
    """A model fit did not converge; the message says what to try."""

    http_status = 422
    exit_code = 1


class ConfigurationError(KundeError):
    """Settings are unsafe or inconsistent."""

    http_status = 500
    exit_code = 2


class StoreUnavailableError(KundeError):
    """The database cannot be reached."""

    http_status = 503
    exit_code = 1
