"""Scheduled reminders: one sorted set by delivery time, each member sent exactly once (removing
it and writing its ``reminder_due`` event are one script in the ``{reminders}`` slot)."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour_scheduling.adapters.due_queue import DueQueue
from tenfour_shared.events.outbox import OutboxRelay

__all__ = ["ReminderStore"]

TAG = "reminders"


class ReminderStore(DueQueue):
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        super().__init__(redis, relay, name="reminders", tag=TAG)
