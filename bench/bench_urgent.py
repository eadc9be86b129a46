"""An officer's "Find someone now" to the providers' alert event: python bench/bench_urgent.py

Starts real nats-server and redis-server and the scheduling service in this process, with 20
crisis on-call providers in one agency (availability and identity events, as those services
publish them). Each sample is one officer's RequestUrgentSession through gRPC, timed from the
call until a JetStream consumer receives the request's ``scheduling.urgent_offered`` event
(what notifications consumes to alert every provider at once, live and by Web Push); the
notifications service's own fan-out is not in the figure. The baseline is a bare JetStream
publish of an event of the same kind to the same consumer. Samples alternate (one baseline, one
request) 200 times each; the headline is the ratio of the 95th percentiles:

    RESULT urgent_click_to_offer_event_p95_vs_jetstream_p95=<p95 request / p95 bare publish>
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import redis.asyncio as aioredis
from grpc import aio
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import availability_events_pb2, identity_events_pb2
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.bootstrap import running
from tenfour_scheduling.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, SessionSettings, SessionType, Weekday, WeeklyWindow
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.catalog.availability import rule_set_to_proto
from tenfour_shared.events.envelope import build, parse
from tenfour_shared.events.streams import ensure_streams
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

AGENCY = "ag-urgent"
PROVIDERS = 20
SAMPLES = 200


def on_call_always(provider_id: str) -> RuleSet:
    weekly = tuple(
        WeeklyWindow(weekday=d, start=clock(0), end=clock(23, 59), offers=(SessionType.CRISIS,))
        for d in Weekday
    )
    sessions = (SessionSettings(session_type=SessionType.CRISIS, duration=timedelta(minutes=30)),)
    return RuleSet(provider_id=provider_id, timezone="UTC", weekly=weekly, sessions=sessions, version=1)


async def seed(js: JetStreamContext, redis: aioredis.Redis) -> None:
    for i in range(PROVIDERS):
        pid = f"crisis-{i:02d}"
        rules = on_call_always(pid)
        profile = identity_events_pb2.ProviderProfile(
            provider_id=pid,
            kind=common.PROVIDER_KIND_THERAPIST,
            agency_ids=[AGENCY],
            languages=["en"],
            modalities=["crisis_on_call"],
            timezone="UTC",
            display_name=f"Provider {i}",
            active=True,
            first_responder_competent=True,
        )
        for payload in (
            availability_events_pb2.ProviderRulesChanged(
                provider_id=pid, version=1, rules=rule_set_to_proto(rules), active=True
            ),
            identity_events_pb2.ProviderProfileUpdated(profile=profile, version=1),
        ):
            await publish_event(js, build(payload, subject=pid))
    while True:  # until the read model has every provider
        ready = [
            await redis.hget(f"scheduling:provider-rules:{{crisis-{i:02d}}}", "version")
            for i in range(PROVIDERS)
        ]
        if all(ready) and await redis.scard(f"scheduling:agency-providers:{{{AGENCY}}}") == PROVIDERS:
            return
        await asyncio.sleep(0.1)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


async def main() -> None:
    tokens = TestTokens()
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis_server,
    ):
        settings = Settings(
            port=0,
            nats_url=nats.url,
            redis_url=redis_server.url,
            log_level="WARNING",
            jwks_json=tokens.jwks_json,
        )
        nc, js = await connect_nats(nats.url, "bench")
        await ensure_streams(js)
        seen: dict[str, float] = {}  # event subject (request id) -> when the consumer got it
        got_one = asyncio.Event()

        async def on_event(msg: Msg) -> None:
            env, _ = parse(msg.data or b"", msg.headers)
            seen.setdefault(env.subject, time.perf_counter())
            got_one.set()
            await msg.ack()

        async def arrival(key: str) -> float:
            """When the consumer received ``key``'s event (it may have come before we ask)."""
            async with asyncio.timeout(10):
                while key not in seen:
                    got_one.clear()
                    if key in seen:
                        break
                    await got_one.wait()
            return seen[key]

        await js.subscribe("scheduling.urgent_offered", cb=on_event, deliver_policy=DeliverPolicy.NEW)
        async with (
            running(settings) as process,
            aio.insecure_channel(f"127.0.0.1:{process.runtime.port}") as channel,
        ):
            stub = scheduling_pb2_grpc.SchedulingServiceStub(channel)
            await seed(js, process.infra.redis)
            subject_s: list[float] = []
            baseline_s: list[float] = []
            for i in range(SAMPLES + 10):  # the first 10 of each warm up
                key = f"bare-{i}"
                payload = ev.UrgentOffered(
                    request_id=key, agency_id=AGENCY, provider_ids=["crisis-00"], tier=0
                )
                began = time.perf_counter()
                await publish_event(js, build(payload, subject=key))
                bare = await arrival(key) - began

                meta = tokens.metadata(Role.OFFICER, f"officer-{i:03d}", AGENCY)
                began = time.perf_counter()
                status = await stub.RequestUrgentSession(pb.RequestUrgentSessionRequest(), metadata=meta)
                if status.alerted_count != PROVIDERS:
                    raise SystemExit(f"{status.alerted_count} of {PROVIDERS} providers were alerted")
                alerted = await arrival(status.request_id) - began
                if i >= 10:
                    baseline_s.append(bare)
                    subject_s.append(alerted)
        await nc.close()

    def line(name: str, values: list[float]) -> str:
        return f"{name}: median {statistics.median(values) * 1000:.1f} ms, p95 {p95(values) * 1000:.1f} ms"

    print(f"# Urgent request to its providers' alert event (Python {sys.version.split()[0]})")
    print(f"{PROVIDERS} on-call providers, {SAMPLES} requests, each by another officer (the queue grows)")
    print(line("click -> urgent_offered consumed", subject_s))
    print(line("bare publish -> consumed", baseline_s))
    print(f"RESULT urgent_click_to_offer_event_p95_vs_jetstream_p95={p95(subject_s) / p95(baseline_s):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
