"""Peer-supporter training in real browsers against the real system: the coordinator requires
a course, sees the new peer as not offered, is told in plain words next to the field when a
completion date is in the future, records the course, and the peer sees their own status."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_schedule_clashes import call
from .test_video_session import OFFICER_PASSWORD, enrol_officer

pytestmark = pytest.mark.e2e


async def test_coordinator_records_training_and_the_peer_sees_it(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
    _, officer = await new_page(browser, problems, "peer", PHONE)
    session = await enrol_officer(officer, system.url, system.enrolment_code(agency))
    username = (await call(officer, "identity", "GetMe", {}))["username"]

    _, page = await new_page(browser, problems, "coordinator", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP((secret or "").strip()).now())
    await page.get_by_role("button", name="Finish and sign in").click()
    await expect(page.get_by_role("link", name="Training", exact=True)).to_be_visible()
    profile = {
        "timezone": "America/Chicago",
        "languages": ["en"],
        "modalities": ["individual"],
        "specialties": ["critical_incident"],
    }
    await call(
        page, "identity", "NominatePeerSupporter", {"officer_user_id": session["user_id"], "profile": profile}
    )

    await page.get_by_role("link", name="Training", exact=True).click()
    await expect(page).to_have_title("Peer training · Tenfour")
    await page.get_by_label("Required courses, one per line (code: title)").fill(
        "peer_initial_40h: Initial 40-hour course"
    )
    await page.get_by_role("button", name="Save required training").click()
    await expect(page.locator("#status")).to_contain_text("Required training saved.")
    card = page.locator(".peer-readiness")
    await expect(card).to_contain_text("Not current: not offered to officers")
    await expect(card).to_contain_text("Initial 40-hour course")

    await page.get_by_label("Peer supporter").select_option(session["user_id"])
    await page.get_by_label("Course code").fill("peer_initial_40h")
    await page.get_by_label("Given by").fill("State academy")
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    completed = page.get_by_label("Completed on")
    await completed.evaluate("(el) => el.removeAttribute('max')")  # typed past the picker's limit
    await completed.fill(tomorrow)
    await page.get_by_role("button", name="Record training").click()
    await expect(completed).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("cannot be in the future")).to_be_visible()
    await expect(card).to_contain_text("No training recorded yet.")  # nothing stored

    expires = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    await completed.fill((datetime.now(UTC) - timedelta(days=300)).date().isoformat())
    await page.get_by_label("Expires on (empty: does not expire)").fill(expires)
    await page.get_by_role("button", name="Record training").click()
    await expect(page.locator("#status")).to_contain_text("Training recorded.")
    await expect(card).to_contain_text("Expires within 30 days: offered until")
    await expect(card.locator("table.report")).to_contain_text("State academy")
    await shot(page, "coordinator-peer-training")

    # The peer signs in again (their role changed) and sees their own status.
    _, officer = await new_page(browser, problems, "peer-again", PHONE)
    await officer.goto(f"{system.url}/#/signin")
    await officer.get_by_label("Username or e-mail").fill(username)
    await officer.get_by_label("Password").fill(OFFICER_PASSWORD)
    await officer.get_by_role("button", name="Sign in").click()
    await officer.get_by_role("link", name="My training").click()
    mine = officer.locator(".peer-readiness")
    await expect(mine).to_contain_text("Expires within 30 days: offered until")
    await expect(mine).to_contain_text("Initial 40-hour course")
    await expect(mine.get_by_role("button", name="Remove")).to_have_count(0)
    await shot(officer, "peer-my-training")
    assert problems.items == []
