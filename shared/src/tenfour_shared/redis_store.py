"""Redis helpers: connection from config, Lua scripts shipped as package files, key naming.

Keys that one atomic script touches share a hash tag ({...}) so every script also runs on
Redis Cluster.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from tenfour_shared.config import ServiceSettings
from tenfour_shared.tls import redis_ssl_options


def connect(url: str, max_connections: int = 256, **options: Any) -> aioredis.Redis:
    """A lazy client (nothing is dialled until the first command) whose pool waits for a free
    connection instead of failing: redis-py's default pool raises MaxConnectionsError past 100
    commands in flight, which a burst of resuming clients or a booking rush reaches."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=10, health_check_interval=30, **options
    )
    return aioredis.Redis.from_pool(pool)  # the client owns the pool: aclose() closes it


def connect_service(settings: ServiceSettings, max_connections: int = 256) -> aioredis.Redis:
    """A service's client: its own ACL user when configured, mutual TLS for a `rediss://` URL."""
    options: dict[str, Any] = {}
    if settings.redis_username:
        options["username"] = settings.redis_username
    if settings.redis_password:
        options["password"] = settings.redis_password
    if settings.redis_url.startswith("rediss://"):
        options.update(redis_ssl_options(settings))
    return connect(settings.redis_url, max_connections, **options)


class Keys:
    """Key names for one service: `<service>:<kind>:{<tag>}[:<rest>]`."""

    def __init__(self, service: str) -> None:
        self.service = service

    def __call__(self, kind: str, tag: str = "", *rest: str) -> str:
        key = f"{self.service}:{kind}"
        if tag:
            key += f":{{{tag}}}"
        for part in rest:
            key += f":{part}"
        return key


def as_bytes(value: Any) -> bytes:
    """Replies are bytes (decode_responses=False); redis-py's types also allow str."""
    return value if isinstance(value, bytes) else str(value).encode()


def load_script(client: aioredis.Redis, package: str, filename: str, prelude: str = "") -> AsyncScript:
    """Register a Lua script that ships inside `package` (EVALSHA with EVAL fallback)."""
    body = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return client.register_script(prelude + body)
