"""expand(): DST nights in both hemispheres, gap/overlap semantics, midnight crossing, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tenfour_shared.calendar import (
    MAX_RANGE,
    DateOverride,
    ExpansionRangeError,
    RuleSet,
    SessionType,
    TimeOff,
    Weekday,
    WeeklyWindow,
    Window,
    expand,
)
from tenfour_shared.timeline import Interval

IND, GROUP, CRISIS = SessionType.INDIVIDUAL, SessionType.GROUP, SessionType.CRISIS
H = timedelta(hours=1)


def at(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """A provider-local wall time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def weekly(day: Weekday, start: str, end: str, *offers: SessionType) -> WeeklyWindow:
    return WeeklyWindow(
        weekday=day, start=time.fromisoformat(start), end=time.fromisoformat(end), offers=offers or (IND,)
    )


def rules(zone: str, *windows: WeeklyWindow, **extra: object) -> RuleSet:
    return RuleSet.model_validate({"provider_id": "p1", "timezone": zone, "weekly": windows, **extra})


def around(zone: str, day: date, days: int = 3) -> Interval:
    start = at(zone, day.year, day.month, day.day) - timedelta(days=1)
    return Interval(start, start + timedelta(days=days))


def free(rule_set: RuleSet, window: Interval, t: SessionType = IND, **kw: object) -> tuple[Interval, ...]:
    return expand(rule_set, window, **kw).free_for(t)  # type: ignore[arg-type]


# Saturday nights on which clocks change, with the real length of a 22:00-06:00 window.
DST_NIGHTS = [
    ("America/New_York", date(2025, 3, 8), 7.0),
    ("America/New_York", date(2025, 11, 1), 9.0),
    ("Europe/London", date(2025, 3, 29), 7.0),
    ("Europe/London", date(2025, 10, 25), 9.0),
    ("Australia/Sydney", date(2025, 10, 4), 7.0),
    ("Australia/Sydney", date(2025, 4, 5), 9.0),
    ("Pacific/Auckland", date(2025, 9, 27), 7.0),
    ("Pacific/Auckland", date(2025, 4, 5), 9.0),
    ("Pacific/Chatham", date(2025, 9, 27), 7.0),
    ("Pacific/Chatham", date(2025, 4, 5), 9.0),
    ("America/Sao_Paulo", date(2018, 11, 3), 7.0),  # clocks jumped at midnight
    ("America/Sao_Paulo", date(2019, 2, 16), 9.0),
    ("Australia/Lord_Howe", date(2025, 10, 4), 7.5),  # a 30-minute shift
    ("Australia/Lord_Howe", date(2025, 4, 5), 8.5),
    ("Asia/Kolkata", date(2025, 3, 8), 8.0),
    ("UTC", date(2025, 3, 8), 8.0),
]


@pytest.mark.parametrize(("zone", "night", "hours"), DST_NIGHTS)
def test_overnight_window_follows_the_wall_clock_on_dst_nights(zone: str, night: date, hours: float) -> None:
    rule_set = rules(zone, weekly(Weekday.SATURDAY, "22:00", "06:00"))
    (interval,) = free(rule_set, around(zone, night))
    assert interval.start == at(zone, night.year, night.month, night.day, 22)
    assert interval.duration == timedelta(hours=hours)
    sunday = night + timedelta(days=1)
    assert interval.end == at(zone, sunday.year, sunday.month, sunday.day, 6)


@pytest.mark.parametrize(("zone", "night", "hours"), DST_NIGHTS)
def test_daytime_window_stays_at_nine_local_across_the_change(zone: str, night: date, hours: float) -> None:
    rule_set = rules(zone, *(weekly(d, "09:00", "17:00") for d in Weekday))
    intervals = free(rule_set, around(zone, night, days=4))
    assert len(intervals) == 4
    for interval in intervals:
        local = interval.start.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (9, 0)
        assert interval.duration == 8 * H


def test_start_in_spring_forward_gap_moves_forward_by_the_gap() -> None:
    ny = "America/New_York"  # 2025-03-09 02:00 EST -> 03:00 EDT
    rule_set = rules(ny, weekly(Weekday.SUNDAY, "02:30", "05:00"))
    (interval,) = free(rule_set, around(ny, date(2025, 3, 9)))
    assert interval.start == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert interval.end == at(ny, 2025, 3, 9, 5)


def test_end_in_spring_forward_gap_moves_forward_too() -> None:
    ny = "America/New_York"
    rule_set = rules(ny, weekly(Weekday.SUNDAY, "01:00", "02:30"))
    (interval,) = free(rule_set, around(ny, date(2025, 3, 9)))
    assert interval == Interval(datetime(2025, 3, 9, 6, tzinfo=UTC), datetime(2025, 3, 9, 7, 30, tzinfo=UTC))


