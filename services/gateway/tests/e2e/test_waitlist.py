"""Waiting list in real browsers against the real system: an officer waits for the therapist
in a window (a window that ends before it starts is refused next to the field), another
officer's session in that window is cancelled, the freed time shows as held on the waiting
officer's page (and as FHIR status `waitlist`), and 'Book this time' books it."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_officer_journey import set_round_the_clock_hours
from .test_schedule_clashes import call, local_date
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


async def test_a_freed_time_is_held_for_the_officer_waiting_who_books_it(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"wait{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, shot)
    _, booker = await new_page(browser, problems, "booker", PHONE)
    _, waiter = await new_page(browser, problems, "waiter", PHONE)
    for page in (booker, waiter):
        await enrol_officer(page, system.url, code)
        roster = {
            "template": "pitman",
            "cycle": "D------",
            "anchor": local_date(date.today() + timedelta(days=4)),
            "timezone": "America/Chicago",
        }
        await call(page, "scheduling", "SetRoster", {"roster": roster})

    slot: dict[str, Any] = {}
    async with asyncio.timeout(30):  # the therapist's hours reach scheduling as events
        while not slot:
            found = await call(booker, "scheduling", "FindSlots", {"limit": 5})
            slot = (found.get("slots") or [{}])[0]
            if not slot:
                await asyncio.sleep(0.5)
    booked = await call(
        booker,
        "scheduling",
        "Book",
        {
            "idempotency_key": secrets.token_hex(8),
            "provider_id": slot["provider_id"],
            "start": slot["time"]["start"],
            "session_type": "SESSION_TYPE_INDIVIDUAL",
        },
    )

    await waiter.goto(f"{system.url}/#/waitlist")
    await expect(waiter).to_have_title("Waiting list · Tenfour")
    await waiter.get_by_label("With").select_option(therapist_id)
    # The window, in the browser's zone: from an hour before the booked session, for a day.
    around = await waiter.evaluate(
        """(iso) => {
          const f = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
          const s = new Date(iso);
          return [f(new Date(s.getTime() - 3600000)), f(new Date(s.getTime() + 86400000))];
        }""",
        slot["time"]["start"],
    )
    await waiter.get_by_label("From").fill(around[1])
    await waiter.get_by_label("Until").fill(around[0])
    await waiter.get_by_role("button", name="Join the waiting list").click()
    await expect(waiter.get_by_label("Until")).to_have_attribute("aria-invalid", "true")
    await expect(waiter.get_by_text("must be after the start")).to_be_visible()
    await expect(waiter.get_by_text("You are not waiting for any time.")).to_be_visible()  # nothing stored

    await waiter.get_by_label("From").fill(around[0])
    await waiter.get_by_label("Until").fill(around[1])
    await waiter.get_by_role("button", name="Join the waiting list").click()
    await expect(waiter.locator("#status")).to_contain_text("You are on the waiting list.")
    entry = waiter.locator(".waitlist-entry").first
    await expect(entry.locator(".waitlist-state")).to_have_text("Waiting")

    await call(booker, "scheduling", "Cancel", {"appointment_id": booked["appointment_id"]})
    async with asyncio.timeout(30):  # the cancellation reaches the waiting list as an event
        while await entry.get_attribute("data-state") != "WAITLIST_STATE_OFFERED":
            await asyncio.sleep(0.5)
            await waiter.reload()
            entry = waiter.locator(".waitlist-entry").first
            await expect(entry).to_be_visible()
    await expect(entry.locator(".waitlist-state")).to_have_text("A time is held for you")
    await expect(entry.locator(".offer")).to_contain_text("held for you until")
    await shot(waiter, "officer-waitlist-offer")
    # While it is held, the FHIR API says so with FHIR's own status (the app's sign-in cookie).
    status, bundle = await waiter.evaluate(
        """async () => {
          const headers = {Accept: 'application/fhir+json'};
          const r = await fetch('/fhir/Appointment?status=waitlist', {headers});
          return [r.status, await r.json()];
        }"""
    )
    assert status == 200, bundle
    (held,) = [e["resource"] for e in bundle.get("entry", [])]
    assert held["status"] == "waitlist"
    assert datetime.fromisoformat(held["start"]) == datetime.fromisoformat(slot["time"]["start"])
    await entry.get_by_role("button", name="Book this time").click()
    await expect(waiter.locator("#status")).to_contain_text("Booked. It is in your appointments.")
    await expect(waiter.locator(".waitlist-entry .waitlist-state").first).to_have_text("Booked")
    mine = await call(waiter, "scheduling", "ListAppointments", {})
    (appointment,) = mine["appointments"]
    assert (appointment["status"], appointment["time"]["start"]) == (
        "APPOINTMENT_STATUS_BOOKED",
        slot["time"]["start"],
    )
    assert problems.items == []
