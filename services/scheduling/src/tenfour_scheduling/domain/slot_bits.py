"""The slot search on bitmaps of grid starts: one bit per start of the officer's grid.

Every rule of the search is a condition on a start ``t`` alone (the session ``[t, t + d)``
inside off-duty time and inside the provider's free time, clear of both sides' bookings
with buffers, after the notice, not on a capped or excluded day), so each side becomes a
bitmap over the grid and a provider's valid starts are one AND of its bitmap with the
officer's. The officer's side (off-duty time, own bookings, excluded days, rest context and
preferred hours, which give the rank key) is built once per search and per session shape;
ranking walks the rank keys best first and stops as soon as ``limit`` slots are out.

``find_slots`` (domain/slots.py) stays the reference: the answers are identical (a
differential property test checks it), and an empty result is delegated to it, so the
reason it gives is the reference's own.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tenfour_scheduling.domain.booking_rules import capped_days, officer_busy, provider_busy
from tenfour_scheduling.domain.fatigue import FatiguePolicy, off_duty_windows
from tenfour_scheduling.domain.preferences import OfficerPreferences
from tenfour_scheduling.domain.providers import (
    Officer,
    ProviderKind,
    ProviderOffer,
    SessionOffer,
    SlotFilters,
)
from tenfour_scheduling.domain.rest import RestContext
from tenfour_scheduling.domain.rotation import Roster
from tenfour_scheduling.domain.slot_runs import Run, SearchSpace
from tenfour_scheduling.domain.slots import (
    DEFAULT_STEP,
    Slot,
    SlotSearchResult,
    find_slots,
    make_slot,
    validate_search,
)
from tenfour_shared.timeline import Interval, load_zone, merge

__all__ = ["PeerWindows", "ProviderBits", "find_slots_indexed"]

_US = timedelta(microseconds=1)
# A grid ends by now + horizon, and now is at most a (25-hour) local day past the origin.
_CAP_SLACK = timedelta(days=2)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A peer supporter's off-duty windows under the officer's fatigue policy, in the window.
PeerWindows = Callable[[ProviderOffer, FatiguePolicy, Interval], Sequence[Interval]]


def _peer_windows(offer: ProviderOffer, policy: FatiguePolicy, window: Interval) -> Sequence[Interval]:
    assert offer.roster is not None
    return off_duty_windows(offer.roster, policy, window).windows


class _Grid:
    """Grid starts ``origin + i * step`` for ``lo <= i < hi``; bit ``i - lo`` stands for one."""

    def __init__(self, origin: int, step: int, lo: int, hi: int) -> None:
        self.origin, self.step, self.lo, self.hi = origin, step, lo, hi
        self.full = (1 << (self.hi - self.lo)) - 1

    @classmethod
    def of(cls, space: SearchSpace, window: Interval) -> _Grid:
        grid = cls(space.origin_us, space.step_us, 0, 0)
        lo = grid._index(_us(window.start))
        # Starts at or past the rest timeline's end belong to no run (slot_runs drops them).
        return cls(
            grid.origin, grid.step, lo, max(lo, grid._index(min(_us(window.end), _us(space.rest.end))))
        )

    def _index(self, us: int) -> int:
        """The first grid index at or after ``us``."""
        return -(-(us - self.origin) // self.step)

    def span(self, a: int, e: int) -> int:
        """Bits of the grid starts ``t`` with ``a <= t < e`` (µs)."""
        i, j = max(self._index(a), self.lo), min(self._index(e), self.hi)
        return ((1 << (j - i)) - 1) << (i - self.lo) if i < j else 0

    def fits(self, windows: Iterable[Interval], d: int, *, merged: bool = True) -> int:
        """Starts of a ``d``-µs session inside one of ``windows``: merged first where the
        reference intersects before taking start sets, as given where it does not."""
        bits = 0
        for w in merge(windows) if merged else windows:
            end = _us(w.end) - d
            start = _us(w.start)
            if end >= start:
                bits |= self.span(start, end + 1)
        return bits

    def hits(self, blocked: Iterable[Interval], d: int) -> int:
        """Starts of a ``d``-µs session overlapping one of ``blocked``."""
        bits = 0
        for b in blocked:
            if b.end > b.start:
                bits |= self.span(_us(b.start) - d + 1, _us(b.end))
        return bits

    def within(self, spans: Iterable[Interval]) -> int:
        bits = 0
        for s in spans:
            bits |= self.span(_us(s.start), _us(s.end))
        return bits

    def moment(self, bit: int) -> datetime:
        return _EPOCH + timedelta(microseconds=self.origin + (self.lo + bit) * self.step)


class ProviderBits:
    """Each provider's starts that depend on the provider alone (free time, own bookings
    with buffers, caps) as a bitmap from the grid's origin, kept per offer object: a caller
    that reuses offer objects between searches (the service does, per version and calendar)
    pays for them once per grid. Least recently used entries go first."""

    def __init__(self, size: int = 32768) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], tuple[ProviderOffer, int]] = OrderedDict()

    def get(self, offer: ProviderOffer, session_type: str, grid: _Grid, horizon: timedelta) -> int:
        cap = -(-(horizon + _CAP_SLACK) // _US // grid.step)  # past any grid end of this horizon
        key = (offer.provider_id, session_type, grid.origin, grid.step, cap)
        hit = self._items.get(key)
        if hit is not None and hit[0] is offer:
            self._items.move_to_end(key)
            bits = hit[1]
        else:
            bits = _own_bits(_Grid(grid.origin, grid.step, 0, cap), offer, offer.sessions[session_type])
            self._items[key] = (offer, bits)
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return (bits >> grid.lo) & grid.full


class _OfficerSide:
    """The officer's bitmaps for one session shape (duration and buffers)."""

    def __init__(self, space: SearchSpace, grid: _Grid, session: SessionOffer) -> None:
        d = session.duration // _US
        self.valid = (
            grid.fits(space.off_duty.windows, d)
            & ~grid.hits(officer_busy(session, space.bookings), d)
            & ~grid.within(space.excluded_starts)
        )
        # Preferred starts as _start_sets takes them: from each range as given.
        preferred = grid.full if space.preferred is None else grid.fits(space.preferred, d, merged=False)
        contexts: dict[RestContext, int] = {}
        if grid.hi > grid.lo:
            for span, context in space.rest.segments(
                Interval(grid.moment(0), grid.moment(grid.hi - grid.lo - 1) + _US)
            ):
                contexts[context] = contexts.get(context, 0) | grid.within([span])
        # Rank classes without continuity, best first: (key tail, bits, preferred, context).
        self.classes: list[tuple[tuple[int, ...], int, bool, RestContext]] = []
        for context, bits in contexts.items():
            for is_preferred, part in ((True, bits & preferred), (False, bits & ~preferred & grid.full)):
                if part:
                    key = space.class_key(1, is_preferred, context)[1:]
                    self.classes.append((key, part, is_preferred, context))
        self.classes.sort(key=lambda c: c[0])


