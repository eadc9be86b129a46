from __future__ import annotations

from pydantic import Field

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=50053, ge=0, le=65535)
    urgent_poll_seconds: float = Field(default=1.0, gt=0, le=60)  # the urgent queue worker's pace
    # how long a provider who accepted an urgent request (or dropped out of its room) has to be
    # in the room before they are replaced
    urgent_join_seconds: float = Field(default=120.0, ge=5, le=900)
    reminder_poll_seconds: float = Field(default=5.0, gt=0, le=300)  # the reminder worker's pace
    # alternatives offered for a session in conflict (the event and ListConflicts without a count)
    conflict_alternatives: int = Field(default=3, ge=1, le=10)
    # the pace of the training-lapse worker (warnings 30 days ahead, expiries)
    readiness_poll_seconds: float = Field(default=30.0, gt=0, le=3600)
