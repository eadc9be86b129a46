"""Identity benchmark: Login, and token verification in another service, vs an empty RPC.

Starts real nats-server and redis-server, identity as its own OS process (as `make run` does)
and, in a child process, a second service wired exactly like every Tenfour service
(tenfour_shared.auth_wiring: RemoteJwks over identity's GetJwks + AuthInterceptor). The second
process serves two copies of a tiny authenticated RPC: one with the production verifier (which
caches verified tokens), one verifying the signature on every call. Every figure is a ratio to
health Check on the same server, measured in alternating rounds of the same run.

    .venv/bin/python bench/bench_identity.py [--seconds 1.0] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path

import grpc
import pyotp
from grpc import aio
from grpc_health.v1 import health as grpc_health
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_shared.auth.interceptor import AuthInterceptor
from tenfour_shared.auth.policy import AUTHENTICATED, Policy
from tenfour_shared.auth.tokens import TokenVerifier
from tenfour_shared.auth_wiring import auth_interceptor, jwks_source
from tenfour_shared.config import ServiceSettings
from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, free_port

PROBE = "tenfour.bench.v1.Probe"
ADMIN, ADMIN_PASSWORD = "bench-operator", "bench operator passphrase 1"
PASSWORD = "bench officer passphrase 2"
CONCURRENCY = (1, 16)
Call = Callable[[], Awaitable[object]]


# -- the second service (child process) ----------------------------------------------------------


async def _echo(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
    return request


async def _serve_probe(identity_target: str, conn: Connection) -> None:
    settings = ServiceSettings(identity_target=identity_target)
    policy = Policy({f"/{PROBE}/Ping": AUTHENTICATED})
    uncached = TokenVerifier(
        issuer=settings.token_issuer, audience=settings.token_audience, jwks=jwks_source(settings)
    )
    servers = [
        aio.server(interceptors=[auth_interceptor(settings, policy)]),  # production wiring
        aio.server(interceptors=[AuthInterceptor(uncached, policy)]),  # signature checked every call
    ]
    ports = []
    for server in servers:
        ping: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(_echo)
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(PROBE, {"Ping": ping})])
        servicer = grpc_health.aio.HealthServicer()
        await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
    conn.send(ports)
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    for server in servers:
        await server.stop(None)


def _probe_process(identity_target: str, conn: Connection) -> None:
    asyncio.run(_serve_probe(identity_target, conn))


# -- measuring --------------------------------------------------------------------------------


async def rate(call: Call, concurrency: int, seconds: float) -> float:
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


async def paired(
    baseline: Call, target: Call, concurrency: int, args: argparse.Namespace
) -> tuple[float, float, float]:
    """(median baseline calls/s, median target calls/s, median of per-round ratios)."""
    base_rates, target_rates = [], []
    for _ in range(args.rounds):
        base_rates.append(await rate(baseline, concurrency, args.seconds))
        target_rates.append(await rate(target, concurrency, args.seconds))
    ratios = [t / b for t, b in zip(target_rates, base_rates, strict=True)]
    return statistics.median(base_rates), statistics.median(target_rates), statistics.median(ratios)


# -- set-up through the public API --------------------------------------------------------------


def _officers(target: str, count: int) -> list[tuple[str, str]]:
    """(username, access token) of officers enrolled through the API."""
    with grpc.insecure_channel(target) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        first = stub.Login(pb.LoginRequest(username=ADMIN, password=ADMIN_PASSWORD))
        secret = stub.BeginMfaSetup(pb.BeginMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket)).secret
        root = stub.CompleteMfaSetup(
            pb.CompleteMfaSetupRequest(
                mfa_setup_ticket=first.mfa_setup_ticket, totp_code=pyotp.TOTP(secret).now()
            )
        )
        md = (("authorization", f"Bearer {root.access_token}"),)
        agency = stub.CreateAgency(pb.CreateAgencyRequest(name="Bench PD", timezone="UTC"), metadata=md)
        code = stub.CreateEnrolmentCode(
            pb.CreateEnrolmentCodeRequest(agency_id=agency.agency_id, max_redemptions=count), metadata=md
        )
        officers = []
        for i in range(count):
            name = f"bench-owl-{i}"
            officer = stub.RedeemEnrolmentCode(
                pb.RedeemEnrolmentCodeRequest(
                    code=code.code, username=name, display_name="Owl", password=PASSWORD
                )
            )
            officers.append((name, officer.access_token))
        return officers


async def _run(args: argparse.Namespace) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis,
    ):
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": ADMIN,
            "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": "42" * 32,
            "TENFOUR_LOG_LEVEL": "WARNING",
        }
        identity = ServiceProcess("identity", free_port(), env, Path(tmp) / "identity.log")
        identity.start()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        probe = ctx.Process(target=_probe_process, args=(identity.target, child), daemon=True)
        try:
            identity.wait_serving()
            officers = _officers(identity.target, CONCURRENCY[-1])
            probe.start()
            cached_port, uncached_port = await asyncio.get_running_loop().run_in_executor(None, parent.recv)
            await _measure(args, identity.target, officers, cached_port, uncached_port)
        finally:
            if probe.is_alive():
                parent.send("stop")
                probe.join(timeout=10)
            identity.terminate()


def _logins(stub: identity_pb2_grpc.IdentityServiceAsyncStub, officers: list[tuple[str, str]]) -> Call:
    """Each call signs in the next officer from their own device: many people, not one account
    hammered (one account may have only a few logins in flight: see domain/throttle.py)."""
    turn = itertools.count()

    def login() -> Awaitable[object]:
        i = next(turn) % len(officers)
        request = pb.LoginRequest(username=officers[i][0], password=PASSWORD)
        return stub.Login(request, metadata=(("x-tenfour-client", f"device-{i}"),))

    return login


async def _measure(
    args: argparse.Namespace,
    target: str,
    officers: list[tuple[str, str]],
    cached_port: int,
    uncached_port: int,
) -> None:
    md = (("authorization", f"Bearer {officers[0][1]}"),)
    check = health_pb2.HealthCheckRequest(service=SERVICES["identity"][1])
    async with (
        aio.insecure_channel(target) as identity_channel,
        aio.insecure_channel(f"127.0.0.1:{cached_port}") as cached_channel,
        aio.insecure_channel(f"127.0.0.1:{uncached_port}") as uncached_channel,
    ):
        identity_health = health_pb2_grpc.HealthStub(identity_channel)
        stub = identity_pb2_grpc.IdentityServiceStub(identity_channel)
        rows: list[tuple[str, int, tuple[float, float, float]]] = []
        login = _logins(stub, officers)
        for concurrency in CONCURRENCY:
            label = "identity: Login (Argon2id m=19 MiB t=2, session, token, audit)"
            rows.append(
                (
                    label,
                    concurrency,
                    await paired(lambda: identity_health.Check(check), login, concurrency, args),
                )
            )
        for label, channel in (
            ("second service: token verified in the interceptor (production, cached)", cached_channel),
            (
                "second service: token verified in the interceptor (no cache: EdDSA every call)",
                uncached_channel,
            ),
        ):
            health = health_pb2_grpc.HealthStub(channel)
            ping: aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(f"/{PROBE}/Ping")
            for _ in range(50):  # warm-up: JWKS fetched from identity, caches filled
                await ping(b"x", metadata=md)

            def empty(h: health_pb2_grpc.HealthStub = health) -> Awaitable[object]:
                return h.Check(health_pb2.HealthCheckRequest())

            def verified(p: aio.UnaryUnaryMultiCallable[bytes, bytes] = ping) -> Awaitable[object]:
                return p(b"x", metadata=md)

            for concurrency in CONCURRENCY:
                rows.append((label, concurrency, await paired(empty, verified, concurrency, args)))
    print(
        f"\nMedians of {args.rounds} alternating rounds of {args.seconds:.1f} s; "
        "baseline = health Check on the same server.\n"
    )
    print("| what | in flight | baseline calls/s | calls/s | ratio to empty RPC |")
    print("|---|---:|---:|---:|---:|")
    for label, concurrency, (base, measured, ratio) in rows:
        print(f"| {label} | {concurrency} | {base:,.0f} | {measured:,.0f} | {ratio:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
