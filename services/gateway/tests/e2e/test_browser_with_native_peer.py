"""An officer in the browser and a therapist on the native aiortc client, in one session.

The native client (`python -m tenfour_signaling.client`) is what a desktop app or an operator's
test participant uses; it must interoperate with the web app: waiting room, admit, video both
ways, through the real gateway and signaling service.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from typing import Any

import grpc
import pyotp
import pytest
from playwright.async_api import Browser, expect

from tenfour.identity.v1 import identity_pb2, identity_pb2_grpc
from tenfour_testing.system import THERAPIST_PASSWORD, System, publish_booking

from .conftest import PHONE, PageProblems, new_page
from .test_video_session import enrol_officer, wait_frames

pytestmark = pytest.mark.e2e


def therapist_token(system: System, email: str) -> str:
    """Sign the therapist in over gRPC, setting up two-step sign-in as a first login does."""
    with grpc.insecure_channel(system.target("identity")) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        first = stub.Login(identity_pb2.LoginRequest(username=email, password=THERAPIST_PASSWORD))
        assert first.mfa_setup_required
        setup = stub.BeginMfaSetup(identity_pb2.BeginMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket))
        done = stub.CompleteMfaSetup(
            identity_pb2.CompleteMfaSetupRequest(
                mfa_setup_ticket=first.mfa_setup_ticket, totp_code=pyotp.TOTP(setup.secret).now()
            )
        )
        return str(done.access_token)


async def test_browser_officer_and_native_therapist_see_each_other(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"okafor{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD)
    _, officer = await new_page(browser, problems, "officer", PHONE)
    session = await enrol_officer(officer, system.url, code)

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
    waiting = overlay.filter(has_text="let you in")
    not_ready = officer.get_by_text("call is not ready yet")
    async with asyncio.timeout(30):  # the room exists once signaling has consumed the booking event
        while not await waiting.count():
            await expect(waiting.or_(not_ready).first).to_be_visible(timeout=30_000)
            if await not_ready.count():
                await officer.reload()
    await expect(overlay).to_contain_text("Waiting for your therapist to let you in")

    # The therapist joins natively: admits the waiting officer and sends a test pattern.
    native = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tenfour_signaling.client",
        "--target",
        system.target("signaling"),
        "--appointment",
        appointment,
        "--seconds",
        "6",
        "--connect-timeout",
        "60",
        env={**os.environ, "TENFOUR_TOKEN": therapist_token(system, email)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    officer_frames = await wait_frames(officer, seconds=40)
    await expect(officer.locator(".call-state")).to_have_text("Connected")
    out, err = await asyncio.wait_for(native.communicate(), 90)
    assert native.returncode == 0, err.decode()[-2000:]
    report: dict[str, Any] = json.loads(out)
    assert report["role"] == "therapist"
    assert report["frames_received"] > 0  # the browser's camera reached the native peer
    assert officer_frames > 0  # and the native test pattern reached the browser
    assert problems.items == []
