"""A series that follows the rotation, in a real browser against the real system: from a time on
Find a time, 'Book a series from here' → 'The first day off of each block', between 17:00 and
20:00 → two sessions are planned on the first day off of the next blocks and booked. Then the
roster gains a fifth day shift: on Schedule clashes each session shows the day the rule now names
first ("Where your series now falls"), and one tap moves it there."""

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
    await chosen.get_by_label("Starting between (optional)").fill("17:00")
    await chosen.get_by_label("and", exact=True).fill("20:00")
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
    chicago = ZoneInfo("America/Chicago")
    assert {s.astimezone(chicago).date() for s in starts} <= off_days
    assert all(17 <= s.astimezone(chicago).hour < 20 for s in starts)

    # Five day shifts a week now: each block's first day off is a day later.
    await call(officer, "scheduling", "SetRoster", {"roster": {**roster, "cycle": "DDDDD--"}})
    own = officer.locator("section.conflict .series-day")
    async with asyncio.timeout(30):  # the roster change is re-checked from scheduling's own event
        while await own.count() < 2:
            await officer.goto(f"{system.url}/#/conflicts")
            await expect(officer.locator(".conflicts").locator("section, .notice").first).to_be_visible()
            await asyncio.sleep(0.5)
    first_card = officer.locator("section.conflict").first
    series_day = first_card.locator(".series-day")
    await expect(series_day.locator("h3")).to_contain_text("Where your series now falls")
    await expect(series_day.locator(".muted")).to_contain_text("The first day off of this block")
    target = await series_day.locator("li.alternative").get_attribute("data-start")
    assert target is not None
    moved_to = datetime.fromisoformat(target.replace("Z", "+00:00")).astimezone(chicago)
    assert moved_to.date() - timedelta(days=1) in off_days  # a day later than before
    assert 17 <= moved_to.hour < 20
    await shot(officer, "officer-series-replanned")
    moving = await first_card.get_attribute("data-appointment-id")
    await series_day.get_by_role("button", name="Move to").click()
    await expect(officer.locator(".conflicts .notice.ok", has_text="Moved to").first).to_be_visible()
    moved = await call(officer, "scheduling", "GetAppointment", {"appointment_id": moving})
    assert (moved["time"]["start"], moved.get("conflict", False)) == (target, False)
    assert problems.items == []
