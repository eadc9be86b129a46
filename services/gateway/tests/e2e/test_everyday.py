"""The everyday experience (issue 18) in real Chromium, on a phone and a laptop: languages,
messages per form, plain-words errors, date ranges, the officer's home."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import date, timedelta
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_live_updates import no_shot
from .test_officer_journey import GROUP, book_time, enter_pitman_rotation, set_round_the_clock_hours
from .test_schedule_clashes import call
from .test_video_session import OFFICER_PASSWORD, enrol_officer, sign_in_therapist

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


@pytest.mark.parametrize("screen", [PHONE, LAPTOP], ids=["phone", "laptop"])
async def test_one_message_per_form_in_plain_words_and_only_dates_a_person_means(
    system: System, browser: Browser, problems: PageProblems, screen: dict[str, int], shot: Any
) -> None:
    code = system.enrolment_code(system.create_agency())
    context, page = await new_page(browser, problems, "officer", screen)
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

    # Home: "Talk to someone now" is the first action, whole on the first screen.
    await page.goto(f"{system.url}/#/")
    talk = page.locator("#main a").first
    await expect(talk).to_contain_text("Talk to someone now")
    box = await talk.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= screen["height"], box
    assert box["height"] >= 44, box
    if screen is PHONE:
        await shot(page, "officer-home-phone", full_page=False)
    await context.close()
    assert problems.items == []


async def test_find_a_time_day_by_day_on_a_phone_and_a_laptop_with_refusals_in_plain_words(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"rivera{secrets.token_hex(3)}@example.org"
    clinician = system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    therapist_context, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, no_shot)
    # An eighth window on Monday overlaps the first: said once, on its row, in plain words.
    await therapist.get_by_role("button", name="Add a window").click()
    extra = therapist.locator(".window").nth(7)
    await extra.get_by_label("From", exact=True).fill("09:00")
    await extra.get_by_label("To", exact=True).fill("10:00")
    await therapist.get_by_role("button", name="Save hours").click()
    # The times as Intl writes them in English ("12:00\u202fAM"): the page's language, not 24 h.
    overlap = re.compile(
        r"^This window overlaps Monday 12:00\sAM\u201312:00\sAM\. "
        r"Merge them, or make one end where the other starts\.$"
    )
    await expect(extra.locator(".field-error").first).to_have_text(overlap)
    await expect(therapist.get_by_text("This window overlaps")).to_have_count(1)
    await expect(therapist.locator("#status")).to_have_text("")  # "Hours saved." is gone
    assert "weekly[" not in await therapist.locator("main").inner_text()
    await therapist_context.close()

    context, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, system.enrolment_code(agency))
    await enter_pitman_rotation(page, no_shot)
    await page.get_by_role("link", name="Find a time", exact=True).click()
    await page.get_by_label("Within").select_option("7")
    show = page.get_by_role("button", name="Show times")
    async with asyncio.timeout(30):  # the therapist's hours reach scheduling as events
        while not await page.locator(".day-chip").count():
            await show.click()
            await expect(show).to_be_enabled()
    days = page.locator(".day-chip")
    assert await days.count() >= 3
    await expect(days.first).to_have_attribute("aria-pressed", "true")
    assert "null" not in await page.locator(".find-results").inner_text()  # no absent part written out
    first_day = await page.locator(".day-title").text_content()
    # Tomorrow is a day off (the rotation puts today at an off day followed by another), so its
    # times run from the end of the usual sleep to its start whatever the hour the test runs at;
    # today may have a single time left, or none.
    tomorrow = date.today() + timedelta(days=1)
    tomorrow_chip = page.locator(f'.day-chip[data-day="{tomorrow.isoformat()}"]')
    tomorrow_title = f"{tomorrow:%A}, {tomorrow:%B} {tomorrow.day}"
    # Another day from the strip: one day's times, grouped under the provider, as compact
    # buttons: the day fits a phone.
    await tomorrow_chip.click()
    await expect(tomorrow_chip).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(".day-title")).to_have_text(tomorrow_title)
    times = page.locator(".day-panel .time-chip")
    assert await times.count() >= 4
    chips = [await times.nth(i).bounding_box() for i in range(2)]
    assert chips[0] is not None
    assert chips[1] is not None
    assert chips[0]["height"] >= 44
    assert chips[1]["y"] == chips[0]["y"]  # side by side, not a card each
    panel = await page.locator(".day-panel").bounding_box()
    assert panel is not None
    assert panel["height"] < 2 * PHONE["height"], panel
    await shot(page, "officer-find-a-time-phone")
    # Or a day from the date picker.
    last = await days.last.get_attribute("data-day")
    assert last != tomorrow.isoformat()
    await page.get_by_label("Go to a date").fill(last or "")
    await expect(days.last).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(".day-title")).not_to_have_text(tomorrow_title)
    # Best fit first marks that provider's best time.
    await page.get_by_label("Show first").select_option("best")
    await show.click()
    await expect(page.locator(".time-chip.best").first).to_be_visible()

    # A second session the same day is refused in plain words, without the service's code.
    await page.get_by_label("Show first").select_option("earliest")
    await show.click()
    await expect(show).to_be_enabled()  # the earliest-first times have replaced the best-fit ones
    await expect(page.locator(".time-chip.best")).to_have_count(0)
    await expect(days.first).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(".day-title")).to_have_text(first_day or "")
    await page.get_by_label("Go to a date").fill(tomorrow.isoformat())
    await expect(page.locator(".day-title")).to_have_text(tomorrow_title)
    # The day's first time (its earliest part, open), then its last time, in its last part (still
    # closed, so hours later): only the day's limit stands in the way, not the first session.
    await book_time(page, page.locator(".day-panel details[open] li.slot").first)
    last_part = page.locator(".day-panel details.part").last
    assert await last_part.get_attribute("open") is None
    await last_part.locator("summary").click()
    later = last_part.locator("li.slot").last
    await later.get_by_role("button").click()
    chosen = later.locator(GROUP).locator(".chosen")
    await chosen.get_by_role("button", name="Book this time").click()
    await expect(chosen.locator(".notice.error")).to_have_text(
        "Booking: You already have the sessions allowed that day."
    )
    assert "officer_day_limit" not in await page.locator("main").inner_text()

    await page.set_viewport_size(LAPTOP)  # type: ignore[arg-type]
    await expect(page.locator(".day-strip")).to_be_visible()
    await shot(page, "officer-find-a-time-laptop")

    # "Licensed where I live" matches from the web: the coordinator records the clinician's Texas
    # licence; the officer who lives in Texas (Preferences) finds their times, in California none.
    coordinator_email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, coordinator_email, THERAPIST_PASSWORD)
    coordinator_context, coordinator = await new_page(browser, problems, "coordinator", LAPTOP)
    await sign_in_coordinator(coordinator, system, coordinator_email)
    today = date.today()
    licence = {
        "clinician_id": clinician,
        "jurisdiction": "US-TX",
        "number": "LPC-1",
        "issued_at": f"{today - timedelta(days=400)}T00:00:00Z",
        "expires_at": f"{today + timedelta(days=400)}T00:00:00Z",
    }
    await call(coordinator, "scheduling", "RecordLicence", {"licence": licence})
    await coordinator_context.close()
    for state, finds in (("Texas", True), ("California", False)):
        await page.get_by_role("link", name="Preferences", exact=True).click()
        await page.get_by_label("Your state or jurisdiction").select_option(label=state)
        await page.get_by_role("button", name="Save preferences").click()
        await expect(page.locator("#status")).to_have_text("Preferences saved.")
        await page.get_by_role("link", name="Find a time", exact=True).click()
        await page.locator("details.more-filters summary").click()
        await page.get_by_label("Licensed where I live").check()
        await page.get_by_label("With", exact=True).select_option("PROVIDER_KIND_THERAPIST")
        show = page.get_by_role("button", name="Show times")
        async with asyncio.timeout(30):  # the licence reaches the search by an event
            while True:
                await show.click()
                await expect(show).to_be_enabled()
                await expect(page.locator(".find-results > *").first).to_be_visible()
                if await page.locator(".day-chip").count() > 0 or not finds:
                    break
                await asyncio.sleep(0.5)
        if not finds:
            await expect(page.locator(".day-chip")).to_have_count(0)
            await expect(page.locator(".find-results .notice")).to_have_text(
                "No clinician who offers this is licensed where you live (your preferences). "
                "A peer supporter may be available."
            )
    await context.close()
    assert problems.items == []


async def sign_in_coordinator(page: Page, system: System, email: str) -> None:
    """A coordinator's first sign-in: password, then two-step set-up."""
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP((secret or "").strip()).now())
    await page.get_by_role("button", name="Finish and sign in").click()
    await expect(page.get_by_role("link", name="Enrolment codes")).to_be_visible()


