"""Notifications benchmark: event published -> delivered to a real SMTP server and a real Web
Push endpoint, against raw JetStream publish -> consume, alternated in the same run.

Real nats-server and redis-server; the notifications service runs as its own OS process (as
deployed); the SMTP server (aiosmtpd), the push endpoint (aiohttp) and the publisher run here.
Each delivery is matched to its event by its idempotency key (the mail's Message-ID, the push
message's Topic), so latency is per event. Then 10,000 reminders due at once are published and
drained: every one must reach the mailbox and the push endpoint, none twice.

RESULT lines: throughput and p95 latency as ratios to the raw JetStream round trip measured in
the same run, and the 10,000-reminder drain time as a ratio to one minute.
"""

from __future__ import annotations

import asyncio
import base64
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import grpc
from aiohttp import web
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from nats.js.api import StreamConfig

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour_notifications.domain.model import Channel, delivery_key
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.launcher import ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.tokens import TestTokens

USER = "officer-bench"
ROUND = int(os.environ.get("BENCH_NOTIFICATIONS_ROUND", "300"))
ROUNDS = 3
DRAIN = int(os.environ.get("BENCH_NOTIFICATIONS_DRAIN", "10000"))


class Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.duplicates = 0
        self.changed = asyncio.Event()

    def add(self, key: str) -> None:
        if key in self.at:
            self.duplicates += 1
        else:
            self.at[key] = time.perf_counter()
        self.changed.set()

    async def wait(self, keys: set[str], within: float) -> None:
        deadline = time.perf_counter() + within
        while not keys <= self.at.keys():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{len(keys - self.at.keys())} of {len(keys)} never arrived")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 0.5)
            except TimeoutError:
                continue


class Smtp:
    def __init__(self, arrivals: Arrivals, loop: asyncio.AbstractEventLoop) -> None:
        self.arrivals = arrivals
        self.loop = loop
        self.confirmation = ""
        self.confirmed = asyncio.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = envelope.content.decode(errors="replace")
        for line in text.splitlines():
            if line.lower().startswith("message-id:"):
                key = line.split("<", 1)[1].split("@", 1)[0]
                self.loop.call_soon_threadsafe(self.arrivals.add, key)
        if "confirm" in text:
            body = message_from_bytes(envelope.content).get_payload(decode=True)
            decoded = body.decode() if isinstance(body, bytes) else ""
            if "confirm-email?token=" in decoded:
                self.confirmation = decoded.split("confirm-email?token=", 1)[1].split()[0]
                self.loop.call_soon_threadsafe(self.confirmed.set)
        return "250 OK"


