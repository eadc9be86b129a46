"""A candidate pool: one list of offers kept between searches with their bitmaps per grid.

The per-provider path of ``find_slots_indexed`` takes a Python step per candidate provider
on every search (a kept-bitmap lookup, an AND, a count, a heap entry). A pool groups the
offers by session shape once, in provider id order, with each provider's bitmap on the long
grid (``ProviderBits``) and the union of a group's bitmaps; then a search costs the
officer's side, a few ANDs per group for the candidate count (bit-sliced counters), and
only the grid starts it returns: the providers free at a start are one "column" bitmap,
built once per start and pool and kept.

The caller keeps a pool as long as its offer list is unchanged (the service: per agency and
provider stamps). Answers are those of the per-provider path (the differential test runs
the pooled search against the reference).
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from functools import reduce
from operator import or_
from typing import Protocol

from tenfour_scheduling.domain.fatigue import FatiguePolicy
from tenfour_scheduling.domain.providers import ProviderOffer, SessionOffer
from tenfour_scheduling.domain.rest import RestContext
from tenfour_scheduling.domain.slot_grid import Grid, PeerWindows, ProviderBits, is_rostered_peer, to_us
from tenfour_scheduling.domain.slot_runs import Run, SearchSpace
from tenfour_scheduling.domain.slots import Slot, make_slot

__all__ = ["SlotPool"]

_Entry = tuple[int, str, ProviderOffer, bool, RestContext]  # start bit, provider id, ...


class Side(Protocol):
    """The officer's side for one session shape (slot_bits._OfficerSide)."""

    valid: int
    by_key: dict[tuple[int, ...], list[tuple[int, bool, RestContext]]]


class _Group:
    """Offers of one session shape in provider id order, with their bits on one long grid."""

    __slots__ = ("_columns", "_planes", "bits", "index", "offers", "session", "union")

    def __init__(self, session: SessionOffer, offers: list[ProviderOffer], bits: list[int]) -> None:
        self.session = session
        self.offers = offers
        self.bits = bits
        self.union = reduce(or_, bits, 0)
        self.index = {o.provider_id: i for i, o in enumerate(offers)}
        self._columns: dict[int, int] = {}
        self._planes: list[int] | None = None

    def count(self, w: int) -> int:
        """Set bits of every offer's bitmap inside ``w``: from bit-sliced counters (plane ``k``
        holds bit ``k`` of how many offers may start at each start), a few ANDs per search."""
        if self._planes is None:
            planes: list[int] = []
            for carry in self.bits:  # add each bitmap to the counters, ripple-carry
                k = 0
                while carry:
                    if k == len(planes):
                        planes.append(0)
                    planes[k], carry = planes[k] ^ carry, planes[k] & carry
                    k += 1
            self._planes = planes
        return sum((p & w).bit_count() << k for k, p in enumerate(self._planes))

    def column(self, t: int) -> int:
        """Bit ``i`` set when offer ``i`` may start at long-grid start ``t``."""
        col = self._columns.get(t)
        if col is None:
            col = 0
            for i, b in enumerate(self.bits):
                if b >> t & 1:
                    col |= 1 << i
            self._columns[t] = col
        return col

    def starts(
        self, m: int, only: int | None, skip: int | None, preferred: bool, context: RestContext
    ) -> Iterator[_Entry]:
        """(start, provider) in order over the starts in ``m``: of offer ``only``, or of every
        offer but ``skip``."""
        while m:
            t = (m & -m).bit_length() - 1
            m &= m - 1
            if only is not None:
                offer = self.offers[only]
                yield (t, offer.provider_id, offer, preferred, context)
                continue
            col = self.column(t)
            if skip is not None:
                col &= ~(1 << skip)
            while col:
                i = (col & -col).bit_length() - 1
                col &= col - 1
                offer = self.offers[i]
                yield (t, offer.provider_id, offer, preferred, context)