async def test_an_officer_keeps_their_preferences_on_the_web(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    context, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, system.enrolment_code(system.create_agency()))
    await page.get_by_role("link", name="Preferences", exact=True).click()
    await expect(page).to_have_title("My preferences · Tenfour")
    await page.get_by_label("Your state or jurisdiction").select_option(label="California")
    await page.get_by_role("button", name="Add a time range").click()
    await page.get_by_label("From", exact=True).fill("18:30")
    await page.get_by_label("To", exact=True).fill("21:00")
    await page.get_by_label("Days off first").check()
    await page.get_by_label("Never on the day before a run of night shifts").check()
    await page.get_by_role("button", name="Save preferences").click()
    await expect(page.locator("#status")).to_have_text("Preferences saved.")
    await shot(page, "officer-preferences")

    await page.reload()
    await expect(page.get_by_label("Your state or jurisdiction")).to_have_value("US-CA")
    await expect(page.get_by_label("From", exact=True)).to_have_value("18:30")
    await expect(page.get_by_label("To", exact=True)).to_have_value("21:00")
    await expect(page.get_by_label("Days off first")).to_be_checked()
    await expect(page.get_by_label("Never on the day before a run of night shifts")).to_be_checked()
    stored = await page.evaluate(
        "fetch('/api/scheduling/GetPreferences', {method: 'POST',"
        " headers: {'Content-Type': 'application/json'}, body: '{}'}).then((r) => r.json())"
    )
    assert stored["preferred_hours"] == [
        {"start": {"hour": 18, "minute": 30}, "end": {"hour": 21, "minute": 0}}
    ]
    assert stored["prefer_days_off"] is True
    # Removing the range keeps the rest.
    await page.get_by_role("button", name="Remove time range 1").click()
    await page.get_by_role("button", name="Save preferences").click()
    await expect(page.locator("#status")).to_have_text("Preferences saved.")
    await page.reload()
    await expect(page.get_by_label("From", exact=True)).to_have_count(0)
    await expect(page.get_by_label("Your state or jurisdiction")).to_have_value("US-CA")
    await context.close()
    assert problems.items == []
