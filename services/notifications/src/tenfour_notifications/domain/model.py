"""What a notification is, where it goes, and how one delivery ended."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class Channel(Enum):
    IN_APP = "in_app"
    WEB_PUSH = "web_push"
    EMAIL = "email"
    WEBHOOK = "webhook"


class Category(Enum):
    REMINDERS = "reminders"
    CHANGES = "changes"
    URGENT = "urgent"
    WAITING_ROOM = "waiting_room"
    SEATS = "seats"
    ACCOUNT = "account"


class Status(Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEFERRED = "deferred"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing to tell one person, already worded for them (neutral unless they chose detail)."""

    notification_id: str
    kind: str
    category: Category
    title: str
    body: str
    link: str
    created_at: datetime
    urgent: bool = False
    appointment_id: str = ""
    request_id: str = ""
    # Reminders are useless after the session started: deliveries deferred past it are skipped.
    expires_at: datetime | None = None
    starts_at: datetime | None = None  # the session it is about, for clients that word it themselves


@dataclass(frozen=True, slots=True)
class Intent:
    """What an event means for one recipient, before wording: kind + the facts to word it."""

    kind: str
    category: Category
    recipient: str
    urgent: bool = False
    appointment_id: str = ""
    request_id: str = ""
    starts_at: datetime | None = None
    facts: dict[str, str] = field(default_factory=dict)
    # Only these channels (e.g. an officer's urgent status goes in-app and by push only).
    only: frozenset[Channel] | None = None


def delivery_key(event_id: str, recipient: str, channel: Channel) -> str:
    """Idempotency key: one delivery per event x recipient x channel, whatever happens."""
    raw = f"{event_id}|{recipient}|{channel.value}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def notification_id(event_id: str, recipient: str) -> str:
    return hashlib.sha256(f"{event_id}|{recipient}".encode()).hexdigest()[:24]
