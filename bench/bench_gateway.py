"""Benchmark the web gateway: python bench/bench_gateway.py

Starts the real system (NATS, Redis, every service, the gateway) as OS processes, signs an
officer in, then times the same authenticated RPC two ways in this process:

* baseline: the gRPC call straight to the service (grpc.aio, bearer token in metadata);
* gateway: `POST /api/<service>/<Method>` with JSON through the gateway (aiohttp client,
  keep-alive), which parses the JSON, calls the same RPC and renders the reply as JSON.

Two RPCs: signaling GetIceServers (light: the gateway's share shows) and identity GetMe
(reads Redis). Each at 1 and 16 requests in flight. A ratio of 1.5 means a browser's call
costs 1.5 times the direct gRPC call.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from grpc import aio

from tenfour.identity.v1 import identity_pb2, identity_pb2_grpc
from tenfour.signaling.v1 import signaling_pb2, signaling_pb2_grpc
from tenfour_testing.system import start_system

SECONDS = 2.0  # per measurement
ROUNDS = 3  # median of


async def rate(call: Callable[[], Awaitable[object]], in_flight: int) -> float:
    """Calls per second with `in_flight` concurrent callers, over SECONDS."""
    done = 0
    deadline = time.perf_counter() + SECONDS

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return done / (time.perf_counter() - started)


async def median_rate(call: Callable[[], Awaitable[object]], in_flight: int) -> float:
    for _ in range(50):  # warm up connections and caches
        await call()
    return statistics.median([await rate(call, in_flight) for _ in range(ROUNDS)])


async def run(url: str, targets: dict[str, str], code: str) -> None:
    async with aiohttp.ClientSession(
        url, connector=aiohttp.TCPConnector(limit=64), headers={"Origin": url}
    ) as http:
        reply = await http.post(
            "/api/auth/enrol",
            json={
                "code": code,
                "username": f"bench{secrets.token_hex(4)}",
                "display_name": "Bench",
                "password": "Maple-Orbit-Falcon-8812",
            },
            headers={"X-Tenfour-Token-Delivery": "body"},
        )
        token = (await reply.json())["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        metadata = (("authorization", f"Bearer {token}"),)
        signaling = aio.insecure_channel(targets["signaling"])
        identity = aio.insecure_channel(targets["identity"])
        ice = signaling_pb2_grpc.SignalingServiceStub(signaling)
        me = identity_pb2_grpc.IdentityServiceStub(identity)

        async def via_gateway(path: str) -> object:
            async with http.post(path, json={}, headers=bearer) as r:
                assert r.status == 200, await r.text()
                return await r.read()

        cases: list[tuple[str, Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]] = [
            (
                "signaling.GetIceServers",
                lambda: ice.GetIceServers(signaling_pb2.GetIceServersRequest(), metadata=metadata),
                lambda: via_gateway("/api/signaling/GetIceServers"),
            ),
            (
                "identity.GetMe",
                lambda: me.GetMe(identity_pb2.GetMeRequest(), metadata=metadata),
                lambda: via_gateway("/api/identity/GetMe"),
            ),
        ]
        print(f"{'rpc':26} {'in flight':>9} {'direct/s':>10} {'gateway/s':>10} {'ratio':>6}")
        for name, direct, gateway in cases:
            for in_flight in (1, 16):
                base = await median_rate(direct, in_flight)
                through = await median_rate(gateway, in_flight)
                print(f"{name:26} {in_flight:>9} {base:>10.0f} {through:>10.0f} {base / through:>6.2f}")
        await signaling.close()
        await identity.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as tmp:
        system_gen = start_system(Path(tmp))
        system = next(system_gen)
        try:
            code = system.enrolment_code(system.create_agency())
            targets = {name: proc.target for name, proc in system.services.items()}
            asyncio.run(run(system.url, targets, code))
        finally:
            system_gen.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
