"""Periodic work: one instance at a time (a Redis lease) closes due rooms and times out streams."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tenfour_signaling.adapters.room_store import RoomStore
from tenfour_signaling.service.sweeper import Sweeper


async def sweep_forever(sweeper: Sweeper, store: RoomStore, owner: str, every_seconds: float) -> None:
    lease = timedelta(seconds=every_seconds * 0.9)
    while True:
        if await store.take_turn("sweep", owner, lease):
            await sweeper.sweep()
        await asyncio.sleep(every_seconds)
