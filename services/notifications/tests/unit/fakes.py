"""In-memory fakes of notifications' own ports, for unit tests of the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
from tenfour_notifications.domain.retry import Attempt, Outcome


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeChannels:
    prefs: dict[str, Preferences] = field(default_factory=dict)
    emails: dict[str, EmailRecord] = field(default_factory=dict)
    device_map: dict[str, dict[str, Device]] = field(default_factory=dict)
    hooks: dict[str, Webhook] = field(default_factory=dict)

    async def preferences(self, user_id: str) -> Preferences:
        return self.prefs.get(user_id, Preferences())

    async def set_preferences(self, user_id: str, preferences: Preferences) -> None:
        self.prefs[user_id] = preferences

    async def email(self, user_id: str) -> EmailRecord | None:
        return self.emails.get(user_id)

    async def set_email(self, user_id: str, address: str, token: str, at: datetime) -> None:
        self.emails[user_id] = EmailRecord(address, False, at, None)

    async def remove_email(self, user_id: str) -> None:
        self.emails.pop(user_id, None)

    async def confirm_email(self, token: str, at: datetime) -> tuple[str, str] | None:
        return None

    async def count_confirmation_mail(self, user_id: str) -> int:
        return 1

    async def devices(self, user_id: str) -> list[Device]:
        return list(self.device_map.get(user_id, {}).values())

    async def device(self, user_id: str, device_id: str) -> Device | None:
        return self.device_map.get(user_id, {}).get(device_id)

    async def put_device(self, user_id: str, device: Device) -> Device:
        self.device_map.setdefault(user_id, {})[device.device_id] = device
        return device

    async def remove_device(self, user_id: str, device_id: str = "", endpoint: str = "") -> bool:
        return self.device_map.get(user_id, {}).pop(device_id, None) is not None

    async def device_succeeded(self, user_id: str, device_id: str, at: datetime) -> None:
        return None

    async def webhook(self, agency_id: str) -> Webhook | None:
        return self.hooks.get(agency_id)

    async def set_webhook(self, hook: Webhook | None, agency_id: str) -> None:
        if hook is None:
            self.hooks.pop(agency_id, None)
        else:
            self.hooks[agency_id] = hook

    async def forget_user(self, user_id: str) -> None:
        self.prefs.pop(user_id, None)
        self.emails.pop(user_id, None)
        self.device_map.pop(user_id, None)


@dataclass
class Queued:
    job: Job
    due: datetime
    status: str


@dataclass
class FakeDeliveries:
    queued: dict[str, Queued] = field(default_factory=dict)
    records: dict[str, tuple[Job, Status, str]] = field(default_factory=dict)
    inboxes: dict[str, list[Notification]] = field(default_factory=dict)

    async def enqueue(self, job: Job, due: datetime, status: str) -> bool:
        if job.key in self.queued or job.key in self.records:
            return False
        self.queued[job.key] = Queued(job, due, status)
        return True

    async def record(self, job: Job, status: Status, reason_code: str, at: datetime) -> bool:
        if job.key in self.records or job.key in self.queued:
            return False
        self.records[job.key] = (job, status, reason_code)
        return True

    async def claim(self, now: datetime, lease_seconds: float, limit: int) -> list[Job]:
        return []

    async def delivered(self, job: Job, at: datetime) -> None:
        self.records[job.key] = (job, Status.DELIVERED, "")
        self.queued.pop(job.key, None)

    async def retry(self, job: Job, at: datetime, reason_code: str) -> None:
        self.queued[job.key] = Queued(job, at, "pending")

    async def failed(self, job: Job, reason_code: str, at: datetime, status: Status = Status.FAILED) -> None:
        self.records[job.key] = (job, status, reason_code)
        self.queued.pop(job.key, None)

    async def log(
        self, user_id: str, appointment_id: str, request_id: str, limit: int
    ) -> list[DeliveryRecord]:
        return []

    async def add_to_inbox(self, user_id: str, notification: Notification) -> bool:
        box = self.inboxes.setdefault(user_id, [])
        if any(n.notification_id == notification.notification_id for n in box):
            return False
        box.append(notification)
        return True

    async def inbox(self, user_id: str, limit: int) -> tuple[list[tuple[Notification, bool]], int]:
        return [(n, False) for n in self.inboxes.get(user_id, [])], 0

    async def mark_read(self, user_id: str, up_to_id: str) -> None:
        return None


@dataclass
class FakeDirectory:
    users: dict[str, UserInfo] = field(default_factory=dict)
    appointments: dict[str, AppointmentView] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    following: dict[str, set[str]] = field(default_factory=dict)

    async def user(self, user_id: str) -> UserInfo | None:
        return self.users.get(user_id)

    async def put_user(self, info: UserInfo) -> None:
        self.users[info.user_id] = info

    async def forget_user(self, user_id: str) -> None:
        self.users.pop(user_id, None)

    async def agency_admins(self, agency_id: str) -> list[str]:
        return sorted(
            u.user_id for u in self.users.values() if u.role == "agency_admin" and u.agency_id == agency_id
        )

    async def agency_officers(self, agency_id: str) -> list[str]:
        return sorted(
            u.user_id
            for u in self.users.values()
            if u.role in ("officer", "peer_supporter") and u.agency_id == agency_id
        )

    async def appointment(self, appointment_id: str) -> AppointmentView | None:
        return self.appointments.get(appointment_id)

    async def put_appointment(self, view: AppointmentView) -> AppointmentView | None:
        old = self.appointments.get(view.appointment_id)
        if old is not None and old.version >= view.version:
            return None
        self.appointments[view.appointment_id] = view
        return old

    async def provider_name(self, provider_id: str) -> str:
        return self.names.get(provider_id, "")

    async def put_provider_name(self, provider_id: str, name: str, version: int) -> None:
        self.names[provider_id] = name

    async def followers(self, appointment_id: str) -> list[str]:
        return sorted(self.following.get(appointment_id, set()))

    async def follow(self, appointment_id: str, user_id: str, on: bool) -> None:
        group = self.following.setdefault(appointment_id, set())
        (group.add if on else group.discard)(user_id)


@dataclass
class FakeLive:
    sent: list[tuple[str, Notification]] = field(default_factory=list)
    withdrawn: list[tuple[str, str, str]] = field(default_factory=list)

    async def notify(self, user_id: str, notification: Notification) -> None:
        self.sent.append((user_id, notification))

    async def withdraw(
        self, user_id: str, kind: str, request_id: str, appointment_id: str, reason_code: str
    ) -> None:
        self.withdrawn.append((user_id, request_id, reason_code))


@dataclass
class ScriptedSender:
    """Answers attempts in order (then delivered), recording what it was asked to send."""

    answers: list[Attempt] = field(default_factory=list)
    sent: list[object] = field(default_factory=list)

    def _next(self) -> Attempt:
        return self.answers.pop(0) if self.answers else Attempt(Outcome.DELIVERED)

    async def send_email(self, message: EmailMessage) -> Attempt:
        self.sent.append(message)
        return self._next()


@dataclass
class FakeEmail:
    script: ScriptedSender = field(default_factory=ScriptedSender)

    async def send(self, message: EmailMessage) -> Attempt:
        return await self.script.send_email(message)


@dataclass
class FakePush:
    answers: list[Attempt] = field(default_factory=list)
    sent: list[tuple[Device, bytes, int, str]] = field(default_factory=list)

    async def send(self, device: Device, payload: bytes, ttl: int, urgency: str, topic: str) -> Attempt:
        self.sent.append((device, payload, ttl, urgency))
        return self.answers.pop(0) if self.answers else Attempt(Outcome.DELIVERED)


@dataclass
class FakeWebhook:
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    async def send(self, url: str, secret: str, body: bytes, delivery_id: str) -> Attempt:
        self.sent.append((url, body))
        return Attempt(Outcome.DELIVERED)


@dataclass
class FakeMetrics:
    delivered_count: int = 0
    failures: list[str] = field(default_factory=list)

    def delivered(self, channel: Channel, kind: str, latency_seconds: float) -> None:
        self.delivered_count += 1

    def failed(self, channel: Channel, reason_code: str) -> None:
        self.failures.append(reason_code)
