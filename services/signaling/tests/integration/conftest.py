"""Two signaling instances on one real Redis and NATS (see tenfour_testing.signaling)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour_shared.events.streams import ensure_streams
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.signaling import Cluster, settings_for, start_instance
from tenfour_testing.tokens import TestTokens

Eventually = Callable[[Callable[[], Any]], Awaitable[None]]


@pytest.fixture
def eventually() -> Eventually:
    async def wait(condition: Callable[[], Any]) -> None:
        for _ in range(400):
            result = condition()
            if not isinstance(result, bool):
                result = await result
            if result:
                return
            await asyncio.sleep(0.025)
        raise AssertionError("condition never became true")

    return wait


@pytest.fixture
async def cluster(
    nats_server: NatsServer,
    redis_server: RedisServer,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Cluster]:
    """Override settings with ``@pytest.mark.parametrize("cluster", [{...}], indirect=True)``."""
    nc, js = nats_js
    await ensure_streams(js)
    overrides: dict[str, Any] = getattr(request, "param", {})
    a = await start_instance(settings_for(nats_server, redis_server, test_tokens, **overrides))
    b = await start_instance(settings_for(nats_server, redis_server, test_tokens, **overrides))
    made = Cluster(a, b, js, nc, test_tokens, redis_server, nats_server)
    try:
        yield made
    finally:
        for instance in (a, b, *made.extra):
            await instance.stop()
