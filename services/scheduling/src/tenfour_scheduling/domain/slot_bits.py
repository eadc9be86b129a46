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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from tenfour_scheduling.domain.fatigue import FatiguePolicy
from tenfour_scheduling.domain.officer_days import DaysCache, LongSide
from tenfour_scheduling.domain.preferences import OfficerPreferences
from tenfour_scheduling.domain.providers import (
    Officer,
    ProviderOffer,
    SessionOffer,
    SlotFilters,
)
from tenfour_scheduling.domain.rest import RestContext
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.slot_grid import (
    Grid,
    PeerWindows,
    ProviderBits,
    is_rostered_peer,
    own_bits,
    to_us,
)
from tenfour_scheduling.domain.slot_grid import peer_windows as _peer_windows
from tenfour_scheduling.domain.slot_pool import SlotPool
from tenfour_scheduling.domain.slot_runs import Run, SearchSpace
from tenfour_scheduling.domain.slots import (
    DEFAULT_STEP,
    Slot,
    SlotSearchResult,
    find_slots,
    make_slot,
    validate_search,
)
from tenfour_shared.timeline import Interval

__all__ = ["PeerWindows", "ProviderBits", "SlotPool", "find_slots_indexed"]

_US = timedelta(microseconds=1)
_NO_FILTERS = SlotFilters()


class _OfficerSide:
    """The officer's bitmaps for one session shape (duration and buffers): those of the
    search's whole dates (officer_days.LongSide, kept with them) cut to its window."""

    def __init__(self, space: SearchSpace, grid: Grid, session: SessionOffer) -> None:
        d = session.duration // _US
        shape = (session.duration, session.buffer_before, session.buffer_after, grid.step)
        long = space.days.sides.get(shape)
        if long is None:
            whole = Grid(grid.origin, grid.step, 0, grid.index(to_us(space.days.span.end)))
            long = space.days.sides[shape] = LongSide(space.days, whole, session)
        lo, full = grid.lo, grid.full
        # Inside the window: a session fitting in an off-duty window cut to it fits in both.
        self.valid = (long.valid >> lo) & grid.fits([space.window], d)
        preferred = (long.preferred >> lo) & full
        # Rank classes without continuity, best first: (key tail, bits, preferred, context).
        self.classes: list[tuple[tuple[int, ...], int, bool, RestContext]] = []
        for context, whole_bits in long.contexts.items():
            bits = (whole_bits >> lo) & full
            for is_preferred, part in ((True, bits & preferred), (False, bits & ~preferred)):
                if part:
                    key = space.class_key(1, is_preferred, context)[1:]
                    self.classes.append((key, part, is_preferred, context))
        self.classes.sort(key=lambda c: c[0])
        self.by_key: dict[tuple[int, ...], list[tuple[int, bool, RestContext]]] = {}
        for tail, part, is_preferred, context in self.classes:
            self.by_key.setdefault(tail, []).append((part, is_preferred, context))


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
    pool: SlotPool | None = None,
    days: DaysCache | None = None,
) -> SlotSearchResult:
    """``find_slots`` with the same arguments and answers; ``peer_windows`` may serve peer
    supporters' off-duty windows from a cache (same values as ``off_duty_windows``),
    ``cache`` keeps providers' own bitmaps between searches, ``empty`` answers instead
    of the reference when no slot is found, ``pool`` (a SlotPool of these very
    ``offers``, with ``cache``) serves a search without filters, and ``days`` keeps the
    officer's side of whole dates between searches."""

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
    # Default filters match every offer: skip building each profile's sets.
    unfiltered = filters == _NO_FILTERS
    pooled = (
        pool is not None
        and cache is not None
        and unfiltered
        and pool.offers is offers
        and pool.session_type == session_type
        and pool.usable  # no repeated id to report
    )
    validate_search(
        horizon=horizon,
        now=now,
        step=step,
        limit=limit,
        session_type=session_type,
        offers=() if pooled else offers,
    )
    window = Interval(now.astimezone(UTC), now.astimezone(UTC) + horizon)
    if pool is not None and pooled:
        matching = pool.matching
    else:
        matching = [
            o for o in offers if session_type in o.sessions and (unfiltered or filters.matches(o, officer))
        ]
    if not matching:
        return fallback()
    space = SearchSpace(officer, officer_roster, policy, preferences, window, officer_bookings, step, days)
    if not space.has_off_duty():
        return fallback()
    grid = Grid.of(space, window)
    sides: dict[tuple[timedelta, timedelta, timedelta], _OfficerSide] = {}
    notices: dict[tuple[int, timedelta], int] = {}  # starts allowed by (duration, notice)
    # Per session shape and notice: the officer's side and the starts the notice allows.
    per_shape: dict[tuple[timedelta, ...], tuple[_OfficerSide, int]] = {}
    cap = None if cache is None else cache.cap(grid, horizon)
    if pool is not None and cache is not None and cap is not None and pooled:
        pooled_found = pool.search(
            space,
            grid,
            cap,
            cache,
            peer_windows,
            lambda session: _session_masks(space, grid, window, session, sides, notices),
            limit,
        )
        if pooled_found is None:
            return fallback()
        return SlotSearchResult(tuple(pooled_found[0]), pooled_found[1], window, None, "")
    found: list[tuple[ProviderOffer, int, _OfficerSide]] = []
    candidates = 0
    for offer in matching:
        session = offer.sessions[session_type]
        shape = (session.duration, session.buffer_before, session.buffer_after, session.min_notice)
        known = per_shape.get(shape)
        if known is None:
            known = per_shape[shape] = _session_masks(space, grid, window, session, sides, notices)
        side, allowed = known
        if not side.valid:
            continue
        if cap is None or cache is None:
            bits = _provider_bits(grid, space, window, offer, session, peer_windows)
        else:
            bits = cache.get(offer, session_type, grid, horizon, policy, peer_windows, cap)
        bits &= allowed
        if bits:
            candidates += bits.bit_count()
            found.append((offer, bits, side))
    if not found:  # the reference says which stage ruled everything out
        return fallback()
    slots = _best(space, grid, found, list(sides.values()), session_type, limit)
    return SlotSearchResult(tuple(slots), candidates, window, None, "")


