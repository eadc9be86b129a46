"""What the use cases need from the outside world: stores, senders, the live bus, a clock.

Adapters implement these (Redis, SMTP, Web Push, HTTP, NATS); unit tests use fakes of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from tenfour_notifications.domain.model import Channel, Notification, Status
from tenfour_notifications.domain.preferences import Preferences
from tenfour_notifications.domain.records import (
    AppointmentView,
    DeliveryRecord,
    Device,
    EmailMessage,
    EmailRecord,
    Job,
    UserInfo,
    Webhook,
)
from tenfour_notifications.domain.retry import Attempt

Clock = Callable[[], datetime]


class Directory(Protocol):
    """Read models built from events: who people are, appointments, group followers."""

    async def user(self, user_id: str) -> UserInfo | None: ...
    async def put_user(self, info: UserInfo) -> None: ...
    async def agency_admins(self, agency_id: str) -> list[str]: ...
    async def agency_officers(self, agency_id: str) -> list[str]: ...
    async def appointment(self, appointment_id: str) -> AppointmentView | None: ...
    async def put_appointment(self, view: AppointmentView) -> AppointmentView | None:
        """Store if newer; the previous view (None when new or when `view` is not newer)."""
        ...

    async def provider_name(self, provider_id: str) -> str: ...
    async def put_provider_name(self, provider_id: str, name: str, version: int) -> None: ...
    async def forget_user(self, user_id: str) -> None: ...
    async def followers(self, appointment_id: str) -> list[str]: ...
    async def follow(self, appointment_id: str, user_id: str, on: bool) -> None: ...


class Channels(Protocol):
    """People's channels and choices (sealed at rest) and agencies' webhooks."""

    async def preferences(self, user_id: str) -> Preferences: ...
    async def set_preferences(self, user_id: str, preferences: Preferences) -> None: ...
    async def email(self, user_id: str) -> EmailRecord | None: ...
    async def set_email(self, user_id: str, address: str, token: str, at: datetime) -> None: ...
    async def remove_email(self, user_id: str) -> None: ...
    async def confirm_email(self, token: str, at: datetime) -> tuple[str, str] | None:
        """(user id, address) when the token is valid; confirmation is idempotent."""
        ...

    async def count_confirmation_mail(self, user_id: str) -> int:
        """Counts one more confirmation mail in the current hour; returns the count."""
        ...

    async def devices(self, user_id: str) -> list[Device]: ...
    async def device(self, user_id: str, device_id: str) -> Device | None: ...
    async def put_device(self, user_id: str, device: Device) -> Device:
        """Insert, or replace the keys of the same endpoint (keeping its id); the stored one."""
        ...

    async def remove_device(self, user_id: str, device_id: str = "", endpoint: str = "") -> bool: ...
    async def device_succeeded(self, user_id: str, device_id: str, at: datetime) -> None: ...
    async def webhook(self, agency_id: str) -> Webhook | None: ...
    async def set_webhook(self, hook: Webhook | None, agency_id: str) -> None: ...
    async def forget_user(self, user_id: str) -> None:
        """Everything kept about the person: addresses, devices, choices, inbox, delivery log."""
        ...


class Deliveries(Protocol):
    """The delivery queue, the per-user delivery log and the in-app inbox."""

    async def enqueue(self, job: Job, due: datetime, status: str) -> bool:
        """Queue unless this key exists already (exactly once); whether it was new."""
        ...

    async def record(self, job: Job, status: Status, reason_code: str, at: datetime) -> bool:
        """A delivery decided without sending (skipped, delivered in-app), once per key."""
        ...

    async def claim(self, now: datetime, lease_seconds: float, limit: int) -> list[Job]: ...
    async def delivered(self, job: Job, at: datetime) -> None: ...
    async def retry(self, job: Job, at: datetime, reason_code: str) -> None: ...
    async def failed(self, job: Job, reason_code: str, at: datetime, status: Status = Status.FAILED) -> None:
        """Finished without delivery; FAILED ones also go to the dead-letter stream."""
        ...

    async def log(
        self, user_id: str, appointment_id: str, request_id: str, limit: int
    ) -> list[DeliveryRecord]: ...
    async def add_to_inbox(self, user_id: str, notification: Notification) -> bool: ...
    async def inbox(self, user_id: str, limit: int) -> tuple[list[tuple[Notification, bool]], int]: ...
    async def mark_read(self, user_id: str, up_to_id: str) -> None: ...


class Live(Protocol):
    """The live in-app bus across instances (NATS core)."""

    async def notify(self, user_id: str, notification: Notification) -> None: ...
    async def withdraw(
        self, user_id: str, kind: str, request_id: str, appointment_id: str, reason_code: str
    ) -> None: ...


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> Attempt: ...


class PushSender(Protocol):
    async def send(self, device: Device, payload: bytes, ttl: int, urgency: str, topic: str) -> Attempt: ...


class WebhookSender(Protocol):
    async def send(self, url: str, secret: str, body: bytes, delivery_id: str) -> Attempt: ...


class Metrics(Protocol):
    def delivered(self, channel: Channel, kind: str, latency_seconds: float) -> None: ...
    def failed(self, channel: Channel, reason_code: str) -> None: ...


__all__ = [
    "AppointmentView",
    "Channels",
    "Clock",
    "Deliveries",
    "DeliveryRecord",
    "Device",
    "Directory",
    "EmailMessage",
    "EmailRecord",
    "EmailSender",
    "Job",
    "Live",
    "Metrics",
    "PushSender",
    "UserInfo",
    "Webhook",
    "WebhookSender",
]
