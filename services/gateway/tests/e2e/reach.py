"""Helpers for the notification tests: permissions, the service worker, its notifications, the
SMTP sink's mails, an e-mail address confirmed through the page, scheduling's reminder event."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import mailbox
import re
from email.message import EmailMessage
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page, expect

from tenfour_testing.system import System


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
    async with asyncio.timeout(20):  # a loaded machine starts the service worker slowly
        while True:
            shown: list[dict[str, Any]] = await page.evaluate(script)
            if len(shown) >= expected:
                return shown
            await asyncio.sleep(0.1)


async def mail_to(system: System, address: str, subject_word: str = "") -> EmailMessage:
    """The mail the SMTP sink received for `address` (waits for it)."""
    async with asyncio.timeout(20):
        while True:
            box = mailbox.Maildir(system.smtp.maildir, create=False)
            keys = list(box.iterkeys()) if (system.smtp.maildir / "new").is_dir() else []
            for key in keys:
                message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                if address in str(message["To"]) and subject_word.lower() in str(message["Subject"]).lower():
                    return message
            await asyncio.sleep(0.2)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def confirm_email(page: Page, system: System, address: str) -> None:
    """The Notifications page's e-mail form, then the link from the mail, as a person does it."""
    await page.get_by_role("link", name="Notifications", exact=True).click()
    await page.get_by_label("E-mail address", exact=True).fill(address)
    await page.get_by_role("button", name="Send confirmation link").click()
    await expect(page.get_by_text(f"We sent a link to {address}")).to_be_visible()
    found = re.search(
        r"https?://\S+/notifications/confirm-email\?token=[\w.~%-]+", text_of(await mail_to(system, address))
    )
    assert found
    await page.goto(found.group(0))
    await page.get_by_role("button", name="Confirm this address").click()
    await expect(page.get_by_text("is confirmed")).to_be_visible()


async def publish_reminder_due(nats_url: str, appointment_id: str, officer_id: str) -> None:
    """The event scheduling publishes when a reminder it timed around duty and sleep is due."""
    from tenfour.events.v1.scheduling_events_pb2 import ReminderDue
    from tenfour_shared.events.bus import connect
    from tenfour_shared.events.bus import publish as publish_event
    from tenfour_shared.events.envelope import build

    event = ReminderDue(appointment_id=appointment_id, user_id=officer_id)
    event.deliver_at.GetCurrentTime()
    env = build(event, subject=appointment_id)
    nc, js = await connect(nats_url, "gateway-tests")
    try:
        await publish_event(js, env)
    finally:
        await nc.drain()
