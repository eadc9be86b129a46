"""The therapist's week grid (issue 18) in real Chromium, on a laptop (drag) and a phone (one day
at a time, 44 px cells): hours edited in the grid are saved, still there after a reload, refused
ones are marked on their cells and explained on their row, and officers are offered the new hour."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_accessibility import serious
from .test_live_updates import no_shot
from .test_officer_journey import enter_pitman_rotation
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


def cell(page: Page, day: int, hour: int, minute: int = 0) -> Locator:
    return page.locator(f'.week-grid td[data-day="{day}"][data-minute="{hour * 60 + minute}"]')


async def chosen_half_hours(page: Page, day: int) -> list[str]:
    """The half hours marked on `day`, as "HH:MM"."""
    minutes = await page.locator(f'.week-grid td[data-day="{day}"][aria-selected="true"]').evaluate_all(
        "(cells) => cells.map((c) => Number(c.dataset.minute))"
    )
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


@pytest.mark.parametrize("screen", [LAPTOP, PHONE], ids=["laptop", "phone"])
async def test_a_therapist_edits_hours_in_the_week_grid_and_officers_are_offered_them(
    system: System, browser: Browser, problems: PageProblems, screen: dict[str, int], shot: Any
) -> None:
    agency = system.create_agency()
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    context, page = await new_page(browser, problems, "therapist", screen)
    await sign_in_therapist(page, system.url, email)
    await page.get_by_role("link", name="Hours", exact=True).click()
    await expect(page.get_by_role("grid")).to_be_visible()
    tomorrow = date.today() + timedelta(days=1)
    day = tomorrow.weekday()  # the grid's columns run Monday to Sunday
    other = (day + 3) % 7

    if screen is PHONE:
        # One day at a time, picked above the grid; every half hour is a 44 px target.
        await page.get_by_role("button", name=f"{tomorrow:%A}", exact=True).click()
        await expect(cell(page, day, 10)).to_be_visible()
        await expect(cell(page, (day + 1) % 7, 10)).to_be_hidden()
        box = await cell(page, day, 10).bounding_box()
        assert box is not None
        assert box["height"] >= 44, box
        assert box["width"] >= 44, box
        for minute in (600, 630, 660, 690):
            await cell(page, day, minute // 60, minute % 60).click()
    else:
        # A drag from 10:00 to 11:30 marks the four half hours in between.
        await cell(page, day, 10).scroll_into_view_if_needed()
        await cell(page, day, 10).hover()
        await page.mouse.down()
        await cell(page, day, 11).hover()
        await cell(page, day, 11, 30).hover()
        await page.mouse.up()
    assert await chosen_half_hours(page, day) == ["10:00", "10:30", "11:00", "11:30"]
    # The keyboard: the arrow keys move, Space adds, Enter removes.
    await cell(page, day, 11, 30).focus()
    await page.keyboard.press("ArrowDown")
    await expect(cell(page, day, 12)).to_be_focused()
    await page.keyboard.press("Space")
    await expect(cell(page, day, 12)).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("Enter")
    await expect(cell(page, day, 12)).to_have_attribute("aria-selected", "false")
    # The list of windows follows the grid.
    window = page.locator(".window")
    await expect(window).to_have_count(1)
    await expect(window.get_by_label("Day", exact=True)).to_have_value(re.compile(f"{tomorrow:%A}".upper()))
    await expect(window.get_by_label("From", exact=True)).to_have_value("10:00")
    await expect(window.get_by_label("To", exact=True)).to_have_value("12:00")

    # A lone half hour on another day is too short for a session: refused on its row in plain
    # words, and its cell is marked and described by that message.
    if screen is PHONE:
        await page.get_by_role("button", name=WEEKDAY_NAMES[other], exact=True).click()
    await cell(page, other, 15).click()
    await page.get_by_role("button", name="Save hours").click()
    refused = cell(page, other, 15)
    await expect(refused).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".grid-errors")).to_contain_text("Some hours were not saved")
    refused_row = page.locator(
        ".window", has=page.locator(".field-error", has_text="shorter than the shortest")
    )
    await expect(refused_row).to_have_count(1)
    await expect(refused_row.get_by_label("From", exact=True)).to_have_value("15:00")
    assert "weekly[" not in await page.locator("main").inner_text()
    described = await refused.evaluate(
        "(c) => c.getAttribute('aria-describedby').split(' ')"
        ".map((id) => document.getElementById(id).textContent).join(' ')"
    )
    assert "shorter than the shortest session" in described
    await expect(page.locator("#status")).to_have_text("")
    assert not await serious(page), "the grid with a refused half hour"
    await refused.click()  # removed again
    await expect(page.locator(".window")).to_have_count(1)
    await page.get_by_role("button", name="Save hours").click()
    await expect(page.locator("#status")).to_have_text("Hours saved.")
    await shot(page, f"therapist-week-grid-{'phone' if screen is PHONE else 'laptop'}")

    await page.reload()
    await expect(page.get_by_role("grid")).to_be_visible()
    assert await chosen_half_hours(page, day) == ["10:00", "10:30", "11:00", "11:30"]
    assert await chosen_half_hours(page, other) == []
    await context.close()

    # An officer of the agency is offered tomorrow at 10:00.
    context, officer = await new_page(browser, problems, "officer", screen)
    await enrol_officer(officer, system.url, system.enrolment_code(agency))
    await enter_pitman_rotation(officer, no_shot)
    await officer.get_by_role("link", name="Find a time", exact=True).click()
    await officer.get_by_label("Within").select_option("7")
    show = officer.get_by_role("button", name="Show times")
    tomorrow_chip = officer.locator(f'.day-chip[data-day="{tomorrow.isoformat()}"]')
    async with asyncio.timeout(30):  # the new hours reach scheduling as events
        while not await tomorrow_chip.count():
            await show.click()
            await expect(show).to_be_enabled()
    await tomorrow_chip.click()
    times = officer.locator(".day-panel .time-chip")
    await expect(times.first).to_have_text(re.compile(r"^10:00"))
    assert all(re.match(r"^1[01]:", text) for text in await times.all_text_contents())
    await context.close()
    assert problems.items == []


WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# The grid's model, run in the page as the app loads it: edits keep what they do not touch.
EDIT = """async ([weekly, edits]) => {
  const grid = await import('/static/js/week_grid.js');
  let pieces = grid.toPieces(weekly);
  for (const [from, to, on] of edits) pieces = grid.paint(pieces, from, to, on);
  return grid.toWeekly(pieces).map((w) => [w.weekday.slice(8, 11), w.start.hour * 60 + w.start.minute,
                                           w.end.hour * 60 + w.end.minute, w.offers.join(',')]);
}"""
DAY = 1440


def window(weekday: str, start: int, end: int, offers: tuple[str, ...] = ()) -> dict[str, Any]:
    t = {"hour": start // 60, "minute": start % 60}
    e = {"hour": end // 60, "minute": end % 60}
    return {"weekday": f"WEEKDAY_{weekday}", "start": t, "end": e, "offers": list(offers)}


async def test_grid_edits_keep_overnight_windows_odd_edges_and_offers(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    context, page = await new_page(browser, problems, "anyone", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    group = ("SESSION_TYPE_GROUP",)
    weekly = [
        window("SUNDAY", 22 * 60, 6 * 60),  # overnight into Monday, across the week's end
        window("TUESDAY", 9 * 60 + 15, 17 * 60, group),  # an edge off the half hour, group only
    ]
    # Adding Wednesday 10:00-11:00 leaves both as they were.
    kept = await page.evaluate(EDIT, [weekly, [[2 * DAY + 600, 2 * DAY + 660, True]]])
    assert kept == [
        ["TUE", 555, 1020, "SESSION_TYPE_GROUP"],
        ["WED", 600, 660, "SESSION_TYPE_INDIVIDUAL"],
        ["SUN", 1320, 360, "SESSION_TYPE_INDIVIDUAL"],  # still one window across the week's end
    ], kept
    # Extending Tuesday by half an hour keeps its 09:15 start and its offers; removing 12:00-12:30
    # splits it in two.
    edited = await page.evaluate(
        EDIT, [weekly, [[DAY + 1020, DAY + 1050, True], [DAY + 720, DAY + 750, False]]]
    )
    assert ["TUE", 555, 720, "SESSION_TYPE_GROUP"] in edited, edited
    assert ["TUE", 750, 1050, "SESSION_TYPE_GROUP"] in edited, edited
    # Monday 23:00 to Tuesday 01:00 is one overnight window; every hour of the week, seven days.
    overnight = await page.evaluate(EDIT, [[], [[1380, DAY + 60, True]]])
    assert overnight == [["MON", 1380, 60, "SESSION_TYPE_INDIVIDUAL"]]
    week = await page.evaluate(EDIT, [[], [[0, 7 * DAY, True]]])
    assert [w[:3] for w in week] == [[d, 0, 0] for d in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")]
    await context.close()
    assert problems.items == []
