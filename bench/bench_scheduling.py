"""Scheduling through gRPC: python bench/bench_scheduling.py

Starts real nats-server and redis-server, runs the scheduling service in-process, feeds its
read models with availability and identity events exactly as those services publish them, and
reports, each as a ratio to a baseline measured in the same run:

* FindSlots for one officer against 50 / 100 / 200 providers over 7 / 14 / 28 days, against an
  empty RPC (grpc.health.v1.Health/Check) on the same server, one call at a time.
* Bookings per second through gRPC under contention (64 clients all racing for the earliest
  free slots, as if each had just run FindSlots), against a bare EVALSHA (``return 1``) through
  the service's own Redis client at the same concurrency.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
from google.protobuf.duration_pb2 import Duration
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import availability_events_pb2, identity_events_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.bootstrap import running
from tenfour_scheduling.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, Weekday, WeeklyWindow
from tenfour_shared.embedded import NatsServer, RedisServer
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.catalog.availability import rule_set_to_proto
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.testing_tokens import TestTokens

NOW = datetime(2025, 10, 27, 13, tzinfo=UTC)  # the horizon crosses the US fall-back
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]
TEMPLATES = ["pitman", "dupont", "4-on-4-off", "4-10", "5-2", "6-3"]
PROVIDERS = 200
CONCURRENCY = 64
DURATION = 3.0


def provider_rules(rng: random.Random, index: int) -> RuleSet:
    zone = ZONES[index % len(ZONES)]
    weekly = [
        WeeklyWindow(weekday=Weekday(d + 1), start=start, end=end)
        for d in range(5)
        for start, end in ((clock(9), clock(12)), (clock(13), clock(17, 30)))
    ]
    weekly.append(WeeklyWindow(weekday=Weekday(rng.randrange(5) + 1), start=clock(18), end=clock(21)))
    weekly.append(WeeklyWindow(weekday=Weekday.SATURDAY, start=clock(10), end=clock(14)))
    return RuleSet(provider_id=f"p{index:03d}", timezone=zone, weekly=tuple(weekly))


class Bench:
    def __init__(self, stub: scheduling_pb2_grpc.SchedulingServiceStub, tokens: TestTokens) -> None:
        self.stub = stub
        self.tokens = tokens
        self._tokens: dict[tuple[str, str], tuple[tuple[str, str]]] = {}

    def officer(self, subject: str, agency: str) -> tuple[tuple[str, str]]:
        """A client keeps its access token for many calls (the server caches verified ones)."""
        key = (subject, agency)
        if key not in self._tokens:
            self._tokens[key] = self.tokens.metadata(Role.OFFICER, subject, agency)
        return self._tokens[key]

    async def roster(
        self, subject: str, agency: str, template: str, offset: int, role: Role = Role.OFFICER
    ) -> None:
        roster = pb.Roster(
            template=template,
            anchor=common.LocalDate(year=2025, month=10, day=6),
            offset_days=offset,
            timezone="America/Chicago",
        )
        await self.stub.SetRoster(
            pb.SetRosterRequest(roster=roster), metadata=self.tokens.metadata(role, subject, agency)
        )


async def seed(bench: Bench, js: object, redis: object) -> None:
    """200 providers (one in five a peer supporter with a roster); provider i serves agency
    ag-200, and ag-100 / ag-50 when i is below 100 / 50, so one search can see 50, 100 or 200."""
    rng = random.Random(7)
    for i in range(PROVIDERS):
        rules = provider_rules(rng, i)
        pid = rules.provider_id
        peer = i % 5 == 4
        agencies = ["ag-200", *(["ag-100"] if i < 100 else []), *(["ag-50"] if i < 50 else [])]
        if peer:
            for agency in agencies[:1]:
                await bench.roster(pid, agency, TEMPLATES[i % 6], rng.randrange(7), Role.PEER_SUPPORTER)
        events = [
            availability_events_pb2.ProviderRulesChanged(
                provider_id=pid, version=1, rules=rule_set_to_proto(rules), active=True
            ),
            identity_events_pb2.ProviderProfileUpdated(
                version=1,
                profile=identity_events_pb2.ProviderProfile(
                    provider_id=pid,
                    kind=common.PROVIDER_KIND_PEER if peer else common.PROVIDER_KIND_THERAPIST,
                    agency_ids=agencies,
                    languages=["en"],
                    timezone=rules.timezone,
                    display_name=f"Provider {i}",
                    active=True,
                ),
            ),
        ]
        for payload in events:
            env = build(payload, subject=pid)
            await js.publish(env.type, env.SerializeToString(), headers={"Nats-Msg-Id": env.id})  # type: ignore[attr-defined]
    while True:  # until every provider is in the read model
        versions = await redis.mget([f"scheduling:provider-rules:{{p{i:03d}}}" for i in range(1)])  # type: ignore[attr-defined]
        members = await redis.scard("scheduling:agency-providers:{ag-200}")  # type: ignore[attr-defined]
        if members == PROVIDERS and versions is not None:
            ready = 0
            for i in range(PROVIDERS):
                ready += await redis.hexists(f"scheduling:provider-rules:{{p{i:03d}}}", "version")  # type: ignore[attr-defined]
            if ready == PROVIDERS:
                return
        await asyncio.sleep(0.1)


async def timed(call: Callable[[], Awaitable[object]], seconds: float = 1.5) -> float:
    """Median seconds per call, one at a time, after a warm-up call."""
    await call()
    samples = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop or len(samples) < 5:
        begin = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


async def rate(
    call: Callable[[int], Awaitable[bool]], concurrency: int, seconds: float = DURATION
) -> tuple[float, float]:
    """(successes/s, calls/s) with ``concurrency`` calls in flight."""
    calls = successes = 0
    stop = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal calls, successes
        i = 0
        while time.perf_counter() < stop:
            ok = await call(w * 1_000_000 + i)
            calls += 1
            successes += int(ok)
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - started
    return successes / elapsed, calls / elapsed


async def find_slots_table(bench: Bench, health: health_pb2_grpc.HealthStub) -> list[str]:
    check = health_pb2.HealthCheckRequest(service="tenfour.scheduling.v1.SchedulingService")
    base = await timed(lambda: health.Check(check))
    rows = [
        "| search | ms per call | ratio to an empty RPC |",
        "|---|---:|---:|",
        f"| grpc.health.v1.Health/Check (baseline) | {base * 1e3:.2f} | 1.0 |",
    ]
    for agency in ("ag-50", "ag-100", "ag-200"):
        await bench.roster(f"o-{agency}", agency, "pitman", 3)
    for agency, days in (("ag-50", 14), ("ag-100", 14), ("ag-200", 7), ("ag-200", 14), ("ag-200", 28)):
        horizon = Duration()
        horizon.FromTimedelta(timedelta(days=days))
        request = pb.FindSlotsRequest(horizon=horizon, limit=20)
        meta = bench.officer(f"o-{agency}", agency)
        reply = await bench.stub.FindSlots(request, metadata=meta)
        assert reply.slots, reply.empty_reason
        cost = await timed(partial(bench.stub.FindSlots, request, metadata=meta))
        providers = agency.split("-")[1]
        rows.append(
            f"| FindSlots, {providers} providers x {days} days | {cost * 1e3:.1f} | {cost / base:.0f} |"
        )
    return rows


async def booking_table(bench: Bench, health: health_pb2_grpc.HealthStub, redis: object) -> list[str]:
    # Officers with every day off (cycle "-"), a session a day each: the officers never run out.
    officers = [f"b-{i:04d}" for i in range(1500)]
    for chunk in range(0, len(officers), 100):
        await asyncio.gather(
            *(
                bench.stub.SetRoster(
                    pb.SetRosterRequest(
                        roster=pb.Roster(
                            cycle="-",
                            anchor=common.LocalDate(year=2025, month=10, day=6),
                            timezone="America/Chicago",
                        )
                    ),
                    metadata=bench.officer(o, "ag-50"),
                )
                for o in officers[chunk : chunk + 100]
            )
        )
    # The slots everyone wants: the earliest free ones of ten Chicago therapists (index 5k+1)
    # on weekdays; each client takes one of the 64 earliest it has not seen taken.
    zone = ZoneInfo("America/Chicago")
    therapists = [f"p{i:03d}" for i in range(1, 50, 5)]
    starts: list[tuple[str, datetime]] = []
    day = date(2025, 10, 28)
    while len(starts) < 3000:
        if day.weekday() < 5:
            for hour in (9, 10, 11, 13, 14, 15, 16):
                local = datetime.combine(day, clock(hour), zone)
                starts.extend((p, local.astimezone(UTC)) for p in therapists)
        day += timedelta(days=1)
    taken: set[int] = set()
    rng = random.Random(11)
    officer_turn = iter(range(10**9))

    async def book(n: int) -> bool:
        free = [i for i in range(len(starts)) if i not in taken][:CONCURRENCY]
        index = rng.choice(free)
        provider, start = starts[index]
        officer = officers[next(officer_turn) % len(officers)]
        request = pb.BookRequest(idempotency_key=f"bench-{n}", provider_id=provider)
        request.start.FromDatetime(start)
        try:
            await bench.stub.Book(request, metadata=bench.officer(officer, "ag-50"))
        except grpc.RpcError as exc:
            if exc.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED):
                if "officer_" not in (exc.details() or ""):
                    taken.add(index)  # lost the race: look further on
                return False
            raise
        taken.add(index)
        return True

    script = redis.register_script("return 1")  # type: ignore[attr-defined]

    async def evalsha(_: int) -> bool:
        await script(keys=[], args=[])
        return True

    check = health_pb2.HealthCheckRequest(service="tenfour.scheduling.v1.SchedulingService")

    async def empty(_: int) -> bool:
        await health.Check(check)
        return True

    bare, _ = await rate(evalsha, CONCURRENCY)
    empty_rpc, _ = await rate(empty, CONCURRENCY)
    booked, attempts = await rate(book, CONCURRENCY)
    return [
        f"| workload ({CONCURRENCY} in flight) | per second | ratio to bare EVALSHA |",
        "|---|---:|---:|",
        f"| bare EVALSHA `return 1`, the service's Redis client (baseline) | {bare:,.0f} | 1.0 |",
        f"| grpc.health.v1.Health/Check (for scale) | {empty_rpc:,.0f} | {empty_rpc / bare:.2f} |",
        f"| Book attempts through gRPC, racing for the earliest slots | {attempts:,.0f} "
        f"| {attempts / bare:.3f} |",
        f"| of which bookings made | {booked:,.0f} | {booked / bare:.3f} |",
    ]


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
        async with (
            running(settings, lambda: NOW) as process,
            aio.insecure_channel(f"127.0.0.1:{process.runtime.port}") as channel,
        ):
            bench = Bench(scheduling_pb2_grpc.SchedulingServiceStub(channel), tokens)
            health = health_pb2_grpc.HealthStub(channel)
            await seed(bench, js, process.infra.redis)
            print(f"# Scheduling benchmark (Python {sys.version.split()[0]}, in-process server)\n")
            print("## FindSlots through gRPC, one call at a time\n")
            print("\n".join(await find_slots_table(bench, health)))
            print("\n## Booking under contention through gRPC\n")
            print("\n".join(await booking_table(bench, health, process.infra.redis)))
            print("\nMedians (FindSlots) and rates over 3 s (bookings); ratios compare figures of this run.")
        await nc.drain()


if __name__ == "__main__":
    asyncio.run(main())
