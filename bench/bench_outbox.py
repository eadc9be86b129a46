"""Transactional outbox to a consumer vs raw JetStream: python bench/bench_outbox.py

Starts real nats-server and redis-server. The subject writes N state changes, each with its
event in one MULTI into its own aggregate's outbox (one aggregate per provider, the shape
scheduling and availability write), and the service's OutboxRelay carries them to JetStream;
the baseline publishes the same N events to JetStream directly (64 acks outstanding; as many
writes in flight on the outbox side). Both
are timed from the first write to the last event received by a JetStream consumer (a push
subscription on the stream), rounds alternating, and printed as

    RESULT outbox_to_consumer_vs_raw_jetstream=<events/s through the outbox / events/s raw>
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import redis.asyncio as aioredis
from nats.js import JetStreamContext

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build
from tenfour_shared.events.outbox import OutboxRelay, stage
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.redis_store import connect as connect_redis
from tenfour_testing.embedded import NatsServer, RedisServer

SERVICE = "availability"
EVENTS = 2000
ROUNDS = 5
IN_FLIGHT = 64


def events(round_no: int) -> list[Envelope]:
    return [
        build(ProviderRulesChanged(provider_id=f"p{i:05d}", version=round_no + 1), subject=f"p{i:05d}")
        for i in range(EVENTS)
    ]


class Received:
    """Counts events a JetStream push consumer delivers, and says when ``n`` have arrived."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.done = asyncio.Event()

    async def handler(self, msg: object) -> None:
        self.count += 1
        if self.count >= self.target:
            self.done.set()

    def expect(self, n: int) -> None:
        self.target, self.done = self.count + n, asyncio.Event()


async def through_outbox(redis: aioredis.Redis, relay: OutboxRelay, envs: list[Envelope]) -> None:
    async def write(env: Envelope) -> None:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.set(f"bench:state:{{{env.subject}}}", env.id)
            stage(pipe, SERVICE, env.subject, env)
            await pipe.execute()
        await relay.notify(env.subject)

    for i in range(0, len(envs), IN_FLIGHT):
        await asyncio.gather(*(write(e) for e in envs[i : i + IN_FLIGHT]))


async def raw(js: JetStreamContext, envs: list[Envelope]) -> None:
    for i in range(0, len(envs), IN_FLIGHT):
        await asyncio.gather(*(publish_event(js, e) for e in envs[i : i + IN_FLIGHT]))


async def timed(received: Received, send: Callable[[], Awaitable[None]]) -> float:
    """Events/s from the first write to the last delivery."""
    received.expect(EVENTS)
    began = time.perf_counter()
    await send()
    await asyncio.wait_for(received.done.wait(), 120)
    return EVENTS / (time.perf_counter() - began)


async def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis_server,
    ):
        nc, js = await connect_nats(nats.url, "bench")
        await ensure_streams(js)
        redis = connect_redis(redis_server.url)
        received = Received()
        await js.subscribe(f"{SERVICE}.>", cb=received.handler, manual_ack=False)
        relay = OutboxRelay(redis, js, SERVICE, poll_seconds=3600.0, scan_seconds=3600.0)
        task = asyncio.create_task(relay.run())
        rows = []
        for n in range(ROUNDS):
            base_envs, subject_envs = events(2 * n), events(2 * n + 1)
            base = await timed(received, lambda e=base_envs: raw(js, e))  # type: ignore[misc]
            subject = await timed(received, lambda e=subject_envs: through_outbox(redis, relay, e))  # type: ignore[misc]
            rows.append((base, subject))
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await redis.aclose()
        await nc.drain()
    ratios = [s / b for b, s in rows]
    print(f"# Outbox relay vs raw JetStream (Python {sys.version.split()[0]}), {EVENTS} events a round")
    print(
        f"raw JetStream {statistics.median(b for b, _ in rows):,.0f} events/s; "
        f"through the outbox {statistics.median(s for _, s in rows):,.0f} events/s; "
        f"ratio per round {min(ratios):.3f}..{max(ratios):.3f}; target >= 0.5"
    )
    print(f"RESULT outbox_to_consumer_vs_raw_jetstream={statistics.median(ratios):.4f}")


if __name__ == "__main__":
    asyncio.run(main())
