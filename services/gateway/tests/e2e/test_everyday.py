"""The everyday experience (issue 18) in real Chromium, on a phone and a laptop: languages,
messages per form, plain-words errors, date ranges, the officer's home."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tenfour_gateway.testing import System

from .conftest import PHONE, PageProblems, new_page
from .test_video_session import enrol_officer

pytestmark = pytest.mark.e2e


async def test_an_officer_reads_the_app_in_spanish_with_dates_in_their_zone(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    code = system.enrolment_code(system.create_agency())
    context, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, code)
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("link", name="Find a time", exact=True)).to_be_visible()

    await page.get_by_label("Language").select_option("es")  # reloads the page in Spanish
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.get_by_role("link", name="Buscar una hora", exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", name="Mis turnos")).to_be_visible()
    await expect(page.get_by_role("button", name="Guardar mi rotación")).to_be_visible()
    # The rotation preview's dates come from Intl in Spanish ("5 dic"), not English ("Dec 5").
    dates = await page.locator(".cal .date").all_text_contents()
    months = {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "sep", "oct", "nov", "dic"}
    assert len(dates) == 28
    assert all(re.sub(r"[^a-z]", "", d.lower()) in months for d in dates), dates
    assert await page.title() == "Mis turnos · Tenfour"

    await page.get_by_label("Idioma").select_option("en")
    await expect(page.get_by_role("heading", name="My shifts")).to_be_visible()
    await context.close()
    assert problems.items == []
