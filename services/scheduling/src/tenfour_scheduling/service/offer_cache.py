"""Provider offers kept from one search to the next.

``provider_offer`` clips free time at ``now`` before narrowing it by the session's buffers,
so its offer changes with every call. Narrowing the expanded days' whole free time instead,
and asking ``max(min_notice, buffer_before)`` of notice, gives exactly the same valid starts:
clipped then narrowed, the piece holding ``now`` starts at ``now + buffer_before``, which is
what the longer notice says; every other piece is unchanged (a property test checks the two
agree). Such an offer stays valid while the provider's versions, calendar and the expanded
days stay the same, so one object per provider serves search after search, and the slot
search's per-offer bitmaps (``ProviderBits``) are reused with it.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, time, timedelta

from tenfour_scheduling.domain import ProviderOffer
from tenfour_scheduling.domain.records import ProviderSnapshot
from tenfour_scheduling.service.offers import Expansions, provider_offer
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval

__all__ = ["OfferCache", "whole_days"]

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
_NAMES = {t: t.value for t in SessionType}  # an enum's .value costs more than a dict lookup


def whole_days(window: Interval) -> Interval:
    """The UTC days ``Expansions`` expands for ``window``."""
    first = datetime.combine(window.start.astimezone(UTC).date(), time(0), UTC)
    last = datetime.combine((window.end.astimezone(UTC) - _TICK).date() + _DAY, time(0), UTC)
    return Interval(first, last)


def reusable(offer: ProviderOffer) -> ProviderOffer:
    """An offer of whole days' free time with the notice that stands in for clipping at now."""
    sessions = {
        name: s.model_copy(update={"min_notice": max(s.min_notice, s.buffer_before)})
        for name, s in offer.sessions.items()
    }
    return offer.model_copy(update={"sessions": sessions})


class OfferCache:
    def __init__(self, expansions: Expansions, size: int = 16384) -> None:
        self._expansions = expansions
        self._size = size
        self._items: OrderedDict[
            tuple[str, ...], tuple[tuple[object, ...], ProviderOffer | None, ProviderSnapshot]
        ] = OrderedDict()

    def offer(
        self,
        snapshot: ProviderSnapshot,
        session_type: SessionType,
        reach: Interval,
        exclude: str = "",
        days: Interval | None = None,
    ) -> ProviderOffer | None:
        """The provider's reusable offer over the days ``reach`` expands to (``days``, when
        the caller has them already)."""
        days = days or whole_days(reach)
        slot = (snapshot.provider_id, _NAMES[session_type], exclude)
        hit = self._items.get(slot)
        if hit is not None and hit[2] is snapshot and hit[0][4] == days:  # the same read, kept
            return hit[1]
        key = (
            snapshot.rules_version,
            snapshot.profile_version,
            snapshot.roster_version,
            snapshot.deactivated,
            days,
            snapshot.bookings,
            snapshot.own_sessions,
            snapshot.ready_until,
        )
        if hit is not None and hit[0] == key:
            self._items[slot] = (key, hit[1], snapshot)
            return hit[1]
        built = provider_offer(snapshot, session_type, days, days.start, self._expansions, exclude=exclude)
        offer = None if built is None else reusable(built)
        self._items.pop(slot, None)  # re-inserted last: the oldest entries go first
        self._items[slot] = (key, offer, snapshot)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return offer
