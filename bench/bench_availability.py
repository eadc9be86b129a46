"""Benchmark availability expansion: python bench/bench_availability.py

Times tenfour_shared.calendar.expand() for one provider over growing horizons and for 200
providers over 14 days, plus slot placement and an iCalendar import, and prints each as a ratio
to a baseline measured in the same run.

Baseline: walk the same provider-local days and convert every window's start and end to UTC
with timeline.local_to_utc -- the zone arithmetic any correct expansion must do -- without
building intervals, applying overrides, time off or busy time, or merging per session type.
A ratio of 3 means expand() costs three times the bare DST-correct conversions.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from functools import partial

from tenfour_shared.calendar import (
    DateOverride,
    RuleSet,
    SessionType,
    TimeOff,
    Weekday,
    WeeklyWindow,
    Window,
    candidate_starts,
    expand,
    parse_busy_calendar,
)
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "Pacific/Auckland", "Asia/Kolkata"]
START = datetime(2025, 1, 6, tzinfo=UTC)
IND, GROUP, CRISIS = SessionType.INDIVIDUAL, SessionType.GROUP, SessionType.CRISIS


def provider(rng: random.Random, index: int, horizon_days: int) -> tuple[RuleSet, list[Interval]]:
    """A busy therapist: split weekdays, two on-call nights, overrides, time off, external busy time."""
    zone = ZONES[index % len(ZONES)]
    weekly = []
    for day in list(Weekday)[:5]:
        weekly += [
            WeeklyWindow(weekday=day, start=clock(9), end=clock(12), offers=(IND, GROUP)),
            WeeklyWindow(weekday=day, start=clock(13), end=clock(17, 30), offers=(IND,)),
        ]
    weekly += [
        WeeklyWindow(weekday=Weekday.TUESDAY, start=clock(22), end=clock(6), offers=(CRISIS,)),
        WeeklyWindow(weekday=Weekday.THURSDAY, start=clock(22), end=clock(6), offers=(CRISIS,)),
        WeeklyWindow(weekday=Weekday.SATURDAY, start=clock(10), end=clock(14), offers=(GROUP,)),
    ]
    first = START.date()
    overrides = [
        DateOverride(day=first + timedelta(days=d), windows=(Window(start=clock(10), end=clock(15)),))
        for d in range(rng.randrange(3, 12), 366, 13)
    ]
    time_off = [
        TimeOff.days(first + timedelta(days=d), first + timedelta(days=d + 2)) for d in (40, 150, 250)
    ]
    time_off += [
        TimeOff.between(START + timedelta(hours=h), START + timedelta(hours=h + 3))
        for h in range(rng.randrange(24), 24 * 366, 24 * 17)
    ]
    rules = RuleSet(
        provider_id=f"p{index}",
        timezone=zone,
        weekly=tuple(weekly),
        overrides=tuple(overrides),
        time_off=tuple(time_off),
    )
    busy = []
    for d in range(horizon_days + 1):
        for _ in range(rng.randrange(0, 4)):
            begin = START + timedelta(days=d, hours=rng.randrange(6, 20), minutes=rng.choice((0, 15, 30, 45)))
            busy.append(Interval(begin, begin + timedelta(minutes=rng.choice((30, 45, 60, 90)))))
    return rules, busy


def baseline(rules: RuleSet, window: Interval) -> int:
    zone = load_zone(rules.timezone)
    by_weekday = {d: [w for w in rules.weekly if w.weekday == d] for d in Weekday}
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date()
    converted = 0
    while day <= last:
        for w in by_weekday[Weekday(day.isoweekday())]:
            local_to_utc(day, w.start, zone)
            local_to_utc(day + timedelta(days=1) if w.end <= w.start else day, w.end, zone)
            converted += 2
        day += timedelta(days=1)
    return converted


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time in seconds over ``repeats`` runs (after one warm-up)."""
    fn()
    samples = []
    for _ in range(repeats):
        begin = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


