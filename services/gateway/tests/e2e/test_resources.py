"""The agency's resources page in real browsers against the real system: the coordinator adds a
hotline (a web address that is not https is refused next to the field) and an officer sees it
with a tap-to-call link, under the agency's crisis line."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_licences import _coordinator
from .test_video_session import enrol_officer

pytestmark = pytest.mark.e2e


async def test_coordinator_adds_a_hotline_officers_can_call_it(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    # The crisis line given when the agency is created (identity) is what its officers are shown
    # (scheduling, through identity's agency_registered event).
    agency = system.create_agency(crisis_line_text="Call or text 988 any time")
    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
    _, page = await new_page(browser, problems, "coordinator", LAPTOP)
    await _coordinator(page, system, email)
    await page.goto(f"{system.url}/#/agency-resources")
    await expect(page).to_have_title("Resources page · Tenfour")
    await page.get_by_label("Category").select_option("RESOURCE_CATEGORY_HOTLINE")
    await page.get_by_label("Title").fill("COPLINE, officers answering officers")
    await page.get_by_label("Number to call (hotlines)").fill("1-800-267-5463")
    url = page.get_by_label("Web address (optional)")
    await url.fill("http://copline.example")
    await page.get_by_role("button", name="Add resource").click()
    await expect(url).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_text("must be an https:// address")).to_be_visible()
    await url.fill("https://copline.example")
    await page.get_by_role("button", name="Add resource").click()
    await expect(page.locator("#status")).to_contain_text("Resource added.")
    await expect(page.locator(".resource")).to_have_count(1)
    await shot(page, "coordinator-resources")

    _, officer = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(officer, system.url, system.enrolment_code(agency))
    await officer.goto(f"{system.url}/#/resources")
    await expect(officer.get_by_text("Call or text 988 any time")).to_be_visible()
    link = officer.get_by_role("link", name="Call 1-800-267-5463")
    await expect(link).to_have_attribute("href", "tel:18002675463")
    await expect(officer.get_by_role("heading", name="Hotlines")).to_be_visible()
    await shot(officer, "officer-resources")
    assert problems.items == []
