"""Platform benchmark: our RPCs vs an empty RPC (health Check) on the same server, same run.

Starts real nats-server and redis-server, runs the availability service in-process and
reports calls/s for health Check (baseline), GetRules (Redis read) and SetRules (optimistic
transaction + outbox entry), sequentially and with 16 calls in flight.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour_availability import bootstrap
from tenfour_availability.config import Settings
from tenfour_shared.auth.roles import Role
from tenfour_shared.launcher import SERVICES
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.tokens import TestTokens

DURATION = 2.0


async def rate(call: Callable[[int], Awaitable[object]], concurrency: int) -> float:
    done = 0
    stop_at = time.perf_counter() + DURATION

    async def worker(w: int) -> None:
        nonlocal done
        i = 0
        while time.perf_counter() < stop_at:
            await call(w * 1_000_000 + i)
            i += 1
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done / (time.perf_counter() - started)


async def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis,
    ):
        port = free_port()
        tokens = TestTokens()
        settings = Settings(
            port=port, nats_url=nats.url, redis_url=redis.url, log_level="WARNING", jwks_json=tokens.jwks_json
        )
        admin = tokens.metadata(Role.SYSTEM_ADMIN)
        server = asyncio.create_task(bootstrap.serve(settings))
        channel = aio.insecure_channel(f"127.0.0.1:{port}")
        health = health_pb2_grpc.HealthStub(channel)
        stub = availability_pb2_grpc.AvailabilityServiceStub(channel)
        name = SERVICES["availability"][1]
        while True:
            if server.done():
                server.result()  # start-up failed: raise its error
            try:
                reply = await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    break
            except aio.AioRpcError:
                pass
            await asyncio.sleep(0.05)
        await stub.SetRules(
            availability_pb2.SetRulesRequest(rules=rules_pb2.RuleSet(provider_id="bench", timezone="UTC")),
            metadata=admin,
        )

        async def empty(_: int) -> object:
            return await health.Check(health_pb2.HealthCheckRequest(service=name))

        async def get_rules(_: int) -> object:
            return await stub.GetRules(availability_pb2.GetRulesRequest(provider_id="bench"), metadata=admin)

        async def set_rules(i: int) -> object:
            rules = rules_pb2.RuleSet(provider_id=f"bench-{i % 500}", timezone="Europe/London")
            return await stub.SetRules(availability_pb2.SetRulesRequest(rules=rules), metadata=admin)

        print("| RPC | in flight | calls/s | ratio to empty RPC |")
        print("|---|---|---|---|")
        for concurrency in (1, 16):
            base = await rate(empty, concurrency)
            print(f"| health Check (baseline) | {concurrency} | {base:,.0f} | 1.00 |")
            for label, fn in (("GetRules, token checked", get_rules), ("SetRules + outbox event", set_rules)):
                r = await rate(fn, concurrency)
                print(f"| {label} | {concurrency} | {r:,.0f} | {r / base:.2f} |")
        await channel.close()
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
