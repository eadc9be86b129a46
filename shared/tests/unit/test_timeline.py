"""Interval algebra against a minute-by-minute reference, and wall time across DST in both hemispheres."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenfour_shared.timeline import (
    Interval,
    as_utc,
    intersect,
    load_zone,
    local_to_utc,
    merge,
    subtract,
    total,
)

BASE = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)


def minute(n: int) -> datetime:
    return BASE + timedelta(minutes=n)


spans = st.tuples(st.integers(0, 240), st.integers(0, 60)).map(lambda p: (p[0], p[0] + p[1]))
span_lists = st.lists(spans, max_size=8)


def intervals(pairs: list[tuple[int, int]]) -> list[Interval]:
    return [Interval(minute(a), minute(b)) for a, b in pairs]


def minutes_of(pairs: list[tuple[int, int]]) -> set[int]:
    return {m for a, b in pairs for m in range(a, b)}


def minutes_in(result: list[Interval]) -> set[int]:
    out: set[int] = set()
    for iv in result:
        first = int((iv.start - BASE) / timedelta(minutes=1))
        last = int((iv.end - BASE) / timedelta(minutes=1))
        out.update(range(first, last))
    return out


def assert_canonical(result: list[Interval]) -> None:
    """Sorted, non-empty, and separated by real gaps: the one representation of a set."""
    for iv in result:
        assert iv.start < iv.end
    for left, right in itertools.pairwise(result):
        assert left.end < right.start


@given(span_lists)
def test_merge_is_the_union(pairs: list[tuple[int, int]]) -> None:
    result = merge(intervals(pairs))

    assert_canonical(result)
    assert minutes_in(result) == minutes_of(pairs)
    assert total(intervals(pairs)) == timedelta(minutes=len(minutes_of(pairs)))


@given(span_lists, span_lists)
def test_subtract_is_the_set_difference(base: list[tuple[int, int]], remove: list[tuple[int, int]]) -> None:
    result = subtract(intervals(base), intervals(remove))

    assert_canonical(result)
    assert minutes_in(result) == minutes_of(base) - minutes_of(remove)


@given(span_lists, span_lists)
def test_intersect_is_the_set_intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    result = intersect(intervals(a), intervals(b))

    assert_canonical(result)
    assert minutes_in(result) == minutes_of(a) & minutes_of(b)
    assert result == intersect(intervals(b), intervals(a))


def test_touching_intervals_join_and_empty_ones_vanish() -> None:
    assert merge(intervals([(30, 60), (0, 30), (90, 90)])) == intervals([(0, 60)])


def test_subtracting_the_exact_interval_leaves_nothing_and_edges_are_half_open() -> None:
    assert subtract(intervals([(0, 60)]), intervals([(0, 60)])) == []
    assert subtract(intervals([(0, 60)]), intervals([(60, 90)])) == intervals([(0, 60)])
    assert intersect(intervals([(0, 60)]), intervals([(60, 90)])) == []


def test_interval_predicates_are_half_open() -> None:
    morning, noon = Interval(minute(0), minute(60)), Interval(minute(60), minute(120))

    assert not morning.overlaps(noon)
    assert morning.contains_instant(minute(0))
    assert not morning.contains_instant(minute(60))
    assert morning.expand(timedelta(minutes=10), timedelta(minutes=5)) == Interval(minute(-10), minute(65))
    assert morning.expand(timedelta(0), timedelta(minutes=1)).overlaps(noon)
    assert Interval(minute(0), minute(120)).contains(noon)
    assert morning.duration == timedelta(hours=1)


def test_interval_rejects_naive_bounds_and_reversed_ends() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10, tzinfo=UTC))
    with pytest.raises(ValueError, match="before its start"):
        Interval(minute(10), minute(0))


def test_as_utc_normalises_aware_times_and_rejects_naive_ones() -> None:
    local = datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=10)))

    assert as_utc(local) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert as_utc(local).tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2026, 7, 1, 9, 0))


NEW_YORK = "America/New_York"
SYDNEY = "Australia/Sydney"


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected"),
    [
        # Ordinary days either side of the spring-forward: each date uses its own offset.
        (NEW_YORK, date(2026, 3, 7), time(2, 30), datetime(2026, 3, 7, 7, 30, tzinfo=UTC)),
        (NEW_YORK, date(2026, 3, 9), time(2, 30), datetime(2026, 3, 9, 6, 30, tzinfo=UTC)),
        # Spring-forward gap: 02:30 does not exist; it moves forward by the gap (= 03:30 EDT).
        (NEW_YORK, date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
        # Fall-back overlap: 01:30 happens twice; the first (EDT) one is taken.
        (NEW_YORK, date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        # Southern hemisphere: summer time in January, standard time in July.
        (SYDNEY, date(2026, 1, 15), time(9, 0), datetime(2026, 1, 14, 22, 0, tzinfo=UTC)),
        (SYDNEY, date(2026, 7, 15), time(9, 0), datetime(2026, 7, 14, 23, 0, tzinfo=UTC)),
        # Sydney falls back on 5 April 2026 (first occurrence, AEDT) ...
        (SYDNEY, date(2026, 4, 5), time(2, 30), datetime(2026, 4, 4, 15, 30, tzinfo=UTC)),
        # ... and springs forward on 4 October 2026 (02:30 becomes 03:30 AEDT).
        (SYDNEY, date(2026, 10, 4), time(2, 30), datetime(2026, 10, 3, 16, 30, tzinfo=UTC)),
    ],
)
def test_local_to_utc(zone: str, day: date, wall: time, expected: datetime) -> None:
    result = local_to_utc(day, wall, load_zone(zone))

    assert result == expected
    assert result.tzinfo is UTC


def test_a_shift_across_the_fall_back_night_lasts_an_hour_longer() -> None:
    zone = load_zone(NEW_YORK)

    night = Interval(
        local_to_utc(date(2026, 10, 31), time(19, 0), zone), local_to_utc(date(2026, 11, 1), time(7, 0), zone)
    )

    assert night.duration == timedelta(hours=13)


@pytest.mark.parametrize("name", [NEW_YORK, SYDNEY, "UTC", "Europe/London"])
def test_load_zone_accepts_iana_names(name: str) -> None:
    assert str(load_zone(name)) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus_Mons",
        "america/new_york",
        " UTC",
        "UTC ",
        "/etc/passwd",
        "../../etc/passwd",
        "America/../../../etc/passwd",
        "./UTC",
        "America",
        "zone.tab",
        "America/New_York\x00",
        "x" * 300,
    ],
)
def test_load_zone_rejects_unknown_and_path_like_names(name: str) -> None:
    with pytest.raises(ValueError, match="unknown IANA timezone"):
        load_zone(name)
