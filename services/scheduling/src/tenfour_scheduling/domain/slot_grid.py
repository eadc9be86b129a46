"""Grid starts as bits, and each provider's own bits kept between searches.

A search's starts lie on a grid ``origin + i * step`` (the officer's local midnight, the
step); ``Grid`` turns time windows into bitmaps over it. ``ProviderBits`` keeps, per offer
object, the starts that depend on the provider alone over a grid long enough for any search
of the horizon from that origin: free time, own bookings with buffers, caps and, for a peer
supporter, their own off-duty windows under the searching officer's fatigue policy.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from tenfour_scheduling.domain.booking_rules import capped_days, provider_busy
from tenfour_scheduling.domain.fatigue import FatiguePolicy, off_duty_windows
from tenfour_scheduling.domain.providers import ProviderKind, ProviderOffer, SessionOffer
from tenfour_scheduling.domain.slot_runs import SearchSpace
from tenfour_shared.timeline import Interval, load_zone, merge

__all__ = ["Grid", "PeerWindows", "ProviderBits", "own_bits", "peer_windows", "to_us"]

_US = timedelta(microseconds=1)
# A grid ends by now + horizon, and now is at most a (25-hour) local day past the origin.
_CAP_SLACK = timedelta(days=2)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A peer supporter's off-duty windows under the officer's fatigue policy, in the window.
PeerWindows = Callable[[ProviderOffer, FatiguePolicy, Interval], Sequence[Interval]]


def peer_windows(offer: ProviderOffer, policy: FatiguePolicy, window: Interval) -> Sequence[Interval]:
    assert offer.roster is not None
    return off_duty_windows(offer.roster, policy, window).windows


def to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


class Grid:
    """Grid starts ``origin + i * step`` for ``lo <= i < hi``; bit ``i - lo`` stands for one."""

    def __init__(self, origin: int, step: int, lo: int, hi: int) -> None:
        self.origin, self.step, self.lo, self.hi = origin, step, lo, hi
        self.full = (1 << (self.hi - self.lo)) - 1

    @classmethod
    def of(cls, space: SearchSpace, window: Interval) -> Grid:
        grid = cls(space.origin_us, space.step_us, 0, 0)
        lo = grid.index(to_us(window.start))
        # Starts at or past the rest timeline's end belong to no run (slot_runs drops them).
        return cls(
            grid.origin, grid.step, lo, max(lo, grid.index(min(to_us(window.end), to_us(space.rest.end))))
        )

    def index(self, us: int) -> int:
        """The first grid index at or after ``us``."""
        return -(-(us - self.origin) // self.step)

    def span(self, a: int, e: int) -> int:
        """Bits of the grid starts ``t`` with ``a <= t < e`` (µs)."""
        i, j = max(self.index(a), self.lo), min(self.index(e), self.hi)
        return ((1 << (j - i)) - 1) << (i - self.lo) if i < j else 0

    def fits(self, windows: Iterable[Interval], d: int, *, merged: bool = True) -> int:
        """Starts of a ``d``-µs session inside one of ``windows``: merged first where the
        reference intersects before taking start sets, as given where it does not."""
        bits = 0
        for w in merge(windows) if merged else windows:
            end = to_us(w.end) - d
            start = to_us(w.start)
            if end >= start:
                bits |= self.span(start, end + 1)
        return bits

    def hits(self, blocked: Iterable[Interval], d: int) -> int:
        """Starts of a ``d``-µs session overlapping one of ``blocked``."""
        bits = 0
        for b in blocked:
            if b.end > b.start:
                bits |= self.span(to_us(b.start) - d + 1, to_us(b.end))
        return bits

    def within(self, spans: Iterable[Interval]) -> int:
        bits = 0
        for s in spans:
            bits |= self.span(to_us(s.start), to_us(s.end))
        return bits

    def moment(self, bit: int) -> datetime:
        return _EPOCH + timedelta(microseconds=self.origin + (self.lo + bit) * self.step)


def own_bits(grid: Grid, offer: ProviderOffer, session: SessionOffer) -> int:
    """Starts inside the provider's free time, clear of their bookings (with buffers), not
    on a capped day."""
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


def is_rostered_peer(offer: ProviderOffer) -> bool:
    return offer.roster is not None and offer.kind is ProviderKind.PEER


class ProviderBits:
    """Each provider's starts that depend on the provider alone (and, for a rostered peer
    supporter, the officer's fatigue policy) as a bitmap from the grid's origin, kept per
    offer object: a caller that reuses offer objects between searches (the service does, per
    stamp and days) pays for them once per grid. The oldest entries go first.

    A peer's off-duty windows are taken over the whole long grid: cut to a search's window
    they are that window's own windows (``peer_windows.py``), and the starts they add past
    the window's end are never the officer's (the officer's side ends there too)."""

    def __init__(self, size: int = 32768) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], tuple[ProviderOffer, int]] = OrderedDict()

    def get(
        self,
        offer: ProviderOffer,
        session_type: str,
        grid: Grid,
        horizon: timedelta,
        policy: FatiguePolicy,
        windows: PeerWindows = peer_windows,
        cap: int | None = None,
    ) -> int:
        """The offer's bits on ``grid`` (``cap``: ``self.cap(grid, horizon)``, if known)."""
        if cap is None:
            cap = self.cap(grid, horizon)
        return (self.full(offer, session_type, grid, policy, windows, cap) >> grid.lo) & grid.full

    def full(
        self,
        offer: ProviderOffer,
        session_type: str,
        grid: Grid,
        policy: FatiguePolicy,
        windows: PeerWindows,
        cap: int,
    ) -> int:
        """The offer's bits on the long grid: starts 0 to ``cap`` from ``grid``'s origin."""
        peer = is_rostered_peer(offer)
        key = (offer.provider_id, session_type, grid.origin, grid.step, cap, policy if peer else None)
        hit = self._items.get(key)
        if hit is not None and hit[0] is offer:
            return hit[1]
        bits = self.build(Grid(grid.origin, grid.step, 0, cap), offer, session_type, policy, windows)
        self._items.pop(key, None)  # re-inserted last: the oldest entries go first
        self._items[key] = (offer, bits)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return bits

    @staticmethod
    def cap(grid: Grid, horizon: timedelta) -> int:
        """Grid starts past any grid end of this horizon from the grid's origin."""
        return -(-(horizon + _CAP_SLACK) // _US // grid.step)

    @staticmethod
    def build(
        grid: Grid, offer: ProviderOffer, session_type: str, policy: FatiguePolicy, windows: PeerWindows
    ) -> int:
        session = offer.sessions[session_type]
        bits = own_bits(grid, offer, session)
        if bits and is_rostered_peer(offer):
            whole = Interval(grid.moment(0), grid.moment(grid.hi - grid.lo))
            bits &= grid.fits(windows(offer, policy, whole), session.duration // _US)
        return bits
