"""Transactional outbox: every committed change reaches JetStream once, across crashes and restarts."""

from __future__ import annotations

import asyncio
import contextlib
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import pytest
import redis.asyncio as aioredis
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.events.envelope import build, parse
from tenfour_shared.events.outbox import LUA_PRELUDE, OutboxRelay, index_key, outbox_key, script_args, stage
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.redis_store import Keys, load_script

pytestmark = pytest.mark.integration

SERVICE = "availability"
STREAM = "TENFOUR_AVAILABILITY"
keys = Keys(SERVICE)
Eventually = Callable[[Callable[[], Any]], Awaitable[None]]


def rules_changed(provider_id: str, version: int) -> Envelope:
    return build(ProviderRulesChanged(provider_id=provider_id, version=version), subject=provider_id)


async def save_rules(redis: aioredis.Redis, provider_id: str, version: int) -> Envelope:
    """A state change and its event in one MULTI, the way a repository writes them."""
    env = rules_changed(provider_id, version)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(keys("rules", provider_id), str(version))
        stage(pipe, SERVICE, provider_id, env)
        await pipe.execute()
    return env


async def published(js: JetStreamContext) -> list[RawStreamMsg]:
    info = await js.stream_info(STREAM)
    return [await js.get_msg(STREAM, seq=seq) for seq in range(info.state.first_seq, info.state.last_seq + 1)]


async def stream_count(js: JetStreamContext) -> int:
    return int((await js.stream_info(STREAM)).state.messages)


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task  # re-raises if the relay crashed


