"""Pages that change while they are open, in real browsers against the real system (the
notifications service included): a therapist's Upcoming page shows a new booking and then an
urgent request offered without a reload (banner, sound and system notification), also after
the gateway restarted under it; accepting it pins the urgent session on top; the officer's Appointments
page says when the reminder went by e-mail, and shows the therapist's cancellation."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .reach import (
    allow_notifications,
    confirm_email,
    mail_to,
    publish_reminder_due,
    service_worker_registration,
    shown_notifications,
)
from .test_officer_journey import WEEKDAYS, book_time, enter_pitman_rotation
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e
CLINICAL_WORDS = re.compile(r"therap|counsel|clinic|crisis|rivera", re.IGNORECASE)


async def no_shot(page: Page, name: str, full_page: bool = True) -> None:
    """Screenshots are not what these tests are about."""


async def offer_everything_all_week(page: Page) -> None:
    """Seven 24-hour windows that offer one-to-one and urgent sessions."""
    await page.get_by_role("link", name="Hours", exact=True).click()
    await expect(page.get_by_role("heading", name="Weekly hours")).to_be_visible()
    for i, day in enumerate(WEEKDAYS):
        await page.get_by_role("button", name="Add a window").click()
        row = page.locator(".window").nth(i)
        await row.get_by_label("Day", exact=True).select_option(label=day)
        await row.get_by_label("From", exact=True).fill("00:00")
        await row.get_by_label("To", exact=True).fill("00:00")
        await row.get_by_label("Urgent", exact=True).check()
    await page.get_by_role("button", name="Save hours").click()
    await expect(page.locator("#status")).to_contain_text("Hours saved.")


async def show_slots(page: Page) -> None:
    await page.get_by_role("link", name="Find a time", exact=True).click()
    await page.get_by_label("Within").select_option("1")
    show = page.get_by_role("button", name="Show times")
    async with asyncio.timeout(30):  # the provider's new hours reach scheduling as events
        while True:
            await show.click()
            await expect(show).to_be_enabled()
            if await page.locator("li.slot").count():
                break
            await asyncio.sleep(0.5)


async def seconds_until(started: float, condition: Any) -> float:
    """How long after `started` the page met `condition` (a Playwright expectation)."""
    await condition
    return time.monotonic() - started


async def mark_document(page: Page) -> None:
    """A mark that a reload or navigation would wipe: proves an update came without one."""
    await page.evaluate("() => { window.tenfourTestMark = 'still here'; }")


async def same_document(page: Page) -> bool:
    return bool(await page.evaluate("() => window.tenfourTestMark === 'still here'"))


async def test_open_pages_update_live(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"rivera{secrets.token_hex(3)}@example.org"
    # A crisis on-call therapist: only those are offered "Talk to someone now" requests.
    system.onboard_therapist(
        email, THERAPIST_PASSWORD, serves=(agency,), modalities=("individual", "crisis_on_call")
    )
    therapist_context, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    cdp = await allow_notifications(therapist_context, therapist, system.url)
    _, officer = await new_page(browser, problems, "officer", PHONE)

    await sign_in_therapist(therapist, system.url, email)
    await service_worker_registration(cdp, system.url)
    await offer_everything_all_week(therapist)
    await therapist.get_by_role("link", name="Upcoming", exact=True).click()
    await expect(therapist.get_by_text("No sessions booked.")).to_be_visible()
    await mark_document(therapist)

    # An officer books: the therapist's open page shows it, marked new.
    officer_session = await enrol_officer(officer, system.url, code)
    await enter_pitman_rotation(officer, no_shot)
    await show_slots(officer)
    # A one-to-one as late as offered, so the therapist stays free for an urgent session now.
    slot = officer.locator(".day-panel details[open] li.slot").last
    new_item = therapist.locator("li.appointment.fresh")
    started = time.monotonic()
    waited = asyncio.ensure_future(seconds_until(started, expect(new_item).to_be_visible(timeout=15000)))
    await book_time(officer, slot)
    print(f"booking shown on the therapist's open page {await waited:.2f} s after the officer's click")
    booked_id = await new_item.get_attribute("data-appointment-id") or ""
    await expect(new_item.locator(".badge.new")).to_have_text("New")
    assert await same_document(therapist)

    # A reminder that scheduling says is due reaches the officer's confirmed address, and the
    # officer's appointment says so.
    address = f"sam{secrets.token_hex(3)}@example.org"
    await confirm_email(officer, system, address)
    await publish_reminder_due(system.nats.url, booked_id, officer_session["user_id"])
    reminder = await mail_to(system, address, subject_word="reminder")
    assert not CLINICAL_WORDS.search(str(reminder["Subject"])), reminder["Subject"]
    await officer.get_by_role("link", name="Appointments", exact=True).click()
    mine = officer.locator(f'li.appointment[data-appointment-id="{booked_id}"]')
    sent_line = mine.locator(".delivery", has_text=re.compile(r"Reminder sent by e-mail at \d"))
    async with asyncio.timeout(15):  # the log entry is written once the SMTP server accepted the mail
        while not await sent_line.count():
            await asyncio.sleep(0.5)
            await officer.reload()
            await expect(mine).to_be_visible()
    await shot(officer, "officer-reminder-sent")

    # The gateway restarts under the open page: it says so, reconnects by itself, and keeps updating.
    system.gateway.stop()
    live_state = therapist.locator("#live-state")
    await expect(live_state).to_have_text("Live updates paused. Reconnecting…")
    system.gateway.start()
    system.gateway.wait_ready()
    await expect(live_state).to_be_empty(timeout=20000)

    # "Talk to someone now": the on-call therapist's open page gets the offer on top, with a
    # banner, a sound and a system notification; accepting opens the session's room.
    await officer.get_by_role("link", name="Talk now", exact=True).click()
    banner = therapist.locator(".alert.urgent")
    started = time.monotonic()
    waited = asyncio.ensure_future(seconds_until(started, expect(banner).to_be_visible(timeout=15000)))
    await officer.get_by_role("button", name="Find someone now").click()
    print(f"urgent offer shown {await waited:.2f} s after the officer's click")
    assert await same_document(therapist)
    await expect(officer.locator(".urgent-status")).to_contain_text("1 person was alerted.")
    assert await banner.get_attribute("data-kind") == "urgent_offered"
    assert await banner.get_attribute("data-sound") == "played"
    assert await banner.get_attribute("data-notified") == "yes"
    shown = await shown_notifications(therapist)
    for n in shown:  # a lock screen shows these: neutral words only
        assert not CLINICAL_WORDS.search(f"{n['title']} {n['body']}"), n
    assert not CLINICAL_WORDS.search(await banner.inner_text())
    await shot(therapist, "therapist-urgent-alert")
    await banner.get_by_role("button", name="Accept").click()
    await expect(therapist).to_have_url(re.compile(r"#/call/[^/]+$"))
    await expect(banner).to_be_hidden()
    await expect(officer.locator(".urgent-status")).to_contain_text(
        re.compile(r"Dr. Rivera (accepted and is opening the room|is in the room, waiting for you)")
    )
    await therapist.get_by_role("link", name="Upcoming", exact=True).click()
    await expect(therapist.locator("li.appointment").first).to_have_attribute("data-urgent", "yes")
    await expect(therapist.locator("li.appointment.pinned")).to_have_count(1)

    # The therapist cancels the one-to-one: the officer's open Appointments page shows it.
    await officer.get_by_role("link", name="Appointments", exact=True).click()
    await expect(mine).to_have_attribute("data-status", "APPOINTMENT_STATUS_BOOKED")
    await mark_document(officer)
    await therapist.goto(f"{system.url}/#/appointments")
    theirs = therapist.locator(f'li.appointment[data-appointment-id="{booked_id}"]')
    therapist.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await theirs.get_by_role("button", name="Cancel").click()
    await expect(theirs).to_have_attribute("data-status", "APPOINTMENT_STATUS_CANCELLED")
    await expect(mine).to_have_attribute("data-status", "APPOINTMENT_STATUS_CANCELLED")
    await expect(mine.locator(".badge")).to_have_text("Cancelled")
    assert await same_document(officer)
    assert problems.items == []
