"""When reminders go out: at each offset before the session, but never while the officer is
on duty or in protected sleep; such a reminder moves to the nearest acceptable earlier time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from tenfour_shared.timeline import Interval

__all__ = ["STEP", "reminder_times"]

STEP = timedelta(minutes=1)


def reminder_times(
    start: datetime, offsets: Iterable[timedelta], forbidden: Sequence[Interval]
) -> list[tuple[timedelta, datetime]]:
    """(offset, delivery time) for each positive offset, in the order given.

    ``forbidden`` are half-open intervals; a time inside one moves to just before it starts
    (repeatedly, for back-to-back intervals such as a night shift and the sleep after it).
    """
    out: list[tuple[timedelta, datetime]] = []
    for offset in offsets:
        if offset <= timedelta(0):
            continue
        at = start - offset
        moved = True
        while moved:
            moved = False
            for iv in forbidden:
                if iv.start <= at < iv.end:
                    at = iv.start - STEP
                    moved = True
        out.append((offset, at))
    return out
