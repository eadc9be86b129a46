"""Web Push (RFC 8030) with payload encryption (RFC 8291, aes128gcm) and VAPID (RFC 8292),
through pywebpush over one shared aiohttp session."""

from __future__ import annotations

import base64

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPusher

from tenfour_notifications.domain.records import Device
from tenfour_notifications.domain.retry import Attempt, Outcome
from tenfour_notifications.domain.validation import origin

__all__ = ["PushSender", "generate_vapid_private_key", "vapid_public_key"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate_vapid_private_key() -> str:
    """base64url of a fresh raw P-256 private scalar (what TENFOUR_NOTIFICATIONS_VAPID_PRIVATE_KEY holds)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64(key.private_numbers().private_value.to_bytes(32, "big"))


def _private(raw_b64: str) -> ec.EllipticCurvePrivateKey:
    raw = base64.urlsafe_b64decode(raw_b64 + "=" * (-len(raw_b64) % 4))
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def vapid_public_key(raw_b64: str) -> str:
    """The applicationServerKey for PushManager.subscribe(): uncompressed point, base64url."""
    point = (
        _private(raw_b64)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return _b64(point)


class PushSender:
    def __init__(self, vapid_private_key: str, subject: str, timeout: float = 10.0) -> None:
        self._vapid = Vapid02.from_raw(vapid_private_key.encode())
        self._subject = subject
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, device: Device, payload: bytes, ttl: int, urgency: str, topic: str) -> Attempt:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        info = {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
        claims = {"sub": self._subject, "aud": origin(device.endpoint)}
        headers = self._vapid.sign(claims)
        headers.update({"Urgency": urgency, "Topic": topic})
        try:
            pusher = WebPusher(info, aiohttp_session=self._session)
            response = await pusher.send_async(
                data=payload,
                headers=headers,
                ttl=ttl,
                content_encoding="aes128gcm",
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            )
        except (aiohttp.ClientError, OSError, TimeoutError):
            return Attempt(Outcome.TRANSIENT, "unreachable")
        if isinstance(response, str):  # only for curl mode, never used here
            return Attempt(Outcome.PERMANENT, "rejected")
        status = response.status
        if status in (200, 201, 202):
            return Attempt(Outcome.DELIVERED)
        if status in (404, 410):
            return Attempt(Outcome.GONE, "subscription_gone")
        if status == 429 or status >= 500:
            retry_after = response.headers.get("Retry-After", "")
            asked = float(retry_after) if retry_after.isdigit() else None
            return Attempt(Outcome.TRANSIENT, "unreachable", asked)
        return Attempt(Outcome.PERMANENT, "rejected")
