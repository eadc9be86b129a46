"""The Redis + NATS plumbing every service wires the same way.

Clients are created before the gRPC server starts (redis-py connects lazily, the NATS client
connects in `connect`), so servicers can hold them; `connect` runs while health still says
NOT_SERVING.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour_shared.config import ServiceSettings
from tenfour_shared.events.consumer import EventConsumer, Handler
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.events.streams import PRODUCERS, ensure_streams
from tenfour_shared.redis_store import connect_service as connect_redis
from tenfour_shared.server import Runtime
from tenfour_shared.tls import client_ssl_context


class Infra:
    def __init__(self, settings: ServiceSettings, service: str) -> None:
        self.settings = settings
        self.service = service
        self.redis: aioredis.Redis = connect_redis(settings)
        self.nc = Client()
        self.js: JetStreamContext = self.nc.jetstream(timeout=10)
        self.relay = OutboxRelay(self.redis, self.js, service)
        self.consumers: list[EventConsumer] = []

    def consume(self, source: str, handlers: Mapping[str, Handler]) -> EventConsumer:
        consumer = EventConsumer(
            self.js,
            self.redis,
            self.service,
            source,
            handlers,
            max_deliveries=self.settings.max_deliveries,
            retry_base_seconds=self.settings.retry_base_seconds,
        )
        self.consumers.append(consumer)
        return consumer

    def own_streams(self) -> tuple[str, ...]:
        """Streams this service creates at start-up. With its own NATS user it may create only
        its own (deploy/ permissions); consumers of others' streams retry until they exist."""
        if not self.settings.nats_user:
            return PRODUCERS
        return tuple(p for p in PRODUCERS if p == self.service)

    async def connect(self, runtime: Runtime) -> None:
        await self.redis.ping()
        runtime.on_close(self.redis.aclose)
        await self.nc.connect(
            self.settings.nats_url,
            name=f"{self.service}-{self.settings.instance_id}",
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=5,
            **nats_options(self.settings, self.service),
        )
        runtime.on_close(self.nc.drain)
        await ensure_streams(self.js, self.own_streams())
        runtime.spawn("outbox-relay", self.relay.run)
        for consumer in self.consumers:
            runtime.spawn(consumer.durable, consumer.run)


def nats_options(settings: ServiceSettings, service: str) -> dict[str, Any]:
    """User, TLS and a private reply-inbox prefix, so a service's NATS user may subscribe to its
    own replies only (`_INBOX_<service>.>`), never to another service's."""
    options: dict[str, Any] = {"inbox_prefix": f"_INBOX_{service}"}
    if settings.nats_user:
        options["user"] = settings.nats_user
        options["password"] = settings.nats_password
    ctx = client_ssl_context(settings)
    if ctx is not None and settings.nats_url.startswith("tls://"):
        options["tls"] = ctx
    return options
