"""ListAvailability over 90 days through gRPC, as a ratio to an empty RPC on the same server.

    .venv/bin/python bench/bench_availability_grpc.py [--rounds 5] [--seconds 1.0]

Starts real nats-server and redis-server and the availability service as its own process
(`python -m tenfour_availability`), gives one therapist a realistic week (split weekday windows
offering individual and group sessions, two overnight on-call windows, a Saturday group, an
override every two weeks, time off) and an imported calendar (weekly supervision, a fortnightly
all-day training day, one-off appointments), then times, with 1 and 16 calls in flight:

* baseline: grpc.health.v1.Health/Check on the same server (public: no token check);
* ListAvailability for 90 days, every session type (token verified, rules and busy time read
  from Redis, expanded, split by session type), and for one type;
* GetRules (token, Redis read, no expansion).

Calls alternate within each round, so host noise mostly cancels; rates and ratios are medians
over rounds. Also printed: expand() alone in this process for the same rules and window.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour.common.v1 import common_pb2 as common
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import expand, parse_busy_calendar
from tenfour_shared.events.catalog.availability import rule_set_from_proto
from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_shared.timeline import Interval
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.tokens import TestTokens

PROVIDER = "bench-therapist"
ZONE = "America/Chicago"
DAYS = 90
IND, GROUP, CRISIS = common.SESSION_TYPE_INDIVIDUAL, common.SESSION_TYPE_GROUP, common.SESSION_TYPE_CRISIS


def clock(hour: int, minute: int = 0) -> common.LocalTime:
    return common.LocalTime(hour=hour, minute=minute)


def rule_set(today: datetime) -> rules_pb2.RuleSet:
    weekly = []
    for day in range(1, 6):
        weekly.append(rules_pb2.WeeklyWindow(weekday=day, start=clock(9), end=clock(12), offers=[IND, GROUP]))  # type: ignore[arg-type]
        weekly.append(rules_pb2.WeeklyWindow(weekday=day, start=clock(13), end=clock(17, 30), offers=[IND]))  # type: ignore[arg-type]
    for night in (common.WEEKDAY_TUESDAY, common.WEEKDAY_THURSDAY):
        weekly.append(rules_pb2.WeeklyWindow(weekday=night, start=clock(22), end=clock(6), offers=[CRISIS]))
    weekly.append(
        rules_pb2.WeeklyWindow(
            weekday=common.WEEKDAY_SATURDAY, start=clock(10), end=clock(14), offers=[GROUP]
        )
    )
    rules = rules_pb2.RuleSet(provider_id=PROVIDER, timezone=ZONE, weekly=weekly)
    for offset in range(3, 365, 14):
        day = (today + timedelta(days=offset)).date()
        rules.overrides.add(
            day=common.LocalDate(year=day.year, month=day.month, day=day.day),
            windows=[rules_pb2.Window(start=clock(10), end=clock(15))],
        )
    for offset in (20, 60):
        first, last = (today + timedelta(days=offset)).date(), (today + timedelta(days=offset + 2)).date()
        off = rules.time_off.add(label="leave")
        off.first_day.CopyFrom(common.LocalDate(year=first.year, month=first.month, day=first.day))
        off.last_day.CopyFrom(common.LocalDate(year=last.year, month=last.month, day=last.day))
    return rules


def calendar(today: datetime) -> str:
    start = today + timedelta(days=1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tenfour bench//EN"]

    def event(uid: str, *props: str) -> None:
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}@bench", "DTSTAMP:20260101T000000Z", *props, "END:VEVENT"])

    event(
        "supervision",
        f"DTSTART;TZID={ZONE}:{start:%Y%m%d}T100000",
        f"DTEND;TZID={ZONE}:{start:%Y%m%d}T113000",
        "RRULE:FREQ=WEEKLY;BYDAY=WE",
    )
    event(
        "training",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    )
    for d in range(0, 120, 3):
        begin = start + timedelta(days=d, hours=14 + d % 4)
        event(
            f"appt-{d}",
            f"DTSTART:{begin:%Y%m%dT%H%M%SZ}",
            f"DTEND:{begin + timedelta(minutes=45):%Y%m%dT%H%M%SZ}",
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


async def rate(call: Callable[[], Awaitable[object]], concurrency: int, seconds: float) -> float:
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await call()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


def in_process_expand(rules: rules_pb2.RuleSet, ics: str, window: Interval, now: datetime) -> float:
    domain = rule_set_from_proto(rules)
    busy = parse_busy_calendar(ics, window, timezone=ZONE)
    samples = []
    for _ in range(20):
        begin = time.perf_counter()
        expand(domain, window, busy, now)
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


async def main(rounds: int, seconds: float) -> None:
    tokens = TestTokens()
    today = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    window = Interval(today, today + timedelta(days=DAYS))
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis,
    ):
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_JWKS_JSON": tokens.jwks_json,
            "TENFOUR_LOG_LEVEL": "WARNING",
        }
        service = ServiceProcess("availability", free_port(), env, Path(tmp) / "availability.log")
        service.start()
        try:
            service.wait_serving()
            async with aio.insecure_channel(service.target) as channel:
                await run(channel, tokens, today, window, rounds, seconds)
        finally:
            service.terminate()


async def run(
    channel: aio.Channel, tokens: TestTokens, today: datetime, window: Interval, rounds: int, seconds: float
) -> None:
    md = tokens.metadata(Role.THERAPIST, PROVIDER)
    stub = availability_pb2_grpc.AvailabilityServiceStub(channel)
    health = health_pb2_grpc.HealthStub(channel)
    rules, ics = rule_set(today), calendar(today)
    await stub.SetRules(availability_pb2.SetRulesRequest(rules=rules), metadata=md)
    imported = await stub.ImportBusyCalendar(
        availability_pb2.ImportBusyCalendarRequest(provider_id=PROVIDER, ics=ics), metadata=md
    )
    span = common.TimeRange()
    span.start.FromDatetime(window.start)
    span.end.FromDatetime(window.end)
    every = availability_pb2.ListAvailabilityRequest(provider_id=PROVIDER, range=span)
    one = availability_pb2.ListAvailabilityRequest(provider_id=PROVIDER, range=span, session_type=IND)
    sample = await stub.ListAvailability(every, metadata=md)
    name = SERVICES["availability"][1]
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "health Check (baseline)": lambda: health.Check(health_pb2.HealthCheckRequest(service=name)),
        f"ListAvailability {DAYS} d, every type": lambda: stub.ListAvailability(every, metadata=md),
        f"ListAvailability {DAYS} d, individual": lambda: stub.ListAvailability(one, metadata=md),
        "GetRules": lambda: stub.GetRules(
            availability_pb2.GetRulesRequest(provider_id=PROVIDER), metadata=md
        ),
    }
    print(
        f"provider: {len(rules.weekly)} weekly windows, {len(rules.overrides)} overrides, "
        f"{len(rules.time_off)} time off, {imported.busy_intervals} imported busy intervals; "
        f"answer: {len(sample.free)} free intervals, {sample.ByteSize():,} bytes"
    )
    print(f"rounds: {rounds} x {seconds:.1f} s per RPC; medians\n")
    print("| RPC | in flight | calls/s | ms/call | ratio to empty RPC |")
    print("|---|---:|---:|---:|---:|")
    for concurrency in (1, 16):
        rates: dict[str, list[float]] = {label: [] for label in calls}
        ratios: dict[str, list[float]] = {label: [] for label in calls}
        for _ in range(rounds):
            base = 0.0
            for label, call in calls.items():
                r = await rate(call, concurrency, seconds)
                base = base or r
                rates[label].append(r)
                ratios[label].append(r / base)
        for label in calls:
            r = statistics.median(rates[label])
            print(
                f"| {label} | {concurrency} | {r:,.0f} | {concurrency / r * 1e3:.2f} | "
                f"{statistics.median(ratios[label]):.2f} |"
            )
    alone = in_process_expand(rules, ics, window, today)
    print(f"\nexpand() alone, same rules and {DAYS} days, in this process: {alone * 1e3:.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.seconds))
