"""Typed domain errors: a stable code for machines, a French message for people.

They become HTTP answers in exactly one place (the API's error handler) and quarantine reasons
in exactly one place (intake).
"""

from __future__ import annotations


class AmiError(Exception):
    """Base of every error the service reports to a user."""

    status = 400

    def __init__(self, code: str, message: str, details: object | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class InvalidInput(AmiError):
    status = 422


class NotFound(AmiError):
    status = 404


class Conflict(AmiError):
    status = 409


class Unauthorized(AmiError):
    status = 401


class Forbidden(AmiError):
    status = 403


class PieceRefused(AmiError):
    """A file that cannot be a piece of the dossier; it is quarantined with this reason."""

    status = 422


class RetryLater(AmiError):
    """The service could not complete the request in time; nothing was recorded."""

    status = 503


class ConditionFailed(Exception):
    """Another writer got there first (a storage condition failed): re-read and decide again."""