def test_window_that_the_gap_pushes_past_its_own_end_is_empty_that_day() -> None:
    ny = "America/New_York"
    rule_set = rules(ny, weekly(Weekday.SUNDAY, "02:30", "03:15", CRISIS))
    assert free(rule_set, around(ny, date(2025, 3, 9)), CRISIS) == ()
    assert free(rule_set, around(ny, date(2025, 3, 16)), CRISIS)[0].duration == timedelta(minutes=45)


def test_ambiguous_bounds_on_fall_back_mean_the_first_pass() -> None:
    ny = "America/New_York"  # 2025-11-02 02:00 EDT -> 01:00 EST: 01:00-02:00 happens twice
    starts = rules(ny, weekly(Weekday.SUNDAY, "01:30", "03:00"))
    (interval,) = free(starts, around(ny, date(2025, 11, 2)))
    assert interval.start == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert interval.duration == 2.5 * H
    ends = rules(ny, weekly(Weekday.SUNDAY, "00:00", "01:30"))
    (interval,) = free(ends, around(ny, date(2025, 11, 2)))
    assert interval.end == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # the second 01:30 is not covered


def test_window_starting_at_a_missing_midnight_starts_when_the_day_does() -> None:
    sp = "America/Sao_Paulo"  # 2018-11-04 00:00 -> 01:00
    rule_set = rules(sp, weekly(Weekday.SUNDAY, "00:00", "08:00"))
    (interval,) = free(rule_set, around(sp, date(2018, 11, 4)))
    assert interval.start.astimezone(ZoneInfo(sp)).time() == time(1)
    assert interval.duration == 7 * H


def test_overnight_window_is_one_interval_across_midnight() -> None:
    rule_set = rules("Europe/London", weekly(Weekday.TUESDAY, "22:00", "06:00"))
    (interval,) = free(rule_set, around("Europe/London", date(2025, 6, 11)))
    assert interval == Interval(at("Europe/London", 2025, 6, 10, 22), at("Europe/London", 2025, 6, 11, 6))


def test_window_from_the_evening_before_spills_into_the_range() -> None:
    zone = "Asia/Kolkata"
    rule_set = rules(zone, weekly(Weekday.SUNDAY, "20:00", "04:00"))
    window = Interval(at(zone, 2025, 6, 9), at(zone, 2025, 6, 10))  # Monday
    assert free(rule_set, window) == (Interval(window.start, at(zone, 2025, 6, 9, 4)),)


def test_equal_start_and_end_is_a_full_day() -> None:
    zone = "Pacific/Auckland"
    rule_set = rules(zone, weekly(Weekday.SATURDAY, "12:00", "12:00", CRISIS))
    (interval,) = free(rule_set, around(zone, date(2025, 6, 8)), CRISIS)
    assert interval.duration == 24 * H


def test_adjacent_windows_with_the_same_offer_merge() -> None:
    rule_set = rules(
        "UTC", weekly(Weekday.MONDAY, "09:00", "12:00"), weekly(Weekday.MONDAY, "12:00", "17:00")
    )
    (interval,) = free(rule_set, around("UTC", date(2025, 6, 9)))
    assert interval.duration == 8 * H


def test_each_session_type_gets_only_the_windows_that_offer_it() -> None:
    rule_set = rules(
        "UTC",
        weekly(Weekday.MONDAY, "09:00", "12:00", IND, GROUP),
        weekly(Weekday.MONDAY, "13:00", "17:00", IND),
        weekly(Weekday.MONDAY, "22:00", "06:00", CRISIS),
    )
    availability = expand(rule_set, around("UTC", date(2025, 6, 9)))
    assert [iv.duration for iv in availability.free_for(IND)] == [3 * H, 4 * H]
    assert [iv.duration for iv in availability.free_for(GROUP)] == [3 * H]
    assert [iv.duration for iv in availability.free_for(CRISIS)] == [8 * H]
    assert len(availability.free_any()) == 3


def test_override_replaces_the_day_but_not_the_spill_from_the_night_before() -> None:
    rule_set = rules(
        "UTC",
        weekly(Weekday.SUNDAY, "22:00", "06:00"),
        weekly(Weekday.MONDAY, "09:00", "17:00"),
        overrides=[DateOverride(day=date(2025, 6, 9), windows=(Window(start=time(13), end=time(15)),))],
    )
    intervals = free(rule_set, Interval(at("UTC", 2025, 6, 9), at("UTC", 2025, 6, 10)))
    assert [(iv.start.hour, iv.end.hour) for iv in intervals] == [(0, 6), (13, 15)]


