"""axe-core (through axe-playwright-python) on the pages people meet first, in English and Spanish,
at 390x844: no serious or critical violation, and nothing wider than the screen."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e
OFFICER_PAGES = ["", "rotation", "find", "appointments", "preferences", "now", "notifications", "account"]


# Wider than the screen: a page that scrolls sideways on a phone (a box that scrolls itself, such
# as a table's or the strip of days, may be wider).
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up.id !== 'main'; up = up.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('#main *')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width && box.right > width + 1 && !scrolls(el);
  });
  return wide.slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


async def serious(page: Page) -> list[str]:
    """axe's serious and critical violations, and what sticks out sideways (issue 18: phones)."""
    results = await Axe().run(page)
    found: list[dict[str, Any]] = results.response["violations"]
    problems = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]
    wide = await page.evaluate(_OVERFLOW)
    size = page.viewport_size
    if size and size["width"] > PHONE["width"]:  # staff pages are used on phones too
        await page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        wide += await page.evaluate(_OVERFLOW)
        await page.set_viewport_size(size)
    return problems + ([f"wider than the screen: {wide}"] if wide else [])


@pytest.mark.parametrize("language", ["en", "es"])
async def test_officer_pages_have_no_serious_accessibility_violations(
    system: System, browser: Browser, problems: PageProblems, language: str
) -> None:
    context, page = await new_page(browser, problems, "officer", PHONE)
    await page.goto(f"{system.url}/#/signin")
    assert not await serious(page), "signin"
    await enrol_officer(page, system.url, system.enrolment_code(system.create_agency()))
    if language == "es":
        await page.get_by_label("Language").select_option("es")
        await expect(page.locator("html")).to_have_attribute("lang", "es")
    failures: dict[str, list[str]] = {}
    for route in OFFICER_PAGES:
        await page.evaluate("document.querySelector('#main h1')?.setAttribute('data-old', '')")
        await page.goto(f"{system.url}/#/{route}")
        await expect(page.locator("#main h1:not([data-old])")).to_be_visible()  # the new page
        await page.wait_for_load_state("networkidle")
        if found := await serious(page):
            failures[route or "home"] = found
    await context.close()
    assert not failures, failures


async def check_pages(page: Page, url: str, routes: list[str], language: str) -> dict[str, list[str]]:
    if language == "es":
        await page.get_by_label("Language").select_option("es")
        await expect(page.locator("html")).to_have_attribute("lang", "es")
    failures: dict[str, list[str]] = {}
    for route in routes:
        await page.evaluate("document.querySelector('#main h1')?.setAttribute('data-old', '')")
        if page.url == f"{url}/#/{route}":
            await page.reload()  # already there: the same address would not render it again
        else:
            await page.goto(f"{url}/#/{route}")
        await expect(page.locator("#main h1:not([data-old])")).to_be_visible()
        await page.wait_for_load_state("networkidle")
        if found := await serious(page):
            failures[route] = found
    return failures


@pytest.mark.parametrize("language", ["en", "es"])
async def test_therapist_and_coordinator_pages_have_no_serious_accessibility_violations(
    system: System, browser: Browser, problems: PageProblems, language: str
) -> None:
    agency = system.create_agency()
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    context, page = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(page, system.url, email)
    therapist = await check_pages(
        page, system.url, ["hours", "profile", "timeoff", "upcoming", "groups"], language
    )
    await context.close()

    coordinator = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, coordinator, THERAPIST_PASSWORD)
    context, page = await new_page(browser, problems, "coordinator", PHONE)
    await sign_in_therapist(page, system.url, coordinator, home="Codes")
    admin = await check_pages(page, system.url, ["codes", "fatigue", "outcomes", "licences"], language)
    await context.close()
    assert not therapist, therapist
    assert not admin, admin
