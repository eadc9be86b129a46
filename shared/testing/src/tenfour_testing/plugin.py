"""pytest fixtures: real nats-server (JetStream) and redis-server on free ports in a temp dir.

Loaded by the repository's root conftest.py. There are no fakes of NATS or Redis anywhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.redis_store import connect as connect_redis
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    with NatsServer(tmp_path / "nats") as server:
        yield server


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
async def redis_client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = connect_redis(redis_server.url)
    yield client
    await client.aclose()


@pytest.fixture
async def nats_js(nats_server: NatsServer) -> AsyncIterator[tuple[Client, JetStreamContext]]:
    nc, js = await connect_nats(nats_server.url, "tests")
    yield nc, js
    await nc.drain()


@pytest.fixture(scope="session")
def test_tokens() -> TestTokens:
    return TestTokens()
