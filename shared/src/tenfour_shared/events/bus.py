"""NATS connection with JetStream, configured for a service process."""

from __future__ import annotations

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext


async def connect(url: str, name: str) -> tuple[Client, JetStreamContext]:
    nc = await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
    )
    return nc, nc.jetstream(timeout=10)
