"""Chosen dates and times said back in the page's language (issue 18): a Spanish reader's days
off and one-day changes read as Intl writes them in Spanish, never as 2026-07-12 or 06:30 PM,
and the date and time inputs carry the page's language for the pickers that honour it."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import PHONE, PageProblems, new_page
from .test_video_session import sign_in_therapist

pytestmark = pytest.mark.e2e


async def test_a_spanish_reader_sees_chosen_days_and_times_in_spanish(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(system.create_agency(),))
    context, page = await new_page(browser, problems, "therapist", PHONE)
    await sign_in_therapist(page, system.url, email)
    await page.get_by_label("Language").select_option("es")  # reloads the page in Spanish
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await page.goto(f"{system.url}/#/hours")
    await page.get_by_role("button", name="Empezar con lunes a viernes, de 9 a 17").click()
    # The hours page is drawn again with its five windows before moving on (the positive marker).
    await expect(page.get_by_role("button", name="Quitar la franja 5")).to_be_visible()

    await page.get_by_role("link", name="Días libres", exact=True).click()
    await expect(page).to_have_title(re.compile("^Días libres y cambios"))
    first = page.get_by_label("Primer día")
    await expect(first).to_have_attribute("lang", "es")  # the picker in the page's language
    day = date.today() + timedelta(days=30)
    await first.fill(day.isoformat())
    await page.get_by_label("Último día").fill(day.isoformat())
    await page.get_by_role("button", name="Añadir días libres").click()
    await expect(page.locator("#status")).to_contain_text("Días libres añadidos.")
    spanish = await page.evaluate(
        """([y, m, d]) => new Intl.DateTimeFormat('es', { weekday: 'short', day: 'numeric', month: 'short',
             year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)))""",
        [day.year, day.month, day.day],
    )
    listed = page.locator("main ul.list li").first
    await expect(listed).to_contain_text(f"Días libres: del {spanish} al {spanish}")

    one_day = page.locator("form", has=page.get_by_label("Fecha", exact=True))
    await one_day.get_by_label("Fecha", exact=True).fill(day.isoformat())
    await expect(one_day.get_by_label("Desde", exact=True)).to_have_attribute("lang", "es")
    await one_day.get_by_label("Desde", exact=True).fill("18:30")
    await one_day.get_by_label("Hasta", exact=True).fill("20:00")
    await one_day.get_by_role("button", name="Añadir cambio").click()
    await expect(page.locator("#status")).to_contain_text("Cambio añadido.")
    change = page.locator("main ul.list li", has_text="18:30")
    await expect(change).to_contain_text(f"{spanish}: 18:30\u201320:00")  # an en dash
    text = await page.locator("main ul.list").inner_text()
    assert day.isoformat() not in text, text
    assert not re.search(r"\b(AM|PM)\b", text), text
    await context.close()
    assert problems.items == []
