"""Timed work: one pass over a due queue (reminders, licence warnings, training warnings and
lapses), and one worker that runs a use case's passes while this instance holds its lease.

A pass asks the use case for each due member's event; ``None`` means what the member was
queued for no longer holds (cancelled, renewed, removed), so it is dropped, not sent. Sending
removes the member with its event in one step, so a member is sent once whoever drives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_scheduling.domain.records import to_ms
from tenfour_scheduling.service.ports import DueItems

__all__ = ["EventFor", "Leased", "LeasedWorker", "send_due"]

EventFor = Callable[[str, datetime], Awaitable[Envelope | None]]
"""The event of a due member at ``now``, or None when it no longer holds."""


async def send_due(queue: DueItems, now: datetime, event_for: EventFor) -> int:
    """Send every member due by ``now`` (or drop it); how many were sent."""
    sent = 0
    for member in await queue.due(to_ms(now)):
        event = await event_for(member, now)
        if event is None:
            await queue.drop(member)
        elif await queue.send(member, event):
            sent += 1
    return sent


class Leased(Protocol):
    async def lease(self, holder: str, ttl_ms: int) -> bool: ...


class LeasedWorker:
    """Every ``poll_seconds``, runs ``passes`` in order while ``holder`` holds the lease (one
    instance of a deployment drives; the lease outlives a few missed polls, then moves)."""

    def __init__(
        self, lease: Leased, holder: str, poll_seconds: float, *passes: Callable[[], Awaitable[object]]
    ) -> None:
        self._lease = lease
        self._holder = holder
        self._poll = poll_seconds
        self._passes = passes

    async def run(self) -> None:
        ttl_ms = max(int(self._poll * 20_000), 10_000)
        while True:
            if await self._lease.lease(self._holder, ttl_ms):
                for run_pass in self._passes:
                    await run_pass()
            await asyncio.sleep(self._poll)
