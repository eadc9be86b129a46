"""Streams on a real nats-server, and a way to wait for background work without timing it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour_shared.events.streams import ensure_streams

Condition = Callable[[], Any]
Eventually = Callable[[Condition], Awaitable[None]]


@pytest.fixture
async def js(nats_js: tuple[Client, JetStreamContext]) -> JetStreamContext:
    """JetStream with every Tenfour stream created, as each service does at start-up."""
    _, context = nats_js
    await ensure_streams(context)
    return context


@pytest.fixture
def eventually() -> Eventually:
    """Wait until a condition holds; fails only if it never does (the limit is not a performance bound)."""

    async def _eventually(condition: Condition) -> None:
        for _ in range(400):
            result = condition()
            if not isinstance(result, bool):
                result = await result
            if result:
                return
            await asyncio.sleep(0.025)
        raise AssertionError("condition never became true")

    return _eventually
