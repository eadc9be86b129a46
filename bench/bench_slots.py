"""Benchmark shift-aware slot search: python bench/bench_slots.py

Times tenfour_scheduling.domain.find_slots() for one officer against 200 providers over 14
days, in-process, and prints it as a ratio to a baseline measured in the same run: merely
expanding the search's inputs -- the officer's roster into shifts, every provider's weekly
hours into UTC free intervals (each window's start and end through timeline.local_to_utc),
and every peer supporter's roster into shifts. A ratio of 3 means the whole search (fatigue
rules, intersections, bookings, caps, ranking, reasons) costs three times building its inputs.
Then how the cost grows with the number of providers and with the horizon.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from tenfour_scheduling.domain import (
    FatiguePolicy,
    LocalHours,
    Officer,
    OfficerPreferences,
    ProviderKind,
    ProviderOffer,
    ProviderProfile,
    Roster,
    SessionOffer,
    SlotFilters,
    find_slots,
    roster_from_template,
    shifts,
)
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

NOW = datetime(2025, 10, 27, 13, tzinfo=UTC)  # the horizon crosses the US and EU fall-back
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]
TEMPLATES = ["pitman", "dupont", "4-on-4-off", "4-10", "5-2", "6-3"]
SESSION = "followup"
POLICY = FatiguePolicy()


@dataclass(frozen=True)
class ProviderInput:
    """What the wiring layer would hold before expansion: weekly local hours, bookings, roster."""

    provider_id: str
    kind: ProviderKind
    zone: str
    hours: tuple[tuple[int, clock, clock], ...]  # (weekday, start, end); end <= start runs past midnight
    bookings: tuple[Interval, ...]
    roster: Roster | None


def make_providers(count: int, horizon: timedelta, seed: int = 7) -> list[ProviderInput]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        zone = ZONES[i % len(ZONES)]
        peer = i % 5 == 4  # one in five is a peer supporter with a roster of their own
        if peer:
            hours = tuple((d, clock(rng.choice((8, 12, 17))), clock(22)) for d in range(7))
            roster = roster_from_template(
                TEMPLATES[i % len(TEMPLATES)],
                anchor=date(2025, 10, 6),
                zone=zone,
                offset_days=rng.randrange(7),
            )
        else:
            hours = tuple(
                (d, start, end)
                for d in range(5)
                for start, end in ((clock(9), clock(12)), (clock(13), clock(17, 30)))
            )
            hours += ((rng.randrange(5), clock(18), clock(21)), (5, clock(10), clock(14)))
            roster = None
        bookings = []
        for day in range(horizon.days + 1):
            for _ in range(rng.randrange(0, 4)):
                begin = NOW + timedelta(
                    days=day, hours=rng.randrange(-6, 10), minutes=rng.choice((0, 15, 30, 45))
                )
                bookings.append(Interval(begin, begin + timedelta(minutes=50)))
        kind = ProviderKind.PEER if peer else ProviderKind.THERAPIST
        out.append(ProviderInput(f"p{i:03d}", kind, zone, hours, tuple(bookings), roster))
    return out


def expand_hours(p: ProviderInput, window: Interval) -> list[Interval]:
    zone = load_zone(p.zone)
    first = window.start.astimezone(zone).date() - timedelta(days=1)
    out = []
    for n in range((window.end - window.start).days + 2):
        day = first + timedelta(days=n)
        for weekday, start, end in p.hours:
            if day.weekday() == weekday:
                end_day = day + timedelta(days=1) if end <= start else day
                out.append(Interval(local_to_utc(day, start, zone), local_to_utc(end_day, end, zone)))
    return out


def expand_inputs(officer: Roster, providers: list[ProviderInput], window: Interval) -> list[list[Interval]]:
    """The baseline: everything the search needs, expanded, and nothing else."""
    reach = POLICY.reach()
    shifts(officer, window.expand(reach, reach))
    free = []
    for p in providers:
        free.append(expand_hours(p, window))
        if p.roster is not None:
            shifts(p.roster, window.expand(reach, reach))
    return free


def build_offers(providers: list[ProviderInput], free: list[list[Interval]]) -> list[ProviderOffer]:
    return [
        ProviderOffer(
            provider_id=p.provider_id,
            kind=p.kind,
            timezone=p.zone,
            profile=ProviderProfile(languages=frozenset({"en"}), first_responder_competent=True),
            sessions={
                SESSION: SessionOffer(
                    free=tuple(f),
                    duration=timedelta(minutes=50),
                    buffer_after=timedelta(minutes=10),
                    min_notice=timedelta(hours=12),
                    max_per_day=6,
                    max_per_week=20,
                )
            },
            bookings=p.bookings,
            roster=p.roster,
        )
        for p, f in zip(providers, free, strict=True)
    ]


OFFICER = Officer(officer_id="officer", jurisdiction="US-NY", current_provider_id="p003")
OFFICER_ROSTER = roster_from_template(
    "dupont", anchor=date(2025, 10, 6), zone="America/New_York", offset_days=3
)
PREFERENCES = OfficerPreferences(
    preferred_hours=(LocalHours(start=clock(17), end=clock(21)),), prefer_days_off=True
)
OFFICER_BOOKINGS = (Interval(NOW + timedelta(days=2, hours=3), NOW + timedelta(days=2, hours=4)),)


def search(offers: list[ProviderOffer], horizon: timedelta) -> int:
    result = find_slots(
        OFFICER,
        OFFICER_ROSTER,
        POLICY,
        PREFERENCES,
        offers,
        SESSION,
        SlotFilters(language="en"),
        now=NOW,
        horizon=horizon,
        officer_bookings=OFFICER_BOOKINGS,
    )
    assert result.slots, result.message
    return result.candidates


@dataclass(frozen=True)
class Row:
    providers: int
    days: int
    baseline_ms: float  # median
    search_ms: float  # median
    ratio: float  # median of per-pair ratios
    candidates: int


def paired(
    baseline: Callable[[], object], subject: Callable[[], object], budget: float
) -> tuple[float, float, float]:
    """Alternate baseline and subject runs so noise from other work on the machine hits both
    alike; return both medians and the median of the per-pair ratios."""
    base_ms: list[float] = []
    subject_ms: list[float] = []
    started = time.perf_counter()
    while len(base_ms) < 5 or (time.perf_counter() - started < budget and len(base_ms) < 100):
        for fn, into in ((baseline, base_ms), (subject, subject_ms)):
            t0 = time.perf_counter()
            fn()
            into.append((time.perf_counter() - t0) * 1000)
    ratios = [s / b for s, b in zip(subject_ms, base_ms, strict=True)]
    return statistics.median(base_ms), statistics.median(subject_ms), statistics.median(ratios)


def measure(count: int, days: int, budget: float = 2.0) -> Row:
    horizon = timedelta(days=days)
    window = Interval(NOW, NOW + horizon)
    providers = make_providers(count, horizon)
    offers = build_offers(providers, expand_inputs(OFFICER_ROSTER, providers, window))
    candidates = search(offers, horizon)
    base, searched, ratio = paired(
        lambda: expand_inputs(OFFICER_ROSTER, providers, window), lambda: search(offers, horizon), budget
    )
    return Row(count, days, base, searched, ratio, candidates)


def table(title: str, rows: list[Row]) -> str:
    lines = [
        f"### {title}",
        "",
        "| providers | horizon (days) | baseline: expand inputs (ms) | find_slots (ms) | ratio "
        "| valid starts |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = [r.providers, r.days, f"{r.baseline_ms:.1f}", f"{r.search_ms:.1f}", f"{r.ratio:.2f}"]
        lines.append("| " + " | ".join(map(str, cells)) + f" | {r.candidates:,} |")
    return "\n".join(lines)


def main() -> int:
    headline = measure(200, 14, budget=4.0)
    print(
        f"Python {sys.version.split()[0]}; baseline and find_slots alternate in one process; "
        "ratio = median of per-pair ratios.\n"
    )
    print(table("FindSlots, one officer, 200 providers, 14 days", [headline]))
    print()
    print(table("Growth with providers (14 days)", [measure(n, 14) for n in (50, 100, 200, 400)]))
    print()
    print(table("Growth with horizon (200 providers)", [measure(200, d) for d in (7, 14, 30, 90)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
