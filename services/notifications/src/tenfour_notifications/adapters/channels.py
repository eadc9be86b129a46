"""People's channels (sealed at rest) and agencies' webhooks in Redis.

Addresses, push subscriptions and webhook secrets are sealed with the service's key, bound to
their owner; confirmation tokens and endpoints are looked up by a keyed digest, never stored.
"""

from __future__ import annotations

import json
from datetime import datetime

import redis.asyncio as aioredis

from tenfour_notifications.adapters.codec import (
    device_from,
    device_json,
    from_ms,
    ms,
    preferences_from,
    preferences_json,
)
from tenfour_notifications.adapters.deliveries import RedisDeliveries
from tenfour_notifications.adapters.keys import keys
from tenfour_notifications.adapters.vault import Vault
from tenfour_notifications.domain.preferences import Preferences
from tenfour_notifications.domain.records import Device, EmailRecord, Webhook
from tenfour_shared.redis_store import as_bytes

__all__ = ["RedisChannels"]

TOKEN_SECONDS = 48 * 3600


def _prefs(user: str) -> str:
    return keys("prefs", user)


def _email(user: str) -> str:
    return keys("email", user)


def _token(digest: str) -> str:
    return keys("email-token", digest)


def _devices(user: str) -> str:
    return keys("devices", user)


def _endpoints(user: str) -> str:
    return keys("device-endpoints", user)


def _webhook(agency: str) -> str:
    return keys("webhook", agency)


class RedisChannels:
    def __init__(self, redis: aioredis.Redis, vault: Vault, deliveries: RedisDeliveries) -> None:
        self._redis = redis
        self._vault = vault
        self._deliveries = deliveries

    async def preferences(self, user_id: str) -> Preferences:
        raw = await self._redis.get(_prefs(user_id))
        return preferences_from(as_bytes(raw)) if raw else Preferences()

    async def set_preferences(self, user_id: str, preferences: Preferences) -> None:
        await self._redis.set(_prefs(user_id), preferences_json(preferences))

    async def email(self, user_id: str) -> EmailRecord | None:
        raw = await self._redis.hgetall(_email(user_id))
        if not raw:
            return None
        f = {as_bytes(a).decode(): as_bytes(b) for a, b in raw.items()}
        address = self._vault.open(f["address"], f"email:{user_id}").decode()
        sent, confirmed = f.get("sent_ms", b""), f.get("confirmed_ms", b"")
        return EmailRecord(
            address=address,
            confirmed=bool(confirmed),
            sent_at=from_ms(sent) if sent else None,
            confirmed_at=from_ms(confirmed) if confirmed else None,
        )

    async def set_email(self, user_id: str, address: str, token: str, at: datetime) -> None:
        digest = self._vault.mac(f"email-token:{token}")
        old = await self._redis.hget(_email(user_id), "token")
        async with self._redis.pipeline(transaction=True) as pipe:
            if old:
                pipe.delete(_token(as_bytes(old).decode()))  # a new address voids the old link
            pipe.delete(_email(user_id))
            pipe.hset(
                _email(user_id),
                mapping={
                    "address": self._vault.seal(address.encode(), f"email:{user_id}"),
                    "sent_ms": ms(at),
                    "token": digest,
                },
            )
            pipe.set(_token(digest), user_id, ex=TOKEN_SECONDS)
            await pipe.execute()

    async def remove_email(self, user_id: str) -> None:
        old = await self._redis.hget(_email(user_id), "token")
        if old:
            await self._redis.delete(_token(as_bytes(old).decode()))
        await self._redis.delete(_email(user_id))

    async def confirm_email(self, token: str, at: datetime) -> tuple[str, str] | None:
        digest = self._vault.mac(f"email-token:{token}")
        user = await self._redis.get(_token(digest))
        if not user:
            return None
        user_id = as_bytes(user).decode()
        if as_bytes(await self._redis.hget(_email(user_id), "token") or b"").decode() != digest:
            return None
        await self._redis.hsetnx(_email(user_id), "confirmed_ms", ms(at))
        record = await self.email(user_id)
        return (user_id, record.address) if record else None

    async def count_confirmation_mail(self, user_id: str) -> int:
        key = keys("email-rate", user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=3600, nx=True)  # the hour starts with the first mail
            pipe.incr(key)
            _, count = await pipe.execute()
        return int(count)

    async def devices(self, user_id: str) -> list[Device]:
        raw = await self._redis.hgetall(_devices(user_id))
        found = [
            device_from(self._vault.open(as_bytes(v), f"device:{user_id}:{as_bytes(d).decode()}"))
            for d, v in raw.items()
        ]
        return sorted(found, key=lambda d: d.created_at)

    async def device(self, user_id: str, device_id: str) -> Device | None:
        raw = await self._redis.hget(_devices(user_id), device_id)
        if not raw:
            return None
        return device_from(self._vault.open(as_bytes(raw), f"device:{user_id}:{device_id}"))

    async def put_device(self, user_id: str, device: Device) -> Device:
        digest = self._vault.mac(f"endpoint:{device.endpoint}")
        existing = await self._redis.hget(_endpoints(user_id), digest)
        if existing:
            old = await self.device(user_id, as_bytes(existing).decode())
            if old is not None:
                device = Device(
                    old.device_id,
                    device.endpoint,
                    device.p256dh,
                    device.auth,
                    device.label or old.label,
                    old.created_at,
                    old.last_success_at,
                )
        sealed = self._vault.seal(device_json(device), f"device:{user_id}:{device.device_id}")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(_devices(user_id), device.device_id, sealed)
            pipe.hset(_endpoints(user_id), digest, device.device_id)
            await pipe.execute()
        return device

    async def remove_device(self, user_id: str, device_id: str = "", endpoint: str = "") -> bool:
        if endpoint and not device_id:
            found = await self._redis.hget(_endpoints(user_id), self._vault.mac(f"endpoint:{endpoint}"))
            if not found:
                return False
            device_id = as_bytes(found).decode()
        device = await self.device(user_id, device_id)
        if device is None:
            return False
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(_devices(user_id), device_id)
            pipe.hdel(_endpoints(user_id), self._vault.mac(f"endpoint:{device.endpoint}"))
            await pipe.execute()
        return True

    async def device_succeeded(self, user_id: str, device_id: str, at: datetime) -> None:
        device = await self.device(user_id, device_id)
        if device is None:
            return
        updated = Device(
            device.device_id, device.endpoint, device.p256dh, device.auth, device.label, device.created_at, at
        )
        sealed = self._vault.seal(device_json(updated), f"device:{user_id}:{device_id}")
        await self._redis.hset(_devices(user_id), device_id, sealed)

    async def webhook(self, agency_id: str) -> Webhook | None:
        raw = await self._redis.get(_webhook(agency_id))
        if not raw:
            return None
        d = json.loads(self._vault.open(as_bytes(raw), f"webhook:{agency_id}"))
        return Webhook(agency_id, d["url"], d["secret"], from_ms(d["updated_ms"]))

    async def set_webhook(self, hook: Webhook | None, agency_id: str) -> None:
        if hook is None:
            await self._redis.delete(_webhook(agency_id))
            return
        plain = json.dumps({"url": hook.url, "secret": hook.secret, "updated_ms": ms(hook.updated_at)})
        await self._redis.set(_webhook(agency_id), self._vault.seal(plain.encode(), f"webhook:{agency_id}"))

    async def forget_user(self, user_id: str) -> None:
        await self.remove_email(user_id)
        await self._redis.delete(_prefs(user_id), _devices(user_id), _endpoints(user_id))
        await self._deliveries.forget(user_id)
