from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour_availability.domain.free_time import FreeSpan, free_spans
from tenfour_availability.domain.state import BusyCalendar, busy_horizon
from tenfour_shared.calendar import MAX_RANGE, SessionType
from tenfour_shared.timeline import Interval

IND, GROUP, CRISIS = SessionType.INDIVIDUAL, SessionType.GROUP, SessionType.CRISIS
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def at(hours: float, until: float) -> Interval:
    return Interval(T0 + timedelta(hours=hours), T0 + timedelta(hours=until))


def test_spans_split_where_the_set_of_free_types_changes() -> None:
    free = {IND: [at(9, 17)], GROUP: [at(9, 12)], CRISIS: [at(22, 30)]}
    assert free_spans(free) == [
        FreeSpan(at(9, 12), (IND, GROUP)),
        FreeSpan(at(12, 17), (IND,)),
        FreeSpan(at(22, 30), (CRISIS,)),
    ]


def test_touching_intervals_of_the_same_types_stay_one_span() -> None:
    free = {IND: [at(9, 12), at(12, 14)], GROUP: [at(8, 9), at(14, 15)]}
    assert free_spans(free) == [
        FreeSpan(at(8, 9), (GROUP,)),
        FreeSpan(at(9, 14), (IND,)),
        FreeSpan(at(14, 15), (GROUP,)),
    ]


def test_one_type_only() -> None:
    free = {IND: [at(9, 17)], GROUP: [at(9, 12)]}
    assert free_spans(free, GROUP) == [FreeSpan(at(9, 12), (GROUP,))]
    assert free_spans(free, CRISIS) == []
    assert free_spans({}) == []


def test_busy_horizon_is_the_longest_range_from_a_day_ago() -> None:
    horizon = busy_horizon(datetime(2026, 3, 2, 10, 41, 7, tzinfo=UTC))
    assert horizon.start == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert horizon.duration == MAX_RANGE


def test_busy_calendar_answers_only_inside_its_horizon() -> None:
    busy = BusyCalendar(at(0, 48), (at(9, 10), at(30, 31)))
    assert busy.covers(at(5, 20))
    assert not busy.covers(at(40, 50))
    assert busy.within(at(9.5, 30.5)) == [at(9.5, 10), at(30, 30.5)]
