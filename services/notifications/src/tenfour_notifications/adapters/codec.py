"""Notifications, preferences and devices to and from JSON (what Redis keeps, sealed or not)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

from tenfour_notifications.domain.model import Category, Channel, Notification
from tenfour_notifications.domain.preferences import Preferences, QuietHours
from tenfour_notifications.domain.records import Device


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def from_ms(value: int | str | bytes) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def notification_json(n: Notification) -> bytes:
    return json.dumps(
        {
            "id": n.notification_id,
            "kind": n.kind,
            "category": n.category.value,
            "title": n.title,
            "body": n.body,
            "link": n.link,
            "created_ms": ms(n.created_at),
            "urgent": n.urgent,
            "appointment_id": n.appointment_id,
            "request_id": n.request_id,
            "expires_ms": ms(n.expires_at) if n.expires_at else 0,
            "starts_ms": ms(n.starts_at) if n.starts_at else 0,
        },
        separators=(",", ":"),
    ).encode()


def notification_from(raw: bytes) -> Notification:
    d: dict[str, Any] = json.loads(raw)
    return Notification(
        notification_id=d["id"],
        kind=d["kind"],
        category=Category(d["category"]),
        title=d["title"],
        body=d["body"],
        link=d["link"],
        created_at=from_ms(d["created_ms"]),
        urgent=bool(d["urgent"]),
        appointment_id=d["appointment_id"],
        request_id=d["request_id"],
        expires_at=from_ms(d["expires_ms"]) if d.get("expires_ms") else None,
        starts_at=from_ms(d["starts_ms"]) if d.get("starts_ms") else None,
    )


def preferences_json(p: Preferences) -> bytes:
    quiet = None
    if p.quiet_hours is not None:
        q = p.quiet_hours
        quiet = {"start": q.start.strftime("%H:%M"), "end": q.end.strftime("%H:%M"), "timezone": q.timezone}
    return json.dumps(
        {
            "channels": {c.value: sorted(ch.value for ch in chosen) for c, chosen in p.channels.items()},
            "quiet_hours": quiet,
            "detailed_content": p.detailed_content,
        }
    ).encode()


def preferences_from(raw: bytes) -> Preferences:
    d: dict[str, Any] = json.loads(raw)
    quiet = None
    if d.get("quiet_hours"):
        q = d["quiet_hours"]
        quiet = QuietHours(time.fromisoformat(q["start"]), time.fromisoformat(q["end"]), q["timezone"])
    channels = {Category(c): frozenset(Channel(x) for x in chosen) for c, chosen in d["channels"].items()}
    return Preferences.build(channels, quiet, bool(d.get("detailed_content")))


def device_json(d: Device) -> bytes:
    return json.dumps(
        {
            "id": d.device_id,
            "endpoint": d.endpoint,
            "p256dh": d.p256dh,
            "auth": d.auth,
            "label": d.label,
            "created_ms": ms(d.created_at),
            "ok_ms": ms(d.last_success_at) if d.last_success_at else 0,
        }
    ).encode()


def device_from(raw: bytes) -> Device:
    d: dict[str, Any] = json.loads(raw)
    return Device(
        device_id=d["id"],
        endpoint=d["endpoint"],
        p256dh=d["p256dh"],
        auth=d["auth"],
        label=d["label"],
        created_at=from_ms(d["created_ms"]),
        last_success_at=from_ms(d["ok_ms"]) if d.get("ok_ms") else None,
    )
