"""SIGKILL of the notifications process in the middle of a burst: after a restart every
reminder reaches the mailbox exactly once by its Message-ID (the process runs as an OS process,
as deployed). On the wire, the mails the SMTP server had accepted but whose outcome the killed
process had not yet written are sent again with the same Message-ID: at most the deliveries in
flight at the kill (TENFOUR_NOTIFICATIONS_CONCURRENCY), never any other."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.notifications.v1 import notifications_pb2 as pb
from tenfour.notifications.v1 import notifications_pb2_grpc
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.launcher import ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.tokens import TestTokens

from .receivers import smtp_server

BURST = 200
CONCURRENCY = 8


async def test_sigkill_mid_burst_loses_and_duplicates_nothing(
    nats_server: NatsServer, redis_server: RedisServer, test_tokens: TestTokens, tmp_path: Path
) -> None:
    nc, js = await connect_nats(nats_server.url, "crash-test")
    await ensure_streams(js)
    async with smtp_server() as (mailbox, smtp_port):
        env = {
            "TENFOUR_NATS_URL": nats_server.url,
            "TENFOUR_REDIS_URL": redis_server.url,
            "TENFOUR_JWKS_JSON": test_tokens.jwks_json,
            "TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY": "ab" * 32,
            "TENFOUR_NOTIFICATIONS_SMTP_PORT": str(smtp_port),
            "TENFOUR_NOTIFICATIONS_POLL_SECONDS": "0.02",
            "TENFOUR_NOTIFICATIONS_LEASE_SECONDS": "2",
            "TENFOUR_NOTIFICATIONS_CONCURRENCY": str(CONCURRENCY),
            "TENFOUR_LOG_LEVEL": "WARNING",
        }
        proc = ServiceProcess("notifications", free_port(), env, tmp_path / "notifications.log")
        proc.start()
        try:
            await asyncio.to_thread(proc.wait_serving, 60.0)
            user = "officer-burst"
            registered = UserRegistered(user_id=user, agency_id="agency-1", role=common_pb2.ROLE_OFFICER)
            env_ev = build(registered, subject=user)
            await publish_event(js, env_ev)
            md = test_tokens.metadata(Role.OFFICER, user, "agency-1")
            async with grpc.aio.insecure_channel(proc.target) as channel:
                stub = notifications_pb2_grpc.NotificationServiceStub(channel)
                await stub.SetEmailAddress(
                    pb.SetEmailAddressRequest(address="burst@example.org"), metadata=md
                )
                (confirmation,) = await mailbox.wait_for(1, within=30)
                text = confirmation.get_payload(decode=True).decode()  # type: ignore[union-attr]
                token = re.search(r"token=([A-Za-z0-9_-]+)", text)
                assert token is not None
                await stub.ConfirmEmailAddress(pb.ConfirmEmailAddressRequest(token=token.group(1)))
            start = datetime.now(UTC) + timedelta(hours=5)
            for i in range(BURST):
                reminder = sev.ReminderDue(appointment_id=f"appt-{i}", user_id=user)
                reminder.start.FromDatetime(start)
                e = build(reminder, subject=f"appt-{i}")
                await publish_event(js, e)
            await mailbox.wait_for(1 + BURST // 4, within=60)  # mid-burst: some sent, most not
            proc.kill()
            killed_at = len(mailbox.messages)
            assert killed_at < 1 + BURST, "the burst was over before the kill"
            restarted = ServiceProcess("notifications", proc.port, env, tmp_path / "notifications-2.log")
            restarted.start()
            proc = restarted
            await asyncio.to_thread(proc.wait_serving, 60.0)
            await mailbox.wait_for(1 + BURST, within=120)
            await asyncio.sleep(3)  # a lease (2 s) past: anything re-sent would have arrived
        finally:
            proc.terminate()
            await nc.drain()
    reminders = [m for m in mailbox.messages if m["Subject"] == "Tenfour: reminder"]
    ids = Counter(str(m["Message-ID"]) for m in reminders)
    assert len(ids) == BURST, f"lost: {BURST - len(ids)}"
    resent = sum(v - 1 for v in ids.values())
    assert resent <= CONCURRENCY, f"re-sent {resent}, more than were in flight at the kill"
    # Nothing already recorded as delivered before the kill is sent again after the restart.
    before = Counter(str(m["Message-ID"]) for m in reminders[: killed_at - 1])
    assert max(before.values()) == 1
