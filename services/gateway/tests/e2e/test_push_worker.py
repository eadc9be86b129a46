"""The service worker in real Chromium: a Web Push message delivered through the DevTools
protocol (as the browser's push service would) shows a neutral notification; a payload that is
missing or unreadable still shows the neutral default, never raw data."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import System

from .conftest import PHONE, PageProblems, new_page
from .reach import allow_notifications, deliver_push, service_worker_registration, shown_notifications
from .test_video_session import enrol_officer

pytestmark = pytest.mark.e2e


async def test_push_message_shows_a_neutral_notification(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    code = system.enrolment_code(system.create_agency())
    context, page = await new_page(browser, problems, "officer", PHONE)
    cdp = await allow_notifications(context, page, system.url)
    await enrol_officer(page, system.url, code)
    registration = await service_worker_registration(cdp, system.url)
    # Registered is not yet active: a push delivered before activation is dropped by Chromium.
    await page.evaluate("async () => { await navigator.serviceWorker.ready; }")

    await deliver_push(
        cdp,
        system.url,
        registration,
        {
            "title": "Tenfour: reminder",
            "body": "You have an appointment at 09:00.",
            "url": "/appointments/a1",
            "tag": "r1",
        },
    )
    [shown] = await shown_notifications(page)
    assert shown == {
        "title": "Tenfour: reminder",
        "body": "You have an appointment at 09:00.",
        "tag": "r1",
        "url": "/appointments/a1",
    }

    # Not JSON (or an empty push): the neutral default, and a link that stays on this site.
    await deliver_push(cdp, system.url, registration, "<b>raw</b>")
    await shown_notifications(page, expected=2)  # one push at a time: each shown before the next
    await deliver_push(
        cdp, system.url, registration, {"title": "x", "url": "https://evil.example/phish", "tag": "other"}
    )
    shown_all = await shown_notifications(page, expected=3)
    by_tag = {n["tag"]: n for n in shown_all}
    assert by_tag["tenfour"]["title"] == "Tenfour"
    assert by_tag["tenfour"]["body"] == "You have a new update. Open Tenfour to see it."
    assert by_tag["other"]["url"] == "/"  # another site: the app's start page instead
    await expect(page.locator("main h1")).to_be_visible()
    assert problems.items == []