def find_slots_indexed(
    officer: Officer,
    officer_roster: Roster,
    policy: FatiguePolicy,
    preferences: OfficerPreferences,
    offers: Sequence[ProviderOffer],
    session_type: str,
    filters: SlotFilters,
    *,
    now: datetime,
    horizon: timedelta,
    officer_bookings: Sequence[Interval] = (),
    step: timedelta = DEFAULT_STEP,
    limit: int = 50,
    peer_windows: PeerWindows = _peer_windows,
    cache: ProviderBits | None = None,
    empty: Callable[[], SlotSearchResult] | None = None,
) -> SlotSearchResult:
    """``find_slots`` with the same arguments and answers; ``peer_windows`` may serve peer
    supporters' off-duty windows from a cache (same values as ``off_duty_windows``),
    ``cache`` keeps providers' own bitmaps between searches, and ``empty`` answers instead
    of the reference when no slot is found."""

    def reference() -> SlotSearchResult:
        return find_slots(
            officer,
            officer_roster,
            policy,
            preferences,
            offers,
            session_type,
            filters,
            now=now,
            horizon=horizon,
            officer_bookings=officer_bookings,
            step=step,
            limit=limit,
        )

    fallback = empty or reference
    validate_search(
        horizon=horizon, now=now, step=step, limit=limit, session_type=session_type, offers=offers
    )
    window = Interval(now.astimezone(UTC), now.astimezone(UTC) + horizon)
    matching = [o for o in offers if session_type in o.sessions and filters.matches(o, officer)]
    if not matching:
        return fallback()
    space = SearchSpace(officer, officer_roster, policy, preferences, window, officer_bookings, step)
    if not space.off_duty.windows:
        return fallback()
    grid = _Grid.of(space, window)
    sides: dict[tuple[timedelta, timedelta, timedelta], _OfficerSide] = {}
    found: list[tuple[ProviderOffer, int, _OfficerSide]] = []
    candidates = 0
    for offer in matching:
        session = offer.sessions[session_type]
        shape = (session.duration, session.buffer_before, session.buffer_after)
        side = sides.get(shape)
        if side is None:
            side = sides[shape] = _OfficerSide(space, grid, session)
        if not side.valid:
            continue
        own = None if cache is None else cache.get(offer, session_type, grid, horizon)
        bits = side.valid & _provider_bits(grid, space, window, offer, session, own, peer_windows)
        if bits:
            candidates += bits.bit_count()
            found.append((offer, bits, side))
    if not found:  # the reference says which stage ruled everything out
        return fallback()
    slots = _best(space, grid, found, session_type, limit)
    return SlotSearchResult(tuple(slots), candidates, window, None, "")


