"""Cost of per-call token verification in the auth interceptor, as a ratio to a bare RPC.

A child process serves the same byte-echo RPC on three grpc.aio servers: one without
interceptors, one with AuthInterceptor verifying the EdDSA JWT on every call, and one whose
verifier has a VerifiedTokenCache (a client reuses its token, so calls after the first are
hits). The parent is the client: N sequential calls, then N calls over C concurrent workers,
servers alternating within each round; rates are medians over rounds, ratios are medians of
per-round ratios to the baseline (pairs measured seconds apart, so host noise mostly cancels). Also shown: the
interceptor on a PUBLIC rule (policy lookup only) and raw in-process verify()/issue() rates.

    .venv/bin/python bench/bench_tokens.py [--calls 600] [--concurrency 16] [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

import grpc
from grpc import aio

from tenfour_shared.auth import (
    AUTHENTICATED,
    PUBLIC,
    KeyRing,
    KeyRingJwks,
    Policy,
    Role,
    SigningKey,
    TokenIssuer,
    TokenVerifier,
    VerifiedTokenCache,
)
from tenfour_shared.auth.interceptor import AuthInterceptor

SERVICE = "tenfour.bench.v1.Bench"
ISSUER = "https://identity.tenfour.bench"
AUDIENCE = "tenfour-bench"
METADATA_KEY = "authorization"


async def _echo(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
    return request


def _handlers() -> grpc.GenericRpcHandler:
    ping: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(_echo)
    return grpc.method_handlers_generic_handler(SERVICE, {"Ping": ping, "PublicPing": ping})


async def _serve(pem: bytes, conn: Connection) -> None:
    ring = KeyRing(SigningKey.from_pem(pem))
    jwks = KeyRingJwks(lambda: ring)
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks)
    cached = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks, cache=VerifiedTokenCache())
    policy = Policy({f"/{SERVICE}/Ping": AUTHENTICATED, f"/{SERVICE}/PublicPing": PUBLIC})
    servers = [
        aio.server(),
        aio.server(interceptors=[AuthInterceptor(verifier, policy)]),
        aio.server(interceptors=[AuthInterceptor(cached, policy)]),
    ]
    ports = []
    for server in servers:
        server.add_generic_rpc_handlers([_handlers()])
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
    conn.send(ports)
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"
    for server in servers:
        await server.stop(None)


def _server_process(pem: bytes, conn: Connection) -> None:
    asyncio.run(_serve(pem, conn))


Call = Callable[[], Awaitable[Any]]


async def _sequential(call: Call, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await call()
    return n / (time.perf_counter() - start)


async def _concurrent(call: Call, n: int, workers: int) -> float:
    per_worker = max(1, n // workers)

    async def worker() -> None:
        for _ in range(per_worker):
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return per_worker * workers / (time.perf_counter() - start)


def _caller(channel: aio.Channel, method: str, token: str | None) -> Call:
    stub: aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(f"/{SERVICE}/{method}")
    metadata = ((METADATA_KEY, f"Bearer {token}"),) if token else None

    def call() -> Awaitable[bytes]:
        return stub(b"ping", metadata=metadata, timeout=10)

    return call


async def _verify_rate(verifier: TokenVerifier, token: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await verifier.verify(token)
    return n / (time.perf_counter() - start)


def _issue_rate(issuer: TokenIssuer, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        issuer.issue(subject="u", role=Role.OFFICER, agency_id="a", session_id="s")
    return n / (time.perf_counter() - start)


async def _run(args: argparse.Namespace) -> None:
    key = SigningKey.generate()
    ring = KeyRing(key)
    issuer = TokenIssuer(issuer=ISSUER, audience=AUDIENCE, keyring=lambda: ring)
    token = issuer.issue(subject="bench-user", role=Role.OFFICER, agency_id="a-1", session_id="s-1").token

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_server_process, args=(key.to_pem(), child), daemon=True)
    process.start()
    ports = await asyncio.get_running_loop().run_in_executor(None, parent.recv)
    results: dict[str, list[float]] = {}
    try:
        async with (
            aio.insecure_channel(f"127.0.0.1:{ports[0]}") as plain,
            aio.insecure_channel(f"127.0.0.1:{ports[1]}") as guarded,
            aio.insecure_channel(f"127.0.0.1:{ports[2]}") as cached,
        ):
            calls = {
                "bare": _caller(plain, "Ping", None),
                "bare_token": _caller(plain, "Ping", token),
                "auth": _caller(guarded, "Ping", token),
                "cached": _caller(cached, "Ping", token),
                "public": _caller(guarded, "PublicPing", None),
            }
            for call in calls.values():  # warm up connections, HTTP/2 windows and code paths
                await _sequential(call, 300)
                await _concurrent(call, 1000, args.concurrency)
            for _ in range(args.rounds):
                for name, call in calls.items():
                    results.setdefault(f"{name}/seq", []).append(await _sequential(call, args.calls))
                    results.setdefault(f"{name}/conc", []).append(
                        await _concurrent(call, args.calls, args.concurrency)
                    )
    finally:
        parent.send("stop")
        process.join(timeout=10)

    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=KeyRingJwks(lambda: ring))
    verify_rate = await _verify_rate(verifier, token, args.calls)
    issue_rate = _issue_rate(issuer, args.calls)
    _print_table(results, args, verify_rate, issue_rate)


def _print_table(
    results: dict[str, list[float]], args: argparse.Namespace, verify_rate: float, issue_rate: float
) -> None:
    def med(key: str) -> float:
        return statistics.median(results[key])

    print(
        f"\nMedian of {args.rounds} rounds x {args.calls} calls; client and servers in separate processes.\n"
    )
    print(
        "| server | sequential calls/s | ratio | 16 concurrent calls/s | ratio |".replace(
            "16", str(args.concurrency)
        )
    )
    print("|---|---:|---:|---:|---:|")
    rows = (
        ("bare", "no interceptor (baseline)"),
        ("bare_token", "no interceptor, token sent but ignored"),
        ("auth", "AuthInterceptor, verify every call"),
        ("cached", "AuthInterceptor + VerifiedTokenCache"),
        ("public", "AuthInterceptor, PUBLIC rule"),
    )

    def ratio(name: str, mode: str) -> float:
        # Paired per round (measured seconds apart), then the median: robust to a noisy host.
        pairs = zip(results[f"{name}/{mode}"], results[f"bare/{mode}"], strict=True)
        return statistics.median(x / base for x, base in pairs)

    for name, label in rows:
        seq, conc = med(f"{name}/seq"), med(f"{name}/conc")
        print(
            f"| {label} | {seq:,.0f} | {ratio(name, 'seq'):.2f} | {conc:,.0f} | {ratio(name, 'conc'):.2f} |"
        )
    print("\n| in-process, no gRPC | ops/s |\n|---|---:|")
    print(f"| TokenVerifier.verify (EdDSA, no cache) | {verify_rate:,.0f} |")
    print(f"| TokenIssuer.issue (EdDSA) | {issue_rate:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=15)
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
