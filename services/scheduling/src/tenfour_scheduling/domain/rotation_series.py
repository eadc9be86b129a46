"""The days a rotation-relative series names, read off the officer's shifts.

Officers think in their rotation: "the first day off of each block", "every second day off",
"the day after my last night". A day off is a local date on which no shift starts; the
"day after the last night" is the local date the last night shift of a run (nights on
consecutive dates) ends on, where the sleep after it is already protected by the rest rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.roster import ShiftKind
from tenfour_scheduling.domain.rotation import Shift

__all__ = ["SeriesRule", "series_days"]

_DAY = timedelta(days=1)


class SeriesRule(StrEnum):
    FIRST_DAY_OFF = "first_day_off"
    EVERY_KTH_DAY_OFF = "every_kth_day_off"
    AFTER_LAST_NIGHT = "after_last_night"


def series_days(
    shift_list: Iterable[Shift], rule: SeriesRule, first: date, last: date, zone: ZoneInfo, k: int = 1
) -> list[date]:
    """The dates from ``first`` to ``last`` the rule names, in order. ``shift_list`` must cover
    from a day before ``first`` (to tell whether ``first`` starts a block) to ``last``."""
    listed = list(shift_list)
    worked = {s.local_date for s in listed}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if rule is SeriesRule.FIRST_DAY_OFF:
        return [d for d in days if d not in worked and (d - _DAY) in worked]
    if rule is SeriesRule.EVERY_KTH_DAY_OFF:
        off = [d for d in days if d not in worked]
        return off[k - 1 :: k]
    nights = {s.local_date: s for s in listed if s.kind is ShiftKind.NIGHT}
    ends = [
        night.end.astimezone(zone).date()
        for start, night in sorted(nights.items())
        if start + _DAY not in nights
    ]
    return [d for d in ends if first <= d <= last]
