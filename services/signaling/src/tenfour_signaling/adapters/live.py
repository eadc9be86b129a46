"""Live delivery between instances over NATS core subjects (no JetStream: signals carry SDP).

The instance that stored a signal publishes it, already sequenced, on the recipient's subject;
whichever instance holds that recipient's stream is subscribed to it. NATS core may drop a
message (e.g. during a reconnect): streams notice the gap by seq or at the next heartbeat and
read it from the Redis buffer, so live delivery is an optimisation, never the record.
"""

from __future__ import annotations

import asyncio
import contextlib

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

__all__ = ["LiveBus", "LiveFeed", "live_subject"]

# Deliberately outside "signaling.>", which the TENFOUR_SIGNALING stream persists.
PREFIX = "tenfour-live.signaling"


def live_subject(session_id: str, handle: str) -> str:
    # Both are [A-Za-z0-9_-] (domain HANDLE_PATTERN), so they are safe subject tokens.
    return f"{PREFIX}.{session_id}.{handle}"


class LiveFeed:
    """Raw SignalEvent bytes published for one recipient, in arrival order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._subscription: Subscription | None = None

    async def _on_message(self, msg: Msg) -> None:
        self.queue.put_nowait(msg.data)

    async def close(self) -> None:
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            with contextlib.suppress(Exception):  # the connection may be closing already
                await subscription.unsubscribe()


class LiveBus:
    def __init__(self, nc: Client) -> None:
        self._nc = nc

    async def publish(self, session_id: str, handle: str, data: bytes) -> None:
        await self._nc.publish(live_subject(session_id, handle), data)

    async def subscribe(self, session_id: str, handle: str) -> LiveFeed:
        feed = LiveFeed()
        feed._subscription = await self._nc.subscribe(live_subject(session_id, handle), cb=feed._on_message)
        # A round trip, so the server has the subscription before the caller reads the buffer.
        await self._nc.flush()
        return feed
