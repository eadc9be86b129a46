"""Property-based checks of the slot search against an independent brute-force checker.

The checker below shares no code with the domain beyond the input models: it expands
rosters itself and decides minute by minute (on duty, buffers, protected sleep, quick
return, provider free time, buffers, bookings, caps, one session per officer day). For
small horizons it also enumerates every grid start, so the search must be complete, not
only sound. Dates are biased towards DST changes in both hemispheres.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_scheduling.domain import (
    BlockReason,
    FatiguePolicy,
    LocalHours,
    Officer,
    OfficerPreferences,
    Override,
    OverrideKind,
    ProviderKind,
    ProviderOffer,
    Roster,
    SessionOffer,
    ShiftDefinition,
    ShiftKind,
    SlotFilters,
    check_slot,
    export_roster_ics,
    find_slots,
    import_roster_ics,
    off_duty_windows,
    shifts,
)
from tenfour_shared.timeline import Interval

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST change
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",
    "UTC",
]
MINUTE = timedelta(minutes=1)
DAY_MIN = 1440
PAD_MIN = 3 * DAY_MIN
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BASE = datetime(2025, 1, 1, tzinfo=UTC)


def _transitions(zone: str) -> list[datetime]:
    tz = ZoneInfo(zone)
    out, moment = [], BASE
    offset = moment.astimezone(tz).utcoffset()
    while moment < BASE + timedelta(days=730):
        moment += timedelta(hours=1)
        now_offset = moment.astimezone(tz).utcoffset()
        if now_offset != offset:
            out.append(moment)
            offset = now_offset
    return out


TRANSITIONS = {zone: _transitions(zone) for zone in ZONES}
SETTINGS = settings(
    max_examples=90,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def minutes(moment: datetime) -> int:
    return int((moment - EPOCH) / MINUTE)


def local_minutes(day: date, wall: time, tz: ZoneInfo) -> int:
    """Independent of the shared helper: PEP 495 fold=0 via the datetime's own timestamp."""
    return int(datetime.combine(day, wall).replace(tzinfo=tz).timestamp()) // 60


# -- strategies --------------------------------------------------------------------------------


@st.composite
def instants(draw: st.DrawFn, zone: str) -> datetime:
    """Minute-aligned, half the time within three days before a DST change."""
    transitions = TRANSITIONS[zone]
    near_change = draw(st.booleans())
    if transitions and near_change:
        return draw(st.sampled_from(transitions)) - draw(st.integers(0, 3 * DAY_MIN)) * MINUTE
    return BASE + draw(st.integers(0, 700 * DAY_MIN)) * MINUTE


def wall_times(hours: Sequence[int]) -> st.SearchStrategy[time]:
    return st.builds(time, st.sampled_from(list(hours)), st.sampled_from([0, 15, 30, 45]))


@st.composite
def rosters(draw: st.DrawFn, zone: str, near: date, days: int) -> Roster:
    length = st.integers(4 * 4, 13 * 4).map(lambda q: q * 15 * MINUTE)
    definitions = {
        "D": ShiftDefinition(start=draw(wall_times(range(4, 12))), length=draw(length), kind=ShiftKind.DAY),
        "S": ShiftDefinition(
            start=draw(wall_times(range(12, 18))), length=draw(length), kind=ShiftKind.SWING
        ),
        "N": ShiftDefinition(
            start=draw(wall_times([*range(18, 24), 0, 1, 2, 3])),
            length=draw(st.one_of(length, st.just(24 * 60 * MINUTE))),
            kind=ShiftKind.NIGHT,
        ),
    }
    cycle = draw(st.text(alphabet="DSN-", min_size=1, max_size=14))
    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        day = near + timedelta(days=draw(st.integers(-1, days + 1)))
        if draw(st.booleans()):
            overrides.append(
                Override(
                    kind=draw(st.sampled_from([k for k in OverrideKind if k.adds_duty])),
                    day=day,
                    start=draw(wall_times(range(24))),
                    length=draw(st.integers(4, 14 * 4)) * 15 * MINUTE,
                    shift_kind=draw(st.none() | st.sampled_from(list(ShiftKind))),
                )
            )
        else:
            overrides.append(
                Override(
                    kind=draw(st.sampled_from([k for k in OverrideKind if not k.adds_duty])),
                    day=day,
                    through=day + timedelta(days=draw(st.integers(0, 2))),
                )
            )
    return Roster(
        definitions=definitions,
        cycle=cycle,
        anchor=near - timedelta(days=draw(st.integers(0, 30))),
        offset_days=draw(st.integers(0, len(cycle) - 1)),
        zone=zone,
        overrides=tuple(overrides),
    )


