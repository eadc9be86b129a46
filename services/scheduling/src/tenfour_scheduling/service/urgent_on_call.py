"""A provider's on-call switch for urgent requests.

"on": they are offered urgent requests first (tier 0) for the next ``ON_CALL_FOR``, even outside
their Urgent hours, as long as they are not in a session; "off": they are offered none for as
long (a sick day, a long session elsewhere); "hours" (the default): their Urgent hours decide.
The switch lapses by itself, so a forgotten "on" never sends requests to someone asleep the next
day. Peer supporters keep the agency's shift-aware rest rules: on shift, in the protected sleep
after a night shift, in a quick-return gap or the rest after consecutive nights they cannot
switch on, and routing leaves such a peer out whatever the switch says (service/urgent.py). The
buffers around shifts do not apply: a peer who switches on there chose to be reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour_scheduling.domain import BlockReason, FatiguePolicy, Roster, off_duty_windows
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Facts, UrgentQueue
from tenfour_shared.errors import InvalidInput, WrongState
from tenfour_shared.timeline import Interval

__all__ = ["MODES", "ON_CALL_FOR", "OnCall", "OnCallState", "resting"]

_RESTING = (
    BlockReason.ON_DUTY,
    BlockReason.PROTECTED_SLEEP,
    BlockReason.QUICK_RETURN,
    BlockReason.CONSECUTIVE_NIGHTS,
)


def resting(roster: Roster, policy: FatiguePolicy, now: datetime) -> str | None:
    """Why a peer supporter with this roster must not take urgent requests now (None: they may)."""
    found = off_duty_windows(roster, policy, Interval(now, now + timedelta(minutes=1)))
    for block in found.blocked:
        if block.reason in _RESTING and block.interval.start <= now < block.interval.end:
            return block.reason.text
    return None


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
            why = resting(facts.roster.roster, facts.policy.fatigue, now) if facts.roster else None
            if why is not None:
                raise WrongState(f"not now ({why}): urgent requests reach peer supporters who are rested")
        await self._store.set_on_call(provider_id, mode, int(ON_CALL_FOR.total_seconds()))
        return await self.get(provider_id)
