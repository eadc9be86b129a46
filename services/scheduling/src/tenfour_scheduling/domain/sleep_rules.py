"""The officer-only sleep layers of the fatigue rules: the usual night's sleep and the rest
after a run of consecutive night shifts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.roster import ShiftKind
from tenfour_scheduling.domain.rotation import Shift
from tenfour_shared.timeline import Interval, local_to_utc

__all__ = ["after_consecutive_nights", "usual_sleep"]

_DAY = timedelta(days=1)


def usual_sleep(
    shift_list: Sequence[Shift], start: time, end: time, window: Interval, zone: ZoneInfo
) -> list[Interval]:
    """The usual sleep of every local night near the window, except nights on a night shift
    (then the sleep after it is protected instead). Wall times: DST nights are 1 h shorter or
    longer, as the officer lives them."""
    nights = [s.interval for s in shift_list if s.kind is ShiftKind.NIGHT]
    day: date = window.start.astimezone(zone).date() - _DAY
    last = window.end.astimezone(zone).date()
    out: list[Interval] = []
    while day <= last:
        sleep = Interval(
            local_to_utc(day, start, zone), local_to_utc(day + _DAY if end <= start else day, end, zone)
        )
        if sleep.start < sleep.end and not any(n.overlaps(sleep) for n in nights):
            out.append(sleep)
        day += _DAY
    return out


def after_consecutive_nights(shift_list: Sequence[Shift], limit: int) -> list[Interval]:
    """The 24 h after each night shift that is the ``limit``-th or later of nights on
    consecutive dates (0: no rule)."""
    if limit <= 0:
        return []
    nights = sorted((s for s in shift_list if s.kind is ShiftKind.NIGHT), key=lambda s: s.start)
    out: list[Interval] = []
    run, previous = 0, None
    for night in nights:
        gap = None if previous is None else (night.local_date - previous).days
        run = run if gap == 0 else run + 1 if gap == 1 else 1  # 0: a second duty the same night
        previous = night.local_date
        if run >= limit:
            out.append(Interval(night.end, night.end + _DAY))
    return out
