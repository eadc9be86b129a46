"""The days a rotation-relative series names, read off the officer's shifts.

Officers think in their rotation: "the first day off of each block", "every second day off",
"the day after my last night". A day off is a local date on which no shift starts; the
"day after the last night" is the local date the last night shift of a run (nights on
consecutive dates) ends on, where the sleep after it is already protected by the rest rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.roster import ShiftKind
from tenfour_scheduling.domain.rotation import Shift

__all__ = ["SeriesRule", "SeriesRuleRecord", "series_days"]

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


_LABELS = {
    SeriesRule.FIRST_DAY_OFF: "the first day off of this block, as your roster now says",
    SeriesRule.EVERY_KTH_DAY_OFF: "the day off your series now falls on",
    SeriesRule.AFTER_LAST_NIGHT: "the day your last night shift now ends",
}


@dataclass(frozen=True, slots=True)
class SeriesRuleRecord:
    """What a booked rotation series was asked for: the rule, counted from ``first_day``, each
    booked session's place in it, and the chosen hours."""

    rule: SeriesRule
    first_day: date
    k: int = 1
    between: tuple[time, time] | None = None
    index: dict[str, int] = field(default_factory=dict)  # appointment id -> occurrence

    @property
    def label(self) -> str:
        return _LABELS[self.rule]

    def encode(self) -> bytes:
        between = [t.strftime("%H:%M") for t in self.between] if self.between else None
        return json.dumps(
            {
                "rule": self.rule.value,
                "first_day": self.first_day.isoformat(),
                "k": self.k,
                "between": between,
                "index": self.index,
            },
            sort_keys=True,
        ).encode()

    @staticmethod
    def decode(raw: bytes) -> SeriesRuleRecord:
        data = json.loads(raw)
        between = data.get("between")
        return SeriesRuleRecord(
            rule=SeriesRule(data["rule"]),
            first_day=date.fromisoformat(data["first_day"]),
            k=int(data.get("k", 1)),
            between=(time.fromisoformat(between[0]), time.fromisoformat(between[1])) if between else None,
            index={str(a): int(i) for a, i in data.get("index", {}).items()},
        )