def _provider_bits(
    grid: _Grid,
    space: SearchSpace,
    window: Interval,
    offer: ProviderOffer,
    session: SessionOffer,
    own: int | None,
    peer_windows: PeerWindows,
) -> int:
    """The provider's valid starts: ``own`` (or computed here) cut by the notice and, for a
    peer supporter, by their own off-duty windows."""
    d = session.duration // _US
    bits = _own_bits(grid, offer, session) if own is None else own
    if bits and offer.roster is not None and offer.kind is ProviderKind.PEER:
        bits &= grid.fits(peer_windows(offer, space.policy, window), d)
    if bits and session.min_notice:
        bits &= ~grid.hits([Interval(window.start, window.start + session.min_notice)], d)
    return bits


def _own_bits(grid: _Grid, offer: ProviderOffer, session: SessionOffer) -> int:
    d = session.duration // _US
    bits = grid.fits(session.free, d)
    if not bits:
        return 0
    bits &= ~grid.hits(provider_busy(session, offer.bookings), d)
    if bits and (session.max_per_day is not None or session.max_per_week is not None):
        capped = capped_days(
            offer.bookings, load_zone(offer.timezone), session.max_per_day, session.max_per_week
        )
        bits &= ~grid.within(capped)
    return bits


def _best(
    space: SearchSpace,
    grid: _Grid,
    found: list[tuple[ProviderOffer, int, _OfficerSide]],
    session_type: str,
    limit: int,
) -> list[Slot]:
    """Slots in the reference's order: (continuity, day off, preferred, rest), then start,
    then provider id; each rank class is a merge of the providers' lowest bits."""
    current = space.officer.current_provider_id
    ordered = sorted(found, key=lambda f: (f[0].provider_id != current, f[0].provider_id))
    keys = sorted({c[0] for _, _, side in found for c in side.classes})
    out: list[Slot] = []
    for continuity in (0, 1):
        group = [f for f in ordered if (f[0].provider_id != current) == bool(continuity)]
        for key in keys:
            heap: list[tuple[int, str, int, int, ProviderOffer, bool, RestContext]] = []
            for offer, bits, side in group:
                for tail, part, preferred, context in side.classes:
                    if tail == key and bits & part:
                        rest = bits & part
                        low = (rest & -rest).bit_length() - 1
                        heap.append((low, offer.provider_id, rest, len(heap), offer, preferred, context))
            heapq.heapify(heap)
            while heap:
                low, pid, rest, n, offer, preferred, context = heap[0]
                start = grid.moment(low)
                run = Run((continuity, *key), _us(start), 1, offer, preferred, context)
                out.append(make_slot(space, run, start, session_type))
                if len(out) >= limit:
                    return out
                rest &= rest - 1
                if rest:
                    nxt = (rest & -rest).bit_length() - 1
                    heapq.heapreplace(heap, (nxt, pid, rest, n, offer, preferred, context))
                else:
                    heapq.heappop(heap)
    return out


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US
