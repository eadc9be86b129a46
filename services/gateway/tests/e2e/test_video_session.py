"""Two real browsers in one video session: waiting room, admit, video both ways, a dropped
signaling connection that resumes, leaving and ending. Also the pre-call check."""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System, publish_booking

from .conftest import LAPTOP, PHONE, PageProblems, new_page

pytestmark = pytest.mark.e2e
OFFICER_PASSWORD = "Maple-Orbit-Falcon-8812"


async def enrol_officer(
    page: Page, url: str, code: str, username: str = "", lives_in: str = ""
) -> dict[str, Any]:
    await page.goto(f"{url}/#/enrol")
    await page.get_by_label("Agency code").fill(code)
    await page.get_by_label("Username").fill(username or f"nightowl{secrets.token_hex(3)}")
    await page.get_by_label("Display name").fill("Sam")
    await page.get_by_label("Password", exact=True).fill(OFFICER_PASSWORD)
    await page.get_by_label("Password again").fill(OFFICER_PASSWORD)
    if lives_in:
        await page.get_by_label("Where you live (optional)").select_option(label=lives_in)
    await page.get_by_role("button", name="Join").click()
    await page.wait_for_url(re.compile(r"#/rotation$"))
    session: dict[str, Any] = await page.evaluate("fetch('/api/session').then((r) => r.json())")
    assert session["role"] == "officer"
    return session


