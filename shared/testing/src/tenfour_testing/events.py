"""For tests that assert something did NOT happen: first wait for the positive marker that the
events which could have made it happen were processed, instead of sleeping and hoping."""

from __future__ import annotations

import asyncio

from nats.js.errors import NotFoundError

from tenfour_shared.infra import Infra

__all__ = ["until_quiet"]


async def until_quiet(infra: Infra, *, within: float = 15.0) -> None:
    """Until the process's outbox is empty (every event it staged is on JetStream) and each of its
    consumers has acked everything delivered to it (handled or dead-lettered), twice in a row,
    since a handled event may stage new ones."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    calm = 0
    while calm < 2:
        calm = calm + 1 if await _quiet(infra) else 0
        if loop.time() > deadline:
            raise AssertionError(f"{infra.service}: events still in flight after {within} s")
        await asyncio.sleep(0.05)


async def _quiet(infra: Infra) -> bool:
    async for key in infra.redis.scan_iter(match=f"{infra.service}:outbox:{{*"):
        if await infra.redis.xlen(key):
            return False
    for consumer in infra.consumers:
        try:
            info = await infra.js.consumer_info(consumer.stream, consumer.durable)
        except NotFoundError:
            return False  # not subscribed yet: nothing can have been processed
        if info.num_pending or info.num_ack_pending:
            return False
    return True
