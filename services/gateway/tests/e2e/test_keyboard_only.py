"""Booking and joining with the keyboard alone (issue 18), in real Chromium: an officer signs in,
finds a time, books it and joins the session, and the therapist lets them in, with Tab,
Shift+Tab, Enter, Space and the arrow keys only: no mouse, no script clicks. Every stop shows a
focus outline, and after each action focus lands on its result."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_live_updates import no_shot
from .test_officer_journey import enter_pitman_rotation, set_round_the_clock_hours
from .test_video_session import OFFICER_PASSWORD, enrol_officer, sign_in_therapist, wait_frames

pytestmark = pytest.mark.e2e

# The focused element: its accessible name (roughly), whether it shows a focus outline, its tag.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
    || el.textContent || '';
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const name = label.trim().replace(/\\s+/g, ' ');
  return { name, outlined, tag: el.tagName.toLowerCase(), cls: el.className || '' };
}"""

# How many times FindSlots offers the signed-in officer (the set-up waits for one).
FIRST_TIME = """() => fetch('/api/session').then((r) => r.json())
  .then((s) => fetch('/api/scheduling/FindSlots', {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({officer_id: s.user_id, session_type: 'SESSION_TYPE_INDIVIDUAL',
                          horizon: '1209600s', limit: 1})}))
  .then((r) => r.json()).then((found) => (found.slots || []).length)"""


async def focused(page: Page) -> dict[str, str | bool] | None:
    result: dict[str, str | bool] | None = await page.evaluate(FOCUSED)
    return result


async def tab_to(page: Page, name: str, *, exact: bool = True, cls: str = "", limit: int = 80) -> None:
    """Tab (forwards) until the focused element is named `name` (or has class `cls`); every stop
    on the way must show a visible focus outline."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = await focused(page)
        if now is None:
            continue
        assert now["outlined"], f"no visible focus outline on {now}"
        text = str(now["name"])
        if (cls and cls in str(now["cls"]).split()) or (
            not cls and (text == name if exact else name in text)
        ):
            return
    raise AssertionError(f"Tab never reached {name or cls!r}")


async def test_an_officer_books_and_joins_and_the_therapist_lets_them_in_with_the_keyboard_only(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    # Set-up, not under test: the therapist's hours, the officer's account and rotation.
    agency = system.create_agency()
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    therapist_context, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, no_shot)
    username = f"owl{secrets.token_hex(3)}"
    setup_context, setup = await new_page(browser, problems, "officer-setup", PHONE)
    await enrol_officer(setup, system.url, system.enrolment_code(agency), username=username)
    await enter_pitman_rotation(setup, no_shot)
    async with asyncio.timeout(30):  # the hours reach scheduling as events
        while True:
            if await setup.evaluate(FIRST_TIME):
                break
            await asyncio.sleep(0.5)
    await setup_context.close()

    # The officer, keyboard only, on a phone-sized window.
    context, page = await new_page(browser, problems, "officer", PHONE)
    await page.goto(f"{system.url}/#/signin")
    await expect(page.get_by_label("Username or e-mail")).to_be_visible()
    await tab_to(page, "Username or e-mail")
    await page.keyboard.type(username)
    await tab_to(page, "Password")
    await page.keyboard.type(OFFICER_PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("link", name="Find a time", exact=True)).to_be_visible()

    await tab_to(page, "Find a time")
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Within")).to_be_visible()
    await tab_to(page, "Within")
    await page.keyboard.press("ArrowDown")  # the next 30 days instead of 14
    await expect(page.get_by_label("Within")).to_have_value("30")
    await tab_to(page, "Show times")
    await page.keyboard.press("Enter")
    # Focus moves to what was found, so the next Tab continues into the results.
    await expect(page.locator(".find-results h2")).to_be_focused()
    await tab_to(page, "", cls="time-chip")
    chip = page.get_by_role("button", name=await page.locator(".time-chip:focus").get_attribute("aria-label"))
    await page.keyboard.press("Enter")
    await expect(chip).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_role("button", name="Book this time")).to_be_focused()
    await page.keyboard.press("Enter")
    booked = page.locator(".chosen .notice.ok")
    await expect(booked).to_contain_text("Booked:")
    await expect(booked).to_be_focused()  # the result, read out, not the disabled button
    await tab_to(page, "See my appointments")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("link", name="Join", exact=True)).to_be_visible()
    appointment = await page.locator("li.appointment").first.get_attribute("data-appointment-id")
    await tab_to(page, "Join")
    await page.keyboard.press("Enter")
    await expect(page.locator(".videos .overlay")).to_contain_text("let you in", timeout=15000)

    # The therapist, keyboard only: Upcoming, the session, "Let in".
    await therapist.goto(f"{system.url}/#/")
    await expect(therapist.get_by_role("link", name="Upcoming", exact=True)).to_be_visible()
    await tab_to(therapist, "Upcoming")
    await therapist.keyboard.press("Enter")
    session = therapist.locator(f'li.appointment[data-appointment-id="{appointment}"]')
    await expect(session.get_by_role("link", name="Open the session")).to_be_visible()
    await tab_to(therapist, "Open the session")
    await therapist.keyboard.press("Enter")
    await expect(therapist.locator(".waiting-list")).to_contain_text("Sam is waiting.")
    await expect(therapist.get_by_role("button", name="Let in")).to_be_visible()
    await tab_to(therapist, "Let in")
    await therapist.keyboard.press("Space")
    await wait_frames(page)
    await wait_frames(therapist)

    # Shift+Tab reaches "Leave" from the controls after it, and Enter leaves.
    await tab_to(page, "Leave")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Shift+Tab")
    assert (await focused(page) or {}).get("name") == "Leave"
    await page.keyboard.press("Enter")
    await expect(therapist.locator(".videos .overlay")).to_have_text("The other person left.")
    await context.close()
    await therapist_context.close()
    assert problems.items == []
