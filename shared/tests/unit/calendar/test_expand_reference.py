"""expand() against a deliberately simple minute-by-minute reference, over random rules and zones.

The reference builds no intervals and never calls timeline.local_to_utc: for each UTC minute it
reads the provider's wall clock and asks which rule covers it. It encodes the documented
semantics (rules.py) in wall-clock terms:

* a window starting on local date D covers wall times from combine(D, start) up to
  combine(D, end), or combine(D + 1, end) when end <= start;
* a bound that falls in a spring-forward gap moves forward by the length of the gap;
* a bound that falls in a fall-back overlap means its first pass, and the whole first pass of a
  repeated stretch comes before the whole second pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tenfour_shared.calendar import (
    DateOverride,
    RuleSet,
    SessionSettings,
    SessionType,
    TimeOff,
    WeeklyWindow,
    Window,
    expand,
)
from tenfour_shared.timeline import Interval

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "UTC",
    "Pacific/Chatham",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # transitions at midnight
]
MINUTE = timedelta(minutes=1)
SPECIAL_TIMES = [
    time(h, m)
    for h, m in [(0, 0), (0, 30), (1, 0), (1, 30), (1, 45), (2, 0), (2, 30), (2, 45), (3, 0), (3, 45), (4, 0)]
] + [time(9), time(17), time(22), time(23), time(23, 30)]
SESSIONS = tuple(SessionSettings(session_type=t, duration=timedelta(minutes=5)) for t in SessionType)


@cache
def transition_days(name: str) -> list[date]:
    """Local dates on which the zone's UTC offset changes, 2015-2030 (Sao Paulo had DST until 2019)."""
    zone = ZoneInfo(name)
    out: list[date] = []
    day = date(2015, 1, 1)
    previous = datetime.combine(day, time(12), UTC).astimezone(zone).utcoffset()
    while day < date(2031, 1, 1):
        day += timedelta(days=1)
        offset = datetime.combine(day, time(12), UTC).astimezone(zone).utcoffset()
        if offset != previous:
            out.append(day)
            previous = offset
    return out


# ---------------------------------------------------------------- the reference


