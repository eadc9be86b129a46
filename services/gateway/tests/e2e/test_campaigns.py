"""Wellness check-in campaigns in real browsers: the coordinator's bad launch is refused next to
the field, a launch with attendance confirmation lists the campaign without saying who, and an
invited officer's Check-in page tells them before booking what their agency will learn."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.polling import poll_async
from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_calendar_subscription import until_slots
from .test_schedule_clashes import call, local_date
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


async def test_coordinator_launches_a_campaign_and_the_officer_is_told_before_booking(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
    therapist_email = f"camp{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(therapist_email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, therapist_email)
    await call(therapist, "availability", "UseDefaultRules", {"provider_id": therapist_id})
    _, officer = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(officer, system.url, system.enrolment_code(agency))
    roster = {
        "template": "pitman",
        "cycle": "D------",
        "anchor": local_date(date.today()),
        "timezone": "America/Chicago",
    }
    await call(officer, "scheduling", "SetRoster", {"roster": roster})
    await until_slots(officer, therapist_id, bool)

    _, page = await new_page(browser, problems, "coordinator", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP((secret or "").strip()).now())
    await page.get_by_role("button", name="Finish and sign in").click()
    # Signed in once the coordinator's menu shows (the session cookie is set by then).
    await expect(page.get_by_role("link", name="Check-ins", exact=True)).to_be_visible(timeout=30_000)
    await page.get_by_role("link", name="Check-ins", exact=True).click()
    await expect(page).to_have_title("Check-in campaigns · Tenfour")

    now = datetime.now(UTC)
    await page.get_by_label("First month").fill(f"{now.year:04d}-{now.month:02d}")
    how_many = page.get_by_label("How many months (1-12)")
    await how_many.fill("13")
    await page.get_by_role("button", name="Launch campaign").click()
    await expect(how_many).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("How many months (1-12) must be 1 to 12 months.")).to_be_visible()
    await expect(page.get_by_text("No campaign yet.")).to_be_visible()  # nothing stored

    await how_many.fill("2")
    await page.get_by_label("Attendance confirmation", exact=False).check()
    await page.get_by_role("button", name="Launch campaign").click()
    await expect(page.locator("#status")).to_contain_text("Campaign launched")

    # Invited whether scheduling learnt of the enrolment before or after the launch: the marker
    # is the officer's own list naming the campaign (fails here, in words, if it never does).
    mine = await poll_async(
        lambda: call(officer, "scheduling", "ListCampaigns", {}), lambda r: r.get("campaigns"), within=60
    )
    assert mine.get("campaigns"), mine
    await page.reload()
    card = page.locator(".campaign").first
    await expect(card).to_contain_text("Fewer than 11 officers invited")
    await expect(card).to_contain_text("Figures appear on")  # its months are not published yet
    await expect(card).to_contain_text("Attendance confirmation")

    await officer.goto(f"{system.url}/#/checkin")
    await expect(officer.get_by_text("Your agency will learn whether you attended")).to_be_visible()
    await officer.get_by_role("button", name="Find times").click()
    book = officer.get_by_role("button", name="Book this check-in").first
    await expect(book).to_be_visible(timeout=30_000)  # the times come from a slot search
    await book.click()  # not acknowledged: refused in plain words, nothing booked
    await expect(officer.locator(".campaign").get_by_text("confirm that you understand")).to_be_visible()
    await officer.get_by_label("I understand: my agency learns only whether I attended").check()
    await book.click()
    await expect(officer.locator(".campaign").get_by_text("Booked:")).to_be_visible()
    await shot(officer, "officer-check-in")
    await officer.reload()
    await expect(officer.get_by_text("You booked your check-in.")).to_be_visible()

    await card.get_by_role("button", name="Show attendance").click()
    await expect(card.locator("table.attendance tbody tr")).to_have_count(1)
    await expect(card.locator("table.attendance tbody")).to_contain_text("No")  # not held yet
    await shot(page, "coordinator-campaigns")
    assert problems.items == []