def outboxes_gone(redis: aioredis.Redis, *tags: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await redis.exists(*(outbox_key(SERVICE, tag) for tag in tags)) == 0

    return check


def make_relay(redis: aioredis.Redis, js: JetStreamContext) -> OutboxRelay:
    # Long poll and scan periods: anything published here was woken by notify() or the start-up scan.
    return OutboxRelay(redis, js, SERVICE, poll_seconds=3600.0, scan_seconds=3600.0)


async def test_committed_event_is_published_with_its_id_and_the_outbox_emptied(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    async with running(make_relay(redis_client, js)) as relay:
        env = await save_rules(redis_client, "prov-1", 1)
        await relay.notify("prov-1")
        await eventually(lambda: relay.published == 1)

    [msg] = await published(js)
    assert msg.subject == "availability.provider_rules_changed"
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == env.id
    assert parse(msg.data or b"", msg.headers)[0] == env
    assert await redis_client.get(keys("rules", "prov-1")) == b"1"
    assert await redis_client.xlen(outbox_key(SERVICE, "prov-1")) == 0
    assert await redis_client.smembers(index_key(SERVICE)) == set()


async def test_drained_outboxes_leave_no_keys_behind(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    # Otherwise every aggregate ever written keeps an empty stream that each scan re-indexes.
    async with running(make_relay(redis_client, js)) as relay:
        for n in range(5):
            await save_rules(redis_client, f"prov-{n}", 1)
            await relay.notify(f"prov-{n}")
        await eventually(lambda: relay.published == 5)
        await eventually(outboxes_gone(redis_client, *(f"prov-{n}" for n in range(5))))

    assert [key async for key in redis_client.scan_iter(match=f"{SERVICE}:outbox*")] == []


class WriteDuringPublish:
    """The real JetStream context; another request commits a write while the first publish is in flight."""

    def __init__(self, js: JetStreamContext, write: Callable[[], Awaitable[object]]) -> None:
        self._js = js
        self._write: Callable[[], Awaitable[object]] | None = write

    async def publish(self, *args: Any, **kwargs: Any) -> Any:
        ack = await self._js.publish(*args, **kwargs)
        if self._write is not None:
            write, self._write = self._write, None
            await write()
        return ack


async def test_a_write_committed_while_the_relay_publishes_is_not_left_waiting(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    async def second_request() -> None:
        await save_rules(redis_client, "prov-2", 1)
        await relay.notify("prov-2")

    # Polling is off (1 h): only notify() wakes the relay, so a lost wake-up would strand prov-2.
    relay = OutboxRelay(
        redis_client,
        cast("JetStreamContext", WriteDuringPublish(js, second_request)),
        SERVICE,
        poll_seconds=3600.0,
        scan_seconds=3600.0,
    )
    async with running(relay):
        await save_rules(redis_client, "prov-1", 1)
        await relay.notify("prov-1")
        await eventually(lambda: relay.published == 2)

    assert await stream_count(js) == 2


async def test_a_relay_cancelled_while_publishing_stops(
    redis_client: aioredis.Redis, js: JetStreamContext
) -> None:
    # Shutdown cancels the relay. On Python 3.11 the wait_for inside nats-py and redis-py can
    # swallow a cancel that races with a reply; the relay must stop anyway, or the service
    # would never finish shutting down. Each round cancels at a different point of the drain.
    for round_ in range(15):
        async with redis_client.pipeline(transaction=True) as pipe:
            for version in range(60):
                stage(pipe, SERVICE, "prov-1", rules_changed("prov-1", version))
            await pipe.execute()
        relay = make_relay(redis_client, js)
        task = asyncio.create_task(relay.run())
        await relay.notify("prov-1")
        while relay.published < 5 + round_ and not task.done():  # noqa: ASYNC110 - cancel at a timer tick
            await asyncio.sleep(0.001)

        task.cancel()
        done, _ = await asyncio.wait([task], timeout=10)

        assert done, f"relay still running after cancel (round {round_}, {relay.published} published)"
        assert task.cancelled()
        await redis_client.delete(outbox_key(SERVICE, "prov-1"))


async def test_events_of_one_aggregate_are_published_in_commit_order(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    envs = [await save_rules(redis_client, "prov-1", version) for version in range(1, 6)]

    async with running(make_relay(redis_client, js)) as relay:
        await relay.notify("prov-1")
        await eventually(lambda: relay.published == 5)

    assert [parse(m.data or b"", m.headers)[0].id for m in await published(js)] == [e.id for e in envs]


async def test_replaying_entries_the_relay_did_not_delete_publishes_no_duplicates(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    # A relay that crashed after JetStream acknowledged but before XDEL leaves the entries behind;
    # the next relay publishes them again and JetStream's duplicate window drops them.
    for version in (1, 2, 3):
        await save_rules(redis_client, "prov-1", version)
    left_behind = await redis_client.xrange(outbox_key(SERVICE, "prov-1"))

    async with running(make_relay(redis_client, js)) as first:
        await first.notify("prov-1")
        await eventually(lambda: first.published == 3)

    for _, fields in left_behind or []:
        await redis_client.xadd(outbox_key(SERVICE, "prov-1"), cast("dict[Any, Any]", fields))
    async with running(make_relay(redis_client, js)) as second:
        await second.notify("prov-1")
        await eventually(lambda: second.published == 3)

    assert await stream_count(js) == 3
    assert await redis_client.xlen(outbox_key(SERVICE, "prov-1")) == 0


async def test_two_relays_draining_the_same_outbox_publish_each_event_once(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    # Two replicas of a service each run a relay over the same Redis.
    envs = [await save_rules(redis_client, f"prov-{n % 3}", n) for n in range(30)]
    a, b = make_relay(redis_client, js), make_relay(redis_client, js)

    async with running(a), running(b):
        for n in range(3):
            await a.notify(f"prov-{n}")
            await b.notify(f"prov-{n}")
        await eventually(outboxes_gone(redis_client, "prov-0", "prov-1", "prov-2"))

    ids = [parse(m.data or b"", m.headers)[0].id for m in await published(js)]
    assert sorted(ids) == sorted(e.id for e in envs)


async def test_events_written_while_no_relay_runs_are_published_when_one_starts(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    stopped = make_relay(redis_client, js)
    notified = await save_rules(redis_client, "prov-1", 1)
    await stopped.notify("prov-1")  # indexed, but nobody is relaying
    crashed_before_notify = await save_rules(redis_client, "prov-2", 1)  # not even indexed
    assert await stream_count(js) == 0

    async with running(make_relay(redis_client, js)) as restarted:
        await eventually(lambda: restarted.published == 2)

    ids = {parse(m.data or b"", m.headers)[0].id for m in await published(js)}
    assert ids == {notified.id, crashed_before_notify.id}


async def test_periodic_scan_repairs_a_missing_index_entry(
    redis_client: aioredis.Redis, js: JetStreamContext, eventually: Eventually
) -> None:
    async with running(OutboxRelay(redis_client, js, SERVICE, poll_seconds=0.05, scan_seconds=0.05)) as relay:
        await save_rules(redis_client, "prov-1", 1)
        await relay.notify("prov-1")
        await eventually(lambda: relay.published == 1)  # past the start-up scan
        env = await save_rules(redis_client, "prov-9", 1)  # the writer died before notify()
        await eventually(lambda: relay.published == 2)

    msg = (await published(js))[-1]
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == env.id


async def test_lua_script_writes_state_and_event_together(
    redis_client: aioredis.Redis,
    js: JetStreamContext,
    eventually: Eventually,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = tmp_path / "outbox_scripts"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "save.lua").write_text(
        textwrap.dedent(
            """
            redis.call('SET', KEYS[1], ARGV[4])
            outbox_add(KEYS[2], ARGV[1], ARGV[2], ARGV[3])
            return 1
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    script = load_script(redis_client, "outbox_scripts", "save.lua", prelude=LUA_PRELUDE)
    env = rules_changed("prov-7", 3)

    await script(
        keys=[keys("rules", "prov-7"), outbox_key(SERVICE, "prov-7")], args=[*script_args(env), "v3"]
    )
    async with running(make_relay(redis_client, js)) as relay:
        await relay.notify("prov-7")
        await eventually(lambda: relay.published == 1)

    assert await redis_client.get(keys("rules", "prov-7")) == b"v3"
    [msg] = await published(js)
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == env.id
    assert parse(msg.data or b"", msg.headers)[0] == env


def test_keys_share_the_aggregate_hash_tag() -> None:
    assert keys("rules", "prov-1") == "availability:rules:{prov-1}"
    assert keys("slots", "prov-1", "2026-03-08") == "availability:slots:{prov-1}:2026-03-08"
    assert keys("config") == "availability:config"
    assert outbox_key(SERVICE, "prov-1") == "availability:outbox:{prov-1}"


async def test_malformed_entry_is_parked_and_later_events_still_flow(
    redis_client: aioredis.Redis, nats_js: tuple[Any, JetStreamContext], eventually: Eventually
) -> None:
    """A hand-broken outbox entry must not wedge the relay for every later event."""
    _, js = nats_js
    await ensure_streams(js)
    await redis_client.xadd(outbox_key(SERVICE, "p-poison"), {"junk": "1"})
    good = await save_rules(redis_client, "p-poison", 1)
    relay = OutboxRelay(redis_client, js, SERVICE, poll_seconds=0.05)
    await relay.notify("p-poison")
    async with running(relay):
        await eventually(lambda: relay.published >= 1)
    [msg] = await published(js)
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == good.id
    assert await redis_client.xlen(f"{SERVICE}:outbox-poison") == 1
