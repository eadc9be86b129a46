"""Any CloudEvents consumer can read Tenfour's streams: a plain NATS client and the CloudEvents SDK,
with nothing of Tenfour but the generated payload message, read what a service's outbox published."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from cloudevents.core.bindings.http import HTTPMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from nats.js import JetStreamContext

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour_shared.events.envelope import build
from tenfour_shared.events.outbox import OutboxRelay, stage

pytestmark = pytest.mark.integration
Eventually = Callable[[Callable[[], Any]], Awaitable[None]]


async def test_a_plain_cloudevents_consumer_reads_an_event_from_jetstream(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    env = build(ProviderRulesChanged(provider_id="prov-9", version=3), subject="prov-9")
    async with redis_client.pipeline(transaction=True) as pipe:
        stage(pipe, "availability", "prov-9", env)
        await pipe.execute()
    relay = OutboxRelay(redis_client, js, "availability", poll_seconds=0.05)
    sub = await js.pull_subscribe(
        "availability.>", durable="any-cloudevents-consumer", stream="TENFOUR_AVAILABILITY"
    )
    task = asyncio.create_task(relay.run())
    try:
        await relay.notify("prov-9")
        [msg] = await sub.fetch(1, timeout=30)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await msg.ack()

    event = from_binary(HTTPMessage(dict(msg.headers or {}), msg.data), JSONFormat())

    assert event.get_specversion() == "1.0"
    assert event.get_id() == env.id
    assert event.get_type() == "availability.provider_rules_changed"
    assert event.get_source() == "availability"
    assert event.get_subject() == "prov-9"
    assert event.get_time() == env.time.ToDatetime().replace(tzinfo=event.get_time().tzinfo)
    assert event.get_datacontenttype() == "application/protobuf"
    data = event.get_data()  # the SDK's JSON format hands back text when the bytes happen to be UTF-8
    raw = data.encode() if isinstance(data, str) else data
    assert isinstance(raw, bytes)
    assert ProviderRulesChanged.FromString(raw) == ProviderRulesChanged(provider_id="prov-9", version=3)