async def push_app(arrivals: Arrivals) -> tuple[web.AppRunner, int]:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        arrivals.add(request.headers.get("Topic", ""))
        return web.Response(status=201)

    app = web.Application()
    app.router.add_post("/push", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


async def raw_round(js: Any, n: int, tag: str) -> tuple[float, float]:
    """Raw JetStream publish -> consume of n events of the same size: (events/s, p95 s)."""
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    done = asyncio.Event()

    async def on(msg: Any) -> None:
        got[msg.header["Nats-Msg-Id"]] = time.perf_counter()
        await msg.ack()
        if len(got) == n:
            done.set()

    sub = await js.subscribe(f"benchraw.{tag}", cb=on, manual_ack=True, stream="BENCHRAW")
    start = time.perf_counter()
    for i in range(n):
        reminder = sev.ReminderDue(appointment_id=f"raw-{i}", user_id=USER)
        e = build(reminder, subject=f"raw-{i}")
        sent[e.id] = time.perf_counter()
        await js.publish(f"benchraw.{tag}", e.SerializeToString(), headers={"Nats-Msg-Id": e.id})
    await asyncio.wait_for(done.wait(), 120)
    elapsed = max(got.values()) - start
    await sub.unsubscribe()
    return n / elapsed, p95([got[k] - sent[k] for k in sent])


async def subject_round(js: Any, arrivals: Arrivals, device_id: str, n: int, tag: str) -> tuple[float, float]:
    """n reminders -> email + push: (deliveries/s, p95 s per delivery)."""
    sent: dict[str, float] = {}
    start_at = datetime.now(UTC) + timedelta(hours=6)
    t0 = time.perf_counter()
    for i in range(n):
        reminder = sev.ReminderDue(appointment_id=f"{tag}-{i}", user_id=USER)
        reminder.start.FromDatetime(start_at)
        e = build(reminder, subject=f"{tag}-{i}")
        now = time.perf_counter()
        sent[delivery_key(e.id, USER, Channel.EMAIL)] = now
        sent[delivery_key(e.id, f"{USER}/{device_id}", Channel.WEB_PUSH)] = now
        await publish_event(js, e)
    await arrivals.wait(set(sent), within=600)
    elapsed = max(arrivals.at[k] for k in sent) - t0
    return len(sent) / elapsed, p95([arrivals.at[k] - sent[k] for k in sent])


async def main() -> None:
    tokens = TestTokens()
    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "nats") as nats_server,
        RedisServer(Path(tmp) / "redis") as redis_server,
    ):
        nc, js = await connect_nats(nats_server.url, "bench")
        await ensure_streams(js)
        await js.add_stream(StreamConfig(name="BENCHRAW", subjects=["benchraw.>"]))
        arrivals = Arrivals()
        smtp = Smtp(arrivals, asyncio.get_running_loop())
        smtp_port = free_port()
        controller = Controller(smtp, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        runner, push_port = await push_app(arrivals)
        env = {
            "TENFOUR_NATS_URL": nats_server.url,
            "TENFOUR_REDIS_URL": redis_server.url,
            "TENFOUR_JWKS_JSON": tokens.jwks_json,
            "TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY": "cd" * 32,
            "TENFOUR_NOTIFICATIONS_SMTP_PORT": str(smtp_port),
            "TENFOUR_NOTIFICATIONS_ALLOW_INSECURE_PUSH": "true",
            "TENFOUR_NOTIFICATIONS_POLL_SECONDS": "0.02",
            "TENFOUR_NOTIFICATIONS_CONCURRENCY": "64",
            "TENFOUR_LOG_LEVEL": "WARNING",
        }
        proc = ServiceProcess("notifications", free_port(), env, Path(tmp) / "notifications.log")
        proc.start()
        try:
            await asyncio.to_thread(proc.wait_serving, 60.0)
            registered = UserRegistered(user_id=USER, agency_id="agency-1", role=common_pb2.ROLE_OFFICER)
            e = build(registered, subject=USER)
            await publish_event(js, e)
            md = tokens.metadata(Role.OFFICER, USER, "agency-1")
            key = (
                ec.generate_private_key(ec.SECP256R1())
                .public_key()
                .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            )
            async with grpc.aio.insecure_channel(proc.target) as channel:
                stub = notifications_pb2_grpc.NotificationServiceStub(channel)
                await stub.SetEmailAddress(
                    pb.SetEmailAddressRequest(address="bench@example.org"), metadata=md
                )
                await smtp.confirmed.wait()
                await stub.ConfirmEmailAddress(pb.ConfirmEmailAddressRequest(token=smtp.confirmation))
                device = await stub.RegisterPushSubscription(
                    pb.RegisterPushSubscriptionRequest(
                        endpoint=f"http://127.0.0.1:{push_port}/push",
                        p256dh=b64(key),
                        auth=b64(os.urandom(16)),
                    ),
                    metadata=md,
                )
            await subject_round(js, arrivals, device.device_id, 20, "warm")
            await raw_round(js, 20, "warm")
            raw_t, raw_p, sub_t, sub_p = [], [], [], []
            for r in range(ROUNDS):  # alternate baseline and subject
                t, p = await raw_round(js, ROUND, f"r{r}")
                raw_t.append(t)
                raw_p.append(p)
                t, p = await subject_round(js, arrivals, device.device_id, ROUND, f"r{r}")
                sub_t.append(t)
                sub_p.append(p)
            rt, rp = statistics.median(raw_t), statistics.median(raw_p)
            st, sp = statistics.median(sub_t), statistics.median(sub_p)
            print(f"raw JetStream publish->consume: {rt:,.0f} events/s, p95 {rp * 1000:.1f} ms")
            print(f"event -> SMTP sink + push endpoint: {st:,.0f} deliveries/s, p95 {sp * 1000:.1f} ms")
            print(f"RESULT notifications_delivery_throughput_vs_jetstream={st / rt:.4f}")
            print(f"RESULT notifications_delivery_p95_vs_jetstream={sp / rp:.2f}")

            t0 = time.perf_counter()
            await raw_round(js, DRAIN, "drain")
            raw_drain = time.perf_counter() - t0
            t0 = time.perf_counter()
            await subject_round(js, arrivals, device.device_id, DRAIN, "drain")
            drain = time.perf_counter() - t0
            print(
                f"{DRAIN:,} reminders due at once: {2 * DRAIN:,} deliveries (email + push) in "
                f"{drain:.1f} s, none lost, {arrivals.duplicates} sent twice; "
                f"raw JetStream drains {DRAIN:,} in {raw_drain:.1f} s"
            )
            print(f"RESULT notifications_{DRAIN}_reminders_drain_vs_one_minute={drain / 60:.3f}")
            print(f"RESULT notifications_{DRAIN}_reminders_drain_vs_jetstream={drain / raw_drain:.1f}")
        finally:
            proc.terminate()
            controller.stop()
            await runner.cleanup()
            await nc.drain()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
