"""NATS connection with JetStream, configured for a service process."""

from __future__ import annotations

import asyncio

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import PubAck

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.events.envelope import to_nats


async def connect(url: str, name: str) -> tuple[Client, JetStreamContext]:
    nc = await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
    )
    return nc, nc.jetstream(timeout=10)


def raise_if_cancelled() -> None:
    """Re-raise a cancellation that a library swallowed.

    On Python 3.11, asyncio.wait_for (used by nats-py requests and redis-py commands) returns the
    result instead of raising when the cancel races with the reply, so a background loop that
    only awaits would keep running after shutdown cancelled it. Call this once per iteration.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def publish(js: JetStreamContext, env: Envelope, msg_id: str = "") -> PubAck:
    """Publish one event straight to JetStream as a binary-mode CloudEvent (services go through
    their outbox; this is for tools, tests and benchmarks)."""
    subject, body, headers = to_nats(env)
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    return await js.publish(subject, body, headers=headers)
