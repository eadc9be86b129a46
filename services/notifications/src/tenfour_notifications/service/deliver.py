"""Sending what the dispatcher queued: claim due deliveries (a lease, so a crashed worker's
ones are taken over), send each on its channel, and record the outcome.

Transient failures (server down, 5xx, 429, timeouts) are retried with exponential backoff and
full jitter until `max_attempts`; permanent ones (address refused, 4xx) fail at once and are
dead-lettered; a push endpoint answering 404/410 removes the device.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from tenfour_notifications.domain.model import Channel, Notification, Status
from tenfour_notifications.domain.retry import Attempt, Backoff, Outcome
from tenfour_notifications.service.ports import (
    Channels,
    Clock,
    Deliveries,
    EmailMessage,
    EmailSender,
    Job,
    Metrics,
    PushSender,
    WebhookSender,
)

__all__ = ["Deliverer", "push_payload"]

log = logging.getLogger("tenfour.notifications.deliver")
MAX_PUSH_PAYLOAD = 3800  # RFC 8291 leaves ~4 KB after encryption overhead; keep a margin


def push_payload(n: Notification) -> bytes:
    """What the service worker receives: title, body, link (cut to fit, never the details)."""
    data = {
        "id": n.notification_id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "urgent": n.urgent,
        "appointment_id": n.appointment_id,
        "request_id": n.request_id,
    }
    raw = json.dumps(data, separators=(",", ":")).encode()
    while len(raw) > MAX_PUSH_PAYLOAD and data["body"]:
        data["body"] = str(data["body"])[: max(0, len(str(data["body"])) - 200)]
        raw = json.dumps(data, separators=(",", ":")).encode()
    return raw


class Deliverer:
    def __init__(
        self,
        deliveries: Deliveries,
        channels: Channels,
        email: EmailSender,
        push: PushSender,
        webhook: WebhookSender,
        metrics: Metrics,
        clock: Clock,
        backoff: Backoff,
        public_base_url: str,
        lease_seconds: float = 30.0,
    ) -> None:
        self._deliveries = deliveries
        self._channels = channels
        self._email = email
        self._push = push
        self._webhook = webhook
        self._metrics = metrics
        self._clock = clock
        self._backoff = backoff
        self._base = public_base_url.rstrip("/")
        self._lease = lease_seconds

    async def run_once(self, limit: int) -> int:
        """Send what is due now (at most `limit` at once); how many were claimed."""
        jobs = await self._deliveries.claim(self._clock(), self._lease, limit)
        if jobs:
            await asyncio.gather(*(self.deliver(job) for job in jobs))
        return len(jobs)

    async def deliver(self, job: Job) -> None:
        now = self._clock()
        n = job.notification
        if n.expires_at is not None and now >= n.expires_at:
            await self._deliveries.failed(job, "expired", now, Status.SKIPPED)
            return
        try:
            attempt = await self._send(job)
        except Exception as exc:  # a sender bug or an unexpected error: retry, never crash the loop
            log.warning("send raised", extra={"channel": job.channel.value, "error_type": type(exc).__name__})
            attempt = Attempt(Outcome.TRANSIENT, "unreachable")
        await self._settle(job, attempt)

    async def _send(self, job: Job) -> Attempt:
        n = job.notification
        if job.channel is Channel.EMAIL:
            return await self._send_email(job)
        if job.channel is Channel.WEB_PUSH:
            device = await self._channels.device(job.recipient, job.target)
            if device is None:
                return Attempt(Outcome.PERMANENT, "no_device")
            ttl = 300 if n.urgent else 24 * 3600
            if n.expires_at is not None:
                ttl = max(60, min(ttl, int((n.expires_at - self._clock()).total_seconds())))
            urgency = "high" if n.urgent else "normal"
            return await self._push.send(device, push_payload(n), ttl, urgency, job.key[:32])
        if job.channel is Channel.WEBHOOK:
            hook = await self._channels.webhook(job.target)
            if hook is None:
                return Attempt(Outcome.PERMANENT, "no_webhook")
            return await self._webhook.send(hook.url, hook.secret, n.body.encode(), job.key)
        return Attempt(Outcome.PERMANENT, "rejected")

    async def _send_email(self, job: Job) -> Attempt:
        n = job.notification
        record = await self._channels.email(job.recipient)
        if job.target.startswith("confirm:"):
            # Only to the address that asked, and only while it is still the one on file.
            if record is None or record.address != job.target.removeprefix("confirm:"):
                return Attempt(Outcome.PERMANENT, "no_confirmed_address")
            text = n.body
        else:
            if record is None or not record.confirmed:
                return Attempt(Outcome.PERMANENT, "no_confirmed_address")
            text = f"{n.body}\n\nOpen Tenfour: {self._base}{n.link}\n"
        message = EmailMessage(record.address, n.title, text, f"<{job.key}@notifications.tenfour>")
        return await self._email.send(message)

    async def _settle(self, job: Job, attempt: Attempt) -> None:
        now = self._clock()
        if attempt.outcome is Outcome.DELIVERED:
            await self._deliveries.delivered(job, now)
            if job.channel is Channel.WEB_PUSH:
                await self._channels.device_succeeded(job.recipient, job.target, now)
            self._metrics.delivered(job.channel, job.notification.kind, (now - job.event_at).total_seconds())
            return
        if attempt.outcome is Outcome.GONE:
            await self._channels.remove_device(job.recipient, device_id=job.target)
            await self._deliveries.failed(job, "subscription_gone", now)
            self._metrics.failed(job.channel, "subscription_gone")
            return
        if attempt.outcome is Outcome.PERMANENT:
            await self._deliveries.failed(job, attempt.reason_code or "rejected", now)
            self._metrics.failed(job.channel, attempt.reason_code or "rejected")
            return
        if self._backoff.exhausted(job.attempts):
            await self._deliveries.failed(job, "retries_exhausted", now)
            self._metrics.failed(job.channel, "retries_exhausted")
            return
        delay = self._backoff.delay(job.attempts, asked=attempt.retry_after)
        await self._deliveries.retry(
            job, now + timedelta(seconds=delay), attempt.reason_code or "unreachable"
        )

    async def run(self, limit: int, poll_seconds: float) -> None:
        """Keep up to `limit` sends in flight: a slow receiver holds one slot, not a batch."""
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                free = limit - len(running)
                jobs = await self._deliveries.claim(self._clock(), self._lease, free) if free > 0 else []
                for job in jobs:
                    task = asyncio.create_task(self.deliver(job))
                    running.add(task)
                    task.add_done_callback(running.discard)
                if not jobs:
                    if running and free <= 0:
                        await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    else:
                        await asyncio.sleep(poll_seconds)
        finally:
            for task in running:
                task.cancel()  # their leases lapse and another pass takes them over
