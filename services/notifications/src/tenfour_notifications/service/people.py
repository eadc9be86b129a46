"""What a person does with their own channels (the preferences page), and an agency admin with
the agency's webhook."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from tenfour_notifications.domain import validation
from tenfour_notifications.domain.model import Category, Intent
from tenfour_notifications.domain.preferences import Preferences
from tenfour_notifications.service.dispatch import Dispatcher
from tenfour_notifications.service.ports import (
    Channels,
    Clock,
    Device,
    Directory,
    EmailRecord,
    Webhook,
)
from tenfour_shared.errors import InvalidInput, NotFound, Throttled, WrongState

__all__ = ["People", "Settings"]

MAX_DEVICES = 20
MAX_CONFIRMATION_MAILS_PER_HOUR = 5


@dataclass(frozen=True, slots=True)
class Settings:
    preferences: Preferences
    email: EmailRecord | None
    devices: list[Device]


class People:
    def __init__(
        self,
        channels: Channels,
        directory: Directory,
        dispatcher: Dispatcher,
        clock: Clock,
        public_base_url: str,
        allow_insecure_push: bool,
        allow_insecure_webhook: bool,
    ) -> None:
        self._channels = channels
        self._directory = directory
        self._dispatcher = dispatcher
        self._clock = clock
        self._base = public_base_url.rstrip("/")
        self._insecure_push = allow_insecure_push
        self._insecure_webhook = allow_insecure_webhook

    async def settings(self, user_id: str) -> Settings:
        return Settings(
            await self._channels.preferences(user_id),
            await self._channels.email(user_id),
            await self._channels.devices(user_id),
        )

    async def set_preferences(self, user_id: str, preferences: Preferences) -> Settings:
        await self._channels.set_preferences(user_id, preferences)
        return await self.settings(user_id)

    async def set_email(self, user_id: str, address: str) -> Settings:
        if not address.strip():
            await self._channels.remove_email(user_id)
            return await self.settings(user_id)
        normalized = validation.email_address(address)
        if await self._channels.count_confirmation_mail(user_id) > MAX_CONFIRMATION_MAILS_PER_HOUR:
            raise Throttled("too many confirmation mails this hour: try again later")
        token = secrets.token_urlsafe(32)
        await self._channels.set_email(user_id, normalized, token, self._clock())
        link = f"{self._base}/notifications/confirm-email?token={token}"
        await self._dispatcher.email_confirmation(user_id, normalized, link)
        return await self.settings(user_id)

    async def confirm_email(self, token: str) -> str:
        if not token.strip():
            raise InvalidInput.single("token", "required")
        found = await self._channels.confirm_email(token.strip(), self._clock())
        if found is None:
            raise NotFound("this confirmation link is unknown or expired: ask for a new one")
        _, address = found
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"

    async def register_device(
        self, user_id: str, endpoint: str, p256dh: str, auth: str, label: str
    ) -> Device:
        validation.push_subscription(endpoint, p256dh, auth, self._insecure_push)
        existing = await self._channels.devices(user_id)
        if len(existing) >= MAX_DEVICES and all(d.endpoint != endpoint for d in existing):
            raise Throttled(f"at most {MAX_DEVICES} devices: remove one first")
        device = Device(
            device_id=secrets.token_urlsafe(12),
            endpoint=endpoint.strip(),
            p256dh=p256dh.strip(),
            auth=auth.strip(),
            label=label.strip()[:80],
            created_at=self._clock(),
        )
        return await self._channels.put_device(user_id, device)

    async def remove_device(self, user_id: str, device_id: str, endpoint: str) -> None:
        if not device_id and not endpoint:
            raise InvalidInput.single("device_id", "give the device id or its endpoint")
        await self._channels.remove_device(user_id, device_id=device_id, endpoint=endpoint)

    async def send_test(self, user_id: str) -> list[str]:
        prefs = await self._channels.preferences(user_id)
        event_id = f"test-{secrets.token_urlsafe(12)}"
        await self._dispatcher.dispatch(event_id, self._clock(), [Intent("test", Category.ACCOUNT, user_id)])
        return sorted(c.value for c in prefs.channels_for(Category.ACCOUNT))

    async def webhook(self, agency_id: str) -> Webhook | None:
        return await self._channels.webhook(agency_id)

    async def set_webhook(self, agency_id: str, url: str, secret: str) -> tuple[Webhook | None, str]:
        """The stored webhook, and the secret when it was generated here (shown once)."""
        if not agency_id:
            raise InvalidInput.single("agency_id", "required")
        if not url.strip():
            await self._channels.set_webhook(None, agency_id)
            return None, ""
        validation.webhook_url(url.strip(), self._insecure_webhook)
        generated = ""
        if secret:
            validation.webhook_secret(secret)
        else:
            secret = generated = secrets.token_urlsafe(32)
        hook = Webhook(agency_id, url.strip(), secret, self._clock())
        await self._channels.set_webhook(hook, agency_id)
        return hook, generated

    async def follow_group(self, user_id: str, agency_id: str, appointment_id: str, on: bool) -> bool:
        view = await self._directory.appointment(appointment_id)
        if view is None or not view.group or view.agency_id != agency_id:
            raise NotFound("no such group session")
        if on and view.status != "booked":
            raise WrongState("this group session is no longer open")
        if on and view.start is not None and view.start <= self._clock():
            raise WrongState("this group session has started")
        await self._directory.follow(appointment_id, user_id, on)
        return on


def utc_now() -> datetime:
    return datetime.now(UTC)
