"""Everything stored about one provider, as one value: rules, imported busy time, whether active."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tenfour_shared.calendar import MAX_RANGE, RuleSet
from tenfour_shared.timeline import Interval, intersect

__all__ = ["HORIZON_LEAD", "BusyCalendar", "ProviderState", "busy_horizon"]

# The horizon starts a little before the expansion, so nothing recent is missed.
HORIZON_LEAD = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BusyCalendar:
    """Busy time of an imported calendar, expanded to UTC over ``horizon`` (sorted, merged)."""

    horizon: Interval
    intervals: tuple[Interval, ...]

    @property
    def expanded_at(self) -> datetime:
        """When the calendar was expanded, to the hour."""
        return self.horizon.start + HORIZON_LEAD

    def covers(self, window: Interval) -> bool:
        return self.horizon.contains(window)

    def within(self, window: Interval) -> list[Interval]:
        return intersect(self.intervals, [window])


def busy_horizon(now: datetime) -> Interval:
    """Where imported busy time is expanded: from a day ago (whole hours) for the longest range allowed."""
    start = now.replace(minute=0, second=0, microsecond=0) - HORIZON_LEAD
    return Interval(start, start + MAX_RANGE)


@dataclass(frozen=True, slots=True)
class ProviderState:
    """One provider's availability. ``rules`` is None until first set; its version is the state's.

    ``labels`` are the private labels of ``rules.time_off`` by index. ``ics`` is the text of the
    last import; it is loaded only for changes (reads leave it None).
    """

    provider_id: str
    rules: RuleSet | None = None
    labels: tuple[str, ...] = ()
    busy: BusyCalendar | None = None
    ics: str | None = None
    active: bool = True
    updated_at: datetime | None = None

    @property
    def version(self) -> int:
        return self.rules.version if self.rules is not None else 0

    def with_rules(self, rules: RuleSet, labels: tuple[str, ...] = ()) -> ProviderState:
        return replace(self, rules=rules, labels=labels)

    def with_busy(self, busy: BusyCalendar, ics: str) -> ProviderState:
        return replace(self, busy=busy, ics=ics)

    def deactivated(self) -> ProviderState:
        return replace(self, active=False)
