"""axe-core on the rest of the pages, in English and then Spanish on one sign-in each: the call
screen (the officer waiting to be let in, the therapist's waiting list, the call itself), the
waiting list, referrals, resources and the other officer and provider pages, the coordinator's
and the system admin's pages, the peer supporter's, and joining with a code. No serious or
critical violation anywhere."""

from __future__ import annotations

import asyncio
import secrets
import time

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import ADMIN_PASSWORD, ADMIN_USERNAME, THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_accessibility import check_pages, serious
from .test_licences import _coordinator
from .test_live_updates import no_shot
from .test_officer_journey import enter_pitman_rotation, set_round_the_clock_hours
from .test_schedule_clashes import call
from .test_video_session import OFFICER_PASSWORD, enrol_officer, sign_in_therapist, wait_frames

pytestmark = pytest.mark.e2e
OFFICER_PAGES = [
    "waitlist",
    "referrals",
    "resources",
    "feed",
    "conflicts",
    "checkin",
    "my-trainings",
    "check",
]
THERAPIST_PAGES = ["import", "referred", "my-licences"]
COORDINATOR_PAGES = ["agency-resources", "training", "campaigns", "trainings"]


async def book_first_time(page: Page) -> str:
    """The officer's first offered time, booked through the API (set-up, not under test)."""
    me = (await call(page, "identity", "GetMe", {}))["user_id"]
    request = {"officer_id": me, "session_type": "SESSION_TYPE_INDIVIDUAL", "horizon": "1209600s", "limit": 1}
    async with asyncio.timeout(30):  # the therapist's hours reach scheduling as events
        while True:
            slots = (await call(page, "scheduling", "FindSlots", request)).get("slots") or []
            if slots:
                break
            await asyncio.sleep(0.5)
    booked = await call(
        page,
        "scheduling",
        "Book",
        {
            "idempotency_key": secrets.token_hex(8),
            "officer_id": me,
            "provider_id": slots[0]["provider_id"],
            "session_type": "SESSION_TYPE_INDIVIDUAL",
            "start": slots[0]["time"]["start"],
        },
    )
    return str(booked["appointment_id"])


async def test_call_screen_waiting_list_referrals_and_other_participant_pages_in_both_languages(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    agency = system.create_agency()
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    therapist_context, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, no_shot)
    context, officer = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(officer, system.url, system.enrolment_code(agency))
    await enter_pitman_rotation(officer, no_shot)
    appointment = await book_first_time(officer)

    failures: dict[str, dict[str, list[str]]] = {}
    for language in ("en", "es"):
        found = await check_pages(officer, system.url, OFFICER_PAGES, language)
        found.update(await check_pages(therapist, system.url, THERAPIST_PAGES, language))
        # The call screen: the officer waiting, the therapist's waiting list with "Let in".
        await officer.goto(f"{system.url}/#/call/{appointment}")
        await expect(officer.locator(".videos .overlay")).not_to_be_empty(timeout=15000)
        await therapist.goto(f"{system.url}/#/call/{appointment}")
        await expect(therapist.locator(".waiting-list button").first).to_be_visible(timeout=15000)
        for who, page in (("officer call, waiting", officer), ("therapist call, waiting list", therapist)):
            if problems_found := await serious(page):
                found[who] = problems_found
        await therapist.locator(".waiting-list button").first.press("Enter")
        await wait_frames(officer)
        for who, page in (("officer call, in call", officer), ("therapist call, in call", therapist)):
            if problems_found := await serious(page):
                found[who] = problems_found
        await officer.goto(f"{system.url}/#/")  # leaves the call; the next language starts clean
        await therapist.goto(f"{system.url}/#/")
        failures[language] = found
    await context.close()
    await therapist_context.close()
    assert not any(failures.values()), failures
    assert problems.items == []


async def test_coordinator_system_admin_and_peer_supporter_pages_in_both_languages(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    started = time.time()
    agency = system.create_agency()
    failures: dict[str, dict[str, list[str]]] = {"en": {}, "es": {}}
    # Joining with a code, signed out.
    context, page = await new_page(browser, problems, "newcomer", PHONE)
    await page.goto(f"{system.url}/#/signin")
    for language in ("en", "es"):
        failures[language].update(
            await check_pages(page, system.url, ["enrol", "signin", "confirm-email"], language)
        )
    await context.close()

    coordinator_email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, coordinator_email, THERAPIST_PASSWORD)
    coordinator_context, coordinator = await new_page(browser, problems, "coordinator", LAPTOP)
    await _coordinator(coordinator, system, coordinator_email)
    for language in ("en", "es"):
        failures[language].update(await check_pages(coordinator, system.url, COORDINATOR_PAGES, language))

    # A peer supporter: enrolled as an officer, nominated by the coordinator, signed in again.
    context, first = await new_page(browser, problems, "peer-enrol", PHONE)
    peer = await enrol_officer(first, system.url, system.enrolment_code(agency))
    username = (await call(first, "identity", "GetMe", {}))["username"]
    await context.close()
    profile = {
        "timezone": "America/Chicago",
        "languages": ["en"],
        "modalities": ["individual"],
        "specialties": ["critical_incident"],
    }
    await call(
        coordinator,
        "identity",
        "NominatePeerSupporter",
        {"officer_user_id": peer["user_id"], "profile": profile},
    )
    await coordinator_context.close()
    context, page = await new_page(browser, problems, "peer", PHONE)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(username)
    await page.get_by_label("Password").fill(OFFICER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("link", name="Refer", exact=True)).to_be_visible()
    for language in ("en", "es"):
        failures[language].update(await check_pages(page, system.url, ["refer", "readiness"], language))
    await context.close()

    # The system admin (whose last code, at set-up, may not be replayed: wait out its 30 s step).
    assert system.admin.totp is not None
    await asyncio.sleep(max(0.0, started + 31 - time.time()))
    context, page = await new_page(browser, problems, "system-admin", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(ADMIN_USERNAME)
    await page.get_by_label("Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_label("Code from your authenticator app").fill(system.admin.totp.now())
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("link", name="Audit", exact=True)).to_be_visible()
    for language in ("en", "es"):
        failures[language].update(
            await check_pages(page, system.url, ["admin", "audit", "codes", "agency-licences"], language)
        )
    await context.close()
    assert not any(failures.values()), failures
    assert problems.items == []