class SlotPool:
    """``offers`` of one session type; ``usable`` is False when ids repeat (the per-provider
    path reports that as bad input)."""

    def __init__(self, offers: Sequence[ProviderOffer], session_type: str, size: int = 8) -> None:
        self.offers = offers
        self.session_type = session_type
        self.matching = [o for o in offers if session_type in o.sessions]
        self.usable = len({o.provider_id for o in offers}) == len(offers)
        self._peers = any(is_rostered_peer(o) for o in self.matching)
        self._size = size
        self._grids: OrderedDict[tuple[object, ...], list[_Group]] = OrderedDict()

    def _groups(
        self, grid: Grid, cap: int, policy: FatiguePolicy, cache: ProviderBits, windows: PeerWindows
    ) -> list[_Group]:
        key = (grid.origin, grid.step, cap, policy if self._peers else None)
        hit = self._grids.get(key)
        if hit is not None:
            self._grids.move_to_end(key)
            return hit
        shapes: dict[tuple[object, ...], tuple[SessionOffer, list[ProviderOffer], list[int]]] = {}
        for offer in sorted(self.matching, key=lambda o: o.provider_id):
            s = offer.sessions[self.session_type]
            _, offers, bits = shapes.setdefault(
                (s.duration, s.buffer_before, s.buffer_after, s.min_notice), (s, [], [])
            )
            offers.append(offer)
            bits.append(cache.full(offer, self.session_type, grid, policy, windows, cap))
        groups = self._grids[key] = [_Group(*shape) for shape in shapes.values()]
        if len(self._grids) > self._size:
            self._grids.popitem(last=False)
        return groups

    def search(
        self,
        space: SearchSpace,
        grid: Grid,
        cap: int,
        cache: ProviderBits,
        windows: PeerWindows,
        masks: Callable[[SessionOffer], tuple[Side, int]],
        limit: int,
    ) -> tuple[list[Slot], int] | None:
        """The best ``limit`` slots and the count of every valid start; None when there is none.
        ``masks``: the officer's side and allowed starts (grid bits) for a session's shape."""
        live: list[tuple[_Group, Side, int]] = []
        sides: list[Side] = []
        candidates = 0
        for group in self._groups(grid, cap, space.policy, cache, windows):
            side, allowed = masks(group.session)
            sides.append(side)
            if not side.valid:
                continue
            w = allowed << grid.lo
            if w & group.union:
                candidates += group.count(w)
                live.append((group, side, w))
        if not candidates:
            return None
        return self._best(space, grid, live, sides, limit), candidates

    def _best(
        self,
        space: SearchSpace,
        grid: Grid,
        live: list[tuple[_Group, Side, int]],
        sides: list[Side],
        limit: int,
    ) -> list[Slot]:
        """The per-provider path's order: (continuity, rank class), then start, then provider."""
        current = space.officer.current_provider_id
        keys = sorted({tail for side in sides for tail in side.by_key})
        out: list[Slot] = []
        for continuity in (0, 1):
            for key in keys:
                streams: list[Iterator[_Entry]] = []
                for group, side, w in live:
                    at = group.index.get(current) if current is not None else None
                    if continuity == 0 and at is None:
                        continue
                    among = group.bits[at] if continuity == 0 and at is not None else group.union
                    for part, preferred, context in side.by_key.get(key, ()):
                        m = (part << grid.lo) & w & among
                        if m:
                            only, skip = (at, None) if continuity == 0 else (None, at)
                            streams.append(group.starts(m, only, skip, preferred, context))
                for t, _, offer, preferred, context in heapq.merge(*streams, key=lambda e: (e[0], e[1])):
                    start = grid.moment(t - grid.lo)
                    run = Run((continuity, *key), to_us(start), 1, offer, preferred, context)
                    out.append(space.kept_slot(run, start, self.session_type, make_slot))
                    if len(out) >= limit:
                        return out
        return out
