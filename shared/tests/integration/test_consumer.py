"""Durable consumers: each event handled once, failures retried then dead-lettered, nothing blocks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from google.protobuf.message import Message
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.events.consumer import (
    PROCESSED_TTL_SECONDS,
    EventConsumer,
    Handler,
    PermanentFailure,
    processed_key,
)
from tenfour_shared.events.envelope import build, parse
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.streams import DEAD_LETTER_STREAM

pytestmark = pytest.mark.integration

RULES_CHANGED = "availability.provider_rules_changed"
DEAD_LETTERS = "deadletter.scheduling.availability_provider_rules_changed"
Eventually = Callable[[Callable[[], Any]], Awaitable[None]]


class Recorder:
    """A handler that records what it saw; `fail` decides per call whether it raises."""

    def __init__(self, fail: Callable[[Envelope, int], Exception | None] = lambda env, n: None) -> None:
        self.calls: list[tuple[str, int]] = []
        self._fail = fail

    async def __call__(self, env: Envelope, payload: Message) -> None:
        assert isinstance(payload, ProviderRulesChanged)
        assert payload.provider_id == env.subject
        attempt = sum(1 for event_id, _ in self.calls if event_id == env.id) + 1
        self.calls.append((env.id, payload.version))
        error = self._fail(env, attempt)
        if error is not None:
            raise error

    @property
    def versions(self) -> list[int]:
        return [version for _, version in self.calls]


def rules_changed(version: int, provider_id: str = "prov-1") -> Envelope:
    return build(ProviderRulesChanged(provider_id=provider_id, version=version), subject=provider_id)


async def publish(js: JetStreamContext, env: Envelope, msg_id: str = "") -> None:
    await publish_event(js, env, msg_id or env.id)


def consumer(
    js: JetStreamContext, redis: aioredis.Redis, handler: Handler, max_deliveries: int = 3
) -> EventConsumer:
    return EventConsumer(
        js,
        redis,
        "scheduling",
        "availability",
        {RULES_CHANGED: handler},
        max_deliveries=max_deliveries,
        retry_base_seconds=0.01,
    )


@contextlib.asynccontextmanager
async def running(subject: EventConsumer) -> AsyncIterator[EventConsumer]:
    task = asyncio.create_task(subject.run())
    try:
        yield subject
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task  # re-raises if the consumer crashed


async def dead_letters(js: JetStreamContext) -> list[RawStreamMsg]:
    info = await js.stream_info(DEAD_LETTER_STREAM)
    if not info.state.messages:
        return []
    return [
        await js.get_msg(DEAD_LETTER_STREAM, seq=s)
        for s in range(info.state.first_seq, info.state.last_seq + 1)
    ]


async def settled(js: JetStreamContext, subject: EventConsumer, redelivered: bool = False) -> bool:
    """The durable exists, everything delivered was acknowledged and nothing is waiting."""
    try:
        info = await js.consumer_info("TENFOUR_AVAILABILITY", subject.durable)
    except NotFoundError:
        return False
    done = info.num_pending == 0 and info.num_ack_pending == 0
    return done and (redelivered or info.num_redelivered == 0)


async def test_each_event_is_handled_once_and_marked_processed(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    handler = Recorder()
    envs = [rules_changed(v) for v in (1, 2, 3)]
    for env in envs:
        await publish(js, env)

    async with running(consumer(js, redis_client, handler)) as subject:
        await eventually(lambda: subject.processed == 3)
        await eventually(lambda: settled(js, subject))

    assert handler.calls == [(env.id, v) for env, v in zip(envs, (1, 2, 3), strict=True)]
    key = processed_key("scheduling", envs[0])
    assert key == f"scheduling:inbox:{{prov-1}}:{envs[0].id}"
    assert 0 < await redis_client.ttl(key) <= PROCESSED_TTL_SECONDS
    assert await dead_letters(js) == []


async def test_an_event_id_seen_before_is_skipped(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    # The same event arriving twice as different stream messages (a replay after the duplicate
    # window), and one whose effect a handler's script already recorded before a crash.
    handler = Recorder()
    replayed, already_applied, fresh = rules_changed(1), rules_changed(2), rules_changed(3)
    await redis_client.set(processed_key("scheduling", already_applied), b"1")
    await publish(js, replayed)
    await publish(js, replayed, msg_id="operator-replay-1")
    await publish(js, already_applied)
    await publish(js, fresh)

    async with running(consumer(js, redis_client, handler)) as subject:
        await eventually(lambda: handler.versions == [1, 3])
        await eventually(lambda: settled(js, subject))

    assert subject.processed == 2
    assert await dead_letters(js) == []


async def test_transient_failures_are_retried_until_the_handler_succeeds(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    handler = Recorder(fail=lambda env, attempt: ConnectionError("redis away") if attempt < 3 else None)
    env = rules_changed(1)
    await publish(js, env)

    async with running(consumer(js, redis_client, handler, max_deliveries=5)) as subject:
        await eventually(lambda: subject.processed == 1)
        info = await js.consumer_info("TENFOUR_AVAILABILITY", subject.durable)

    assert handler.calls == [(env.id, 1)] * 3
    assert info.num_ack_pending == 0
    assert await redis_client.exists(processed_key("scheduling", env)) == 1
    assert await dead_letters(js) == []


async def test_an_event_that_always_fails_is_dead_lettered_after_max_deliveries(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    handler = Recorder(
        fail=lambda env, attempt: (
            RuntimeError("officer jane@example.org") if env.subject == "prov-bad" else None
        )
    )
    poison, behind = rules_changed(1, "prov-bad"), rules_changed(2, "prov-good")
    await publish(js, poison)
    await publish(js, behind)

    async with running(consumer(js, redis_client, handler, max_deliveries=3)) as subject:
        await eventually(lambda: subject.dead_lettered == 1 and subject.processed == 1)
        await eventually(lambda: settled(js, subject, redelivered=True))

    assert handler.calls.count((poison.id, 1)) == 3
    assert (behind.id, 2) in handler.calls
    [dead] = await dead_letters(js)
    assert dead.subject == DEAD_LETTERS
    assert dead.headers is not None
    assert parse(dead.data or b"", dead.headers) == (
        poison,
        ProviderRulesChanged(provider_id="prov-bad", version=1),
    )
    assert dead.headers["Tenfour-Reason"] == "failed 3 times: RuntimeError"
    assert dead.headers["Tenfour-Original-Subject"] == RULES_CHANGED
    assert await redis_client.exists(processed_key("scheduling", poison)) == 0


async def test_a_permanent_failure_is_dead_lettered_at_once(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    handler = Recorder(fail=lambda env, attempt: PermanentFailure("rules for an unknown provider"))
    env = rules_changed(1)
    await publish(js, env)

    async with running(consumer(js, redis_client, handler, max_deliveries=5)) as subject:
        await eventually(lambda: subject.dead_lettered == 1)
        await eventually(lambda: settled(js, subject))

    assert handler.calls == [(env.id, 1)]
    [dead] = await dead_letters(js)
    assert dead.subject == DEAD_LETTERS
    assert dead.headers is not None
    assert dead.headers["Tenfour-Reason"] == "rules for an unknown provider"


async def test_corrupt_and_unknown_events_are_dead_lettered_without_blocking_the_next(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    handler = Recorder()
    unknown = rules_changed(1)
    unknown.type = "availability.rules_teleported"
    corrupt_payload = rules_changed(2)
    corrupt_payload.data.value = b"\xff\xff\xff"
    await js.publish(RULES_CHANGED, b"\x00\xffnot protobuf at all", headers={"Nats-Msg-Id": "garbage-1"})
    await publish(js, unknown)
    await js.publish(RULES_CHANGED, corrupt_payload.SerializeToString())  # an older release's envelope
    valid = rules_changed(3)
    await publish(js, valid)

    async with running(consumer(js, redis_client, handler, max_deliveries=5)) as subject:
        await eventually(lambda: subject.processed == 1)
        await eventually(lambda: settled(js, subject))

    assert handler.calls == [(valid.id, 3)]
    assert subject.dead_lettered == 3
    dead = await dead_letters(js)
    assert [d.subject for d in dead] == ["deadletter.scheduling.unknown"] * 3
    assert dead[0].data == b"\x00\xffnot protobuf at all"
    assert dead[1].data == ProviderRulesChanged(provider_id="prov-1", version=1).SerializeToString()
    assert dead[1].headers and dead[1].headers["ce-type"] == "availability.rules_teleported"
    assert all(d.headers and d.headers["Tenfour-Reason"] for d in dead)


async def test_events_this_service_does_not_handle_are_acknowledged_and_ignored(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    subject = EventConsumer(js, redis_client, "signaling", "availability", {}, retry_base_seconds=0.01)
    await publish(js, rules_changed(1))

    async with running(subject):
        await eventually(lambda: settled(js, subject))

    assert subject.processed == 0
    assert subject.dead_lettered == 0
    assert await dead_letters(js) == []


async def test_a_restarted_consumer_resumes_where_the_durable_left_off(
    js: JetStreamContext, redis_client: aioredis.Redis, eventually: Eventually
) -> None:
    first_run = Recorder()
    for version in (1, 2):
        await publish(js, rules_changed(version))
    async with running(consumer(js, redis_client, first_run)) as first:
        await eventually(lambda: first.processed == 2)
        await eventually(lambda: settled(js, first))

    for version in (3, 4):
        await publish(js, rules_changed(version))
    second_run = Recorder()
    async with running(consumer(js, redis_client, second_run)) as second:
        await eventually(lambda: second.processed == 2)
        await eventually(lambda: settled(js, second))

    assert first_run.versions == [1, 2]
    assert second_run.versions == [3, 4]
    assert second.durable == first.durable == "scheduling-from-availability"
