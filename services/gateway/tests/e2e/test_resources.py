"""The agency's resources page in real browsers against the real system: the coordinator adds a
hotline (a web address that is not https is refused next to the field) and an officer sees it
with a tap-to-call link, under the agency's crisis line; the agency's upcoming workshops (the
group offering) are listed there too, times in the officer's zone, a seat one tap away."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_accessibility import serious
from .test_group_offering import hours_with_groups, off_day_rotation
from .test_licences import _coordinator
from .test_video_session import enrol_officer, sign_in_therapist

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

    # Removed meanwhile in another tab: Remove here says so in one place, however often it is
    # clicked, and adding a resource clears it.
    other = problems.watch(await page.context.new_page(), "coordinator, second tab")
    await other.goto(f"{system.url}/#/agency-resources")
    await other.locator(".resource").get_by_role("button", name="Remove").click()
    await expect(other.locator("#status")).to_contain_text("Resource removed.")
    said = page.locator(".remove-said")
    remove = page.locator(".resource").get_by_role("button", name="Remove")
    for _ in range(2):
        before = await said.locator(".notice").element_handles()
        await remove.click()
        for old in before:  # the earlier message gives way to the new one
            await old.wait_for_element_state("hidden")
        await expect(said.locator(".notice")).to_have_count(1)
    await expect(said).to_have_text("Remove: This resource is not there any more.")
    await expect(page.locator("main .notice.error")).to_have_count(1)
    await page.get_by_role("button", name="Add resource").click()
    await expect(said).to_have_text("")
    assert problems.items == []


async def test_officers_see_the_agencys_workshops_in_their_zone_and_take_a_seat(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"workshop{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,), modalities=("individual", "group"))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await hours_with_groups(therapist)
    # A resilience workshop two days ahead at 18:00 UTC (the browsers run in UTC), 3 seats, and
    # again a week later, when the officer is on duty.
    day = date.today() + timedelta(days=2)
    await therapist.get_by_role("link", name="Groups", exact=True).click()
    await therapist.get_by_label("Starts at").fill(f"{day.isoformat()}T18:00")
    await therapist.get_by_label("Seats").fill("3")
    await therapist.get_by_label("Weekly, how many times").fill("2")
    await therapist.get_by_label("Topic").select_option("stress_burnout")
    done = therapist.get_by_text("2 groups offered.")
    async with asyncio.timeout(60):  # the new hours reach scheduling as events
        while not await done.count():
            await therapist.get_by_role("button", name="Offer the group").click()
            await expect(
                done.or_(therapist.locator(".form-summary, .field-error:not(:empty)")).first
            ).to_be_visible(timeout=30_000)

    _, officer = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(officer, system.url, system.enrolment_code(agency))
    # The officer lives in Chicago: 18:00 UTC is noon there, on a day off of their rotation; a
    # week later they work a day shift then, so that one is behind "Show", saying why.
    await officer.get_by_label("Time zone", exact=True).fill("America/Chicago")
    await off_day_rotation(officer)
    await officer.goto(f"{system.url}/#/resources")
    section = officer.locator("section.workshops")
    await expect(section.get_by_role("heading", name="Workshops and group sessions")).to_be_visible(
        timeout=30_000
    )
    item = section.locator("li.workshop:visible")
    await expect(item).to_have_count(1, timeout=30_000)
    await expect(item.locator("strong")).to_have_text("Stress and burnout")
    await expect(item).to_contain_text("12:00")  # Chicago, not the browser's 18:00
    await expect(item).not_to_contain_text("18:00")
    await expect(item).to_contain_text("with Dr. Rivera")
    await expect(item).to_contain_text("3 seats left")
    await shot(officer, "officer-resources-workshops")
    assert await serious(officer) == []  # axe-core: no serious or critical violation
    await item.get_by_role("button", name="Take a seat").click()
    await expect(item.locator(".notice")).to_contain_text("You have a seat.", timeout=30_000)
    await expect(item.get_by_role("button", name="Take a seat")).to_have_count(0)
    await item.get_by_role("link", name="Join from my appointments").click()
    await expect(officer.locator("li.appointment").first).to_contain_text("Group session", timeout=30_000)
    await officer.go_back()
    section = officer.locator("section.workshops")
    clashing = section.locator("ul.clashing li.workshop")
    await expect(clashing).to_be_hidden(timeout=30_000)
    await section.get_by_role("button", name="Show 1 more during your shifts or sleep").click()
    await expect(clashing).to_be_visible()
    await expect(clashing.locator(".clash")).to_have_text("During your shift")
    await expect(clashing.get_by_role("button", name="Take a seat")).to_have_count(0)
    assert await serious(officer) == []

    # In Spanish, the seat is remembered on the page.
    await officer.get_by_label("Language").select_option("es")
    await expect(officer.locator("html")).to_have_attribute("lang", "es", timeout=30_000)
    await officer.goto(f"{system.url}/#/resources")
    section = officer.locator("section.workshops")
    await expect(section.get_by_role("heading", name="Talleres y sesiones de grupo")).to_be_visible(
        timeout=30_000
    )
    await expect(section.locator("li.workshop:visible strong")).to_have_text("Estrés y agotamiento")
    await expect(section.locator("li.workshop:visible")).to_contain_text("Tiene una plaza.")
    await section.get_by_role("button", name="Mostrar 1 más durante sus turnos o su sueño").click()
    await expect(section.locator("ul.clashing .clash")).to_have_text("Durante su turno")
    await expect(section.get_by_role("link", name="Unirse desde mis citas")).to_be_visible()
    assert await serious(officer) == []
    assert problems.items == []