policies = st.builds(
    FatiguePolicy,
    pre_shift_buffer=st.sampled_from([0, 30, 90, 120]).map(lambda m: m * MINUTE),
    post_shift_buffer=st.sampled_from([0, 60, 90]).map(lambda m: m * MINUTE),
    night_sleep_delay=st.sampled_from([0, 60]).map(lambda m: m * MINUTE),
    night_sleep_length=st.sampled_from([0, 360, 480]).map(lambda m: m * MINUTE),
    min_rest_between_shifts=st.sampled_from([0, 600, 660, 720]).map(lambda m: m * MINUTE),
    max_sessions_per_day=st.sampled_from([1, 2]),
    usual_sleep_start=st.sampled_from([time(21, 30), time(23), time(0, 30), time(2)]),
    usual_sleep_end=st.sampled_from([time(5), time(7), time(8, 45)]),
    max_consecutive_nights=st.sampled_from([0, 0, 2, 3]),
)


@st.composite
def preferences(draw: st.DrawFn) -> OfficerPreferences:
    ranges = []
    for _ in range(draw(st.integers(0, 2))):
        start, end = draw(wall_times(range(24))), draw(wall_times(range(24)))
        if start != end:
            ranges.append(LocalHours(start=start, end=end))
    return OfficerPreferences(
        preferred_hours=tuple(ranges),
        prefer_days_off=draw(st.booleans()),
        avoid_day_before_night_block=draw(st.booleans()),
    )


def spans_from(draw: st.DrawFn, now: datetime, days: int, count: int, length: range) -> tuple[Interval, ...]:
    out = []
    for _ in range(draw(st.integers(0, count))):
        start = now + draw(st.integers(-DAY_MIN, days * DAY_MIN)) // 5 * 5 * MINUTE
        out.append(Interval(start, start + draw(st.sampled_from(list(length))) * MINUTE))
    return tuple(out)


@st.composite
def offers(draw: st.DrawFn, pid: str, now: datetime, days: int) -> ProviderOffer:
    zone = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(zone)
    start_hour, hours = draw(st.integers(0, 23)), draw(st.integers(1, 16))
    first = now.astimezone(tz).date() - timedelta(days=1)
    free = [
        Interval(
            datetime.combine(first + timedelta(days=i), time(start_hour), tz).astimezone(UTC),
            (datetime.combine(first + timedelta(days=i), time(start_hour)) + timedelta(hours=hours))
            .replace(tzinfo=tz)
            .astimezone(UTC),
        )
        for i in range(days + 3)
    ]
    free = [iv for iv in free if iv.end > iv.start]
    free += spans_from(draw, now, days, 3, range(30, 601, 30))
    kind = draw(st.sampled_from(list(ProviderKind)))
    return ProviderOffer(
        provider_id=pid,
        kind=kind,
        timezone=zone,
        sessions={
            "s": SessionOffer(
                free=tuple(free),
                duration=draw(st.sampled_from([30, 45, 50, 60, 90])) * MINUTE,
                buffer_before=draw(st.sampled_from([0, 5, 10, 15])) * MINUTE,
                buffer_after=draw(st.sampled_from([0, 5, 10, 15])) * MINUTE,
                min_notice=draw(st.sampled_from([0, 60, 720, 1440])) * MINUTE,
                max_per_day=draw(st.sampled_from([None, 1, 2])),
                max_per_week=draw(st.sampled_from([None, 1, 3])),
            )
        },
        bookings=spans_from(draw, now, days, 4, range(30, 91, 10)),
        roster=draw(rosters(zone, now.date(), days)) if kind is ProviderKind.PEER else None,
    )


