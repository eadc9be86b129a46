"""Calendar entries as stored by the booking scripts (see calendar_prelude.lua)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tenfour_scheduling.domain.records import CalendarEntry, from_ms, to_ms
from tenfour_shared.redis_store import as_bytes
from tenfour_shared.timeline import Interval

__all__ = ["CalendarEntry", "from_ms", "parse_calendar", "to_ms"]


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
