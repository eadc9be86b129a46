"""A group session in real browsers through a real Janus: a therapist and three officers, one of
them on a device without a camera. Everyone sees the cameras that are on and hears everyone."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.coturn import Coturn
from tenfour_testing.janus import JanusServer, janus_binary, primary_address
from tenfour_testing.system import THERAPIST_PASSWORD, System, publish_booking, start_system

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e

# A phone without a camera: asking for video fails as it does on such a device.
NO_CAMERA = """
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => (constraints && constraints.video)
  ? Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))
  : realGetUserMedia(constraints);
"""
# Every ICE candidate the page's own connections gather, by type (read by the test only).
WATCH_CANDIDATES = """
window.candidateTypes = new Set();
const RealPeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) {
  const pc = new RealPeerConnection(...args);
  pc.addEventListener('icecandidate', (e) => {
    if (e.candidate && e.candidate.type) window.candidateTypes.add(e.candidate.type);
  });
  return pc;
};
window.RTCPeerConnection.prototype = RealPeerConnection.prototype;
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """The whole system with an embedded Janus, as `make run` starts it."""
    if janus_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Janus is not installed (apt-get install -y janus)")
        pytest.skip("Janus is not installed (apt-get install -y janus)")
    with (
        JanusServer(tmp_path_factory.mktemp("janus")) as janus,
        Coturn(tmp_path_factory.mktemp("coturn"), host=primary_address()) as turn,
    ):
        env = {
            # TURN with the default policy: officers are relayed (their address stays hidden).
            "TENFOUR_TURN_HOST": turn.host,
            "TENFOUR_TURN_PORT": str(turn.port),
            "TENFOUR_TURN_SECRET": turn.secret,
            "TENFOUR_JANUS_URLS": janus.url,
            "TENFOUR_JANUS_API_SECRET": janus.api_secret,
            "TENFOUR_JANUS_ROOM_ADMIN_KEY": janus.room_admin_key,
        }
        yield from start_system(tmp_path_factory.mktemp("system"), env)


def tile(page: Page, name: str) -> Any:
    return page.locator(".tile", has_text=name).locator("video")


async def wait_count(page: Page, name: str, attribute: str, seconds: float = 45) -> int:
    """A tile's statistic (decoded frames, received audio bytes) once above zero."""
    for _ in range(int(seconds * 4)):
        value = int(await tile(page, name).get_attribute(attribute) or 0)
        if value > 0:
            return value
        await asyncio.sleep(0.25)
    raise AssertionError(f"{name}: no {attribute} within {seconds} s")


async def test_group_through_the_sfu(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"okafor{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD)
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    officers: dict[str, Page] = {}
    ids = []
    for name in ("Alex", "Blake", "Casey"):
        context, page = await new_page(browser, problems, name, PHONE)
        await context.add_init_script(WATCH_CANDIDATES)
        if name == "Casey":
            await context.add_init_script(NO_CAMERA)
        ids.append((await enrol_officer(page, system.url, code))["user_id"])
        officers[name] = page
    await sign_in_therapist(therapist, system.url, email)

    appointment = f"appt-{secrets.token_hex(6)}"
    await publish_booking(
        system.nats.url,
        appointment_id=appointment,
        agency_id=agency,
        provider_id=therapist_id,
        officer_id=ids[0],
        more_officers=tuple(ids[1:]),
    )
    for name, page in officers.items():
        await page.goto(f"{system.url}/#/call/{appointment}")
        for _ in range(40):  # the room exists once signaling has consumed the booking event
            if await page.get_by_text("call is not ready yet").count():
                await asyncio.sleep(0.25)
                await page.reload()
            elif await page.get_by_label("Your name in this group").count():
                break
            else:
                await asyncio.sleep(0.25)
        await page.get_by_label("Your name in this group").fill(name)
        await expect(page.locator(".videos .overlay")).to_contain_text("let you in")
    # The pre-call check says whether our relay works from here (officers are relayed by default).
    check = officers["Blake"]
    await check.goto(f"{system.url}/#/check")
    await check.get_by_role("button", name="Start the check").click()
    await expect(check.get_by_text("Our relay is reachable")).to_be_visible(timeout=20000)
    await expect(check.get_by_text("through our relay")).to_be_visible(timeout=30000)
    await check.goto(f"{system.url}/#/call/{appointment}")
    await check.get_by_label("Your name in this group").fill("Blake")
    # Officers join a group with the camera off; the one without a camera joins by voice.
    await expect(officers["Alex"].get_by_role("button", name="Camera on")).to_be_visible()
    await expect(officers["Casey"].get_by_text("you join with your voice only")).to_be_visible()

    # Providers go straight in under their own name (officers chose theirs above).
    await therapist.goto(f"{system.url}/#/call/{appointment}")
    shown = await therapist.evaluate("fetch('/api/session').then((r) => r.json())")
    provider_name = shown.get("display_name") or "Therapist"
    for _ in range(3):
        await therapist.get_by_role("button", name="Let in").first.click()
    await expect(therapist.get_by_role("button", name="Let in")).to_have_count(0)
    for name in ("Alex", "Blake"):
        await officers[name].get_by_role("button", name="Camera on").click()
        await expect(officers[name].get_by_role("button", name="Camera off")).to_be_visible()

    # Each sees the cameras that are on and hears everyone (WebRTC statistics of each tile).
    everyone = {provider_name: therapist, **officers}
    for me, page in everyone.items():
        others = [n for n in everyone if n != me]
        await expect(page.locator(".tile")).to_have_count(3, timeout=45000)
        for other in others:
            if other != "Casey":
                await wait_count(page, other, "data-frames-decoded")
            await wait_count(page, other, "data-audio-bytes")
    await expect(therapist.locator(".call-state")).to_have_text("Connected")
    # By default an officer's browser gathers relay candidates only: no address of theirs leaves.
    for page in officers.values():
        assert await page.evaluate("[...window.candidateTypes]") == ["relay"]
    await asyncio.sleep(1)
    await shot(therapist, "therapist-group-session")
    await shot(officers["Alex"], "officer-group-session")

    # Chat goes over the data channels, through the SFU, to the others.
    await officers["Alex"].get_by_label("Message").fill("Thanks for having us")
    await officers["Alex"].get_by_role("button", name="Send").click()
    await expect(therapist.locator(".chat-log")).to_contain_text("Alex: Thanks for having us")
    await expect(officers["Casey"].locator(".chat-log")).to_contain_text("Alex: Thanks for having us")

    # The therapist asks Blake to mute, then removes Casey: the others go on.
    await therapist.locator(".tile", has_text="Blake").get_by_role("button", name="Ask to mute").click()
    await expect(officers["Blake"].get_by_role("button", name="Unmute")).to_be_visible()
    therapist.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await therapist.locator(".tile", has_text="Casey").get_by_role("button", name="Remove").click()
    await expect(officers["Casey"].get_by_text("removed you from this session")).to_be_visible()
    await expect(therapist.locator(".tile")).to_have_count(2)
    await expect(officers["Alex"].locator(".tile")).to_have_count(2)
    before = int(await tile(officers["Alex"], "Blake").get_attribute("data-frames-decoded") or 0)
    for _ in range(80):
        if int(await tile(officers["Alex"], "Blake").get_attribute("data-frames-decoded") or 0) > before:
            break
        await asyncio.sleep(0.25)
    else:
        raise AssertionError("Blake's video stopped reaching Alex after Casey was removed")

    therapist.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await therapist.get_by_role("button", name="End for everyone").click()
    await expect(officers["Alex"].get_by_text("The session has ended.")).to_be_visible()
    assert problems.items == []