def _session_masks(
    space: SearchSpace,
    grid: Grid,
    window: Interval,
    session: SessionOffer,
    sides: dict[tuple[timedelta, timedelta, timedelta], _OfficerSide],
    notices: dict[tuple[int, timedelta], int],
) -> tuple[_OfficerSide, int]:
    """The officer's side for the session's shape, and its valid starts after the notice."""
    shape = (session.duration, session.buffer_before, session.buffer_after)
    side = sides.get(shape)
    if side is None:
        side = sides[shape] = _OfficerSide(space, grid, session)
    allowed = side.valid
    if allowed and session.min_notice:
        d = session.duration // _US
        mask = notices.get((d, session.min_notice))
        if mask is None:
            notice = Interval(window.start, window.start + session.min_notice)
            mask = notices[(d, session.min_notice)] = ~grid.hits([notice], d)
        allowed &= mask
    return side, allowed


def _provider_bits(
    grid: Grid,
    space: SearchSpace,
    window: Interval,
    offer: ProviderOffer,
    session: SessionOffer,
    peer_windows: PeerWindows,
) -> int:
    """The provider's own starts on this search's grid and, for a peer supporter, inside
    their own off-duty windows of the window."""
    bits = own_bits(grid, offer, session)
    if bits and is_rostered_peer(offer):
        bits &= grid.fits(peer_windows(offer, space.policy, window), session.duration // _US)
    return bits


def _best(
    space: SearchSpace,
    grid: Grid,
    found: list[tuple[ProviderOffer, int, _OfficerSide]],
    sides: list[_OfficerSide],
    session_type: str,
    limit: int,
) -> list[Slot]:
    """Slots in the reference's order: (continuity, day off, preferred, rest), then start,
    then provider id; each rank class is a merge of the providers' lowest bits."""
    current = space.officer.current_provider_id
    ordered = sorted(found, key=lambda f: (f[0].provider_id != current, f[0].provider_id))
    keys = sorted({tail for side in sides for tail in side.by_key})
    out: list[Slot] = []
    for continuity in (0, 1):
        group = [f for f in ordered if (f[0].provider_id != current) == bool(continuity)]
        for key in keys:
            heap: list[tuple[int, str, int, int, ProviderOffer, bool, RestContext]] = []
            for offer, bits, side in group:
                for part, preferred, context in side.by_key.get(key, ()):
                    if bits & part:
                        rest = bits & part
                        low = (rest & -rest).bit_length() - 1
                        heap.append((low, offer.provider_id, rest, len(heap), offer, preferred, context))
            heapq.heapify(heap)
            while heap:
                low, pid, rest, n, offer, preferred, context = heap[0]
                start = grid.moment(low)
                run = Run((continuity, *key), to_us(start), 1, offer, preferred, context)
                out.append(space.kept_slot(run, start, session_type, make_slot))
                if len(out) >= limit:
                    return out
                rest &= rest - 1
                if rest:
                    nxt = (rest & -rest).bit_length() - 1
                    heapq.heapreplace(heap, (nxt, pid, rest, n, offer, preferred, context))
                else:
                    heapq.heappop(heap)
    return out
