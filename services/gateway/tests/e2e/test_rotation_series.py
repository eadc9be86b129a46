"""A series that follows the rotation, in a real browser against the real system: from a time on
Find a time, 'Book a series from here' → 'The first day off of each block' → two sessions are
planned on the first day off of the next blocks and booked."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_officer_journey import GROUP, set_round_the_clock_hours
from .test_schedule_clashes import call, local_date
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


async def test_a_series_on_the_first_day_off_of_each_block(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"rot{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, shot)
    _, officer = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(officer, system.url, system.enrolment_code(agency))
    # Four days on from tomorrow, three off: the first day off of each block is a known weekday.
    anchor = date.today() + timedelta(days=1)
    roster = {
        "template": "pitman",
        "cycle": "DDDD---",
        "anchor": local_date(anchor),
        "timezone": "America/Chicago",
    }
    await call(officer, "scheduling", "SetRoster", {"roster": roster})

    await officer.get_by_role("link", name="Find a time", exact=True).click()
    show = officer.get_by_role("button", name="Show times")
    async with asyncio.timeout(30):  # the therapist's hours reach scheduling as events
        while True:
            await show.click()
            await expect(show).to_be_enabled()
            if await officer.locator("li.slot").count():
                break
            await asyncio.sleep(0.5)
    first = officer.locator("li.slot").first
    await first.get_by_role("button").click()
    chosen = first.locator(GROUP).locator(".chosen")
    await chosen.get_by_role("button", name="Book a series from here").click()
    await chosen.get_by_label("When").select_option(label="The first day off of each block")
    await expect(chosen.get_by_label("Every how many days", exact=True)).to_be_hidden()
    await chosen.get_by_label("How many", exact=True).fill("2")
    await chosen.get_by_role("button", name="Plan around my shifts").click()
    planned = chosen.locator("ul.list li")
    await expect(planned).to_have_count(2)
    await expect(planned.locator(".field-error")).to_have_count(0)  # every session placed
    await shot(officer, "officer-rotation-series")
    await chosen.get_by_role("button", name="Book these").click()
    await expect(chosen.get_by_text("2 sessions booked.")).to_be_visible()

    booked = (await call(officer, "scheduling", "ListAppointments", {}))["appointments"]
    off_days = {anchor + timedelta(days=4 + 7 * i) for i in range(3)}  # blocks start 4 days after the anchor
    starts = [datetime.fromisoformat(a["time"]["start"].replace("Z", "+00:00")) for a in booked]
    assert len(starts) == 2
    assert {s.astimezone(ZoneInfo("America/Chicago")).date() for s in starts} <= off_days
    assert problems.items == []
