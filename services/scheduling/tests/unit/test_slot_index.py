"""The bitmap slot search against the reference search (find_slots): identical answers.

The reference is itself checked minute by minute against an independent checker
(test_slot_properties.py); here every field of the result must be equal -- slots in order
with their reasons, the candidate count, the empty reason and its message -- across DST
changes in both hemispheres, overnight hours, rotations with overrides, peer supporters'
own rosters, fatigue policies, preferences, buffers, notice, caps and small limits (where
the indexed search stops early).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tenfour_scheduling.domain import Officer, ProviderOffer, SlotFilters, find_slots
from tenfour_scheduling.domain.officer_days import DaysCache
from tenfour_scheduling.domain.peer_windows import PeerOffDuty
from tenfour_scheduling.domain.slot_bits import ProviderBits, SlotPool, find_slots_indexed
from tenfour_scheduling.service.offer_cache import reusable, whole_days
from tenfour_shared.timeline import Interval, intersect

from .test_slot_properties import (
    SETTINGS,
    ZONES,
    Scenario,
    instants,
    offers,
    policies,
    preferences,
    rosters,
    spans_from,
)


@st.composite
def searches(draw: st.DrawFn) -> tuple[Scenario, int]:
    zone = draw(st.sampled_from(ZONES))
    now = draw(instants(zone))
    days = draw(st.integers(1, 6))
    count = draw(st.integers(1, 6))
    scenario = Scenario(
        now=now,
        horizon_days=days,
        step_min=draw(st.sampled_from([5, 10, 15, 20, 30, 60])),
        roster=draw(rosters(zone, now.astimezone(ZoneInfo(zone)).date(), days)),
        policy=draw(policies),
        preferences=draw(preferences()),
        offers=tuple(draw(offers(f"p{i}", now, days)) for i in range(count)),
        officer_bookings=spans_from(draw, now, days, 3, range(30, 91, 10)),
        current_provider=draw(st.sampled_from([None, "p0", "p1", "p3"])),
    )
    return scenario, draw(st.sampled_from([1, 2, 5, 20, 1000]))


@SETTINGS
@given(searches())
def test_the_indexed_search_answers_exactly_as_the_reference(case: tuple[Scenario, int]) -> None:
    sc, limit = case
    args = (
        Officer(officer_id="o", current_provider_id=sc.current_provider),
        sc.roster,
        sc.policy,
        sc.preferences,
        sc.offers,
        "s",
        SlotFilters(),
    )
    options = {
        "now": sc.now,
        "horizon": timedelta(days=sc.horizon_days),
        "officer_bookings": sc.officer_bookings,
        "step": timedelta(minutes=sc.step_min),
        "limit": limit,
    }
    expected = find_slots(*args, **options)  # type: ignore[arg-type]
    assert find_slots_indexed(*args, **options) == expected  # type: ignore[arg-type]
    pool = SlotPool(sc.offers, "s")
    pooled = find_slots_indexed(*args, **options, cache=ProviderBits(), pool=pool)  # type: ignore[arg-type]
    assert pooled == expected


@SETTINGS
@given(searches(), st.lists(st.integers(0, 3 * 24 * 60), min_size=1, max_size=3))
def test_successive_searches_reusing_peer_windows_answer_as_the_reference(
    case: tuple[Scenario, int], later: list[int]
) -> None:
    """One PeerOffDuty and one ProviderBits (the same offer objects, so peers' off-duty starts
    come from the long grid kept for them) and one DaysCache (the officer's side of whole
    dates, kept while the dates hold) serve searches whose ``now`` moves on."""
    sc, limit = case
    cache, bits, kept_days = PeerOffDuty(), ProviderBits(), DaysCache()
    pool = SlotPool(sc.offers, "s")  # kept with its grids and columns from search to search
    for minutes in [0, *later]:
        args = (
            Officer(officer_id="o", current_provider_id=sc.current_provider),
            sc.roster,
            sc.policy,
            sc.preferences,
            sc.offers,
            "s",
            SlotFilters(),
        )
        options = {
            "now": sc.now + timedelta(minutes=minutes),
            "horizon": timedelta(days=sc.horizon_days),
            "officer_bookings": sc.officer_bookings,
            "step": timedelta(minutes=sc.step_min),
            "limit": limit,
        }
        expected = find_slots(*args, **options)  # type: ignore[arg-type]
        found = find_slots_indexed(*args, **options, peer_windows=cache, cache=bits, days=kept_days)  # type: ignore[arg-type]
        assert found == expected
        pooled = find_slots_indexed(
            *args,
            **options,  # type: ignore[arg-type]
            peer_windows=cache,
            cache=bits,
            pool=pool,
            days=kept_days,
        )
        assert pooled == expected


def _as_the_service_builds(offer: ProviderOffer, clip: Interval, *, reusable_form: bool) -> ProviderOffer:
    """The scenario's free time taken as a provider's expanded free time, clipped and narrowed
    by the buffers as service/offers.py does; in the reusable form (service/offer_cache.py)
    clipped to whole days only, with the notice that stands in for clipping at now."""
    session = offer.sessions["s"]
    bb, ba = session.buffer_before, session.buffer_after
    free = intersect(session.free, [clip])
    narrowed = tuple(Interval(f.start + bb, f.end - ba) for f in free if f.duration > bb + ba)
    built = offer.model_copy(update={"sessions": {"s": session.model_copy(update={"free": narrowed})}})
    return reusable(built) if reusable_form else built


@SETTINGS
@given(searches(), st.lists(st.integers(0, 2 * 24 * 60), min_size=1, max_size=3))
def test_reusable_offers_answer_as_offers_built_for_the_moment(
    case: tuple[Scenario, int], later: list[int]
) -> None:
    sc, limit = case
    horizon = timedelta(days=sc.horizon_days)
    peers, bits, kept_days = PeerOffDuty(), ProviderBits(), DaysCache()
    kept_for: dict[Interval, list[ProviderOffer]] = {}  # the same objects while the days hold
    pools: dict[Interval, SlotPool] = {}
    for minutes in [0, *later]:
        now = sc.now + timedelta(minutes=minutes)
        reach = Interval(now, now + horizon + timedelta(days=1))
        days = whole_days(reach)
        kept = kept_for.setdefault(
            days, [_as_the_service_builds(o, days, reusable_form=True) for o in sc.offers]
        )
        today = [_as_the_service_builds(o, reach, reusable_form=False) for o in sc.offers]
        officer = Officer(officer_id="o", current_provider_id=sc.current_provider)
        head = (officer, sc.roster, sc.policy, sc.preferences)
        options = {
            "now": now,
            "horizon": horizon,
            "officer_bookings": sc.officer_bookings,
            "step": timedelta(minutes=sc.step_min),
            "limit": limit,
        }
        expected = find_slots(*head, today, "s", SlotFilters(), **options)  # type: ignore[arg-type]
        found = find_slots_indexed(
            *head,
            kept,
            "s",
            SlotFilters(),
            **options,  # type: ignore[arg-type]
            peer_windows=peers,
            cache=bits,
            empty=lambda expected=expected: expected,  # type: ignore[misc]
            pool=pools.setdefault(days, SlotPool(kept, "s")),
            days=kept_days,
        )
        assert found == expected


@SETTINGS
@given(searches(), searches())
def test_a_kept_officer_side_follows_each_change_of_the_officers_inputs(
    case: tuple[Scenario, int], other: tuple[Scenario, int]
) -> None:
    """One DaysCache across searches of one officer whose own bookings, preferences, fatigue
    policy and roster change in turn (same dates): each answer is the reference's for the
    inputs of that very search, never the kept side of the previous ones."""
    sc, limit = case
    alt = other[0]
    kept = DaysCache()
    steps = [
        (sc.roster, sc.policy, sc.preferences, sc.officer_bookings),
        (sc.roster, sc.policy, sc.preferences, ()),
        (sc.roster, sc.policy, alt.preferences, ()),
        (sc.roster, alt.policy, alt.preferences, ()),
        (alt.roster.model_copy(update={"zone": sc.roster.zone}), alt.policy, alt.preferences, ()),
        (sc.roster, sc.policy, sc.preferences, sc.officer_bookings),
    ]
    for roster, policy, prefs, bookings in steps:
        head = (Officer(officer_id="o", current_provider_id=sc.current_provider), roster, policy, prefs)
        options = {
            "now": sc.now,
            "horizon": timedelta(days=sc.horizon_days),
            "officer_bookings": bookings,
            "step": timedelta(minutes=sc.step_min),
            "limit": limit,
        }
        expected = find_slots(*head, sc.offers, "s", SlotFilters(), **options)  # type: ignore[arg-type]
        found = find_slots_indexed(*head, sc.offers, "s", SlotFilters(), **options, days=kept)  # type: ignore[arg-type]
        assert found == expected
