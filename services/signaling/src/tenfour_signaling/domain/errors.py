"""Signaling's errors over the shared error model (tenfour_shared.errors maps each kind to a
gRPC status in one place). Messages never contain SDP, candidates or user ids: they may reach
logs and clients.
"""

from __future__ import annotations

from tenfour_shared.errors import DependencyDown, DomainError, FieldViolation, InvalidInput, WrongState
from tenfour_shared.errors import NotAllowed as _NotAllowed
from tenfour_shared.errors import NotFound as _NotFound

__all__ = [
    "DomainError",
    "InvalidSignal",
    "MediaUnavailable",
    "NotAllowed",
    "NotFound",
    "RoomStateError",
]


class InvalidSignal(InvalidInput, ValueError):
    """A signal, SDP or ICE candidate failed validation (the offending text is not echoed).

    The field is `request` until the entrypoint names the request field it came from."""

    def __init__(self, message: str, field: str = "request") -> None:
        super().__init__([FieldViolation(field, message)], message)


class NotAllowed(_NotAllowed):
    """The actor may not perform this action (e.g. an officer trying to admit someone)."""


class NotFound(_NotFound):
    """The named participant is not part of the room."""


class RoomStateError(WrongState):
    """The action does not fit the room's or participant's current state."""


class MediaUnavailable(DependencyDown):
    """The media server (SFU) did not answer; the room goes on and the client may retry."""
