"""Who takes part in a room, and the opaque handle that stands for them on the wire."""

from __future__ import annotations

import secrets
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HANDLE_PATTERN", "MAX_PARTICIPANTS", "Participant", "Role", "new_handle"]

# A mesh of n peers needs n*(n-1)/2 connections; 8 keeps that at 28 (decision, see brief §1).
MAX_PARTICIPANTS = 8

# URL-safe and without ':' so a handle can sit in a TURN REST username (expiry:handle).
HANDLE_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class Role(StrEnum):
    """A participant's role in one appointment; group members are officers."""

    OFFICER = "officer"
    THERAPIST = "therapist"
    PEER_SUPPORTER = "peer_supporter"

    @property
    def is_provider(self) -> bool:
        """Providers (therapist or peer supporter) join directly and run the waiting room."""
        return self is not Role.OFFICER


def new_handle() -> str:
    """A fresh random per-session handle (96 bits), unlinkable to the user id."""
    return secrets.token_urlsafe(12)


class Participant(BaseModel):
    """A booked participant.

    ``subject`` is the identity service's user id and never leaves the service; peers, events
    and TURN usernames only ever see ``handle``, which is new for every session.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=1, max_length=255, repr=False)
    role: Role
    handle: str = Field(default_factory=new_handle, pattern=HANDLE_PATTERN)