def offsets(naive: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    first = naive.replace(tzinfo=zone, fold=0).utcoffset()
    second = naive.replace(tzinfo=zone, fold=1).utcoffset()
    assert first is not None
    assert second is not None
    return first, second


def normalise(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall time in a spring-forward gap moves forward by the gap; others stay."""
    before, after = offsets(naive, zone)
    return naive + (after - before) if before < after else naive


def precedes(a: datetime, fold_a: int, b: datetime, fold_b: int, zone: ZoneInfo) -> bool:
    """a is strictly earlier than b on the local clock, first pass of a repeated stretch first."""
    if a == b:
        return fold_a < fold_b
    if abs(a - b) < timedelta(hours=3):
        a0, a1 = offsets(a, zone)
        b0, b1 = offsets(b, zone)
        if a0 > a1 and b0 > b1 and abs(a - b) < a0 - a1:
            return (fold_a, a) < (fold_b, b)
    return a < b


def covers(wall: datetime, fold: int, start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    return not precedes(wall, fold, start, 0, zone) and precedes(wall, fold, end, 0, zone)


def reference(
    rules: RuleSet, window: Interval, busy: list[Interval], now: datetime | None
) -> dict[SessionType, list[bool]]:
    zone = ZoneInfo(rules.timezone)
    n = (window.end - window.start) // MINUTE
    out = {t: [False] * n for t in SessionType}
    spans = [(b.start, b.end) for b in busy]
    spans += [(t.start, t.end) for t in rules.time_off if t.start is not None and t.end is not None]
    off_days = [
        (
            normalise(datetime.combine(t.first_day, time(0)), zone),
            normalise(datetime.combine(t.last_day + timedelta(days=1), time(0)), zone),
        )
        for t in rules.time_off
        if t.first_day is not None and t.last_day is not None
    ]
    overrides = {o.day: o.windows for o in rules.overrides}

    @cache
    def windows_starting(day: date) -> list[tuple[datetime, datetime, tuple[SessionType, ...]]]:
        chosen = overrides.get(day)
        if chosen is None:
            chosen = tuple(w for w in rules.weekly if w.weekday == day.isoweekday())
        result = []
        for w in chosen:
            end_day = day + timedelta(days=1) if w.end <= w.start else day
            start_wall = normalise(datetime.combine(day, w.start), zone)
            end_wall = normalise(datetime.combine(end_day, w.end), zone)
            result.append((start_wall, end_wall, w.offers))
        return result

    for i in range(n):
        moment = window.start + i * MINUTE
        if now is not None and moment < now:
            continue
        if any(s <= moment < e for s, e in spans):
            continue
        local = moment.astimezone(zone)
        wall, fold = local.replace(tzinfo=None), local.fold
        if any(covers(wall, fold, s, e, zone) for s, e in off_days):
            continue
        for back in (0, 1, 2):
            for s, e, offers in windows_starting(wall.date() - timedelta(days=back)):
                if covers(wall, fold, s, e, zone):
                    for t in offers:
                        out[t][i] = True
    return out


def as_minutes(intervals: tuple[Interval, ...], window: Interval) -> list[bool]:
    n = (window.end - window.start) // MINUTE
    marks = [False] * n
    for iv in intervals:
        assert window.contains(iv), iv
        lo, rest_lo = divmod(iv.start - window.start, MINUTE)
        hi, rest_hi = divmod(iv.end - window.start, MINUTE)
        assert not rest_lo, "free time should start on a whole minute"
        assert not rest_hi, "free time should end on a whole minute"
        for i in range(lo, hi):
            marks[i] = True
    return marks


# ---------------------------------------------------------------- strategies


@cache
def transition_times(name: str) -> list[time]:
    """Wall times at either side of the zone's recent transitions, and a few minutes around them."""
    zone = ZoneInfo(name)
    found: set[time] = set()
    for day in transition_days(name)[-4:]:
        moment = datetime.combine(day - timedelta(days=1), time(0), UTC)
        for _ in range(3 * 96):  # every UTC offset here is a multiple of 15 minutes
            later = moment + timedelta(minutes=15)
            before, after = moment.astimezone(zone).utcoffset(), later.astimezone(zone).utcoffset()
            if before != after and before is not None and after is not None:
                for wall in (later + before, later + after):
                    for nudge in (-30, -15, 0, 15, 30):
                        found.add((wall + timedelta(minutes=nudge)).time())
            moment = later
    return sorted(found)


wall_lengths = st.one_of(
    st.sampled_from([5, 30, 60, 7 * 60, 8 * 60, 9 * 60, 24 * 60]), st.integers(5, 24 * 60)
)
offer_sets = st.sets(st.sampled_from(list(SessionType)), min_size=1).map(tuple)


def end_after(start: time, minutes: int) -> time:
    total = (start.hour * 60 + start.minute + minutes) % (24 * 60)
    return time(total // 60, total % 60)


@st.composite
def windows(draw: st.DrawFn, times: st.SearchStrategy[time]) -> Window:
    start = draw(times)
    # Ends are drawn from the same biased times half of the time, so they land in gaps and overlaps too.
    end = draw(st.one_of(times, wall_lengths.map(lambda m: end_after(start, m))))
    if (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60) in range(1, 5):
        end = end_after(start, 5)  # the rule set rejects windows shorter than the 5-minute session
    return Window(start=start, end=end, offers=draw(offer_sets))


def week_span(w: WeeklyWindow) -> tuple[int, int]:
    start = (w.weekday - 1) * 1440 + w.start.hour * 60 + w.start.minute
    return start, start + w.wall_minutes


def clashes(a: WeeklyWindow, b: WeeklyWindow) -> bool:
    (a0, a1), (b0, b1) = week_span(a), week_span(b)
    return any(a0 < b1 + s and b0 + s < a1 for s in (-7 * 1440, 0, 7 * 1440))


@st.composite
def weekly_rules(
    draw: st.DrawFn, times: st.SearchStrategy[time], weekdays: st.SearchStrategy[int], probe_day: int
) -> tuple[WeeklyWindow, ...]:
    kept: list[WeeklyWindow] = []
    if draw(st.booleans()):  # a window on the transition day itself, kept first so never dropped
        w = draw(windows(times))
        kept.append(WeeklyWindow(weekday=probe_day, start=w.start, end=w.end, offers=w.offers))
    for _ in range(draw(st.integers(0, 8))):
        w = draw(windows(times))
        candidate = WeeklyWindow(weekday=draw(weekdays), start=w.start, end=w.end, offers=w.offers)
        if not any(clashes(candidate, k) for k in kept):  # overlaps are rejected by design
            kept.append(candidate)
    return tuple(kept)


def without_clashing_overrides(base: dict[str, object], overrides: list[DateOverride]) -> RuleSet:
    """Drop override windows the rule set rejects as overlapping until it validates."""
    while True:
        try:
            return RuleSet.model_validate({**base, "overrides": overrides})
        except ValidationError as exc:
            errors = exc.errors()
        doomed = {(e["loc"][1], e["loc"][3]) for e in errors if e["loc"][:1] == ("overrides",)}
        if not doomed:
            raise AssertionError(f"unexpected rejection: {errors}")
        overrides = [
            o.model_copy(
                update={"windows": tuple(w for k, w in enumerate(o.windows) if (i, k) not in doomed)}
            )
            for i, o in enumerate(overrides)
        ]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[RuleSet, Interval, list[Interval], datetime | None]:
    zone = draw(st.sampled_from(ZONES))
    days = transition_days(zone)
    if days and draw(st.integers(0, 9)) < 8:  # mostly around a DST transition
        anchor = draw(st.sampled_from(days))
    else:
        anchor = draw(st.dates(date(2015, 1, 1), date(2030, 12, 31)))
    # Transitions happen between about 13:00 UTC the day before (New Zealand) and 09:00 UTC (Americas).
    start = datetime.combine(anchor, time(12), UTC) - draw(st.integers(0, 36 * 60)) * MINUTE
    n = draw(st.one_of(st.integers(1, 3 * 1440), st.integers(36 * 60, 3 * 1440)))
    window = Interval(start, start + n * MINUTE)
    first_local = start.astimezone(ZoneInfo(zone)).date()
    near = [anchor - timedelta(days=1), anchor]
    # Half the times sit next to this zone's own transitions, so bounds land in gaps and overlaps.
    local_special = st.sampled_from(transition_times(zone) or SPECIAL_TIMES)
    times = st.one_of(
        local_special,
        local_special,
        st.sampled_from(SPECIAL_TIMES),
        st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    )
    near_weekdays = st.sampled_from([d.isoweekday() for d in near])
    weekdays = st.one_of(near_weekdays, near_weekdays, st.integers(1, 7))

    def instant_span() -> st.SearchStrategy[tuple[datetime, datetime]]:
        return st.tuples(st.integers(-600, n + 600), st.integers(1, 2000)).map(
            lambda p: (start + p[0] * MINUTE, start + (p[0] + p[1]) * MINUTE)
        )

    overrides: dict[date, DateOverride] = {}
    override_days = st.one_of(
        st.sampled_from(near), st.integers(-2, 4).map(lambda k: first_local + timedelta(days=k))
    )
    for _ in range(draw(st.integers(0, 3))):
        day = draw(override_days)
        overrides.setdefault(
            day, DateOverride(day=day, windows=tuple(draw(st.lists(windows(times), max_size=3))))
        )
    time_off = [TimeOff.between(a, b) for a, b in draw(st.lists(instant_span(), max_size=2))]
    for offset, length in draw(st.lists(st.tuples(st.integers(-2, 4), st.integers(0, 2)), max_size=2)):
        first = first_local + timedelta(days=offset)
        time_off.append(TimeOff.days(first, first + timedelta(days=length)))
    base: dict[str, object] = {
        "provider_id": "p",
        "timezone": zone,
        "sessions": SESSIONS,
        "weekly": draw(weekly_rules(times, weekdays, anchor.isoweekday())),
        "time_off": time_off,
    }
    rules = without_clashing_overrides(base, list(overrides.values()))
    busy = [Interval(a, b) for a, b in draw(st.lists(instant_span(), max_size=3))]
    now = draw(st.none() | st.integers(-60, n).map(lambda k: start + k * MINUTE))
    return rules, window, busy, now


@settings(max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_expand_matches_minute_by_minute_reference(
    scenario: tuple[RuleSet, Interval, list[Interval], datetime | None],
) -> None:
    rules, window, busy, now = scenario
    availability = expand(rules, window, busy, now)
    expected = reference(rules, window, busy, now)
    zone = ZoneInfo(rules.timezone)
    for t in SessionType:
        got = as_minutes(availability.free_for(t), window)
        if got != expected[t]:
            i = next(k for k, (g, e) in enumerate(zip(got, expected[t], strict=True)) if g != e)
            moment = window.start + i * MINUTE
            raise AssertionError(
                f"{t} at {moment.isoformat()} ({moment.astimezone(zone).isoformat()} local): "
                f"expand says free={got[i]}, reference says {expected[t][i]}"
            )


@settings(max_examples=60, deadline=None, database=None)
@given(scenarios())
def test_free_time_is_sorted_disjoint_and_inside_the_window(
    scenario: tuple[RuleSet, Interval, list[Interval], datetime | None],
) -> None:
    rules, window, busy, now = scenario
    availability = expand(rules, window, busy, now)
    for intervals in availability.free.values():
        for a, b in pairwise(intervals):
            assert a.end < b.start
        assert all(window.contains(iv) and iv.duration > timedelta(0) for iv in intervals)
        assert not any(iv.overlaps(b) for iv in intervals for b in busy)
