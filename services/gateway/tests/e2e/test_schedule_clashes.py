"""Schedule clashes in a real browser against the real system: an officer's booked session is
hit by an overtime shift added to their roster; the page the notification links to
(/conflicts/<id>) shows other times grouped by day, and one tap moves the session there."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_officer_journey import set_round_the_clock_hours
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e

# The app's own JSON API, called from the signed-in page (same cookies and CSRF rules as the app).
CALL = """async ([service, method, body]) => {
  const r = await fetch(`/api/${service}/${method}`, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body) });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method}: ${json.code} ${json.message}`);
  return json;
}"""


async def call(page: Page, service: str, method: str, body: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = await page.evaluate(CALL, [service, method, body])
    return reply


def local_date(d: date) -> dict[str, int]:
    return {"year": d.year, "month": d.month, "day": d.day}


async def test_officer_sees_alternatives_by_day_and_one_tap_moves_the_session(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"clash{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    _, officer = await new_page(browser, problems, "officer", PHONE)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, shot)
    await enrol_officer(officer, system.url, code)

    # One day shift a week, four days from now: most days are free.
    await call(
        officer,
        "scheduling",
        "SetRoster",
        {
            "roster": {
                "template": "pitman",
                "cycle": "D------",
                "anchor": local_date(date.today() + timedelta(days=4)),
                "timezone": "America/Chicago",
            }
        },
    )
    slot: dict[str, Any] = {}
    async with asyncio.timeout(30):  # the therapist's hours reach scheduling as events
        while not slot:
            found = await call(officer, "scheduling", "FindSlots", {"limit": 5})
            slot = (found.get("slots") or [{}])[0]
            if not slot:
                await asyncio.sleep(0.5)
    booked = await call(
        officer,
        "scheduling",
        "Book",
        {
            "idempotency_key": secrets.token_hex(8),
            "provider_id": slot["provider_id"],
            "start": slot["time"]["start"],
            "session_type": "SESSION_TYPE_INDIVIDUAL",
        },
    )
    appointment_id = booked["appointment_id"]

    # Overtime over the session, from an hour before it for four hours.
    start = datetime.fromisoformat(slot["local_start"])
    begin = start - timedelta(hours=1)
    await call(
        officer,
        "scheduling",
        "AddRosterOverride",
        {
            "override": {
                "kind": "OVERRIDE_KIND_OVERTIME",
                "date": local_date(begin.date()),
                "adds_duty": True,
                "start": {"hour": begin.hour, "minute": begin.minute},
                "length": "14400s",
            }
        },
    )

    # The notification's link: a path the app turns into its page.
    days = officer.locator(f'section.conflict[data-appointment-id="{appointment_id}"] .alt-day')
    async with asyncio.timeout(30):  # the roster change is re-checked from scheduling's own event
        while True:
            await officer.goto(f"{system.url}/conflicts/{appointment_id}")
            await expect(officer.locator(".conflicts").locator("section, .notice").first).to_be_visible()
            if await days.count():
                break
            await asyncio.sleep(0.5)
    await expect(officer.locator("h1")).to_have_text("Schedule clashes")
    await expect(officer.locator("section.conflict .badge.conflict")).to_have_text("Clashes with a shift")
    day_keys = [await d.get_attribute("data-day") for d in await days.all()]
    assert len(day_keys) == 3, day_keys
    assert len(set(day_keys)) == 3  # alternatives by day, one day each
    await expect(days.first.locator("h3")).not_to_be_empty()
    await shot(officer, "officer-schedule-clashes")

    choice = days.nth(1).locator("li.alternative").first
    chosen_start = await choice.get_attribute("data-start")
    await choice.get_by_role("button", name="Move to").click()
    # Both notices, in whichever order the reply and the live event arrive.
    await expect(officer.locator(".conflicts .notice.ok", has_text="Moved to").first).to_be_visible()
    await expect(officer.locator(".conflicts .notice.ok", has_text="no longer clashes").first).to_be_visible()

    moved = await call(officer, "scheduling", "GetAppointment", {"appointment_id": appointment_id})
    assert moved["time"]["start"] == chosen_start
    assert not moved.get("conflict")
    assert moved["status"] == "APPOINTMENT_STATUS_BOOKED"
    assert problems.items == []