@dataclass(frozen=True)
class Scenario:
    now: datetime
    horizon_days: int
    step_min: int
    roster: Roster
    policy: FatiguePolicy
    preferences: OfficerPreferences
    offers: tuple[ProviderOffer, ...]
    officer_bookings: tuple[Interval, ...]
    current_provider: str | None


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    now = draw(instants(zone))
    days = draw(st.integers(1, 3))
    count = draw(st.integers(1, 3))
    return Scenario(
        now=now,
        horizon_days=days,
        step_min=draw(st.sampled_from([15, 30])),
        roster=draw(rosters(zone, now.astimezone(ZoneInfo(zone)).date(), days)),
        policy=draw(policies),
        preferences=draw(preferences()),
        offers=tuple(draw(offers(f"p{i}", now, days)) for i in range(count)),
        officer_bookings=spans_from(draw, now, days, 2, range(30, 91, 10)),
        current_provider=draw(st.sampled_from([None, "p0", "p1"])),
    )


# -- the independent checker -------------------------------------------------------------------


def expand(roster: Roster, lo: int, hi: int) -> list[tuple[int, int, ShiftKind, date]]:
    """(start, end, kind, local date) in epoch minutes: wall-clock start, wall-clock end."""
    tz = ZoneInfo(roster.zone)
    cancelled = {
        o.day + timedelta(days=i)
        for o in roster.overrides
        if o.start is None
        for i in range(((o.through or o.day) - o.day).days + 1)
    }
    out = []

    def add(day: date, start: time, length: timedelta, kind: ShiftKind) -> None:
        begin = local_minutes(day, start, tz)
        wall_end = datetime.combine(day, start) + length
        end = max(begin, local_minutes(wall_end.date(), wall_end.time(), tz))
        if end > begin and end > lo and begin < hi:
            out.append((begin, end, kind, day))

    day = datetime.fromtimestamp(lo * 60, tz).date() - timedelta(days=2)
    while day <= datetime.fromtimestamp(hi * 60, tz).date() + timedelta(days=1):
        letter = roster.cycle[((day - roster.anchor).days + roster.offset_days) % len(roster.cycle)]
        if letter != "-" and day not in cancelled:
            d = roster.definitions[letter]
            add(day, d.start, d.length, d.kind)
        day += timedelta(days=1)
    for o in roster.overrides:
        if o.start is not None and o.length is not None:
            h = o.start.hour
            guess = ShiftKind.DAY if 4 <= h < 12 else ShiftKind.SWING if 12 <= h < 18 else ShiftKind.NIGHT
            add(o.day, o.start, o.length, o.shift_kind or guess)
    return out


