"""Peer supporters' off-duty windows, reused from one search to the next.

``off_duty_windows(roster, policy, W)`` is ``W`` minus rest layers that depend only on the
shifts overlapping ``W`` widened by the policy's reach. So for the very same shifts, the
windows computed once over a wider ``W'`` and cut to ``W`` are exactly the windows of ``W``:
a search that moves ``now`` a little reuses them. The shifts themselves are filtered from a
wider expansion (``shifts`` keeps every shift overlapping its range, so filtering a wider
expansion by overlap gives the same list). Answers are identical to ``off_duty_windows``;
the differential property test checks it across successive searches.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from tenfour_scheduling.domain.fatigue import FatiguePolicy, off_duty_from_shifts
from tenfour_scheduling.domain.providers import ProviderOffer
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.rotation import Shift, shifts
from tenfour_shared.timeline import Interval, intersect

__all__ = ["PeerOffDuty"]

_SPAN = timedelta(days=7)  # shifts are expanded this far beyond what a search needs
_SLACK = timedelta(days=1)  # windows are computed this far beyond the searched window


@dataclass
class _Peer:
    roster: Roster
    span: Interval  # the shifts below are every shift overlapping it
    shifts: list[Shift]
    windows: dict[tuple[FatiguePolicy, tuple[int, ...]], tuple[Interval, tuple[Interval, ...]]] = field(
        default_factory=dict
    )


class PeerOffDuty:
    """A ``PeerWindows`` for ``find_slots_indexed`` that keeps, per peer supporter, their
    expanded shifts and computed windows (least recently used peers go first)."""

    def __init__(self, size: int = 8192) -> None:
        self._size = size
        self._peers: OrderedDict[str, _Peer] = OrderedDict()

    def __call__(self, offer: ProviderOffer, policy: FatiguePolicy, window: Interval) -> Sequence[Interval]:
        roster = offer.roster
        assert roster is not None
        reach = policy.reach()
        need = window.expand(reach, reach)
        peer = self._peers.get(offer.provider_id)
        if peer is None or peer.roster is not roster or not peer.span.contains(need):
            span = need.expand(_SLACK, _SPAN)
            peer = _Peer(roster, span, shifts(roster, span))
            self._peers[offer.provider_id] = peer
            if len(self._peers) > self._size:
                self._peers.popitem(last=False)
        else:
            self._peers.move_to_end(offer.provider_id)
        near = tuple(i for i, s in enumerate(peer.shifts) if s.interval.overlaps(need))
        key = (policy, near)
        hit = peer.windows.get(key)
        if hit is None or not hit[0].contains(window):
            wide = window.expand(_SLACK, _SLACK)
            found = off_duty_from_shifts([peer.shifts[i] for i in near], policy, wide)
            if len(peer.windows) > 64:
                peer.windows.clear()
            hit = peer.windows[key] = (wide, found.windows)
        return intersect(hit[1], [window])
