"""FindSlots and CheckSlot by example: ranking, reasons, filters, constraints, empty answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tenfour_scheduling.domain import (
    EmptyReason,
    FatiguePolicy,
    LocalHours,
    Officer,
    OfficerPreferences,
    ProviderKind,
    ProviderOffer,
    ProviderProfile,
    RestContext,
    Roster,
    SessionOffer,
    ShiftDefinition,
    ShiftKind,
    SlotFilters,
    SlotProblemCode,
    SlotSearchResult,
    check_slot,
    find_slots,
)
from tenfour_shared.timeline import Interval, local_to_utc

ZONE = "America/New_York"
TZ = ZoneInfo(ZONE)
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
MON = date(2025, 1, 6)  # winter: no DST change in these examples
NOW = local_to_utc(MON, time(0), TZ)
DEFS = {
    "D": ShiftDefinition(start=time(7), length=12 * H, kind=ShiftKind.DAY),
    "S": ShiftDefinition(start=time(15), length=8 * H, kind=ShiftKind.SWING),
    "N": ShiftDefinition(start=time(19), length=12 * H, kind=ShiftKind.NIGHT),
}


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = TZ) -> datetime:
    return local_to_utc(day, time(hour, minute), zone)


def day(n: int) -> date:
    """Monday 6 January 2025 plus n days."""
    return MON + timedelta(days=n)


def roster(cycle: str, zone: str = ZONE) -> Roster:
    return Roster(definitions=DEFS, cycle=cycle, anchor=MON, zone=zone)


def daily(start: int, end: int, zone: ZoneInfo = TZ, days: int = 30) -> tuple[Interval, ...]:
    """Local hours start-end every day (end <= start runs past midnight)."""
    return tuple(
        Interval(at(day(i), start, zone=zone), at(day(i + (1 if end <= start else 0)), end % 24, zone=zone))
        for i in range(-1, days)
    )


def offer(
    pid: str,
    free: Sequence[Interval] | None = None,
    *,
    kind: ProviderKind = ProviderKind.THERAPIST,
    zone: str = ZONE,
    profile: ProviderProfile | None = None,
    bookings: Sequence[Interval] = (),
    officer_roster: Roster | None = None,
    **session: Any,
) -> ProviderOffer:
    session.setdefault("duration", 50 * MIN)
    return ProviderOffer(
        provider_id=pid,
        kind=kind,
        timezone=zone,
        profile=profile or ProviderProfile(),
        sessions={
            "followup": SessionOffer(free=tuple(free if free is not None else daily(9, 21)), **session)
        },
        bookings=tuple(bookings),
        roster=officer_roster,
    )


def search(
    officer_roster: Roster,
    offers: Sequence[ProviderOffer],
    *,
    officer: Officer | None = None,
    preferences: OfficerPreferences | None = None,
    filters: SlotFilters | None = None,
    policy: FatiguePolicy | None = None,
    **kwargs: Any,
) -> SlotSearchResult:
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("horizon", timedelta(days=7))
    return find_slots(
        officer or Officer(officer_id="o1"),
        officer_roster,
        policy or FatiguePolicy(),
        preferences or OfficerPreferences(),
        offers,
        "followup",
        filters or SlotFilters(),
        **kwargs,
    )


def local(moment: datetime) -> tuple[str, str]:
    value = moment.astimezone(TZ)
    return value.strftime("%a"), value.strftime("%H:%M")


# -- ranking and reasons ---------------------------------------------------------------


def test_day_off_ranks_first_with_its_reason() -> None:
    result = search(roster("DD-----"), [offer("t1")], limit=3)
    first = result.slots[0]
    assert local(first.start) == ("Wed", "09:00")
    assert first.local_start == first.start.astimezone(TZ)
    assert first.end - first.start == 50 * MIN
    assert first.rest is RestContext.DAY_OFF
    assert first.reason == "day off, 2 h after waking"
    # The same reason as a code with values, for clients to say in the reader's language.
    assert [(r.code, dict(r.params)) for r in first.reasons] == [("day_off_after_waking", {"minutes": "120"})]
    assert [local(s.start) for s in result.slots] == [("Wed", "09:00"), ("Wed", "09:15"), ("Wed", "09:30")]


def test_rest_quality_orders_after_day_shift_before_swing_and_night() -> None:
    # Mon day 07-19, Tue swing 12-20, Wed night 19-07: Mon to Thu are all duty days.
    early_swing = ShiftDefinition(start=time(12), length=8 * H, kind=ShiftKind.SWING)
    officer_roster = Roster(definitions={**DEFS, "S": early_swing}, cycle="DSN----", anchor=MON, zone=ZONE)
    result = search(officer_roster, [offer("t1", daily(0, 0))], horizon=timedelta(days=4), limit=1000)
    ranks = [s.rest.rank for s in result.slots]
    assert ranks == sorted(ranks)
    contexts = list(dict.fromkeys(s.rest for s in result.slots))
    assert contexts == [
        RestContext.AFTER_DAY_SHIFT,
        RestContext.BEFORE_SHIFT,
        RestContext.AFTER_SWING_SHIFT,
        RestContext.AFTER_NIGHT_SHIFT,
    ]
    reasons = {s.rest: s.reason for s in reversed(result.slots)}
    assert reasons[RestContext.AFTER_DAY_SHIFT] == "after day shift, 1 h after it ends"
    assert reasons[RestContext.BEFORE_SHIFT].startswith("before ")
    assert reasons[RestContext.AFTER_NIGHT_SHIFT].startswith("after night shift, ")


def test_after_night_shift_slot_respects_sleep_and_says_so() -> None:
    result = search(roster("N------"), [offer("t1")], horizon=timedelta(days=2), limit=200)
    tuesday = [s for s in result.slots if local(s.start)[0] == "Tue"]
    assert local(tuesday[0].start) == ("Tue", "16:00")  # 07:00 + 1 h + 8 h sleep
    assert tuesday[0].reason == "after night shift, 9 h after it ends"
    assert [(r.code, dict(r.params)) for r in tuesday[0].reasons] == [
        ("after_shift", {"kind": "night", "minutes": "540"})
    ]
    monday = [s for s in result.slots if local(s.start)[0] == "Mon"]
    assert local(monday[0].start) == ("Mon", "09:00")
    assert monday[0].reason == "before night shift, 10 h before it starts"
    assert max(s.end for s in monday) <= at(day(0), 17, 30)


def test_continuity_with_the_current_provider_ranks_first() -> None:
    officer = Officer(officer_id="o1", current_provider_id="t2")
    result = search(roster("DD-----"), [offer("t1"), offer("t2", daily(20, 21))], officer=officer, limit=2)
    assert [s.provider_id for s in result.slots] == ["t2", "t2"]
    assert result.slots[0].continuity
    assert result.slots[0].reason.endswith("; your current provider")
    assert local(result.slots[0].start) == ("Wed", "20:00")


def test_preferred_hours_rank_before_rest_quality() -> None:
    prefs = OfficerPreferences(preferred_hours=(LocalHours(start=time(20), end=time(22)),))
    result = search(roster("D------"), [offer("t1")], preferences=prefs, horizon=timedelta(days=2), limit=200)
    # Tuesday (day off) 20:00 first; then Monday 20:00, after a day shift but inside the
    # preferred hours, beats Tuesday 09:00 on the day off.
    assert [local(s.start) for s in result.slots[:2]] == [("Tue", "20:00"), ("Mon", "20:00")]
    assert result.slots[1].preferred_hours
    assert result.slots[1].reason == "after day shift, 1 h after it ends; within your preferred hours"
    assert local(result.slots[2].start) == ("Tue", "09:00")
    assert not result.slots[2].preferred_hours
    inside = [s.preferred_hours for s in result.slots]
    assert inside == sorted(inside, reverse=True)
    # A session must fit entirely in the preferred range to count.
    assert all(s.local_end.time() <= time(21) for s in result.slots if s.preferred_hours)


def test_preferred_hours_may_run_past_midnight() -> None:
    prefs = OfficerPreferences(preferred_hours=(LocalHours(start=time(23), end=time(1)),))
    late = FatiguePolicy(usual_sleep_start=time(2), usual_sleep_end=time(10))  # a late sleeper
    result = search(roster("-------"), [offer("t1", daily(22, 2))], preferences=prefs, policy=late, limit=3)
    # Monday 00:00 is inside Sunday evening's range, then Monday's from 23:00.
    assert [local(s.start)[1] for s in result.slots] == ["00:00", "23:00", "23:15"]
    assert all(s.preferred_hours for s in result.slots)


def test_a_day_shift_officer_is_not_offered_the_middle_of_the_night() -> None:
    # Issue 19: with a provider free around the clock, the first suggestions were 00:00 on a
    # day off. Now the usual sleep (agency default 23:00-07:00) is kept free every night.
    result = search(roster("DDDD---"), [offer("t1", daily(0, 0))], limit=200)
    starts = [local(s.start)[1] for s in result.slots]
    assert starts
    assert all("07:00" <= hhmm < "22:10" for hhmm in starts), starts[:5]
    own = FatiguePolicy(usual_sleep_start=time(21), usual_sleep_end=time(5))
    early = search(roster("DDDD---"), [offer("t1", daily(0, 0))], policy=own, limit=200)
    early_starts = [local(s.start)[1] for s in early.slots]
    assert "05:00" in early_starts
    assert all("05:00" <= hhmm <= "20:10" for hhmm in early_starts)


def test_prefer_days_off_puts_days_off_before_preferred_hours() -> None:
    prefs = OfficerPreferences(
        preferred_hours=(LocalHours(start=time(20), end=time(22)),), prefer_days_off=True
    )
    result = search(roster("D------"), [offer("t1")], preferences=prefs, limit=1)
    assert local(result.slots[0].start) == ("Tue", "20:00")
    assert result.slots[0].rest is RestContext.DAY_OFF


def test_avoid_the_day_before_a_night_block() -> None:
    prefs = OfficerPreferences(avoid_day_before_night_block=True)
    result = search(roster("--NN---"), [offer("t1")], preferences=prefs, limit=1000)
    days = {local(s.start)[0] for s in result.slots}
    assert "Tue" not in days  # Wednesday starts the night block
    assert {"Mon", "Wed", "Fri"} <= days  # the second night's eve is not avoided, only the block's


def test_ties_on_the_same_start_are_ordered_by_provider() -> None:
    result = search(roster("-------"), [offer("b"), offer("a")], limit=2)
    assert [s.provider_id for s in result.slots] == ["a", "b"]
    assert result.slots[0].start == result.slots[1].start


def test_candidates_count_every_valid_start() -> None:
    result = search(roster("-------"), [offer("t1", daily(9, 11))], horizon=timedelta(days=2), limit=1)
    # 09:00..10:00 every 15 min fits a 50-minute session before 11:00: 5 starts a day.
    assert result.candidates == 10
    assert len(result.slots) == 1


# -- grid, horizon, notice, DST ----------------------------------------------------------


def test_starts_are_on_the_local_quarter_hour_even_in_half_hour_zones() -> None:
    adelaide = ZoneInfo("Australia/Adelaide")
    officer_roster = roster("-------", zone="Australia/Adelaide")
    result = search(
        officer_roster, [offer("t1", daily(9, 12, zone=adelaide))], step=timedelta(minutes=30), limit=50
    )
    assert result.slots
    assert all(s.start.astimezone(adelaide).minute in (0, 30) for s in result.slots)


def test_horizon_bounds_the_search_and_defaults_to_14_days() -> None:
    result = find_slots(
        Officer(officer_id="o1"),
        roster("-------"),
        FatiguePolicy(),
        OfficerPreferences(),
        [offer("t1", daily(9, 10, days=40))],
        "followup",
        SlotFilters(),
        now=NOW,
        limit=1000,
    )
    assert result.window == Interval(NOW, NOW + timedelta(days=14))
    assert result.candidates == 14 * 1  # 09:00 only fits a 50-minute session before 10:00
    assert all(s.end <= NOW + timedelta(days=14) for s in result.slots)
    long = search(roster("-------"), [offer("t1", daily(9, 10, days=100))], horizon=timedelta(days=90))
    assert long.candidates == 90


def test_notice_and_now_are_respected() -> None:
    now = at(day(0), 9, 7)
    result = search(roster("-------"), [offer("t1")], now=now, limit=1)
    assert local(result.slots[0].start) == ("Mon", "09:15")
    result = search(roster("-------"), [offer("t1", min_notice=24 * H)], now=now, limit=1)
    assert local(result.slots[0].start) == ("Tue", "09:15")


def test_dst_fall_back_night_shift_and_sleep_in_slot_search() -> None:
    eve = date(2025, 11, 1)
    night = Roster(definitions=DEFS, cycle="N------", anchor=eve, zone=ZONE)
    now = at(eve, 12)
    free = tuple(Interval(at(eve + timedelta(days=i), 9), at(eve + timedelta(days=i), 21)) for i in range(3))
    result = search(night, [offer("t1", free)], now=now, horizon=timedelta(days=2), limit=500)
    sunday = [s for s in result.slots if s.local_start.date() == date(2025, 11, 2)]
    # The night ends 07:00 EST (13 h later than it started); sleep runs to 16:00 EST.
    assert sunday[0].local_start.time() == time(16)
    assert sunday[0].local_start.utcoffset() == timedelta(hours=-5)


def test_intervals_given_in_local_time_are_read_as_instants() -> None:
    # 00:30-02:30 New York wall time on the fall-back night is three real hours.
    free = [Interval(datetime(2025, 11, 2, 0, 30, tzinfo=TZ), datetime(2025, 11, 2, 2, 30, tzinfo=TZ))]
    now = datetime(2025, 11, 1, 12, tzinfo=UTC)
    days = FatiguePolicy(usual_sleep_start=time(9), usual_sleep_end=time(17))  # sleeps by day
    result = search(
        roster("-------"), [offer("t1", free, duration=150 * MIN)], now=now, policy=days, limit=10
    )
    assert [s.start.strftime("%H:%M") for s in result.slots] == ["04:30", "04:45", "05:00"]  # UTC
    assert all(s.start.tzinfo is UTC for s in result.slots)


# -- filters ----------------------------------------------------------------------------


PROFILES = {
    "fr-peer": (ProviderKind.PEER, ProviderProfile(languages=frozenset({"fr-CA"}), gender="female")),
    "en-trauma": (
        ProviderKind.THERAPIST,
        ProviderProfile(
            languages=frozenset({"en"}),
            specialties=frozenset({"Trauma"}),
            first_responder_competent=True,
            licensed_jurisdictions=frozenset({"US-NY"}),
            gender="male",
        ),
    ),
    "es-couples": (
        ProviderKind.THERAPIST,
        ProviderProfile(languages=frozenset({"es"}), specialties=frozenset({"couples"}), gender="female"),
    ),
}


def filtered(filters: SlotFilters, officer: Officer | None = None) -> set[str]:
    offers = []
    for pid, (kind, profile) in PROFILES.items():
        peer_roster = roster("-------") if kind is ProviderKind.PEER else None
        offers.append(offer(pid, kind=kind, profile=profile, officer_roster=peer_roster))
    result = search(roster("-------"), offers, filters=filters, officer=officer, limit=1000)
    return {s.provider_id for s in result.slots}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SlotFilters(), {"fr-peer", "en-trauma", "es-couples"}),
        (SlotFilters(kind=ProviderKind.PEER), {"fr-peer"}),
        (SlotFilters(kind=ProviderKind.THERAPIST), {"en-trauma", "es-couples"}),
        (SlotFilters(specialty="trauma"), {"en-trauma"}),
        (SlotFilters(language="fr"), {"fr-peer"}),
        (SlotFilters(language="FR-ca"), {"fr-peer"}),
        (SlotFilters(language="fr-FR"), set()),
        (SlotFilters(gender="Female"), {"fr-peer", "es-couples"}),
        (SlotFilters(first_responder_competent=True), {"en-trauma"}),
        (SlotFilters(licensed_in_jurisdiction=True), {"en-trauma"}),
        (SlotFilters(language="es", gender="female"), {"es-couples"}),
    ],
)
def test_filters(filters: SlotFilters, expected: set[str]) -> None:
    assert filtered(filters, Officer(officer_id="o1", jurisdiction="US-NY")) == expected


def test_licensing_filter_needs_the_officers_jurisdiction() -> None:
    assert filtered(SlotFilters(licensed_in_jurisdiction=True), Officer(officer_id="o1")) == set()


def test_continuity_filter_keeps_only_the_current_provider() -> None:
    officer = Officer(officer_id="o1", current_provider_id="es-couples")
    assert filtered(SlotFilters(continuity_only=True), officer) == {"es-couples"}


# -- provider and officer constraints ---------------------------------------------------------


def test_provider_bookings_block_with_both_buffers() -> None:
    booking = Interval(at(day(0), 12), at(day(0), 12, 50))
    provider = offer("t1", bookings=[booking], buffer_before=10 * MIN, buffer_after=10 * MIN)
    result = search(roster("-------"), [provider], horizon=timedelta(days=1), limit=1000)
    starts = [local(s.start)[1] for s in result.slots]
    # Latest before: ends 11:40 so its 10-min after-buffer meets the booking's 10-min before-buffer.
    assert "10:45" in starts
    assert "11:00" not in starts
    # Earliest after: 12:50 + 10 + 10 = 13:10, next quarter hour 13:15.
    assert "13:00" not in starts
    assert "13:15" in starts


def test_provider_daily_and_weekly_caps_count_in_provider_local_time() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    # 09:00 Tokyo on Tuesday 7 January is 19:00 New York on Monday 6 January.
    booking = Interval(at(day(1), 9, zone=tokyo), at(day(1), 9, 50, zone=tokyo))
    provider = offer("t1", daily(0, 0), zone="Asia/Tokyo", bookings=[booking], max_per_day=1)
    result = search(roster("-------"), [provider], horizon=timedelta(days=3), limit=1000)
    tokyo_days = {s.start.astimezone(tokyo).date() for s in result.slots}
    assert day(1) not in tokyo_days
    assert {day(0), day(2)} <= tokyo_days
    weekly = offer("t1", daily(0, 0), bookings=[booking], max_per_week=1)
    assert (
        search(roster("-------"), [weekly], horizon=timedelta(days=6)).empty_reason
        is EmptyReason.FULLY_BOOKED
    )


def test_officer_gets_at_most_one_session_a_day_by_default() -> None:
    booked = [Interval(at(day(0), 10), at(day(0), 10, 50))]
    result = search(
        roster("-------"), [offer("t1")], horizon=timedelta(days=2), officer_bookings=booked, limit=1000
    )
    assert {local(s.start)[0] for s in result.slots} == {"Tue"}
    two_a_day = FatiguePolicy(max_sessions_per_day=2)
    result = search(
        roster("-------"),
        [offer("t1", daily(8, 21), buffer_after=15 * MIN)],
        horizon=timedelta(days=1),
        officer_bookings=booked,
        policy=two_a_day,
        limit=1000,
    )
    starts = [local(s.start)[1] for s in result.slots]
    # The new session's own 15-min after-buffer must clear the officer's 10:00 session.
    assert "08:45" in starts
    assert "09:00" not in starts
    assert "10:45" not in starts
    assert "11:00" in starts


def test_peer_supporters_time_is_cut_by_their_own_roster() -> None:
    peer_roster = Roster(definitions=DEFS, cycle="N------", anchor=MON, zone="America/Chicago")
    peer = offer("peer1", daily(0, 0), kind=ProviderKind.PEER, officer_roster=peer_roster)
    result = search(roster("-------"), [peer], horizon=timedelta(days=2), limit=1000)
    chicago = ZoneInfo("America/Chicago")
    for slot in result.slots:
        start = slot.start.astimezone(chicago)
        # Peer works Mon 19:00-Tue 07:00 Chicago; buffers 17:30 and 08:00, sleep to 16:00.
        assert not (at(day(0), 17, 30, chicago) < slot.end and slot.start < at(day(1), 16, zone=chicago)), (
            start
        )


# -- empty answers carry their reason ---------------------------------------------------------


def test_no_offer_of_that_session_type() -> None:
    result = search(roster("-------"), [])
    assert (result.empty_reason, result.message) == (
        EmptyReason.NO_OFFERS,
        "no provider offers 'followup' sessions",
    )
    assert result.slots == ()
    assert result.candidates == 0


def test_no_provider_matches_the_filters() -> None:
    result = search(roster("-------"), [offer("t1")], filters=SlotFilters(language="fr"))
    assert result.empty_reason is EmptyReason.NO_FILTER_MATCH
    assert result.message == "no provider matches the filters: language=fr"


def test_officer_has_no_off_duty_time() -> None:
    always = Roster(
        definitions={"D": ShiftDefinition(start=time(0), length=24 * H, kind=ShiftKind.DAY)},
        cycle="D",
        anchor=MON,
        zone=ZONE,
    )
    result = search(always, [offer("t1")])
    assert result.empty_reason is EmptyReason.NO_OFF_DUTY_TIME
    assert result.message == "no off-duty time in the next 7 days fits the rest rules"


def test_providers_hours_never_meet_off_duty_time() -> None:
    result = search(roster("D"), [offer("t1", daily(8, 18))])
    assert result.empty_reason is EmptyReason.NO_OVERLAP
    assert result.message == "providers match but no off-duty window overlaps their hours"


def test_overlap_too_short_for_a_session() -> None:
    result = search(roster("D"), [offer("t1", daily(21, 2), duration=6 * H)])
    assert result.empty_reason is EmptyReason.TOO_SHORT


def test_provider_fully_booked() -> None:
    busy = [Interval(NOW, NOW + timedelta(days=8))]
    result = search(roster("-------"), [offer("t1", bookings=busy)])
    assert result.empty_reason is EmptyReason.FULLY_BOOKED
    assert "booked" in result.message


def test_officer_days_already_taken() -> None:
    booked = [Interval(at(day(i), 6), at(day(i), 6, 30)) for i in range(8)]
    result = search(roster("-------"), [offer("t1")], officer_bookings=booked)
    assert result.empty_reason is EmptyReason.DAYS_TAKEN


def test_openings_that_miss_the_grid() -> None:
    free = [Interval(at(day(1), 10, 7), at(day(1), 10, 58))]
    result = search(roster("-------"), [offer("t1", free)])
    assert result.empty_reason is EmptyReason.NO_GRID_START
    assert result.message == "openings exist but none fits a session on the 15 min grid"


# -- check_slot -------------------------------------------------------------------------------


def check(start: datetime, provider: ProviderOffer | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("officer_roster", roster("D-N-S--"))
    kwargs.setdefault("policy", FatiguePolicy())
    kwargs.setdefault("now", NOW)
    return check_slot(
        offer=provider or offer("t1", daily(0, 0)), session_type="followup", start=start, **kwargs
    )


def test_every_found_slot_passes_the_booking_check() -> None:
    officer_roster = roster("D-N-S--")
    result = search(officer_roster, [offer("t1", daily(0, 0))], limit=1000)
    assert result.slots
    for slot in result.slots:
        assert check(slot.start, officer_roster=officer_roster) is None


@pytest.mark.parametrize(
    ("start", "code", "message"),
    [
        (at(day(0), 12), SlotProblemCode.ON_DUTY, "overlaps your day shift Mon 06 Jan 07:00 to 19:00"),
        (
            at(day(0), 5),
            SlotProblemCode.PRE_SHIFT_BUFFER,
            "ends 1 h 10 min before your day shift Mon 06 Jan 07:00 to 19:00; "
            "sessions must end 1 h 30 min before a shift",
        ),
        (
            at(day(0), 19, 30),
            SlotProblemCode.POST_SHIFT_BUFFER,
            "starts 30 min after your day shift Mon 06 Jan 07:00 to 19:00; "
            "sessions must start 1 h after a shift",
        ),
        (
            at(day(3), 12),
            SlotProblemCode.PROTECTED_SLEEP,
            "falls in the protected sleep 08:00 to 16:00 after your night shift Wed 08 Jan 19:00 to 07:00",
        ),
    ],
)
def test_check_slot_explains_rest_rules(start: datetime, code: SlotProblemCode, message: str) -> None:
    problem = check(start)
    assert problem is not None
    assert (problem.code, problem.message) == (code, message)


def test_check_slot_explains_a_quick_return() -> None:
    quick = Roster(definitions=DEFS, cycle="SD-----", anchor=MON, zone=ZONE)
    problem = check(at(day(1), 1), officer_roster=quick)
    assert problem is not None
    assert problem.code is SlotProblemCode.QUICK_RETURN
    assert problem.message == (
        "falls in the 8 h between your swing shift Mon 06 Jan 15:00 to 23:00 and your day shift "
        "Tue 07 Jan 07:00 to 19:00; gaps under 11 h are kept for rest"
    )


def test_check_slot_provider_and_officer_rules() -> None:
    free_day = at(day(1), 10)  # Tuesday: no duty
    assert check(free_day) is None
    other = offer("t1", daily(0, 0))
    assert check(free_day, other, officer_roster=roster("-------")) is None

    def code(start: datetime, provider: ProviderOffer | None = None, **kwargs: Any) -> SlotProblemCode:
        problem = check(start, provider, **kwargs)
        assert problem is not None
        return problem.code  # type: ignore[no-any-return]

    assert code(free_day, offer("t1", daily(12, 13))) is SlotProblemCode.OUTSIDE_PROVIDER_HOURS
    assert code(free_day, offer("t1", daily(0, 0), min_notice=48 * H)) is SlotProblemCode.TOO_SOON
    assert code(NOW + timedelta(days=91)) is SlotProblemCode.TOO_FAR_AHEAD
    assert code(NOW - timedelta(days=2000), other) is SlotProblemCode.IN_THE_PAST  # a year typed wrong
    booking = Interval(free_day + H, free_day + 2 * H)
    assert code(free_day, offer("t1", daily(0, 0), bookings=[booking], buffer_after=15 * MIN)) is (
        SlotProblemCode.PROVIDER_BUSY
    )
    morning = Interval(at(day(1), 6), at(day(1), 6, 50))
    assert (
        code(free_day, offer("t1", daily(0, 0), bookings=[morning], max_per_day=1))
        is SlotProblemCode.PROVIDER_LIMIT
    )
    assert code(free_day, officer_bookings=[Interval(free_day, free_day + H)]) is SlotProblemCode.OFFICER_BUSY
    assert code(free_day, officer_bookings=[morning]) is SlotProblemCode.OFFICER_DAY_LIMIT
    problem = check(free_day, offer("t1", daily(0, 0)), officer_bookings=[morning])
    assert problem is not None
    assert problem.message == "you already have 1 session(s) on Tue 07 Jan"
    peer_roster = Roster(definitions=DEFS, cycle="-D-----", anchor=MON, zone=ZONE)
    peer = offer("p1", daily(0, 0), kind=ProviderKind.PEER, officer_roster=peer_roster)
    assert code(free_day, peer) is SlotProblemCode.PEER_OFF_DUTY_RULES
    unoffered = check_slot(
        officer_roster=roster("-------"),
        policy=FatiguePolicy(),
        offer=other,
        session_type="intake",
        start=free_day,
        now=NOW,
    )
    assert unoffered is not None
    assert unoffered.code is SlotProblemCode.SESSION_TYPE_NOT_OFFERED


def test_result_window_is_utc() -> None:
    result = search(roster("-------"), [offer("t1")], now=datetime(2025, 1, 6, 0, tzinfo=TZ))
    assert result.window.start.tzinfo is UTC
