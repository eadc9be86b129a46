"""Browser helpers for the notification tests: permissions, the service worker, its notifications."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page


async def allow_notifications(context: BrowserContext, page: Page, origin: str) -> CDPSession:
    """What a person's "Allow" click does: the notifications permission for this site."""
    cdp = await context.new_cdp_session(page)
    info = await cdp.send("Target.getTargetInfo")
    await cdp.send(
        "Browser.grantPermissions",
        {
            "permissions": ["notifications"],
            "origin": origin,
            "browserContextId": info["targetInfo"]["browserContextId"],
        },
    )
    return cdp


async def service_worker_registration(cdp: CDPSession, origin: str) -> str:
    """The registration id of the site's service worker (the app registers it once signed in)."""
    found: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: [found.put_nowait(r) for r in event["registrations"]],
    )
    await cdp.send("ServiceWorker.enable")
    async with asyncio.timeout(15):
        while True:
            registration = await found.get()
            if registration["scopeURL"] == f"{origin}/" and not registration["isDeleted"]:
                return str(registration["registrationId"])


async def deliver_push(cdp: CDPSession, origin: str, registration_id: str, payload: Any) -> None:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": f"{origin}/", "registrationId": registration_id, "data": data},
    )


async def shown_notifications(page: Page, expected: int = 1) -> list[dict[str, Any]]:
    """What the service worker's registration shows (title, body, tag, url), once there are enough."""
    script = """async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({
            title: n.title, body: n.body, tag: n.tag, url: (n.data || {}).url || '' }));
    }"""
    async with asyncio.timeout(10):
        while True:
            shown: list[dict[str, Any]] = await page.evaluate(script)
            if len(shown) >= expected:
                return shown
            await asyncio.sleep(0.1)
