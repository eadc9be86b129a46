"""Domain errors of the signaling service.

Each error names the gRPC status it maps to as a plain string, so the entrypoint can translate
with ``grpc.StatusCode[error.status]`` while the domain stays free of grpc. Messages never
contain SDP, candidates or user ids: they may reach logs and clients.
"""

from __future__ import annotations

__all__ = [
    "DomainError",
    "InvalidSignal",
    "MediaUnavailable",
    "NotAllowed",
    "NotFound",
    "RoomStateError",
]


class DomainError(Exception):
    """Base of every signaling domain error."""

    status: str = "INTERNAL"


class InvalidSignal(DomainError, ValueError):
    """A signal, SDP or ICE candidate failed validation (the offending text is not echoed)."""

    status: str = "INVALID_ARGUMENT"


class NotAllowed(DomainError):
    """The actor may not perform this action (e.g. an officer trying to admit someone)."""

    status: str = "PERMISSION_DENIED"


class NotFound(DomainError):
    """The named participant is not part of the room."""

    status: str = "NOT_FOUND"


class RoomStateError(DomainError):
    """The action does not fit the room's or participant's current state."""

    status: str = "FAILED_PRECONDITION"


class MediaUnavailable(DomainError):
    """The media server (SFU) did not answer; the room goes on and the client may retry."""

    status: str = "UNAVAILABLE"
