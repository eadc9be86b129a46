"""A service wired the standard way: streams, outbox relay and consumers run inside the runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from google.protobuf.message import Message
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.config import ServiceSettings
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.envelope import build
from tenfour_shared.events.outbox import stage
from tenfour_shared.events.streams import DEAD_LETTER_STREAM, DUPLICATE_WINDOW_SECONDS, PRODUCERS, stream_name
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

pytestmark = pytest.mark.integration

Eventually = Callable[[Callable[[], Any]], Awaitable[None]]


async def test_an_event_committed_by_one_service_reaches_its_consumer(
    nats_server: NatsServer, redis_server: RedisServer, eventually: Eventually
) -> None:
    settings = ServiceSettings(
        port=0,
        nats_url=nats_server.url,
        redis_url=redis_server.url,
        instance_id="test-1",
        retry_base_seconds=0.01,
    )
    infra = Infra(settings, "availability")
    received: list[tuple[str, int]] = []

    async def on_rules_changed(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, ProviderRulesChanged)
        received.append((env.id, payload.version))

    consumer = infra.consume("availability", {"availability.provider_rules_changed": on_rules_changed})
    runtime = Runtime("availability", settings, [])

    async with runtime:
        await infra.connect(runtime)
        await runtime.ready()
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING

        env = build(ProviderRulesChanged(provider_id="prov-1", version=7), subject="prov-1")
        async with infra.redis.pipeline(transaction=True) as pipe:
            pipe.set("availability:rules:{prov-1}", b"v7")
            stage(pipe, "availability", "prov-1", env)
            await pipe.execute()
        await infra.relay.notify("prov-1")
        await eventually(lambda: received == [(env.id, 7)])

    assert consumer.durable == "availability-from-availability"
    assert infra.nc.is_closed

    nc, js = await connect_nats(nats_server.url, "inspect")
    try:
        for name in [*(stream_name(p) for p in PRODUCERS), DEAD_LETTER_STREAM]:
            info = await js.stream_info(name)
            assert info.config.duplicate_window == DUPLICATE_WINDOW_SECONDS
        consumer_info = await js.consumer_info(stream_name("availability"), consumer.durable)
        assert consumer_info.num_ack_pending == 0
    finally:
        await nc.close()


async def test_ensure_streams_is_safe_to_run_from_every_service_start(
    nats_server: NatsServer, redis_server: RedisServer
) -> None:
    settings = ServiceSettings(port=0, nats_url=nats_server.url, redis_url=redis_server.url)
    for service in ("identity", "scheduling"):
        runtime = Runtime(service, settings, [])
        async with runtime:
            await Infra(settings, service).connect(runtime)

    nc, js = await connect_nats(nats_server.url, "inspect")
    try:
        await js.publish("scheduling.reminder_due", b"x", headers={"Nats-Msg-Id": "one"})
        again = await js.publish("scheduling.reminder_due", b"x", headers={"Nats-Msg-Id": "one"})
        assert again.duplicate
        assert (await js.stream_info("TENFOUR_SCHEDULING")).state.messages == 1
    finally:
        await nc.close()
