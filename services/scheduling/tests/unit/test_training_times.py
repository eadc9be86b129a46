"""A training for 30 officers on four rotations lands where the most of them can attend, checked
against the independent minute-by-minute rest checker of the slot properties (zoneinfo only;
duty, buffers, protected and usual sleep, quick returns), over a fortnight with a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain import FatiguePolicy, Roster, ShiftDefinition, ShiftKind, off_duty_windows
from tenfour_scheduling.domain.training_times import best_times, candidate_starts
from tenfour_shared.timeline import Interval

from .test_slot_properties import Rest, minutes

ZONE = "America/Chicago"
D = ShiftDefinition(start=time(7), length=timedelta(hours=12), kind=ShiftKind.DAY)
N = ShiftDefinition(start=time(19), length=timedelta(hours=12), kind=ShiftKind.NIGHT)
EARLY = ShiftDefinition(start=time(7), length=timedelta(hours=8), kind=ShiftKind.DAY)
SWING = ShiftDefinition(start=time(15), length=timedelta(hours=8), kind=ShiftKind.SWING)
ROTATIONS = [  # (definitions, cycle): Pitman nights, DuPont, 4-on-4-off, 5/2 swing
    ({"N": N}, "NN--NNN--NN---"),
    ({"N": N, "D": D}, "NNNN---DDD-NNN---DDDD-------"),
    ({"D": D}, "DDDD----"),
    ({"S": SWING, "D": EARLY}, "SSSSS--"),
]
WINDOW = Interval(datetime(2026, 3, 2, 6, tzinfo=UTC), datetime(2026, 3, 16, 6, tzinfo=UTC))  # DST on 8 March
DURATION = timedelta(hours=2)


def officers() -> dict[str, Roster]:
    out = {}
    for i in range(30):
        definitions, cycle = ROTATIONS[i % 4]
        out[f"o{i:02d}"] = Roster(
            definitions=definitions,
            cycle=cycle,
            anchor=date(2026, 1, 5),
            offset_days=(i * 3) % len(cycle),
            zone=ZONE,
        )
    return out


def facilitator_hours() -> list[Interval]:
    """Weekdays 08:00-20:00 in Chicago (wall clock, so the UTC hours move on 8 March)."""
    tz, out = ZoneInfo(ZONE), []
    day = date(2026, 3, 2)
    while day < date(2026, 3, 16):
        if day.weekday() < 5:
            start = datetime.combine(day, time(8), tz).astimezone(UTC)
            out.append(Interval(start, datetime.combine(day, time(20), tz).astimezone(UTC)))
        day += timedelta(days=1)
    return out


def test_the_best_time_is_where_the_brute_force_count_is_highest() -> None:
    rosters, policy = officers(), FatiguePolicy()
    starts = candidate_starts(facilitator_hours(), DURATION, WINDOW.start)
    assert len(starts) > 200
    free = {o: off_duty_windows(r, policy, WINDOW, officer=True).windows for o, r in rosters.items()}
    ranked = best_times(starts, DURATION, free, limit=len(starts))

    lo, hi = minutes(WINDOW.start), minutes(WINDOW.end)
    rest = {o: Rest(r, policy, lo, hi, officer=True) for o, r in rosters.items()}
    oracle = {
        s: sorted(o for o, checker in rest.items() if checker.fit(minutes(s), minutes(s + DURATION)))
        for s in starts
    }
    assert {t.start: list(t.attendees) for t in ranked} == oracle  # every candidate, every officer
    best = max(len(v) for v in oracle.values())
    assert len(ranked[0].attendees) == best
    assert ranked[0].start == min(s for s, v in oracle.items() if len(v) == best)  # the earliest of the best
    assert 0 < best < 30  # four rotations: nobody's time suits everyone
    # Ranked: never more attendees after fewer.
    assert all(len(a.attendees) >= len(b.attendees) for a, b in pairwise(ranked))
    # Local 08:00 on both sides of the DST change is a candidate.
    tz = ZoneInfo(ZONE)
    assert datetime.combine(date(2026, 3, 6), time(8), tz).astimezone(UTC) in starts
    assert datetime.combine(date(2026, 3, 9), time(8), tz).astimezone(UTC) in starts


def test_candidates_are_on_the_half_hour_and_inside_the_free_time() -> None:
    free = [Interval(datetime(2026, 3, 2, 14, 10, tzinfo=UTC), datetime(2026, 3, 2, 17, tzinfo=UTC))]
    starts = candidate_starts(free, DURATION, datetime(2026, 3, 1, tzinfo=UTC))
    assert starts == [datetime(2026, 3, 2, 14, 30, tzinfo=UTC), datetime(2026, 3, 2, 15, tzinfo=UTC)]
    assert candidate_starts(free, DURATION, datetime(2026, 3, 2, 15, 1, tzinfo=UTC)) == []
