"""Placing sessions: step grid in local time, buffers, notice, caps, and agreement with check_bookable."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenfour_shared.calendar import (
    Availability,
    Booking,
    RuleSet,
    SessionSettings,
    SessionType,
    Unbookable,
    Weekday,
    WeeklyWindow,
    candidate_starts,
    check_bookable,
    expand,
)
from tenfour_shared.timeline import Interval

IND, GROUP, CRISIS = SessionType.INDIVIDUAL, SessionType.GROUP, SessionType.CRISIS
MIN = timedelta(minutes=1)


def at(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def local_times(zone: str, starts: list[datetime]) -> list[str]:
    return [s.astimezone(ZoneInfo(zone)).strftime("%H:%M") for s in starts]


def availability(
    zone: str,
    first: date,
    days: int,
    *windows: WeeklyWindow,
    sessions: tuple[SessionSettings, ...] | None = None,
) -> Availability:
    data: dict[str, object] = {"provider_id": "p1", "timezone": zone, "weekly": windows}
    if sessions is not None:
        data["sessions"] = sessions
    start = at(zone, first.year, first.month, first.day)
    return expand(RuleSet.model_validate(data), Interval(start, start + timedelta(days=days)))


def booking(start: datetime, minutes: int, t: SessionType = IND) -> Booking:
    return Booking(Interval(start, start + timedelta(minutes=minutes)), t)


NY = "America/New_York"
MONDAY = date(2025, 6, 9)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def weekday_9_to_5(*offers: SessionType) -> list[WeeklyWindow]:
    return [WeeklyWindow(weekday=d, start=time(9), end=time(17), offers=offers or (IND,)) for d in Weekday]


def test_default_individual_sessions_fill_the_day_on_quarter_hours() -> None:
    avail = availability(NY, MONDAY, 1, *weekday_9_to_5())
    starts = list(candidate_starts(avail, IND, [], LONG_AGO))
    # 50 min + 10 min buffer after: the last start is 16:00.
    assert local_times(NY, starts) == [f"{h:02d}:{m:02d}" for h in range(9, 16) for m in (0, 15, 30, 45)] + [
        "16:00"
    ]


def test_minimum_notice_and_now() -> None:
    avail = availability(NY, MONDAY, 1, *weekday_9_to_5())
    starts = list(candidate_starts(avail, IND, [], at(NY, 2025, 6, 9, 8, 7)))
    assert local_times(NY, starts)[0] == "10:15"  # 2 h notice from 08:07, rounded up to the grid


def test_existing_bookings_block_with_both_sides_buffers() -> None:
    group = SessionSettings(
        session_type=GROUP, duration=timedelta(minutes=90), buffer_before=timedelta(minutes=15)
    )
    ind = SessionSettings(
        session_type=IND, duration=timedelta(minutes=50), buffer_after=timedelta(minutes=10)
    )
    avail = availability(NY, MONDAY, 1, *weekday_9_to_5(IND, GROUP), sessions=(ind, group))
    existing = [booking(at(NY, 2025, 6, 9, 12), 90, GROUP)]  # blocks 11:45-13:30 with its buffer
    starts = local_times(NY, list(candidate_starts(avail, IND, existing, LONG_AGO)))
    assert "10:45" in starts  # 10:45-11:35 + 10 min buffer ends 11:45: fits exactly
    assert "11:00" not in starts
    assert "13:15" not in starts
    assert "13:30" in starts
    group_starts = local_times(NY, list(candidate_starts(avail, GROUP, existing, LONG_AGO)))
    assert group_starts[0] == "09:15"  # its own buffer before must be free time too
    assert "10:15" in group_starts  # footprint 10:00-11:45 touches the blocked 11:45: fine
    assert "10:30" not in group_starts


@pytest.mark.parametrize(
    ("zone", "step", "utc_minutes"), [("Asia/Kolkata", 60, {30}), ("Pacific/Chatham", 30, {15, 45})]
)
def test_grid_is_aligned_to_local_time(zone: str, step: int, utc_minutes: set[int]) -> None:
    avail = availability(zone, MONDAY, 1, *weekday_9_to_5())
    starts = list(candidate_starts(avail, IND, [], LONG_AGO, step=timedelta(minutes=step)))
    assert (local_times(zone, starts)[0], local_times(zone, starts)[-1]) == ("09:00", "16:00")
    assert all(s.astimezone(ZoneInfo(zone)).minute % step == 0 for s in starts)
    assert {s.minute for s in starts} == utc_minutes


def test_fall_back_night_offers_both_passes_of_the_repeated_hour() -> None:
    crisis = SessionSettings(session_type=CRISIS, duration=timedelta(minutes=30))
    window = WeeklyWindow(weekday=Weekday.SUNDAY, start=time(0), end=time(3), offers=(CRISIS,))
    avail = availability(NY, date(2025, 11, 2), 1, window, sessions=(crisis,))
    starts = list(candidate_starts(avail, CRISIS, [], LONG_AGO, step=timedelta(minutes=30)))
    assert local_times(NY, starts) == ["00:00", "00:30", "01:00", "01:30", "01:00", "01:30", "02:00", "02:30"]
    assert [s.astimezone(ZoneInfo(NY)).fold for s in starts] == [0, 0, 0, 0, 1, 1, 0, 0]


def test_spring_forward_night_skips_the_missing_hour() -> None:
    crisis = SessionSettings(session_type=CRISIS, duration=timedelta(minutes=30))
    window = WeeklyWindow(weekday=Weekday.SUNDAY, start=time(0), end=time(4), offers=(CRISIS,))
    avail = availability(NY, date(2025, 3, 9), 1, window, sessions=(crisis,))
    starts = list(candidate_starts(avail, CRISIS, [], LONG_AGO, step=timedelta(minutes=30)))
    assert local_times(NY, starts) == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]


def test_caps_count_the_providers_local_day_and_iso_week() -> None:
    zone = "Australia/Sydney"  # Monday morning in Sydney is still Sunday in UTC
    ind = SessionSettings(session_type=IND, duration=timedelta(minutes=50), max_per_day=1, max_per_week=2)
    avail = availability(zone, MONDAY, 7, *weekday_9_to_5(), sessions=(ind,))
    monday = [booking(at(zone, 2025, 6, 9, 9), 50)]
    starts = list(candidate_starts(avail, IND, monday, LONG_AGO, step=timedelta(hours=1)))
    assert {s.astimezone(ZoneInfo(zone)).date() for s in starts} == {
        MONDAY + timedelta(days=k) for k in range(1, 7)
    }
    both = [*monday, booking(at(zone, 2025, 6, 10, 9), 50)]
    assert list(candidate_starts(avail, IND, both, LONG_AGO)) == []  # the ISO week is full
    assert check_bookable(avail, IND, at(zone, 2025, 6, 11, 9), both, LONG_AGO) is Unbookable.WEEK_CAP
    assert check_bookable(avail, IND, at(zone, 2025, 6, 9, 11), monday, LONG_AGO) is Unbookable.DAY_CAP
    other_type = [booking(at(zone, 2025, 6, 9, 9), 30, CRISIS)]  # other types do not count
    assert check_bookable(avail, IND, at(zone, 2025, 6, 9, 11), other_type, LONG_AGO) is None


def test_check_bookable_gives_each_reason() -> None:
    ind = SessionSettings(session_type=IND, duration=timedelta(minutes=50), min_notice=timedelta(hours=2))
    avail = availability(NY, MONDAY, 1, *weekday_9_to_5(), sessions=(ind,))
    now = at(NY, 2025, 6, 9, 8)
    existing = [booking(at(NY, 2025, 6, 9, 14), 50)]
    quarter = timedelta(minutes=15)
    assert check_bookable(avail, IND, at(NY, 2025, 6, 9, 11), existing, now, step=quarter) is None
    assert check_bookable(avail, GROUP, at(NY, 2025, 6, 9, 11), existing, now) is Unbookable.NOT_OFFERED
    assert check_bookable(avail, IND, at(NY, 2025, 6, 8, 23, 30), existing, now) is Unbookable.OUTSIDE_HORIZON
    assert check_bookable(avail, IND, at(NY, 2025, 6, 9, 9, 30), existing, now) is Unbookable.TOO_SOON
    assert (
        check_bookable(avail, IND, at(NY, 2025, 6, 9, 11, 5), existing, now, step=quarter)
        is Unbookable.OFF_GRID
    )
    assert check_bookable(avail, IND, at(NY, 2025, 6, 9, 11, 5), existing, now) is None  # no grid asked for
    assert check_bookable(avail, IND, at(NY, 2025, 6, 9, 16, 30), existing, now) is Unbookable.NOT_AVAILABLE
    assert check_bookable(avail, IND, at(NY, 2025, 6, 9, 13, 30), existing, now) is Unbookable.CONFLICT


def test_step_must_divide_a_day() -> None:
    avail = availability(NY, MONDAY, 1, *weekday_9_to_5())
    with pytest.raises(ValueError, match="divides a day"):
        list(candidate_starts(avail, IND, [], LONG_AGO, step=timedelta(minutes=7)))


# ---------------------------------------------------------------- property: generator == checker

ZONES = ["America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "Europe/London"]


@st.composite
def placements(draw: st.DrawFn) -> tuple[Availability, SessionType, list[Booking], datetime, int]:
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from([date(2025, 3, 8), date(2025, 4, 5), date(2025, 10, 4), date(2025, 11, 1)]))
    minutes = st.integers(0, 90).map(lambda m: timedelta(minutes=m))
    sessions = tuple(
        SessionSettings(
            session_type=t,
            duration=draw(st.integers(5, 120).map(lambda m: timedelta(minutes=m))),
            buffer_before=draw(minutes),
            buffer_after=draw(minutes),
            min_notice=draw(minutes),
            max_per_day=draw(st.none() | st.integers(1, 3)),
        )
        for t in SessionType
    )
    windows = [
        WeeklyWindow(weekday=d, start=time(h), end=time((h + 12) % 24), offers=(IND, GROUP, CRISIS))
        for d, h in [(first.isoweekday(), 0), (first.isoweekday(), 12)]
    ]
    avail = availability(zone, first, 2, *windows, sessions=sessions)
    start = avail.window.start
    bookings = [
        booking(
            start + draw(st.integers(0, 2 * 1440)) * MIN,
            draw(st.integers(5, 120)),
            draw(st.sampled_from(list(SessionType))),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    now = start + draw(st.integers(-120, 1440)) * MIN
    return (
        avail,
        draw(st.sampled_from(list(SessionType))),
        bookings,
        now,
        draw(st.sampled_from([5, 15, 30, 60])),
    )


@settings(max_examples=60, deadline=None, database=None)
@given(placements())
def test_candidates_are_exactly_the_grid_starts_that_check_bookable_accepts(
    case: tuple[Availability, SessionType, list[Booking], datetime, int],
) -> None:
    avail, t, bookings, now, step_minutes = case
    step = timedelta(minutes=step_minutes)
    zone = avail.zone
    grid = []
    moment = avail.window.start
    while moment < avail.window.end:
        local = moment.astimezone(zone)
        if (local.hour * 60 + local.minute) % step_minutes == 0:  # independent of the library's alignment
            grid.append(moment)
        moment += MIN
    expected = [s for s in grid if check_bookable(avail, t, s, bookings, now, step=step) is None]
    assert list(candidate_starts(avail, t, bookings, now, step=step)) == expected
