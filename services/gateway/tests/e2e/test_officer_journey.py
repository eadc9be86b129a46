"""The whole journey in real browsers against the real system: an officer enrols with a code,
enters a Pitman rotation, finds and books a slot; the therapist (who set weekly hours in the
editor) admits them; both see each other's video; the officer leaves and the appointment is
fulfilled."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from datetime import date
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tenfour_testing.system import ADMIN_PASSWORD, ADMIN_USERNAME, THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_video_session import enrol_officer, sign_in_therapist, wait_frames

pytestmark = pytest.mark.e2e
GROUP = "xpath=ancestor::div[contains(@class, 'provider-group')][1]"  # a time's provider on Find a time
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


async def set_round_the_clock_hours(page: Page, shot: Any) -> None:
    """Seven 24-hour windows (00:00 to 00:00), entered in the weekly hours editor."""
    await page.get_by_role("link", name="Hours", exact=True).click()
    await expect(page.get_by_role("heading", name="Weekly hours")).to_be_visible()
    await expect(page).to_have_title("Weekly hours · Tenfour")
    for i, day in enumerate(WEEKDAYS):
        await page.get_by_role("button", name="Add a window").click()
        row = page.locator(".window").nth(i)
        await row.get_by_label("Day", exact=True).select_option(label=day)
        await row.get_by_label("From", exact=True).fill("00:00")
        await row.get_by_label("To", exact=True).fill("00:00")
        await expect(row.locator(".overnight")).to_have_text("Runs overnight: ends the next day.")
    await shot(page, "therapist-weekly-hours")
    await page.get_by_role("button", name="Save hours").click()
    await expect(page.locator("#status")).to_contain_text("Hours saved.")


async def enter_pitman_rotation(page: Page, shot: Any) -> None:
    """Pitman 2-2-3 with today at position 2 (an off day), so the next day is free of shifts."""
    await expect(page.get_by_role("heading", name="My shifts")).to_be_visible()
    rotation = page.get_by_label("Rotation", exact=True)
    await expect(rotation.locator("option").first).to_be_attached()  # templates from scheduling
    labels = await rotation.locator("option").all_text_contents()
    pitman = next(label for label in labels if "pitman" in label.lower())
    await rotation.select_option(label=pitman)
    await expect(page.get_by_label("Pattern", exact=True)).to_have_value("DD--DDD--DD---")
    await page.get_by_label("A date when you were at the start of the pattern").fill(date.today().isoformat())
    await page.get_by_label("Days into the pattern on that date").fill("2")
    await expect(page.locator(".cal .shift").first).to_be_visible()  # the preview, before saving
    await shot(page, "officer-rotation-preview")
    await page.get_by_role("button", name="Save my rotation").click()
    await expect(page.locator("#status")).to_contain_text("Your rotation is saved.")
    await expect(page.locator("table.protected tbody tr").first).to_be_visible()
    await shot(page, "officer-rotation-saved")


async def book_first_slot(page: Page, shot: Any) -> None:
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
    await shot(page, "officer-find-a-time")
    await book_time(page, page.locator("li.slot").first)


async def book_time(page: Page, time: Locator, button: str = "Book this time") -> None:
    """Choose a time on Find a time (a button per time), then book it from the panel below."""
    await time.get_by_role("button").click()
    chosen = time.locator(GROUP).locator(".chosen")
    await chosen.get_by_role("button", name=button).click()
    await expect(chosen.get_by_text("Booked:")).to_be_visible()


async def appointment_status(page: Page) -> str:
    await page.reload()
    item = page.locator("li.appointment").first
    await expect(item).to_be_visible()
    return await item.get_attribute("data-status") or ""


async def test_enrol_rotate_book_admit_video_fulfilled(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    started = time.time()
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    _, officer = await new_page(browser, problems, "officer", PHONE)

    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, shot)

    await enrol_officer(officer, system.url, code)
    await enter_pitman_rotation(officer, shot)
    await book_first_slot(officer, shot)

    await officer.get_by_role("link", name="Appointments", exact=True).click()
    item = officer.locator("li.appointment").first
    await expect(item).to_have_attribute("data-status", "APPOINTMENT_STATUS_BOOKED")
    await shot(officer, "officer-appointments")
    appointment_id = await item.get_attribute("data-appointment-id")
    await item.get_by_role("link", name="Join").click()
    await expect(officer.locator(".videos .overlay")).to_contain_text("let you in", timeout=15000)

    await therapist.get_by_role("link", name="Upcoming", exact=True).click()
    session = therapist.locator(f'li.appointment[data-appointment-id="{appointment_id}"]')
    # The display name the officer chose at sign-up, which sign-up promises only their provider sees.
    await expect(session).to_contain_text("One to one with Sam")
    await shot(therapist, "therapist-upcoming")
    await session.get_by_role("link", name="Open the session").click()
    await expect(therapist.locator(".waiting-list")).to_contain_text("Sam is waiting.")
    await expect(therapist.locator(".videos .overlay")).to_contain_text("Sam is in the waiting room.")
    await shot(therapist, "therapist-waiting-room")
    await therapist.get_by_role("button", name="Let in").click()
    await wait_frames(officer)
    await wait_frames(therapist)

    await officer.get_by_role("button", name="Leave").click()
    await expect(therapist.locator(".videos .overlay")).to_have_text("The other person left.")
    therapist.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await therapist.get_by_role("button", name="End for everyone").click()

    await officer.goto(f"{system.url}/#/appointments")
    async with asyncio.timeout(20):  # signaling's session_ended event reaches scheduling
        while (status := await appointment_status(officer)) != "APPOINTMENT_STATUS_FULFILLED":
            assert status in ("APPOINTMENT_STATUS_BOOKED", "APPOINTMENT_STATUS_ARRIVED"), status
            await asyncio.sleep(0.5)
    await expect(officer.locator("li.appointment .badge").first).to_have_text("Done")

    # Anonymous feedback on the fulfilled session (outcomes learns of it from scheduling's events).
    async with asyncio.timeout(20):
        while True:
            await officer.get_by_role("button", name="Give anonymous feedback").click()
            form = officer.locator("form.feedback")
            await expect(form.or_(officer.locator("li.appointment .notice"))).to_be_visible()
            if await form.count():
                break
            await asyncio.sleep(0.5)
    await form.get_by_label("How was the session? (1 poor, 5 excellent)").select_option("5")
    await form.get_by_label("Your stress before (0 none, 10 extreme)").select_option("7")
    await form.get_by_label("Your stress after (0 none, 10 extreme)").select_option("4")
    await shot(officer, "officer-anonymous-feedback")
    await form.get_by_role("button", name="Send anonymously").click()
    await expect(officer.get_by_text("Your answers were saved without your name.")).to_be_visible()
    assert re.fullmatch(r"Appointments · Tenfour", await officer.title())
    await system_admin_sees_the_access_trail(system, browser, problems, shot, appointment_id or "", started)
    assert problems.items == []


async def system_admin_sees_the_access_trail(
    system: System, browser: Browser, problems: PageProblems, shot: Any, appointment_id: str, started: float
) -> None:
    """Who viewed, joined and admitted: in the system admin's access audit page, under pseudonyms."""
    assert system.admin.totp is not None
    # The admin's last code (set-up, before this test) may not be replayed: wait out its 30 s step.
    await asyncio.sleep(max(0.0, started + 31 - time.time()))
    _, admin = await new_page(browser, problems, "system-admin", LAPTOP)
    await admin.goto(f"{system.url}/#/signin")
    await admin.get_by_label("Username or e-mail").fill(ADMIN_USERNAME)
    await admin.get_by_label("Password").fill(ADMIN_PASSWORD)
    await admin.get_by_role("button", name="Sign in").click()
    await admin.get_by_label("Code from your authenticator app").fill(system.admin.totp.now())
    await admin.get_by_role("button", name="Sign in").click()
    await admin.get_by_role("link", name="Audit", exact=True).click()
    await expect(admin).to_have_title("Access audit · Tenfour")
    await admin.get_by_label("Appointment id (optional)").fill(appointment_id)
    await admin.get_by_role("button", name="Show").click()
    rows = admin.locator("table.audit tbody tr")
    await expect(rows.filter(has_text="Joined").filter(has_text="Officer")).not_to_have_count(0)
    await expect(rows.filter(has_text="Admitted someone").filter(has_text="Therapist")).not_to_have_count(0)
    await expect(rows.filter(has_text="Viewed")).not_to_have_count(0)
    text = await admin.locator("table.audit").inner_text()
    assert appointment_id not in text  # pseudonyms only (the appointment id embeds the officer's)
    await admin.get_by_role("button", name="Check the trail").click()
    await expect(admin.locator(".chain-result")).to_contain_text("Intact")
    await shot(admin, "system-admin-access-audit")
