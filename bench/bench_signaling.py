"""Signaling through the service, each figure beside a baseline measured in the same run.

1. offer -> connected and offer -> first frame for two aiortc peers whose offer and answer go
   through the signaling service (a separate OS process on real Redis and NATS), as a ratio to
   the same peers with the SDP handed over directly (bench_direct_peers.run_direct).
2. Signal relay latency (Send RPC until the recipient's Subscribe stream yields it), p50/p99,
   with 500 rooms open on that one instance (1,000 participants subscribed), one at a time and
   16 in flight, as a ratio to an empty unary RPC (health Check) on the same server.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench_direct_peers import Summary, markdown_table, measure, run_direct, run_through_ports
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.js import JetStreamContext

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceStub

if TYPE_CHECKING:
    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceAsyncStub
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_signaling.client import GrpcSignaling
from tenfour_signaling.peers import SignalingPort
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.signaling import appointment, publish_status
from tenfour_testing.tokens import TestTokens

ROOMS = 500
SAMPLES = 1000
CANDIDATE = "candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Bench:
    def __init__(self, target: str, tokens: TestTokens, js: JetStreamContext) -> None:
        self.target = target
        self.tokens = tokens
        self.js = js
        self.channels = [aio.insecure_channel(target) for _ in range(8)]
        self.booked = 0

    def stub(self, n: int = 0) -> SignalingServiceAsyncStub:
        return SignalingServiceStub(self.channels[n % len(self.channels)])

    def md(self, role: Role, subject: str) -> tuple[tuple[str, str]]:
        return self.tokens.metadata(role, subject)

    async def book(self, n: int) -> str:
        appointment_id = f"bench-{n}"
        start = datetime.now(UTC) + timedelta(minutes=1)
        appt = appointment(appointment_id, f"dr-{n}", [f"officer-{n}"], start, start + timedelta(minutes=50))
        await publish_status(self.js, appt)
        return appointment_id

    async def wait_room(self, n: int) -> None:
        for _ in range(2000):
            try:
                await self.stub(n).GetRoom(
                    pb.GetRoomRequest(appointment_id=f"bench-{n}"),
                    metadata=self.md(Role.THERAPIST, f"dr-{n}"),
                )
                return
            except aio.AioRpcError:
                await asyncio.sleep(0.01)
        raise TimeoutError("room never created")

    async def ports(self) -> tuple[SignalingPort, SignalingPort]:
        """A fresh booked room with the officer (caller) admitted and both streams caught up."""
        n = 100_000 + self.booked
        self.booked += 1
        appointment_id = await self.book(n)
        await self.wait_room(n)
        provider = GrpcSignaling([self.target], self.tokens.token(Role.THERAPIST, f"dr-{n}"))
        officer = GrpcSignaling([self.target], self.tokens.token(Role.OFFICER, f"officer-{n}"))
        admitted = asyncio.Event()
        officer.on_event(lambda e: admitted.set() if e.WhichOneof("body") == "participant_admitted" else None)
        await provider.join(appointment_id)
        await officer.join(appointment_id)
        await provider.admit(officer.handle)
        await admitted.wait()
        return officer, provider


class Relay:
    """ROOMS rooms open on the instance: provider and officer in each, every officer subscribed."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.sessions: dict[int, pb.JoinResponse] = {}
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.listeners: list[asyncio.Task[None]] = []
        self.sent = 0

    async def _open_room(self, n: int) -> None:
        bench, appointment_id = self.bench, f"bench-{n}"
        await bench.stub(n).Join(
            pb.JoinRequest(appointment_id=appointment_id), metadata=bench.md(Role.THERAPIST, f"dr-{n}")
        )
        officer = await bench.stub(n).Join(
            pb.JoinRequest(appointment_id=appointment_id), metadata=bench.md(Role.OFFICER, f"officer-{n}")
        )
        await bench.stub(n).Admit(
            pb.AdmitRequest(appointment_id=appointment_id, participant_id=officer.participant_id),
            metadata=bench.md(Role.THERAPIST, f"dr-{n}"),
        )
        self.sessions[n] = officer

    async def _listen(self, n: int) -> None:
        joined = self.sessions[n]
        call = self.bench.stub(n).Subscribe(
            pb.SubscribeRequest(session_id=joined.session_id, last_seen_seq=joined.resume_from_seq),
            metadata=self.bench.md(Role.OFFICER, f"officer-{n}"),
        )
        try:
            async for event in call:
                if event.WhichOneof("body") == "ice_candidate":
                    future = self.waiting.pop(event.ice_candidate.sdp_mid, None)
                    if future is not None and not future.done():
                        future.set_result(time.perf_counter())
        finally:
            call.cancel()

    async def open(self) -> None:
        started = time.perf_counter()
        await asyncio.gather(*(self.bench.book(n) for n in range(ROOMS)))
        await asyncio.gather(*(self.bench.wait_room(n) for n in range(ROOMS)))
        for chunk in range(0, ROOMS, 50):
            await asyncio.gather(*(self._open_room(n) for n in range(chunk, min(chunk + 50, ROOMS))))
        self.listeners = [asyncio.create_task(self._listen(n)) for n in range(ROOMS)]
        await asyncio.sleep(1.0)  # every stream catches up with its join events
        took = time.perf_counter() - started
        print(f"{ROOMS} rooms booked, joined by 2 each and subscribed in {took:.1f} s\n")

    async def _one(self, provider_md: dict[int, tuple[tuple[str, str]]], samples: list[float]) -> None:
        self.sent += 1
        tag, n = f"s{self.sent}", random.randrange(ROOMS)
        request = pb.SendRequest(session_id=self.sessions[n].session_id, client_msg_id=tag)
        request.ice_candidate.candidate = CANDIDATE
        request.ice_candidate.sdp_mid = tag
        arrived: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[tag] = arrived
        t0 = time.perf_counter()
        await self.bench.stub(n).Send(
            request, metadata=provider_md.setdefault(n, self.bench.md(Role.THERAPIST, f"dr-{n}"))
        )
        samples.append((await asyncio.wait_for(arrived, 10) - t0) * 1000)

    async def latency(self, concurrency: int) -> list[float]:
        """Send -> arrival on the recipient's stream, ms, for SAMPLES signals in random rooms."""
        provider_md: dict[int, tuple[tuple[str, str]]] = {}
        samples: list[float] = []

        async def worker(count: int) -> None:
            for _ in range(count):
                await self._one(provider_md, samples)

        await worker(50)  # warm-up: token verification cache, script cache
        samples.clear()
        await asyncio.gather(*(worker(SAMPLES // concurrency) for _ in range(concurrency)))
        return samples

    async def close(self) -> None:
        for task in self.listeners:
            task.cancel()
        await asyncio.gather(*self.listeners, return_exceptions=True)


async def empty_rpc_latency(target: str, concurrency: int) -> list[float]:
    channel = aio.insecure_channel(target)
    health = health_pb2_grpc.HealthStub(channel)
    request = health_pb2.HealthCheckRequest(service=SERVICES["signaling"][1])
    samples: list[float] = []

    async def worker(count: int) -> None:
        for _ in range(count):
            t0 = time.perf_counter()
            await health.Check(request)
            samples.append((time.perf_counter() - t0) * 1000)

    await worker(50)  # warm-up
    samples.clear()
    await asyncio.gather(*(worker(SAMPLES // concurrency) for _ in range(concurrency)))
    await channel.close()
    return samples


async def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis,
    ):
        tokens = TestTokens()
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_JWKS_JSON": tokens.jwks_json,
            "TENFOUR_LOG_LEVEL": "WARNING",
        }
        service = ServiceProcess("signaling", free_port(), env, Path(tmp) / "signaling.log")
        nc, js = await connect_nats(nats.url, "bench")
        await ensure_streams(js)
        service.start()
        try:
            await asyncio.to_thread(service.wait_serving)
            bench = Bench(service.target, tokens, js)
            rows: dict[str, Summary] = {
                "direct SDP hand-over (baseline)": await measure(run_direct),
                "through the signaling service (gRPC, Redis, NATS)": await measure(
                    lambda: run_through_ports(bench.ports)
                ),
            }
            print("Two aiortc peers on loopback, median of 7 runs after one warm-up\n")
            print(markdown_table(rows, "direct SDP hand-over (baseline)"))
            print()

            relay = Relay(bench)
            await relay.open()
            print("| what (ms) | in flight | p50 | p99 | ratio to empty RPC (p50 / p99) |")
            print("|---|---:|---:|---:|---:|")
            for concurrency in (1, 16):
                base = await empty_rpc_latency(service.target, concurrency)
                relayed = await relay.latency(concurrency)
                b50, b99 = pct(base, 0.5), pct(base, 0.99)
                r50, r99 = pct(relayed, 0.5), pct(relayed, 0.99)
                base_row = f"| empty unary RPC (health Check) | {concurrency} | {b50:.2f} | {b99:.2f}"
                print(f"{base_row} | 1.00 / 1.00 |")
                print(
                    f"| signal relay, {ROOMS} rooms open | {concurrency} | {r50:.2f} | {r99:.2f} "
                    f"| {r50 / b50:.2f} / {r99 / b99:.2f} |"
                )
            await relay.close()
            for channel in bench.channels:
                await channel.close()
        finally:
            service.terminate()
            await nc.drain()
            errors = [
                line for line in (Path(tmp) / "signaling.log").read_text().splitlines() if '"error"' in line
            ]
            if errors:
                print(f"\nthe service logged {len(errors)} errors, e.g.:", *errors[:5], sep="\n")


if __name__ == "__main__":
    if "--quick" in sys.argv:  # a smoke run
        ROOMS, SAMPLES = 50, 160
    asyncio.run(main())
