"""A coordinator schedules a training from the web app at the time most invitees can attend
(shown as "N of M can attend"), a bad seat count is refused in plain words, and an invited
officer sees their seat on their Trainings page."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_group_offering import hours_with_groups
from .test_schedule_clashes import call, local_date
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


async def test_coordinator_schedules_a_training_where_everyone_can_attend(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    therapist_email = f"trainer{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(
        therapist_email, THERAPIST_PASSWORD, serves=(agency,), modalities=("individual", "group")
    )
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, therapist_email)
    await hours_with_groups(therapist)
    officers = []
    for name in ("first", "second"):
        _, officer = await new_page(browser, problems, f"officer-{name}", PHONE)
        await enrol_officer(officer, system.url, system.enrolment_code(agency))
        roster = {
            "template": "pitman",
            "cycle": "D------",
            "anchor": local_date(date.today()),
            "timezone": "America/Chicago",
        }
        await call(officer, "scheduling", "SetRoster", {"roster": roster})  # free the next six days
        officers.append(officer)

    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
    _, page = await new_page(browser, problems, "coordinator", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP((secret or "").strip()).now())
    await page.get_by_role("button", name="Finish and sign in").click()
    await page.get_by_role("link", name="Training sessions", exact=True).click()
    await expect(page).to_have_title("Training sessions · Tenfour")

    await page.get_by_label("Course code").fill("resilience_workshop")
    await page.get_by_label("Name").fill("Resilience workshop")
    await page.get_by_label("Given by").select_option(label="Dr. Rivera")
    await page.get_by_label("Invite everyone enrolled", exact=False).check()
    best = page.locator("li.training-time").first
    async with asyncio.timeout(45):  # enrolments and the new hours reach scheduling as events
        while True:
            await page.get_by_role("button", name="Find the best times").click()
            await expect(
                page.locator(".training-times li, .training-times .notice, .form-summary").first
            ).to_be_visible()
            if await best.count() and "2 of 2 can attend" in (await best.inner_text()):
                break
            await asyncio.sleep(0.5)
    await shot(page, "coordinator-training-times")

    await page.get_by_label("Seats (2-8)").fill("1")
    await best.get_by_role("button", name="Schedule at this time").click()
    await expect(best.get_by_text("2 to 8 seats")).to_be_visible()  # refused, nothing scheduled
    await expect(page.get_by_text("No training scheduled yet.")).to_be_visible()
    await page.get_by_label("Seats (2-8)").fill("4")
    await best.get_by_role("button", name="Schedule at this time").click()
    await expect(best.get_by_text("Scheduled: 2 of 2 invited have a seat.")).to_be_visible()
    await expect(page.locator(".training-session").first).to_contain_text("Resilience workshop")
    await shot(page, "coordinator-training-scheduled")

    officer = officers[0]
    await officer.get_by_role("link", name="Trainings", exact=True).click()
    await expect(officer.locator(".training-session").first).to_contain_text("Resilience workshop")
    await expect(officer.get_by_text("You have a seat.", exact=False)).to_be_visible()
    await shot(officer, "officer-training-seat")
    assert problems.items == []