class Rest:
    """Minute-level duty and 'not fit for a session' maps over [lo, hi)."""

    def __init__(
        self, roster: Roster, policy: FatiguePolicy, lo: int, hi: int, officer: bool = False
    ) -> None:
        self.lo, self.tz = lo, ZoneInfo(roster.zone)
        self.shifts = expand(roster, lo - PAD_MIN, hi + PAD_MIN)
        n = hi - lo
        self.duty, self.bad = bytearray(n), bytearray(n)

        def mark(target: bytearray, a: int, b: int) -> None:
            a, b = max(a - lo, 0), min(b - lo, n)
            if a < b:
                target[a:b] = b"\x01" * (b - a)

        for s, e, kind, _ in self.shifts:
            mark(self.duty, s, e)
            mark(self.bad, s, e)
            mark(self.bad, s - int(policy.pre_shift_buffer / MINUTE), s)
            mark(self.bad, e, e + int(policy.post_shift_buffer / MINUTE))
            if kind is ShiftKind.NIGHT:
                end, grew = e, True
                while grew:  # duty that continues straight on delays the sleep
                    grew = False
                    for s2, e2, _, _ in self.shifts:
                        if s2 <= end < e2:
                            end, grew = e2, True
                sleep = end + int(policy.night_sleep_delay / MINUTE)
                mark(self.bad, sleep, sleep + int(policy.night_sleep_length / MINUTE))
        rest = int(policy.min_rest_between_shifts / MINUTE)
        last_end: int | None = None
        next_start: list[int | None] = [None] * n
        upcoming: int | None = None
        for i in range(n - 1, -1, -1):
            if self.duty[i]:
                upcoming = i
            next_start[i] = upcoming
        for i in range(n):
            if self.duty[i]:
                last_end = i + 1
            elif last_end is not None and (nxt := next_start[i]) is not None and nxt - last_end < rest:
                self.bad[i] = 1
        self.night_dates = {d for s, e, k, d in self.shifts if k is ShiftKind.NIGHT}
        if not officer:
            return
        # The served officer only: the usual sleep of every night not worked on a night shift,
        # and the day after the N-th consecutive night shift.
        nights = [(s, e) for s, e, k, _ in self.shifts if k is ShiftKind.NIGHT]
        a_time, b_time = policy.usual_sleep_start, policy.usual_sleep_end
        day = datetime.fromtimestamp(lo * 60, self.tz).date() - timedelta(days=1)
        while day <= datetime.fromtimestamp(hi * 60, self.tz).date():
            a = local_minutes(day, a_time, self.tz)
            b = local_minutes(day + timedelta(days=1 if b_time <= a_time else 0), b_time, self.tz)
            if not any(s < b and a < e for s, e in nights):
                mark(self.bad, a, b)
            day += timedelta(days=1)
        if policy.max_consecutive_nights:
            dated = sorted((s, e, d) for s, e, k, d in self.shifts if k is ShiftKind.NIGHT)
            run, previous = 0, None
            for _, e, d in dated:
                gap = None if previous is None else (d - previous).days
                run = run if gap == 0 else run + 1 if gap == 1 else 1
                previous = d
                if run >= policy.max_consecutive_nights:
                    mark(self.bad, e, e + DAY_MIN)

    def fit(self, start: int, end: int) -> bool:
        return not any(self.bad[start - self.lo : end - self.lo])

    def day_off(self, day: date) -> bool:
        a, b = local_minutes(day, time(0), self.tz), local_minutes(day + timedelta(days=1), time(0), self.tz)
        return not any(self.duty[max(a - self.lo, 0) : b - self.lo])