def test_day_off_override_and_overnight_override() -> None:
    rule_set = rules(
        "UTC",
        weekly(Weekday.MONDAY, "09:00", "17:00"),
        weekly(Weekday.TUESDAY, "09:00", "17:00"),
        overrides=[
            DateOverride.off(date(2025, 6, 9)),
            DateOverride(day=date(2025, 6, 10), windows=(Window(start=time(20), end=time(2)),)),
        ],
    )
    intervals = free(rule_set, Interval(at("UTC", 2025, 6, 9), at("UTC", 2025, 6, 12)))
    assert intervals == (Interval(at("UTC", 2025, 6, 10, 20), at("UTC", 2025, 6, 11, 2)),)


def test_time_off_by_local_days_also_blocks_spill_from_the_night_before() -> None:
    zone = "Australia/Sydney"
    rule_set = rules(
        zone,
        *(weekly(d, "22:00", "06:00") for d in Weekday),
        time_off=[TimeOff.days(date(2025, 6, 10), date(2025, 6, 11))],
    )
    intervals = free(rule_set, Interval(at(zone, 2025, 6, 9), at(zone, 2025, 6, 13)))
    assert intervals == (
        Interval(at(zone, 2025, 6, 9), at(zone, 2025, 6, 9, 6)),
        Interval(at(zone, 2025, 6, 9, 22), at(zone, 2025, 6, 10)),
        Interval(at(zone, 2025, 6, 12), at(zone, 2025, 6, 12, 6)),
        Interval(at(zone, 2025, 6, 12, 22), at(zone, 2025, 6, 13)),
    )


def test_time_off_instants_busy_time_and_now_are_subtracted() -> None:
    rule_set = rules(
        "UTC",
        weekly(Weekday.MONDAY, "08:00", "18:00"),
        time_off=[TimeOff.between(at("UTC", 2025, 6, 9, 12), at("UTC", 2025, 6, 9, 13))],
    )
    window = Interval(at("UTC", 2025, 6, 9), at("UTC", 2025, 6, 10))
    busy = [Interval(at("UTC", 2025, 6, 9, 15), at("UTC", 2025, 6, 9, 16))]
    intervals = free(rule_set, window, busy=busy, now=at("UTC", 2025, 6, 9, 10))
    assert [(iv.start.hour, iv.end.hour) for iv in intervals] == [(10, 12), (13, 15), (16, 18)]


def test_availability_carries_identity_and_settings() -> None:
    rule_set = RuleSet.default("p9", "Europe/London", version=7)
    availability = expand(rule_set, around("Europe/London", date(2025, 6, 11)))
    assert (availability.provider_id, availability.version, availability.timezone) == (
        "p9",
        7,
        "Europe/London",
    )
    assert availability.sessions[IND].duration == timedelta(minutes=50)
    assert availability.free_for(GROUP) == ()


def test_a_year_of_default_rules_expands() -> None:
    zone = "America/New_York"
    start = at(zone, 2025, 1, 1)
    availability = expand(RuleSet.default("p1", zone), Interval(start, start + MAX_RANGE))
    intervals = availability.free_for(IND)
    days = [date(2025, 1, 1) + timedelta(days=k) for k in range(366)]
    assert len(intervals) == sum(d.isoweekday() <= 5 for d in days) == 262
    assert {iv.start.astimezone(ZoneInfo(zone)).time() for iv in intervals} == {time(9)}


@pytest.mark.parametrize(
    ("length", "message"),
    [(MAX_RANGE + timedelta(minutes=1), "at most 366 days"), (timedelta(0), "end must be after start")],
)
def test_range_must_be_non_empty_and_at_most_a_year(length: timedelta, message: str) -> None:
    start = at("UTC", 2025, 1, 1)
    with pytest.raises(ExpansionRangeError) as caught:
        expand(RuleSet.default("p1", "UTC"), Interval(start, start + length))
    (violation,) = caught.value.violations
    assert violation.field == "window"
    assert message in violation.message


def test_results_are_utc_even_for_inputs_in_other_zones() -> None:
    ny, sydney = ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")
    window = Interval(datetime(2025, 6, 9, tzinfo=ny), datetime(2025, 6, 10, tzinfo=ny))
    busy = [Interval(datetime(2025, 6, 10, 2, tzinfo=sydney), datetime(2025, 6, 10, 3, tzinfo=sydney))]
    rule_set = rules("America/New_York", weekly(Weekday.MONDAY, "09:00", "17:00"))
    intervals = free(rule_set, window, busy=busy, now=datetime(2025, 6, 9, 8, tzinfo=ny))
    assert [iv.duration for iv in intervals] == [3 * H, 4 * H]  # 12:00-13:00 NY is busy
    assert all(iv.start.tzinfo is UTC and iv.end.tzinfo is UTC for iv in intervals)