async def sign_in_therapist(
    page: Page, url: str, email: str, shot: Any = None, home: str = "Upcoming sessions"
) -> pyotp.TOTP:
    """First sign-in: the page walks the therapist through setting up two-step sign-in."""
    await page.goto(f"{url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    assert secret
    totp = pyotp.TOTP(secret.strip())
    if shot:
        await shot(page, "therapist-two-step-setup")
    await page.get_by_label("Code from your authenticator app").fill(totp.now())
    await page.get_by_role("button", name="Finish and sign in").click()
    await expect(page.get_by_role("link", name=home, exact=home != "Upcoming sessions")).to_be_visible()
    return totp


async def frames(page: Page) -> int:
    value = await page.locator("video.remote").get_attribute("data-frames-decoded")
    return int(value or 0)


async def wait_frames(page: Page, more_than: int = 0, seconds: float = 20) -> int:
    """Frames the page decoded (updated every second from getStats), once above `more_than`."""
    for _ in range(int(seconds * 4)):
        count = await frames(page)
        if count > more_than:
            return count
        await asyncio.sleep(0.25)
    raise AssertionError(f"no decoded video frames beyond {more_than} within {seconds} s")


async def test_officer_and_therapist_see_each_other(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"rivera{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD)
    _, officer = await new_page(browser, problems, "officer", PHONE)
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)

    session = await enrol_officer(officer, system.url, code)
    await sign_in_therapist(therapist, system.url, email, shot)
    await shot(therapist, "therapist-home")

    # The booking as scheduling announces it (this test covers the call, not the booking).
    appointment = f"appt-{secrets.token_hex(6)}"
    await publish_booking(
        system.nats.url,
        appointment_id=appointment,
        agency_id=agency,
        provider_id=therapist_id,
        officer_id=session["user_id"],
    )

    await officer.goto(f"{system.url}/#/call/{appointment}")
    overlay = officer.locator(".videos .overlay")
    for _ in range(40):  # the room exists once signaling has consumed the booking event
        if await officer.locator(".call-state").count() and "let you in" in (
            await overlay.text_content() or ""
        ):
            break
        if await officer.get_by_text("call is not ready yet").count():
            await asyncio.sleep(0.25)
            await officer.reload()
        else:
            await asyncio.sleep(0.25)
    await expect(overlay).to_contain_text("Waiting for your therapist to let you in")
    assert "therapy" not in (await officer.title()).lower()
    await shot(officer, "officer-waiting-room")

    await therapist.goto(f"{system.url}/#/call/{appointment}")
    let_in = therapist.get_by_role("button", name="Let in")
    await expect(let_in).to_be_visible()
    await expect(overlay).to_contain_text("Your therapist is here")
    await let_in.click()

    # Both browsers decode the other's video (counted by RTCPeerConnection.getStats in the page).
    officer_frames = await wait_frames(officer)
    therapist_frames = await wait_frames(therapist)
    await expect(officer.locator(".call-state")).to_have_text("Connected")
    await expect(therapist.locator(".call-state")).to_have_text("Connected")
    # Only the provider can end the session for everyone.
    await expect(officer.get_by_role("button", name="End for everyone")).to_be_hidden()
    await expect(therapist.get_by_role("button", name="End for everyone")).to_be_visible()
    await asyncio.sleep(1.5)  # let the picture settle for the screenshots
    await shot(officer, "officer-video-call")
    await shot(therapist, "therapist-video-call")

    # Mute and camera off are local switches, announced with aria-pressed.
    mute = officer.get_by_role("button", name="Mute")
    await mute.click()
    await expect(officer.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
    await officer.get_by_role("button", name="Camera off").click()
    await expect(officer.get_by_role("button", name="Camera on")).to_be_visible()
    await officer.get_by_role("button", name="Camera on").click()
    await officer.get_by_role("button", name="Unmute").click()

    # The gateway restarts under both: their signaling sockets drop, say so, and resume from the
    # last sequence number; the media keeps flowing browser to browser meanwhile.
    system.gateway.stop()
    await expect(officer.locator(".call-state")).to_have_text("Reconnecting…")
    system.gateway.start()
    system.gateway.wait_ready()
    await expect(officer.locator(".call-state")).to_have_text("Connected", timeout=20000)
    await expect(therapist.locator(".call-state")).to_have_text("Connected", timeout=20000)
    assert await wait_frames(officer, officer_frames) > officer_frames
    assert await wait_frames(therapist, therapist_frames) > therapist_frames

    # The officer leaves: the therapist hears of it over the resumed stream, then ends.
    await officer.get_by_role("button", name="Leave").click()
    await expect(officer.get_by_text("You left the session.")).to_be_visible()
    await expect(therapist.locator(".videos .overlay")).to_have_text("The other person left.")
    therapist.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await therapist.get_by_role("button", name="End for everyone").click()
    await expect(therapist.get_by_text("The session has ended.")).to_be_visible()
    assert problems.items == []


async def test_precall_check(system: System, browser: Browser, problems: PageProblems, shot: Any) -> None:
    code = system.enrolment_code(system.create_agency())
    _, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, code)
    await page.get_by_role("link", name="Check camera", exact=True).click()
    await expect(page).to_have_title("Camera and network check · Tenfour")
    await page.get_by_role("button", name="Start the check").click()
    result = page.locator("[data-frames-decoded]")
    await expect(result).to_be_attached(timeout=30000)
    assert int(await result.get_attribute("data-frames-decoded") or 0) > 0
    await expect(page.locator(".checks .pass").first).to_contain_text("Camera works")
    await expect(page.get_by_text("Your video made the round trip")).to_be_visible()
    await shot(page, "officer-precall-check")
    assert problems.items == []


async def test_forms_show_the_servers_field_messages(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    code = system.enrolment_code(system.create_agency())
    _, page = await new_page(browser, problems, "officer", PHONE)
    await page.goto(f"{system.url}/")
    await expect(page).to_have_title("Tenfour")
    join = page.get_by_role("link", name="Join with an agency code").first
    await expect(join).to_be_visible()  # the page has rendered: no blank screenshot
    await shot(page, "start")
    await join.click()
    await page.get_by_label("Agency code").fill(code)
    await page.get_by_label("Username").fill("nightowl")
    await page.get_by_label("Display name").fill("Sam")
    await page.get_by_label("Password", exact=True).fill("short")
    await page.get_by_label("Password again").fill("short")
    await page.get_by_role("button", name="Join").click()
    password = page.get_by_label("Password", exact=True)
    await expect(password).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{await password.get_attribute('id')}-error")
    await expect(message).not_to_be_empty()
    await expect(password).to_be_focused()
    await shot(page, "officer-enrol-field-error")
    # A wrong code is named next to the code field.
    await page.get_by_label("Agency code").fill("NOPE-NOPE-NOPE-NOPE")
    await password.fill(OFFICER_PASSWORD)
    await page.get_by_label("Password again").fill(OFFICER_PASSWORD)
    await page.get_by_role("button", name="Join").click()
    # A wrong code is refused with the server's words: next to the code field when the service
    # names it, otherwise at the top of the form.
    refusal = page.locator('.form-summary, [data-field="code"][aria-invalid="true"]').first
    await expect(refusal).to_be_visible()
    await expect(page).to_have_url(re.compile(r"#/enrol$"))
    # Keyboard only: the form is reachable and submittable without a mouse.
    await page.goto(f"{system.url}/#/signin")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    assert problems.items == []
