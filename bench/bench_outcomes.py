"""Outcomes benchmark: computing an agency report from N events, vs an empty RPC, same run.

Starts real nats-server and redis-server and runs the outcomes service in-process. For each N,
one agency gets N events exactly as identity and scheduling publish them (enrolments, then
booked and outcome events for a year of sessions, some urgent, some group); once consumed, the
agency's first GetAgencyReport publishes twelve months with quarters and the year (read model
snapshot, measuring, complementary suppression, atomic save). That first call is timed
repeatedly by forgetting the publication between runs, and reported as a ratio to an empty
unary RPC (health Check) on the same server. Also shown: the pure domain share (publish() on
the same inputs, in-process), a report read once published, and the ingest rate.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.js import JetStreamContext

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.outcomes.v1 import outcomes_pb2, outcomes_pb2_grpc
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_outcomes.adapters.store import OutcomesStore, keys
from tenfour_outcomes.bootstrap import running
from tenfour_outcomes.config import Settings
from tenfour_outcomes.domain.measure import Inputs, first_month
from tenfour_outcomes.domain.publication import due_months, publish
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.redis_store import connect as connect_redis
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

S = AppointmentStatus
NOW = datetime(2026, 2, 20, tzinfo=UTC)  # all of 2025 is published on the first report
OUTCOMES = [S.APPOINTMENT_STATUS_FULFILLED] * 8 + [
    S.APPOINTMENT_STATUS_NOSHOW,
    S.APPOINTMENT_STATUS_CANCELLED,
]


class Clock:
    def __call__(self) -> datetime:
        return NOW


def events_for(agency: str, n: int, rng: random.Random) -> list[tuple[object, str, datetime]]:
    """About n events: one enrolment per officer, then two per session (booked, outcome)."""
    officers = [f"{agency}-o{i}" for i in range(max(30, n // 25))]
    out: list[tuple[object, str, datetime]] = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for officer in officers:
        at = start - timedelta(days=rng.randrange(200))
        out.append(
            (UserRegistered(user_id=officer, agency_id=agency, role=common_pb2.ROLE_OFFICER), officer, at)
        )
    providers = [f"{agency}-peer{i}" for i in range(3)] + [f"therapist{i}" for i in range(6)]
    i = 0
    while len(out) < n:
        group = rng.sample(officers, 4) if rng.random() < 0.05 else [rng.choice(officers)]
        begins = start + timedelta(days=rng.randrange(365), hours=rng.randrange(24))
        urgent = rng.random() < 0.05
        appointment = Appointment(
            appointment_id=f"{agency}-ap{i}",
            agency_id=agency,
            provider_id=rng.choice(providers),
            officer_ids=group,
            status=S.APPOINTMENT_STATUS_BOOKED,
            urgent=urgent,
            version=1,
        )
        appointment.time.start.FromDatetime(begins)
        appointment.time.end.FromDatetime(begins + timedelta(minutes=50))
        appointment.created_at.FromDatetime(
            begins - timedelta(minutes=rng.randrange(1, 60) if urgent else 4000)
        )
        booked = AppointmentStatusChanged(appointment=appointment)
        out.append((booked, appointment.appointment_id, begins - timedelta(days=3)))
        final = Appointment()
        final.CopyFrom(appointment)
        final.status = rng.choice(OUTCOMES)
        final.version = 2
        final.late_cancellation = final.status == S.APPOINTMENT_STATUS_CANCELLED and rng.random() < 0.5
        ended = AppointmentStatusChanged(appointment=final, previous_status=S.APPOINTMENT_STATUS_BOOKED)
        out.append((ended, appointment.appointment_id, begins + timedelta(hours=1)))
        i += 1
    return out


async def publish_all(js: JetStreamContext, events: list[tuple[object, str, datetime]]) -> float:
    began = time.perf_counter()
    for chunk in range(0, len(events), 256):
        batch = []
        for payload, subject, when in events[chunk : chunk + 256]:
            env = build(payload, subject=subject, when=when)  # type: ignore[arg-type]
            batch.append(publish_event(js, env))
        await asyncio.gather(*batch)
    return time.perf_counter() - began


async def drained(js: JetStreamContext) -> None:
    while True:
        pending = 0
        for source in ("identity", "scheduling"):
            info = await js.consumer_info(f"TENFOUR_{source.upper()}", f"outcomes-from-{source}")
            pending += info.num_pending + info.num_ack_pending
        if not pending:
            return
        await asyncio.sleep(0.05)


async def median_seconds(call: Callable[[], Awaitable[object]], repeats: int) -> float:
    await call()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


async def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 4_000, 16_000]
    rng = random.Random(20260220)
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
            outcomes_pseudonym_key="b" * 40,
            outcomes_publish_every_seconds=3600,
        )
        nc, js = await connect_nats(nats.url, "bench")
        redis = connect_redis(redis_server.url)
        await ensure_streams(js)
        async with (
            running(settings, Clock()) as runtime,
            aio.insecure_channel(f"127.0.0.1:{runtime.port}") as ch,
        ):
            stub = outcomes_pb2_grpc.OutcomesServiceStub(ch)
            health = health_pb2_grpc.HealthStub(ch)
            operator = tokens.metadata(Role.SYSTEM_ADMIN)
            store = OutcomesStore(redis)

            async def empty() -> None:
                await health.Check(health_pb2.HealthCheckRequest())

            print(f"# Outcomes report benchmark (Python {sys.version.split()[0]})\n")
            print("Baseline: an empty unary RPC (grpc.health.v1 Check) on the same server, median of 200.\n")
            print(
                "| events | officers | sessions | ingest (events/s) | first report (ms) | ratio to empty RPC "
                "| domain only (ms) | published report read (ms) | ratio |"
            )
            print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for n in sizes:
                agency = f"bench-{n}"
                events = events_for(agency, n, rng)
                began = time.perf_counter()
                await publish_all(js, events)
                await drained(js)
                ingest = len(events) / (time.perf_counter() - began)
                request = outcomes_pb2.GetAgencyReportRequest(agency_id=agency)

                async def first_report(
                    agency: str = agency, request: outcomes_pb2.GetAgencyReportRequest = request
                ) -> None:
                    await redis.delete(keys("published", agency))  # publish everything again
                    await stub.GetAgencyReport(request, metadata=operator)

                async def read_report(request: outcomes_pb2.GetAgencyReportRequest = request) -> None:
                    await stub.GetAgencyReport(request, metadata=operator)

                base = await median_seconds(empty, 200)
                compute = await median_seconds(first_report, 5)
                read = await median_seconds(read_report, 20)
                snapshot = await store.snapshot(agency)
                facts = list(snapshot.facts.values())
                inputs = Inputs(facts, snapshot.enrolments, snapshot.tiers)
                months = due_months(
                    first_month(facts, snapshot.enrolments), None, NOW, settings.release_delay, 36
                )
                domain_runs = []
                for _ in range(3):
                    began = time.perf_counter()
                    publish(inputs, [], months)
                    domain_runs.append(time.perf_counter() - began)
                domain = statistics.median(domain_runs)
                sessions = sum(len(f.officers) for f in facts)
                print(
                    f"| {len(events):,} | {len(snapshot.enrolments):,} | {sessions:,} | {ingest:,.0f} "
                    f"| {compute * 1e3:,.1f} | {compute / base:,.0f} | {domain * 1e3:,.1f} "
                    f"| {read * 1e3:,.2f} | {read / base:,.1f} |"
                )
            print(f"\nEmpty RPC median: {base * 1e3:.3f} ms. Every ratio compares timings of this process.")
        await redis.aclose()
        await nc.drain()


if __name__ == "__main__":
    asyncio.run(main())
