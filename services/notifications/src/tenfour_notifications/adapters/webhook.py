"""Signed webhooks to an agency's own paging or dispatch system (aiohttp)."""

from __future__ import annotations

import time

import aiohttp

from tenfour_notifications.domain.retry import Attempt, Outcome
from tenfour_notifications.domain.signature import HEADER_DELIVERY, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign

__all__ = ["WebhookSender"]


class WebhookSender:
    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, url: str, secret: str, body: bytes, delivery_id: str) -> Attempt:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Tenfour-Webhook/1",
            HEADER_TIMESTAMP: str(stamp),
            HEADER_SIGNATURE: sign(secret, stamp, body),
            HEADER_DELIVERY: delivery_id,
        }
        try:
            async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, OSError, TimeoutError):
            return Attempt(Outcome.TRANSIENT, "unreachable")
        if 200 <= status < 300:
            return Attempt(Outcome.DELIVERED)
        if status in (408, 429) or status >= 500:
            return Attempt(
                Outcome.TRANSIENT, "unreachable", float(retry_after) if retry_after.isdigit() else None
            )
        return Attempt(Outcome.PERMANENT, "rejected")
