"""Periodic work, one instance at a time (a Redis lease): closing due rooms, timing out streams,
moving group rooms off a failed SFU instance."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tenfour_signaling.adapters.room_store import RoomStore
from tenfour_signaling.service.sfu_rooms import SfuRooms
from tenfour_signaling.service.sweeper import Sweeper


async def sweep_forever(sweeper: Sweeper, store: RoomStore, owner: str, every_seconds: float) -> None:
    lease = timedelta(seconds=every_seconds * 0.9)
    while True:
        if await store.take_turn("sweep", owner, lease):
            await sweeper.sweep()
        await asyncio.sleep(every_seconds)


async def watch_sfu_forever(rooms: SfuRooms, store: RoomStore, owner: str, every_seconds: float) -> None:
    """SFU failover checks, one instance at a time (rooms on a dead instance move)."""
    lease = timedelta(seconds=every_seconds * 0.9)
    while True:
        if await store.take_turn("sfu-watch", owner, lease):
            await rooms.check_instances()
        await asyncio.sleep(every_seconds)
