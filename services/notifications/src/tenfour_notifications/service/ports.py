"""What the use cases need from the outside world: stores, senders, the live bus, a clock.

Adapters implement these (Redis, SMTP, Web Push, HTTP, NATS); unit tests use fakes of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tenfour_notifications.domain.model import Channel, Notification, Status
from tenfour_notifications.domain.preferences import Preferences
from tenfour_notifications.domain.retry import Attempt

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class UserInfo:
    user_id: str
    role: str  # officer | therapist | peer_supporter | agency_admin | system_admin
    agency_id: str


@dataclass(frozen=True, slots=True)
class AppointmentView:
    appointment_id: str
    agency_id: str
    provider_id: str
    officer_ids: tuple[str, ...]
    start: datetime | None
    status: str  # booked | cancelled | ... (scheduling's status names, lower case)
    group: bool
    capacity: int
    version: int


@dataclass(frozen=True, slots=True)
class EmailRecord:
    address: str
    confirmed: bool
    sent_at: datetime | None
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Device:
    device_id: str
    endpoint: str
    p256dh: str
    auth: str
    label: str
    created_at: datetime
    last_success_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Webhook:
    agency_id: str
    url: str
    secret: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Job:
    """One delivery: event x recipient x channel (x device for push)."""

    key: str
    recipient: str  # a user id, or "agency:<id>" for webhooks
    channel: Channel
    notification: Notification
    event_at: datetime
    target: str = ""  # device id (push) or agency id (webhook)
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    key: str
    kind: str
    channel: Channel
    status: Status
    created_at: datetime
    delivered_at: datetime | None
    attempts: int
    reason_code: str
    appointment_id: str
    request_id: str


class Directory(Protocol):
    """Read models built from events: who people are, appointments, group followers."""

    async def user(self, user_id: str) -> UserInfo | None: ...
    async def put_user(self, info: UserInfo) -> None: ...
    async def agency_admins(self, agency_id: str) -> list[str]: ...
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


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    message_id: str  # stable across retries: receivers dedupe on it


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
    "Device",
    "Directory",
    "EmailMessage",
    "EmailRecord",
    "EmailSender",
    "Job",
    "Live",
    "Metrics",
    "PushSender",
    "Sequence",
    "UserInfo",
    "Webhook",
    "WebhookSender",
]
