"""Domain events a room transition emits; they name participants by handle only."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from .participants import Role
from .room import EndReason

__all__ = [
    "LeaveReason",
    "ParticipantAdmitted",
    "ParticipantJoined",
    "ParticipantLeft",
    "RoomEvent",
    "SessionEnded",
]


class LeaveReason(StrEnum):
    LEFT = "left"
    REMOVED = "removed"
    TIMED_OUT = "timed_out"  # the stream was gone longer than the resume window
    REJOINED = "rejoined"  # joined again from a fresh client: peers drop the old connection


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    session_id: str
    at: AwareDatetime


class ParticipantJoined(_Event):
    """Someone entered: into the waiting room (``waiting``) or straight into the call."""

    participant: str
    role: Role
    waiting: bool


class ParticipantAdmitted(_Event):
    participant: str
    admitted_by: str | None  # None: re-admitted automatically after a dropped connection


class ParticipantLeft(_Event):
    participant: str
    role: Role
    reason: LeaveReason


class SessionEnded(_Event):
    reason: EndReason


RoomEvent = ParticipantJoined | ParticipantAdmitted | ParticipantLeft | SessionEnded
