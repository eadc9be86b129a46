"""Records the use cases and adapters exchange: people, appointments, channels, deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenfour_notifications.domain.model import Channel, Notification, Status


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


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    message_id: str  # stable across retries: receivers dedupe on it
