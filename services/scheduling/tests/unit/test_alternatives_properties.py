"""Alternatives for a session in conflict, checked against the independent brute-force checker
of test_slot_properties: for random rosters, fatigue policies, preferences and provider hours
(dates biased towards DST changes), the alternatives found the way the service finds them
(FindSlots' indexed search per provider tier, largest limit, then ``choose``) are always
conflict-free, and on distinct days whenever at least that many days have a fitting start."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event, given
from hypothesis import strategies as st

from tenfour_scheduling.domain import Officer, SlotFilters
from tenfour_scheduling.domain.alternatives import MAX_ALTERNATIVES, Tier, choose, minutes_apart
from tenfour_scheduling.domain.providers import ProviderKind
from tenfour_scheduling.domain.rest import RestContext
from tenfour_scheduling.domain.slot_bits import find_slots_indexed
from tenfour_scheduling.domain.slots import MAX_LIMIT, Slot

from .test_slot_properties import (
    SETTINGS,
    ZONES,
    Checker,
    Scenario,
    instants,
    minutes,
    offers,
    policies,
    preferences,
    rosters,
    spans_from,
)

TIERS = (Tier.SAME_PROVIDER, Tier.SEEN_BEFORE, Tier.OTHER)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scenario, time, int]:
    zone = draw(st.sampled_from(ZONES))
    now = draw(instants(zone))
    days = draw(st.integers(2, 9))
    sc = Scenario(
        now=now,
        horizon_days=days,
        step_min=15,
        roster=draw(rosters(zone, now.astimezone(ZoneInfo(zone)).date(), days)),
        policy=draw(policies),
        preferences=draw(preferences()),
        offers=tuple(draw(offers(f"p{i}", now, days)) for i in range(draw(st.integers(1, 3)))),
        officer_bookings=spans_from(draw, now, days, 2, range(30, 91, 10)),
        current_provider=draw(st.sampled_from([None, "p0"])),
    )
    target = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    return sc, target, draw(st.integers(1, MAX_ALTERNATIVES))


def candidates(sc: Scenario) -> list[tuple[Tier, Slot]]:
    """One search per tier, as AlternativeFinder runs them (provider i is tier i)."""
    out: list[tuple[Tier, Slot]] = []
    for tier, offer in zip(TIERS, sc.offers, strict=False):
        result = find_slots_indexed(
            Officer(officer_id="o", current_provider_id=sc.current_provider),
            sc.roster,
            sc.policy,
            sc.preferences,
            [offer],
            "s",
            SlotFilters(),
            now=sc.now,
            horizon=timedelta(days=sc.horizon_days),
            officer_bookings=sc.officer_bookings,
            step=timedelta(minutes=sc.step_min),
            limit=MAX_LIMIT,
        )
        out += [(tier, s) for s in result.slots]
    return out


@SETTINGS
@given(cases())
def test_alternatives_are_conflict_free_and_on_distinct_days_when_days_exist(
    case: tuple[Scenario, time, int],
) -> None:
    sc, target, count = case
    checker = Checker(sc)
    by_id = {o.provider_id: o for o in sc.offers}
    chosen = choose(candidates(sc), target, count)

    for alt in chosen:
        assert checker.violations(by_id[alt.slot.provider_id], minutes(alt.slot.start)) == [], alt
        assert alt.reason
    valid = [(o.provider_id, s) for o in sc.offers for s in checker.grid() if not checker.violations(o, s)]
    days = {checker.local_date(s) for _, s in valid}
    chosen_days = [checker.local_date(minutes(a.slot.start)) for a in chosen]
    assert len(chosen) == min(count, len(valid))
    event("distinct days required" if len(days) >= count else "fewer days than asked")
    event(f"{min(len(days), 5)}+ fitting days" if len(days) >= 5 else f"{len(days)} fitting days")
    if len(days) >= count:
        assert len(set(chosen_days)) == count, (chosen_days, sorted(days))
    else:
        assert set(chosen_days) == days  # every day that fits is offered before any day twice
    # The same provider first: a better tier's day is never passed over for a worse tier's.
    tiers = [a.tier for a in chosen[: len(set(chosen_days))]]
    assert tiers == sorted(tiers)


def _slot(provider: str, local: datetime, preferred: bool = True) -> Slot:
    start = local.astimezone(UTC)
    return Slot(
        provider_id=provider,
        provider_kind=ProviderKind.THERAPIST,
        start=start,
        end=start + timedelta(minutes=50),
        local_start=local,
        local_end=local + timedelta(minutes=50),
        rest=RestContext.DAY_OFF,
        continuity=False,
        preferred_hours=preferred,
        reason="day off",
    )


def test_each_day_at_the_time_of_day_closest_to_the_original_soonest_days_first() -> None:
    tz = ZoneInfo("America/Chicago")
    slots = [
        (Tier.SAME_PROVIDER, _slot("t", datetime(2026, 3, day, hour, minute, tzinfo=tz)))
        for day in (9, 10, 11, 12)
        for hour, minute in ((6, 0), (6, 15), (20, 45), (21, 0))
        if not (day == 10 and hour == 21)
    ]
    chosen = choose(slots, time(21), 3)
    assert [a.slot.local_start for a in chosen] == [
        datetime(2026, 3, 9, 21, tzinfo=tz),
        datetime(2026, 3, 10, 20, 45, tzinfo=tz),
        datetime(2026, 3, 11, 21, tzinfo=tz),
    ]
    assert chosen[1].reason.startswith("same provider; close to your usual 21:00")
    assert minutes_apart(time(23, 30), time(0, 15)) == 45


def test_someone_seen_before_only_on_days_the_same_provider_cannot_do() -> None:
    tz = ZoneInfo("America/Chicago")
    same = (Tier.SAME_PROVIDER, _slot("t", datetime(2026, 3, 12, 21, tzinfo=tz)))
    seen = [(Tier.SEEN_BEFORE, _slot("s", datetime(2026, 3, d, 21, tzinfo=tz))) for d in (9, 12)]
    other = (Tier.OTHER, _slot("x", datetime(2026, 3, 10, 21, tzinfo=tz)))
    chosen = choose([other, *seen, same], time(21), 3)
    assert [(a.tier, a.slot.local_start.day) for a in chosen] == [
        (Tier.SAME_PROVIDER, 12),
        (Tier.SEEN_BEFORE, 9),
        (Tier.OTHER, 10),
    ]
    assert chosen[1].reason.startswith("someone you have seen before")
