"""Clinicians' licences in a real browser against the real system: the coordinator sees a
clinician with no licence, is told in plain words next to the field when the expiry is before
the date of issue (nothing stored), records a licence that expires within 30 days and sees it
flagged. An officer sets where they live and their usual sleep on their Preferences page (a wrong code
or a sleep window over 14 h is refused next to the field, nothing stored)."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import ADMIN_PASSWORD, ADMIN_USERNAME, THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_schedule_clashes import call
from .test_video_session import enrol_officer

pytestmark = pytest.mark.e2e


async def _coordinator(page: Page, system: System, email: str) -> None:
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP((secret or "").strip()).now())
    await page.get_by_role("button", name="Finish and sign in").click()
    # Signed in only once the coordinator's menu shows: API calls before then have no session yet.
    await expect(page.get_by_role("link", name="Licences", exact=True)).to_be_visible()


async def test_coordinator_records_a_licence_and_sees_its_expiry(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
    clinician = system.onboard_therapist(
        f"dr{secrets.token_hex(3)}@example.org", THERAPIST_PASSWORD, (agency,)
    )

    _, page = await new_page(browser, problems, "coordinator", LAPTOP)
    await _coordinator(page, system, email)
    await page.get_by_role("link", name="Licences", exact=True).click()
    await expect(page).to_have_title("Licences · Tenfour")
    card = page.locator(f'.clinician-licences[data-clinician="{clinician}"]')
    for _ in range(100):  # the clinician reaches scheduling's read model by an event
        if await card.count():
            break
        await asyncio.sleep(0.2)
        await page.reload()
    await expect(card).to_contain_text("No licence recorded")

    today = datetime.now(UTC).date()
    await page.get_by_label("Clinician").select_option(clinician)
    await page.get_by_label("Jurisdiction").fill("US-TX")
    await page.get_by_label("Licence number").fill("LPC-40213")
    await page.get_by_label("Issued on").fill(today.isoformat())
    expires = page.get_by_label("Expires on")
    await expires.fill((today - timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="Record licence").click()
    await expect(expires).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("must be after the date of issue")).to_be_visible()
    await expect(card).to_contain_text("No licence recorded")  # nothing stored

    await page.get_by_label("Issued on").fill((today - timedelta(days=700)).isoformat())
    await expires.fill((today + timedelta(days=20)).isoformat())
    await page.get_by_role("button", name="Record licence").click()
    await expect(page.locator("#status")).to_contain_text("Licence recorded.")
    row = card.locator("tr.licence")
    await expect(row).to_contain_text("LPC-40213")
    await expect(row.locator(".licence-state")).to_have_text("Expires within 30 days")
    await shot(page, "coordinator-licences")

    listed = await call(page, "scheduling", "ListLicences", {})
    (mine,) = [c for c in listed["clinicians"] if c["clinician_id"] == clinician]
    assert [(s["licence"]["jurisdiction"], s["state"]) for s in mine["licences"]] == [
        ("US-TX", "LICENCE_STATE_EXPIRING")
    ]

    # Removed meanwhile in another tab: Remove here says so in one place, however often it is
    # clicked, and submitting a form clears it.
    other = problems.watch(await page.context.new_page(), "coordinator, second tab")
    await other.goto(f"{system.url}/#/licences")
    other_row = other.locator(f'.clinician-licences[data-clinician="{clinician}"] tr.licence')
    await other_row.get_by_role("button", name="Remove").click()
    await expect(other.locator("#status")).to_contain_text("Licence removed.")
    said = page.locator(".licence-said")
    remove = row.get_by_role("button", name="Remove")
    for _ in range(2):
        before = await said.locator(".notice").element_handles()
        await remove.click()
        for old in before:  # the earlier message gives way to the new one
            await old.wait_for_element_state("hidden")
        await expect(said.locator(".notice")).to_have_count(1)
    await expect(said).to_have_text("Remove: This licence is not there any more.")
    await expect(page.locator("main .notice.error")).to_have_count(1)
    await page.get_by_role("button", name="Record licence").click()
    await expect(page.get_by_label("Licence number")).to_have_attribute("aria-invalid", "true")
    await expect(said).to_have_text("")
    assert problems.items == []


async def test_officer_sets_where_they_live(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    _, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, system.enrolment_code(agency))
    await page.goto(f"{system.url}/#/preferences")
    await expect(page).to_have_title("My preferences · Tenfour")
    where = page.get_by_label("Your state or jurisdiction")
    await expect(where).to_have_value("")  # "Not set"
    assert (await call(page, "scheduling", "GetPreferences", {})).get("jurisdiction", "") == ""

    await where.select_option(label="Texas")
    await page.get_by_role("button", name="Save preferences").click()
    await expect(page.locator("#status")).to_contain_text("Preferences saved.")
    await expect(where).to_have_value("US-TX")
    await shot(page, "officer-preferences")
    await page.reload()
    await expect(page.get_by_label("Your state or jurisdiction")).to_have_value("US-TX")
    assert (await call(page, "scheduling", "GetPreferences", {}))["jurisdiction"] == "US-TX"

    # Their usual sleep: the agency's by default; their own, at most 14 h.
    await expect(
        page.get_by_text(re.compile(r"Your agency's default is 11:00\sPM to 07:00\sAM\."))
    ).to_be_visible()
    asleep, awake = page.get_by_label("I usually go to sleep at"), page.get_by_label("I usually wake up at")
    await expect(asleep).to_be_disabled()
    await page.get_by_label("I sleep at other times").check()
    await asleep.fill("20:00")
    await awake.fill("11:00")
    await page.get_by_role("button", name="Save preferences").click()
    await expect(awake).to_have_attribute("aria-invalid", "true")
    await expect(
        page.get_by_text("That makes 15 h 00 min of sleep, more than the 14 h allowed.")
    ).to_be_visible()
    assert "usual_sleep" not in await call(page, "scheduling", "GetPreferences", {})
    await awake.fill("05:30")
    await page.get_by_role("button", name="Save preferences").click()
    await expect(page.locator("#status")).to_contain_text("Preferences saved.")
    stored = await call(page, "scheduling", "GetPreferences", {})
    assert stored["usual_sleep"] == {"start": {"hour": 20, "minute": 0}, "end": {"hour": 5, "minute": 30}}
    assert stored["jurisdiction"] == "US-TX"  # the other preferences are kept
    await page.reload()
    await expect(page.get_by_label("I usually wake up at")).to_have_value("05:30")
    assert problems.items == []


async def test_officer_says_where_they_live_when_joining(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    agency = system.create_agency()
    _, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, system.enrolment_code(agency), lives_in="Nevada")
    stored: dict[str, Any] = {}
    async with asyncio.timeout(30):  # identity's enrolment event reaches scheduling
        while stored.get("jurisdiction") != "US-NV":
            stored = await call(page, "scheduling", "GetPreferences", {})
            if stored.get("jurisdiction") != "US-NV":
                await asyncio.sleep(0.2)
    await page.goto(f"{system.url}/#/preferences")
    await expect(page.get_by_label("Your state or jurisdiction")).to_have_value("US-NV")
    assert problems.items == []


async def test_system_admin_records_a_licence_for_any_agency(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    agency = system.create_agency()
    clinician = system.onboard_therapist(
        f"dr{secrets.token_hex(3)}@example.org", THERAPIST_PASSWORD, (agency,)
    )
    assert system.admin.totp is not None
    await asyncio.sleep(30.5 - time.time() % 30)  # a fresh code: one used at set-up is not replayed
    _, page = await new_page(browser, problems, "system-admin", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(ADMIN_USERNAME)
    await page.get_by_label("Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_label("Code from your authenticator app").fill(system.admin.totp.now())
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Licences", exact=True).click()
    await page.get_by_label("Agency id").fill(agency)
    await page.get_by_role("button", name="Show its clinicians").click()
    card = page.locator(f'.clinician-licences[data-clinician="{clinician}"]')
    for _ in range(100):  # the clinician reaches scheduling's read model by an event
        if await card.count():
            break
        await asyncio.sleep(0.2)
        await page.reload()
    await expect(card).to_contain_text("No licence recorded")
    assert (
        await page.get_by_label("Also accept licences from (comma-separated)").count() == 0
    )  # the agency's rule

    today = datetime.now(UTC).date()
    await page.get_by_label("Clinician").select_option(clinician)
    await page.get_by_label("Jurisdiction").fill("US-OR")
    await page.get_by_label("Licence number").fill("PSY-7")
    await page.get_by_label("Issued on").fill((today - timedelta(days=30)).isoformat())
    await page.get_by_label("Expires on").fill((today + timedelta(days=400)).isoformat())
    await page.get_by_role("button", name="Record licence").click()
    await expect(page.locator("#status")).to_contain_text("Licence recorded.")
    await expect(card.locator("tr.licence .licence-state")).to_have_text("Valid")
    assert problems.items == []