class Checker:
    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.now = minutes(sc.now)
        self.end = self.now + sc.horizon_days * DAY_MIN
        self.lo, self.hi = self.now - PAD_MIN, self.end + PAD_MIN
        self.tz = ZoneInfo(sc.roster.zone)
        self.officer = Rest(sc.roster, sc.policy, self.lo, self.hi, officer=True)
        self.peers = {
            o.provider_id: Rest(o.roster, sc.policy, self.lo, self.hi)
            for o in sc.offers
            if o.kind is ProviderKind.PEER and o.roster is not None
        }
        self.free = {o.provider_id: self._free_map(o.sessions["s"].free) for o in sc.offers}
        origin_day = sc.now.astimezone(self.tz).date()
        self.origin = local_minutes(origin_day, time(0), self.tz)
        self.officer_days = Counter(self.local_date(minutes(b.start)) for b in sc.officer_bookings)
        self._preferred: bytearray | None = None
        nights = self.officer.night_dates
        self.avoided = {d - timedelta(days=1) for d in nights if d - timedelta(days=1) not in nights}

    def _free_map(self, free: Sequence[Interval]) -> bytearray:
        out = bytearray(self.hi - self.lo)
        for iv in free:
            a, b = max(minutes(iv.start) - self.lo, 0), min(minutes(iv.end) - self.lo, len(out))
            if a < b:
                out[a:b] = b"\x01" * (b - a)
        return out

    def local_date(self, m: int, tz: ZoneInfo | None = None) -> date:
        return datetime.fromtimestamp(m * 60, tz or self.tz).date()

    def grid(self) -> range:
        step = self.sc.step_min
        first = self.origin + -(-(self.now - self.origin) // step) * step
        return range(first, self.end, step)

    def violations(self, offer: ProviderOffer, s: int, with_preferences: bool = True) -> list[str]:
        """Every rule the session starting at minute ``s`` breaks (empty: valid)."""
        session = offer.sessions["s"]
        d, bb, ba = (int(x / MINUTE) for x in (session.duration, session.buffer_before, session.buffer_after))
        e = s + d
        out = []
        if s < self.now or e > self.end:
            out.append("outside horizon")
        if not self.officer.fit(s, e):
            out.append("officer rest")
        if self.officer_days[self.local_date(s)] >= self.sc.policy.max_sessions_per_day:
            out.append("officer day limit")
        for b in self.sc.officer_bookings:
            if s - bb < minutes(b.end) and minutes(b.start) < e + ba:
                out.append("officer booking")
        if (
            with_preferences
            and self.sc.preferences.avoid_day_before_night_block
            and self.local_date(s) in self.avoided
        ):
            out.append("avoided day")
        if not all(self.free[offer.provider_id][s - self.lo : e - self.lo]):
            out.append("provider free time")
        peer = self.peers.get(offer.provider_id)
        if peer is not None and not peer.fit(s, e):
            out.append("peer rest")
        if s < self.now + int(session.min_notice / MINUTE):
            out.append("notice")
        for b in offer.bookings:
            if s - bb < minutes(b.end) + ba and minutes(b.start) - bb < e + ba:
                out.append("provider booking")
        ptz = ZoneInfo(offer.timezone)
        days = [self.local_date(minutes(b.start), ptz) for b in offer.bookings]
        mine = self.local_date(s, ptz)
        if session.max_per_day is not None and days.count(mine) >= session.max_per_day:
            out.append("provider day cap")
        week = mine.isocalendar()[:2]
        if (
            session.max_per_week is not None
            and sum(d.isocalendar()[:2] == week for d in days) >= session.max_per_week
        ):
            out.append("provider week cap")
        return out

    def preferred(self, s: int, e: int) -> bool:
        """Inside the preferred hours: every minute of the session is in some range (touching
        ranges count as one, so 09-12 and 12-15 hold an 11:30 session)."""
        if not self.sc.preferences.preferred_hours:
            return True
        return all(self.preferred_minutes[s - self.lo : e - self.lo])

    @property
    def preferred_minutes(self) -> bytearray:
        if self._preferred is None:
            self._preferred = bytearray(self.hi - self.lo)
            day = self.local_date(self.lo) - timedelta(days=1)
            while day <= self.local_date(self.hi):
                for h in self.sc.preferences.preferred_hours:
                    a = local_minutes(day, h.start, self.tz) - self.lo
                    b = (
                        local_minutes(day + timedelta(days=1 if h.end <= h.start else 0), h.end, self.tz)
                        - self.lo
                    )
                    a, b = max(a, 0), min(b, len(self._preferred))
                    if a < b:
                        self._preferred[a:b] = b"\x01" * (b - a)
                day += timedelta(days=1)
        return self._preferred


def search(sc: Scenario) -> tuple[Checker, list[tuple[str, int]], object]:
    result = find_slots(
        Officer(officer_id="o", current_provider_id=sc.current_provider),
        sc.roster,
        sc.policy,
        sc.preferences,
        sc.offers,
        "s",
        SlotFilters(),
        now=sc.now,
        horizon=timedelta(days=sc.horizon_days),
        officer_bookings=sc.officer_bookings,
        step=timedelta(minutes=sc.step_min),
        limit=1000,
    )
    return Checker(sc), [(s.provider_id, minutes(s.start)) for s in result.slots], result


# -- properties --------------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_find_slots_returns_exactly_the_valid_grid_starts_in_rank_order(sc: Scenario) -> None:
    checker, found, result = search(sc)
    offers = {o.provider_id: o for o in sc.offers}
    for pid, start in found:
        assert checker.violations(offers[pid], start) == [], (pid, start)
    expected = {(o.provider_id, s) for o in sc.offers for s in checker.grid() if not checker.violations(o, s)}
    assert set(found) == expected
    assert len(found) == len(expected) == result.candidates  # type: ignore[attr-defined]
    assert (result.empty_reason is None) == bool(found)  # type: ignore[attr-defined]
    # Ranking: continuity, then (if asked) days off, then preferred hours.
    keys = []
    for slot in result.slots:  # type: ignore[attr-defined]
        s, e = minutes(slot.start), minutes(slot.end)
        day_off = checker.officer.day_off(checker.local_date(s))
        keys.append(
            (
                slot.provider_id != sc.current_provider,
                sc.preferences.prefer_days_off and not day_off,
                not checker.preferred(s, e),
            )
        )
        assert slot.preferred_hours == checker.preferred(s, e)
        assert (slot.rest.value == "day_off") == day_off
    assert keys == sorted(keys)


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_check_slot_agrees_with_the_checker(sc: Scenario, rnd: object) -> None:
    checker, found, _ = search(sc)
    offers = {o.provider_id: o for o in sc.offers}
    sample = [(pid, s) for pid, s in found[:10]]
    grid = list(checker.grid())
    sample += [(o.provider_id, rnd.choice(grid)) for o in sc.offers for _ in range(4) if grid]  # type: ignore[attr-defined]
    for pid, start in sample:
        problem = check_slot(
            officer_roster=sc.roster,
            policy=sc.policy,
            offer=offers[pid],
            session_type="s",
            start=EPOCH + start * MINUTE,
            now=sc.now,
            officer_bookings=sc.officer_bookings,
            max_horizon=timedelta(days=sc.horizon_days),
        )
        # The booking check knows no officer preferences and no grid.
        assert (problem is None) == (checker.violations(offers[pid], start, with_preferences=False) == []), (
            pid,
            start,
            problem,
            checker.violations(offers[pid], start, with_preferences=False),
        )


@SETTINGS
@given(scenarios())
def test_off_duty_windows_match_the_minute_map_and_reasons(sc: Scenario) -> None:
    checker = Checker(sc)
    window = Interval(sc.now, sc.now + timedelta(days=sc.horizon_days))
    result = off_duty_windows(sc.roster, sc.policy, window, officer=True)
    fit = bytearray(checker.end - checker.now)
    for iv in result.windows:
        fit[minutes(iv.start) - checker.now : minutes(iv.end) - checker.now] = b"\x01" * (
            minutes(iv.end) - minutes(iv.start)
        )
    rest = checker.officer
    expected = bytes(0 if rest.bad[m - rest.lo] else 1 for m in range(checker.now, checker.end))
    assert bytes(fit) == expected
    covered = sorted([*result.windows, *(b.interval for b in result.blocked)])
    assert covered[0].start == window.start
    assert covered[-1].end == window.end
    assert all(a.end == b.start for a, b in itertools.pairwise(covered))
    for piece in result.blocked:
        on_duty = [
            rest.duty[m - rest.lo] for m in range(minutes(piece.interval.start), minutes(piece.interval.end))
        ]
        assert all(on_duty) if piece.reason is BlockReason.ON_DUTY else not any(on_duty)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ZONES)
    .flatmap(lambda z: st.tuples(st.just(z), instants(z)))
    .flatmap(lambda zn: st.tuples(st.just(zn[1]), rosters(zn[0], zn[1].date(), 20)))
)
def test_export_import_round_trip_keeps_every_shift(case: tuple[datetime, Roster]) -> None:
    now, roster = case
    window = Interval(now - timedelta(days=2), now + timedelta(days=20))
    imported = import_roster_ics(
        export_roster_ics(roster, since=now.date() - timedelta(days=5)), window=window
    )
    before = [(s.start, s.end, s.kind) for s in shifts(roster, window)]
    after = [(s.start, s.end, s.kind) for s in shifts(imported.roster, window)]
    assert after == before
