"""From intents to deliveries: word each one for its recipient, put it in their in-app inbox and
live stream at once, and queue one delivery per other channel they chose (exactly once per
event x recipient x channel: the queue refuses a key it has seen).

Quiet hours defer push and email to their end (in-app is immediate); urgent alerts ignore them.
A reminder whose session would start before its deferred delivery is skipped, not sent late.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from tenfour_notifications.domain.model import (
    Category,
    Channel,
    Intent,
    Notification,
    Status,
    delivery_key,
    notification_id,
)
from tenfour_notifications.domain.wording import public_kind, word
from tenfour_notifications.service.ports import Channels, Clock, Deliveries, Directory, Job, Live

__all__ = ["Dispatcher"]


class Dispatcher:
    def __init__(
        self, channels: Channels, deliveries: Deliveries, directory: Directory, live: Live, clock: Clock
    ) -> None:
        self._channels = channels
        self._deliveries = deliveries
        self._directory = directory
        self._live = live
        self._clock = clock

    async def dispatch(self, event_id: str, event_at: datetime, intents: list[Intent]) -> None:
        for intent in intents:
            await self._one(event_id, event_at, intent)

    async def _one(self, event_id: str, event_at: datetime, intent: Intent) -> None:
        user = intent.recipient
        prefs = await self._channels.preferences(user)
        zone = prefs.quiet_hours.timezone if prefs.quiet_hours else "UTC"
        if prefs.detailed_content and intent.facts.get("provider_id"):
            name = await self._directory.provider_name(intent.facts["provider_id"])
            intent = replace(intent, facts={**intent.facts, "provider_name": name})
        text = word(intent, prefs.detailed_content, zone)
        now = self._clock()
        n = Notification(
            notification_id=notification_id(event_id, user),
            kind=public_kind(intent.kind),
            category=intent.category,
            title=text.title,
            body=text.body,
            link=text.link,
            created_at=now,
            urgent=intent.urgent,
            appointment_id=intent.appointment_id,
            request_id=intent.request_id,
            expires_at=intent.starts_at if intent.category is Category.REMINDERS else None,
            starts_at=intent.starts_at,
        )
        chosen = prefs.channels_for(intent.category)
        if intent.only is not None:
            chosen = chosen & intent.only
        in_app = Job(delivery_key(event_id, user, Channel.IN_APP), user, Channel.IN_APP, n, event_at)
        if await self._deliveries.add_to_inbox(user, n):
            await self._live.notify(user, n)  # first time only: a redelivered event stays quiet
        await self._deliveries.record(in_app, Status.DELIVERED, "", now)
        bypass_quiet = intent.urgent and intent.category is Category.URGENT
        quiet_end = None if bypass_quiet or prefs.quiet_hours is None else prefs.quiet_hours.quiet_until(now)
        due = quiet_end or now
        status = Status.DEFERRED if quiet_end else Status.PENDING
        for channel in (Channel.WEB_PUSH, Channel.EMAIL):
            if channel not in chosen:
                continue
            for job in await self._jobs(event_id, event_at, user, channel, n):
                if job.target == "" and channel is Channel.WEB_PUSH:
                    await self._deliveries.record(job, Status.SKIPPED, "no_device", now)
                elif job.target == "" and channel is Channel.EMAIL:
                    await self._deliveries.record(job, Status.SKIPPED, "no_confirmed_address", now)
                elif n.expires_at is not None and due >= n.expires_at:
                    await self._deliveries.record(job, Status.SKIPPED, "quiet_hours", now)
                else:
                    await self._deliveries.enqueue(job, due, status.value)

    async def _jobs(
        self, event_id: str, event_at: datetime, user: str, channel: Channel, n: Notification
    ) -> list[Job]:
        """One job per device for push, one for email; a target-less job when there is nowhere
        to deliver (recorded as skipped, so the log says why)."""
        if channel is Channel.EMAIL:
            record = await self._channels.email(user)
            target = "email" if record is not None and record.confirmed else ""
            return [Job(delivery_key(event_id, user, channel), user, channel, n, event_at, target)]
        devices = await self._channels.devices(user)
        if not devices:
            return [Job(delivery_key(event_id, user, channel), user, channel, n, event_at, "")]
        return [
            Job(
                delivery_key(event_id, f"{user}/{d.device_id}", channel),
                user,
                channel,
                n,
                event_at,
                d.device_id,
            )
            for d in devices
        ]

    async def email_confirmation(self, user: str, address: str, link: str) -> None:
        """The confirmation mail goes through the same queue (retries), to the unconfirmed address."""
        now = self._clock()
        n = Notification(
            notification_id=notification_id(link, user),
            kind="email_confirmation",
            category=Category.ACCOUNT,
            title="Tenfour: confirm your email address",
            body=(
                "Please confirm that this address may receive Tenfour notifications by opening:\n\n"
                f"{link}\n\nIf you did not ask for this, ignore this message: nothing will be sent."
            ),
            link=link,
            created_at=now,
        )
        job = Job(delivery_key(link, user, Channel.EMAIL), user, Channel.EMAIL, n, now, f"confirm:{address}")
        await self._deliveries.enqueue(job, now, Status.PENDING.value)

    async def webhook(self, event_id: str, event_at: datetime, agency_id: str, body: dict[str, str]) -> None:
        hook = await self._channels.webhook(agency_id)
        if hook is None:
            return
        recipient = f"agency:{agency_id}"
        key = delivery_key(event_id, recipient, Channel.WEBHOOK)
        payload = {**body, "delivery_id": key}
        n = Notification(
            notification_id=key,
            kind=body.get("type", "event"),
            category=Category.URGENT,
            title="",
            body=json.dumps(payload, sort_keys=True),
            link="",
            created_at=self._clock(),
            urgent=True,
            request_id=body.get("request_id", ""),
        )
        job = Job(key, recipient, Channel.WEBHOOK, n, event_at, agency_id)
        await self._deliveries.enqueue(job, self._clock(), Status.PENDING.value)
