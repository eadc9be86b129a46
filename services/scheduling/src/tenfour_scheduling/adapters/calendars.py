"""Calendar entries as stored by the booking scripts (see calendar_prelude.lua)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tenfour_shared.redis_store import as_bytes
from tenfour_shared.timeline import Interval

__all__ = ["CalendarEntry", "from_ms", "parse_calendar", "to_ms"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Exact milliseconds since the epoch (no float rounding)."""
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return _EPOCH + ms * _MS


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    member: str  # appointment id, or a claim's id
    interval: Interval
    claim: bool  # a phase-1 claim not yet confirmed (counts as busy)
    deadline_ms: int  # claims only: the provider side refuses to commit after it
    other: str  # the other party (provider id on an officer's calendar)

    @property
    def appointment_id(self) -> str:
        """Claims for a move are named ``<appointment id>><new start ms>``."""
        return self.member.partition(">")[0]


def parse_member(member: str, start_ms: int) -> CalendarEntry:
    ident, end, state, deadline, other = member.split("|", 4)
    return CalendarEntry(
        member=ident,
        interval=Interval(from_ms(start_ms), from_ms(int(end))),
        claim=state == "C",
        deadline_ms=int(deadline),
        other=other,
    )


def parse_calendar(reply: Iterable[Any]) -> tuple[CalendarEntry, ...]:
    """A ZRANGEBYSCORE ... WITHSCORES reply."""
    return tuple(parse_member(as_bytes(m).decode(), int(score)) for m, score in reply)
