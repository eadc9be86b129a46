"""The everyday experience (issue 18) in real Chromium, on a phone and a laptop: languages,
messages per form, plain-words errors, date ranges, the officer's home."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tenfour_gateway.testing import System

from .conftest import PHONE, PageProblems, new_page
from .test_video_session import OFFICER_PASSWORD, enrol_officer

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


def error_of(page: Page, label: str) -> Locator:
    """The message slot next to the field labelled `label`."""
    return page.locator(".field", has=page.get_by_label(label, exact=True)).locator(".field-error")


async def test_one_message_per_form_in_plain_words_and_only_dates_a_person_means(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    code = system.enrolment_code(system.create_agency())
    context, page = await new_page(browser, problems, "officer", PHONE)
    # Two password problems are two sentences next to the field, not one run-on phrase.
    await page.goto(f"{system.url}/#/enrol")
    await page.get_by_label("Agency code").fill(code)
    await page.get_by_label("Username").fill(f"owl{secrets.token_hex(3)}")
    await page.get_by_label("Display name").fill("Sam")
    for label in ("Password", "Password again"):
        await page.get_by_label(label, exact=True).fill("aaaaaaaa")
    await page.get_by_role("button", name="Join").click()
    await expect(error_of(page, "Password")).to_have_text(
        "Password must have at least 12 characters.\nPassword is too repetitive."
    )
    for label in ("Password", "Password again"):
        await page.get_by_label(label, exact=True).fill(OFFICER_PASSWORD)
    await page.get_by_role("button", name="Join").click()
    # The welcome survives the move to the rotation page.
    await expect(page.get_by_role("button", name="Save my rotation")).to_be_visible()
    await expect(page.locator("#status")).to_contain_text("Welcome. Next: enter your shift rotation")

    await page.get_by_role("button", name="Save my rotation").click()
    await expect(page.locator("#status")).to_have_text("Your rotation is saved.")
    # A slip of the keyboard: refused next to the field, and "saved" no longer stands beside it.
    anchor = "A date when you were at the start of the pattern"
    for typed in ("0001-01-01", "9999-12-31"):
        await page.get_by_label(anchor).fill(typed)
        await page.get_by_role("button", name="Save my rotation").click()
        await expect(error_of(page, anchor)).to_contain_text(f"{anchor} must be between ")
        await expect(page.locator("#status")).to_have_text("")
    await page.get_by_label("Date", exact=True).fill("1900-01-01")
    await page.get_by_role("button", name="Add change").click()
    await expect(error_of(page, "Date")).to_contain_text("Date must be between ")
    # The server refuses the same dates from any client, naming the field.
    roster = {"template": "pitman", "timezone": "UTC", "anchor": {"year": 1, "month": 1, "day": 1}}
    refused = await page.evaluate(
        """(roster) => fetch('/api/scheduling/SetRoster', {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({roster})})
           .then(async (r) => [r.status, await r.json()])""",
        roster,
    )
    assert refused[0] == 400, refused
    assert "must be between" in refused[1]["fields"]["roster.anchor"], refused

    # Home: "Talk to someone now" is the first action, whole on a phone's first screen.
    await page.goto(f"{system.url}/#/")
    talk = page.locator("#main a").first
    await expect(talk).to_contain_text("Talk to someone now")
    box = await talk.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert box["height"] >= 44, box
    await context.close()
    assert problems.items == []
