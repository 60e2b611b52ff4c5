"""Domain errors raised by services and mapped to HTTP in one place (``scanapp.api.errors``)."""

from __future__ import annotations


class ScanappError(Exception):
    """Base of every domain error; ``http_status`` is its HTTP mapping."""

    http_status = 400

    def __init__(self, message: str, *, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInputError(ScanappError):
    """The request data is invalid; ``errors`` maps each bad field to its messages."""

    @classmethod
    def for_field(cls, field: str, message: str) -> InvalidInputError:
        """Build the error for one bad field."""
        return cls(f"{field}: {message}", errors={field: [message]})


class NotFoundError(ScanappError):
    """The requested object does not exist."""

    http_status = 404


class ConflictError(ScanappError):
    """The request conflicts with what is stored (e.g. a duplicate name)."""

    http_status = 400


class RunNotAllowedError(ScanappError):
    """The action is refused in the run's or project's current state."""

    http_status = 400


class PayloadTooLargeError(ScanappError):
    """The upload is larger than ``SCANAPP_MAX_UPLOAD_SIZE``."""

    http_status = 413


class AuthenticationError(ScanappError):
    """Missing or invalid API key."""

    http_status = 401


class ForbiddenError(ScanappError):
    """The caller is known but may not do this (a read-only token sending a write)."""

    http_status = 403


class PipelineError(ScanappError):
    """A pipeline definition is invalid (registry errors)."""


class QueueUnavailableError(ScanappError):
    """The task queue (Redis) cannot be reached; nothing was stored or queued."""

    http_status = 503
