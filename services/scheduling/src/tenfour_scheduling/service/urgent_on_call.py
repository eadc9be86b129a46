"""A provider's on-call switch for urgent requests.

"on": they are offered urgent requests first (tier 0) for the next ``ON_CALL_FOR``, even outside
their Urgent hours, as long as they are not in a session; "off": they are offered none for as
long (a sick day, a long session elsewhere); "hours" (the default): their Urgent hours decide.
The switch lapses by itself, so a forgotten "on" never sends requests to someone asleep the next
day. Peer supporters keep the shift rule: on shift they cannot switch on, and routing leaves a
peer on duty out whatever the switch says (service/urgent.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour_scheduling.domain import shifts
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Facts, UrgentQueue
from tenfour_shared.errors import InvalidInput, WrongState
from tenfour_shared.timeline import Interval

__all__ = ["MODES", "ON_CALL_FOR", "OnCall", "OnCallState"]

MODES = ("on", "off", "hours")
ON_CALL_FOR = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class OnCallState:
    mode: str
    until: datetime | None


class OnCall:
    def __init__(self, store: UrgentQueue, facts: Facts, clock: Clock) -> None:
        self._store = store
        self._facts = facts
        self._clock = clock

    async def get(self, provider_id: str) -> OnCallState:
        mode, left = await self._store.on_call(provider_id)
        return OnCallState(mode, self._clock() + timedelta(seconds=left) if left else None)

    async def set(self, provider_id: str, mode: str, peer_agency: str | None) -> OnCallState:
        """``peer_agency``: the caller's agency when they are a peer supporter (their shifts)."""
        if mode not in MODES:
            raise InvalidInput.single("mode", "must be on, off or hours")
        if mode == "on" and peer_agency is not None:
            now = self._clock()
            facts, _ = await self._facts.read(provider_id, peer_agency, Interval(now, now))
            if facts.roster is not None:
                duty = shifts(
                    facts.roster.roster, Interval(now - timedelta(days=1), now + timedelta(minutes=1))
                )
                if any(s.interval.start <= now < s.interval.end for s in duty):
                    raise WrongState(
                        "you are on shift now: urgent requests reach peer supporters off duty only"
                    )
        await self._store.set_on_call(provider_id, mode, int(ON_CALL_FOR.total_seconds()))
        return await self.get(provider_id)
