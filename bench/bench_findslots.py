"""Scheduling through gRPC, client in its own process: python bench/bench_findslots.py [--quick|--book]

Starts real nats-server and redis-server and the scheduling service in this process, feeds
its read models with availability and identity events exactly as those services publish
them (5,000 providers; 200 of them also serve a smaller agency), and drives it from a client
in a separate process. Baseline and subject alternate round by round on the same server,
and each headline is the median of the per-round ratios, printed as ``RESULT name=ratio``:

* findslots_grpc_vs_empty_rpc_200x14 / _5000x14: FindSlots calls/s over empty-RPC calls/s
  (grpc.health.v1.Health/Check), 4 calls in flight each;
* findslots_60d_vs_14d: the cost of a 60-day search over a 14-day one (200 providers);
* book_grpc_vs_empty_rpc: Book calls/s (64 in flight, each on a distinct free slot) over
  empty-RPC calls/s at the same concurrency;
* rule_change_visible_p95_vs_1s: p95 seconds from a provider's rule change event to FindSlots
  showing the new hours, over 1 s (the target is <= 1).

``--book`` seeds only the 200 providers Book uses and runs only the Book phase (with its CPU
lines): a quick way to iterate on Book; headline figures come from full runs.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.duration_pb2 import Duration
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import availability_events_pb2, identity_events_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.bootstrap import running
from tenfour_scheduling.config import Settings
from tenfour_scheduling.domain import SlotFilters
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, SessionType, Weekday, WeeklyWindow
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.catalog.availability import rule_set_to_proto
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

NOW = datetime(2025, 10, 27, 13, tzinfo=UTC)  # the horizon crosses the US fall-back
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
TEMPLATES = ["pitman", "dupont", "4-on-4-off", "4-10", "5-2", "6-3"]
QUICK = "--quick" in sys.argv
BOOK_ONLY = "--book" in sys.argv
PROVIDERS = 200 if BOOK_ONLY else 1000 if QUICK else 5000
SERVICE = "tenfour.scheduling.v1.SchedulingService"
Meta = list[tuple[str, str]]


def provider_rules(rng: random.Random, index: int) -> RuleSet:
    weekly = [
        WeeklyWindow(weekday=Weekday(d + 1), start=start, end=end)
        for d in range(5)
        for start, end in ((clock(9), clock(12)), (clock(13), clock(17, 30)))
    ]
    weekly.append(WeeklyWindow(weekday=Weekday(rng.randrange(5) + 1), start=clock(18), end=clock(21)))
    weekly.append(WeeklyWindow(weekday=Weekday.SATURDAY, start=clock(10), end=clock(14)))
    return RuleSet(provider_id=f"p{index:04d}", timezone=ZONES[index % len(ZONES)], weekly=tuple(weekly))


def moving_clock() -> Callable[[], datetime]:
    """NOW, moving on in real time: caches keyed on the moment get no help."""
    began = time.monotonic()
    return lambda: NOW + timedelta(seconds=time.monotonic() - began)


# -- the client process ----------------------------------------------------------------------


async def client(job: dict[str, Any]) -> list[list[float]]:
    """Calls/s of each call kind in each round, kinds alternating within a round."""
    async with aio.insecure_channel(f"127.0.0.1:{job['port']}") as channel:
        stub = scheduling_pb2_grpc.SchedulingServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        books = iter(job.get("bookings", []))
        counter = iter(range(10**9))

        def caller(kind: dict[str, Any]) -> Any:
            if kind["kind"] == "health":
                request = health_pb2.HealthCheckRequest(service=SERVICE)
                return lambda: health.Check(request)
            if kind["kind"] == "find":
                horizon = Duration()
                horizon.FromTimedelta(timedelta(days=kind["days"]))
                find = pb.FindSlotsRequest(horizon=horizon, limit=20)
                meta = tuple(map(tuple, kind["meta"]))

                async def call() -> None:
                    reply = await stub.FindSlots(find, metadata=meta)
                    assert reply.slots, reply.empty_reason

                return call

            async def book() -> None:
                provider, start, meta = next(books)
                request = pb.BookRequest(idempotency_key=f"k{next(counter)}", provider_id=provider)
                request.start.FromDatetime(datetime.fromisoformat(start))
                await stub.Book(request, metadata=tuple(map(tuple, meta)))

            return book

        calls = [caller(kind) for kind in job["kinds"]]
        for call in calls:  # warm up: connections, caches of decoded read models
            await call()
        rounds: list[list[float]] = []
        for _ in range(job["rounds"]):
            row = []
            for call, kind in zip(calls, job["kinds"], strict=True):
                row.append(await _rate(call, kind.get("concurrency", 1), kind.get("seconds", 1.0)))
            rounds.append(row)
        return rounds


async def _rate(call: Any, concurrency: int, seconds: float) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await call()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def run_client(job: dict[str, Any]) -> list[list[float]]:
    """The client, in a separate Python process (this one's event loop keeps serving)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--client",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(json.dumps(job).encode())
    if proc.returncode:
        raise RuntimeError(f"bench client failed:\n{err.decode()[-3000:]}")
    rounds: list[list[float]] = json.loads(out)
    return rounds


def ratio(rounds: list[list[float]], subject: int, baseline: int) -> tuple[float, float, float]:
    """Median, min and max of the per-round ratios subject/baseline (rates)."""
    ratios = [r[subject] / r[baseline] for r in rounds]
    return statistics.median(ratios), min(ratios), max(ratios)


# -- the server side -------------------------------------------------------------------------


async def seed(tokens: TestTokens, stub: Any, js: Any, redis: Any) -> None:
    """PROVIDERS providers serving ag-all (one in five a peer supporter with a roster); the first
    200 also serve ag-200."""
    rng = random.Random(7)
    pending = []
    for i in range(PROVIDERS):
        rules = provider_rules(rng, i)
        pid = rules.provider_id
        peer = i % 5 == 4
        agencies = ["ag-all", *(["ag-200"] if i < 200 else [])]
        if peer:
            pending.append(
                roster(stub, tokens.metadata(Role.PEER_SUPPORTER, pid, "ag-all"), TEMPLATES[i % 6], i % 7)
            )
        for payload in (
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
        ):
            env = build(payload, subject=pid)
            pending.append(publish_event(js, env))
        if len(pending) >= 200:
            await asyncio.gather(*pending)
            pending = []
    await asyncio.gather(*pending)
    while True:  # until every provider is in the read model with its rules
        if await redis.scard("scheduling:agency-providers:{ag-all}") == PROVIDERS:
            async with redis.pipeline(transaction=False) as pipe:
                for i in range(PROVIDERS):
                    pipe.hexists(f"scheduling:provider-rules:{{p{i:04d}}}", "version")
                if all(await pipe.execute()):
                    return
        await asyncio.sleep(0.2)


async def roster(stub: Any, meta: Any, template: str, offset: int, cycle: str = "") -> None:
    message = pb.Roster(
        template="" if cycle else template,
        cycle=cycle,
        anchor=common.LocalDate(year=2025, month=10, day=6),
        offset_days=offset,
        timezone="America/Chicago",
    )
    await stub.SetRoster(pb.SetRosterRequest(roster=message), metadata=meta)


def bookable(count: int, officers: list[Meta]) -> list[tuple[str, str, Meta]]:
    """Distinct free slots of the 200 providers, hour-aligned inside weekday hours, each
    for an officer with no session that local day (officers keep a daily limit of one)."""
    out: list[tuple[str, str, Meta]] = []
    day = date(2025, 10, 28)
    while len(out) < count:
        if day.weekday() < 5:
            n = 0  # the n-th slot of the day goes to the n-th officer
            for i in (i for i in range(200) if i % 5 != 4):  # therapists only
                zone = ZoneInfo(ZONES[i % len(ZONES)])
                for hour in (9, 11, 14, 16):
                    start = datetime.combine(day, clock(hour), zone).astimezone(UTC)
                    out.append((f"p{i:04d}", start.isoformat(), officers[n]))
                    n += 1
        day += timedelta(days=1)
    return out[:count]


async def drained(js: Any) -> None:
    """Until the scheduling service has consumed every event published so far (its own
    roster events, say): setup work must not run inside a measured round."""
    while True:
        busy = 0
        for stream in await js.streams_info():
            for info in await js.consumers_info(stream.config.name):
                if info.name.startswith("scheduling-from-"):
                    busy += info.num_pending + info.num_ack_pending
        if not busy:
            return
        await asyncio.sleep(0.2)


async def rule_change_latency(js: Any, stub: Any, meta: Meta, changes: int) -> list[float]:
    """Seconds from publishing a rule change of p0001 (the only provider of ag-probe) to a
    FindSlots answer that shows the new Sunday hour."""
    out = []
    horizon = Duration()
    horizon.FromTimedelta(timedelta(days=14))
    while True:  # until the probe officer's agency is in the read model
        if (await stub.FindSlots(pb.FindSlotsRequest(horizon=horizon), metadata=meta)).slots:
            break
        await asyncio.sleep(0.01)
    for n in range(changes):
        hour = 10 + n % 3  # late morning: the officer's usual sleep (23:00-07:00) has no slots
        sunday = WeeklyWindow(weekday=Weekday.SUNDAY, start=clock(hour), end=clock(hour + 1))
        rules = RuleSet(provider_id="p0001", timezone=ZONES[1], weekly=(sunday,))
        event = availability_events_pb2.ProviderRulesChanged(
            provider_id="p0001", version=10 + n, rules=rule_set_to_proto(rules), active=True
        )
        env = build(event, subject="p0001")
        began = time.perf_counter()
        await publish_event(js, env)
        while True:
            reply = await stub.FindSlots(pb.FindSlotsRequest(horizon=horizon, limit=200), metadata=meta)
            zone = ZoneInfo(rules.timezone)
            if any(
                s.time.start.ToDatetime(tzinfo=UTC).astimezone(zone).hour == hour
                and s.time.start.ToDatetime(tzinfo=UTC).astimezone(zone).weekday() == 6
                for s in reply.slots
            ):
                break
            await asyncio.sleep(0.005)
        out.append(time.perf_counter() - began)
    return out


async def cpu_per_search(process: Any) -> None:
    """Service and Redis CPU per search, called in process (steadier than rates on a loaded
    machine: another process's load slows a search down but does not add to its CPU)."""
    redis = process.infra.redis

    async def redis_cpu() -> float:
        info = await redis.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    for agency, days, count in (("ag-200", 14, 100), ("ag-200", 60, 50), ("ag-all", 14, 10)):
        call = {
            "officer_id": f"o-{agency}",
            "agency_id": agency,
            "session_type": SessionType.INDIVIDUAL,
            "filters": SlotFilters(),
            "horizon": timedelta(days=days),
            "limit": 20,
        }
        await process.services.slots.find(**call)
        cpu, rcpu = time.process_time(), await redis_cpu()
        for _ in range(count):
            await process.services.slots.find(**call)
        cpu, rcpu = (time.process_time() - cpu) / count, (await redis_cpu() - rcpu) / count
        print(f"cpu per search, {agency} x {days} d: service {cpu * 1e3:.2f} ms, Redis {rcpu * 1e3:.2f} ms")
        if agency == "ag-200":  # an officer's first search of the day: their side not kept yet
            kept = process.services.slots._days  # emptied on purpose
            cpu = time.process_time()
            for _ in range(count):
                kept.clear()
                await process.services.slots.find(**call)
            cpu = (time.process_time() - cpu) / count
            print(f"cpu per search, {agency} x {days} d, officer side not kept: service {cpu * 1e3:.2f} ms")


async def cpu_per_call(process: Any, js: Any, port: int, health: dict[str, Any], slots: list[Any]) -> None:
    """Service and Redis CPU per Book and per empty RPC at 64 in flight, the events a booking
    causes included (consumed before the clock stops): steadier than rates on a loaded machine."""
    redis = process.infra.redis

    async def redis_cpu() -> float:
        info = await redis.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    for name, kind in (
        ("empty RPC", {**health, "concurrency": 64}),
        ("Book", {"kind": "book", "concurrency": 64}),
    ):
        cpu, rcpu = time.process_time(), await redis_cpu()
        job = {"port": port, "rounds": 1, "kinds": [{**kind, "seconds": 2.0}], "bookings": slots}
        rate = (await run_client(job))[0][0]
        calls = rate * 2.0  # the client's own count over its 2 s, give or take one call
        await drained(js)
        cpu, rcpu = time.process_time() - cpu, await redis_cpu() - rcpu
        print(
            f"cpu per {name} (64 in flight): service {cpu / calls * 1e3:.2f} ms, "
            f"Redis {rcpu / calls * 1e3:.2f} ms"
        )


async def book_split(process: Any, js: Any, slots: list[Any], officers: list[Any]) -> None:
    """Where a Book's CPU goes, in process (no gRPC): until every call of a burst returned
    (the request path, with whatever events were consumed meanwhile), then until the events
    they caused were consumed (outbox relay, NATS, officer calendars, reminders)."""
    redis = process.infra.redis
    ids = {tuple(map(tuple, m)): f"b-{n:04d}" for n, m in enumerate(officers)}
    todo = iter(slots)

    async def redis_cpu() -> float:
        info = await redis.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    async def worker(count: int) -> None:
        for _ in range(count):
            provider, start, meta = next(todo)
            await process.services.book.book(
                officer_id=ids[tuple(map(tuple, meta))],
                agency_id="ag-200",
                provider_id=provider,
                session_type=SessionType.INDIVIDUAL,
                start=datetime.fromisoformat(start),
                idempotency_key=f"split-{provider}-{start}",
            )

    await drained(js)
    cpu, rcpu = time.process_time(), await redis_cpu()
    await asyncio.gather(*(worker(10) for _ in range(64)))
    returned, rreturned = time.process_time(), await redis_cpu()
    await drained(js)
    done, rdone = time.process_time(), await redis_cpu()
    n = 640
    request, events = (returned - cpu) / n * 1e3, (done - returned) / n * 1e3
    rrequest, revents = (rreturned - rcpu) / n * 1e3, (rdone - rreturned) / n * 1e3
    print(
        f"cpu per Book in process (64 in flight): until returned service {request:.2f} ms, "
        f"Redis {rrequest:.2f} ms; then its events service {events:.2f} ms, Redis {revents:.2f} ms"
    )


async def find_phases(port: int, health: dict[str, Any], finder: dict[str, Any], report: Any) -> None:
    """The FindSlots headlines: 200 x 14 days, 5,000 x 14 days, 60 days over 14 (200)."""
    rounds = await run_client(
        {
            "port": port,
            "rounds": 5,
            "kinds": [
                health,
                {"kind": "find", "days": 14, "meta": finder["ag-200"], "concurrency": 4},
            ],
        }
    )
    report("findslots_grpc_vs_empty_rpc_200x14", rounds, 1, 0, "target >= 0.25")
    rounds = await run_client(
        {
            "port": port,
            "rounds": 3,
            "kinds": [
                health,
                {
                    "kind": "find",
                    "days": 14,
                    "meta": finder["ag-all"],
                    "concurrency": 4,
                    "seconds": 3.0,
                },
            ],
        }
    )
    report(f"findslots_grpc_vs_empty_rpc_{PROVIDERS}x14", rounds, 1, 0, "target >= 0.1 at 5000")
    rounds = await run_client(
        {
            "port": port,
            "rounds": 5,
            "kinds": [
                {"kind": "find", "days": 14, "meta": finder["ag-200"], "concurrency": 4},
                {"kind": "find", "days": 60, "meta": finder["ag-200"], "concurrency": 4},
            ],
        }
    )
    # A cost ratio: calls/s of the 14-day search over calls/s of the 60-day one.
    report("findslots_60d_vs_14d", rounds, 0, 1, "target <= 2")


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
            running(settings, moving_clock()) as process,
            aio.insecure_channel(f"127.0.0.1:{process.runtime.port}") as channel,
        ):
            stub = scheduling_pb2_grpc.SchedulingServiceStub(channel)
            began = time.perf_counter()
            await seed(tokens, stub, js, process.infra.redis)
            print(
                f"# FindSlots and Book through gRPC (Python {sys.version.split()[0]}), "
                "client in its own process"
            )
            print(f"seeded {PROVIDERS} providers in {time.perf_counter() - began:.1f} s\n")
            port = process.runtime.port
            finder = {}
            for agency in ("ag-200", "ag-all"):
                meta = tokens.metadata(Role.OFFICER, f"o-{agency}", agency)
                await roster(stub, meta, "pitman", 3)
                finder[agency] = [list(m) for m in meta]
            health = {"kind": "health", "concurrency": 4}
            await drained(js)
            lines = []

            def report(name: str, rounds: list[list[float]], subject: int, baseline: int, note: str) -> None:
                mid, lo, hi = ratio(rounds, subject, baseline)
                rates = ", ".join(
                    f"{statistics.median(r[i] for r in rounds):,.1f}" for i in range(len(rounds[0]))
                )
                lines.append(f"RESULT {name}={mid:.4f}")
                print(f"{name}: median {mid:.4f} (rounds {lo:.4f}..{hi:.4f}); calls/s {rates}; {note}")

            if not BOOK_ONLY:
                await find_phases(port, health, finder, report)
            else:  # as after the search phases: each provider's rules decoded once in the process
                horizon = Duration()
                horizon.FromTimedelta(timedelta(days=14))
                meta = tuple(map(tuple, finder["ag-200"]))
                await stub.FindSlots(pb.FindSlotsRequest(horizon=horizon, limit=20), metadata=meta)

            # Book: officers with every day off, one session a local day each.
            officers = []
            for n in range(640):
                meta = tokens.metadata(Role.OFFICER, f"b-{n:04d}", "ag-200")
                officers.append([list(m) for m in meta])
            for chunk in range(0, len(officers), 50):
                await asyncio.gather(
                    *(
                        roster(stub, tuple(map(tuple, m)), "", 0, cycle="-")
                        for m in officers[chunk : chunk + 50]
                    )
                )
            slots = bookable(12000, officers)
            await drained(js)
            rounds = await run_client(
                {
                    "port": port,
                    "rounds": 4,
                    "kinds": [{**health, "concurrency": 64}, {"kind": "book", "concurrency": 64}],
                    "bookings": slots,
                }
            )
            report("book_grpc_vs_empty_rpc", rounds, 1, 0, "64 in flight, distinct slots; target >= 0.5")
            await drained(js)
            await cpu_per_call(process, js, port, health, slots[6000:])
            await book_split(process, js, slots[10000:], officers)

            if not BOOK_ONLY:
                await cpu_per_search(process)

                probe = tokens.metadata(Role.OFFICER, "o-probe", "ag-probe")
                await roster(stub, probe, "", 0, cycle="-")
                profile = identity_events_pb2.ProviderProfileUpdated(
                    version=2,
                    profile=identity_events_pb2.ProviderProfile(
                        provider_id="p0001",
                        kind=common.PROVIDER_KIND_THERAPIST,
                        agency_ids=["ag-all", "ag-200", "ag-probe"],
                        languages=["en"],
                        timezone=ZONES[1],
                        display_name="Provider 1",
                        active=True,
                    ),
                )
                env = build(profile, subject="p0001")
                await publish_event(js, env)
                seconds = await rule_change_latency(js, stub, probe, 20)
                p95 = sorted(seconds)[int(0.95 * len(seconds)) - 1]
                lines.append(f"RESULT rule_change_visible_p95_vs_1s={p95:.4f}")
                print(
                    f"rule_change_visible_p95_vs_1s: p95 {p95 * 1e3:.0f} ms, "
                    f"median {statistics.median(seconds) * 1e3:.0f} ms "
                    f"over {len(seconds)} changes (event -> read model -> FindSlots); target <= 1"
                )
            print()
            print("\n".join(lines))
        await nc.drain()


if __name__ == "__main__":
    if "--client" in sys.argv:
        print(json.dumps(asyncio.run(client(json.loads(sys.stdin.read())))))
    else:
        asyncio.run(main())