def us(seconds: float, units: int) -> str:
    return f"{seconds / units * 1e6:,.1f}"


def horizon_table(rng: random.Random) -> list[str]:
    rows = [
        "| horizon (days) | expand total (ms) | expand µs/provider-day | baseline µs/provider-day | ratio |",
        "|---:|---:|---:|---:|---:|",
    ]
    for days in (7, 14, 30, 90, 365):
        rules, busy = provider(rng, 0, days)
        window = Interval(START, START + timedelta(days=days))
        repeats = 30 if days <= 30 else 10
        cost = timed(partial(expand, rules, window, busy), repeats)
        base = timed(partial(baseline, rules, window), repeats)
        rows.append(
            f"| {days} | {cost * 1e3:,.2f} | {us(cost, days)} | {us(base, days)} | {cost / base:.1f} |"
        )
    return rows


def fleet_table(rng: random.Random) -> list[str]:
    days, count = 14, 200
    window = Interval(START + timedelta(days=30), START + timedelta(days=30 + days))
    fleet = [provider(rng, i, 30 + days) for i in range(count)]
    now = window.start - timedelta(days=1)
    availabilities = [expand(r, window, b) for r, b in fleet]

    def expand_all() -> None:
        for rules, busy in fleet:
            expand(rules, window, busy)

    def baseline_all() -> None:
        for rules, _ in fleet:
            baseline(rules, window)

    def place_all() -> None:
        for availability in availabilities:
            for _ in candidate_starts(availability, IND, [], now):
                pass

    base = timed(baseline_all, 5)
    provider_days = days * count
    rows = [
        "| workload | total (ms) | µs/provider-day | ratio to baseline |",
        "|---|---:|---:|---:|",
        f"| baseline: local_to_utc per window, {count} providers x {days} days | {base * 1e3:,.1f} "
        f"| {us(base, provider_days)} | 1.0 |",
    ]
    for label, fn in [
        (f"expand(), {count} providers x {days} days", expand_all),
        (f"candidate_starts() individual, 15-min grid, {count} x {days} days", place_all),
    ]:
        cost = timed(fn, 5)
        rows.append(f"| {label} | {cost * 1e3:,.1f} | {us(cost, provider_days)} | {cost / base:.1f} |")
    rows.append(_ics_row(base / provider_days))
    return rows


def _ics_row(base_per_day: float) -> str:
    events = []
    for i in range(60):
        start = START - timedelta(days=400) + timedelta(days=i % 7, hours=8 + i % 9)
        stamp = start.strftime("%Y%m%dT%H%M%SZ")
        end = (start + timedelta(minutes=45)).strftime("%Y%m%dT%H%M%SZ")
        rule = "RRULE:FREQ=WEEKLY\n" if i % 2 else "RRULE:FREQ=DAILY;INTERVAL=3\n"
        events.append(f"BEGIN:VEVENT\nUID:e{i}\nDTSTART:{stamp}\nDTEND:{end}\n{rule}END:VEVENT\n")
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//bench//EN\n" + "".join(events) + "END:VCALENDAR\n"
    days = 90
    window = Interval(START, START + timedelta(days=days))
    cost = timed(lambda: parse_busy_calendar(text, window, timezone="Europe/London"), 3)
    return (
        f"| parse_busy_calendar(), 60 recurring events over {days} days (1 provider) | {cost * 1e3:,.1f} "
        f"| {us(cost, days)} | {cost / days / base_per_day:.1f} |"
    )


def main() -> None:
    rng = random.Random(20250309)
    print(f"# Availability expansion benchmark (Python {sys.version.split()[0]})\n")
    print("Baseline: per local day, local_to_utc() for each weekly window's start and end, nothing else.\n")
    print("## One provider, growing horizon\n")
    print("\n".join(horizon_table(rng)))
    print("\n## Many providers\n")
    print("\n".join(fleet_table(rng)))
    print("\nMedians of repeated runs; every ratio compares timings taken in this process.")


if __name__ == "__main__":
    main()
