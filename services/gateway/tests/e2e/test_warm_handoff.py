"""Warm handoff in real browsers against the real system: an officer has a session with a peer
supporter; the peer refers them to a clinician from the Refer page; the officer agrees (without
sharing "booked") and books one of the clinician's times from the Referrals page; the peer then
sees only "Agreed". Then a second referral, from the session on the peer's Upcoming page: the
officer asks the clinician to propose times (with a note); the clinician sees the request and the
note, a time in the past is refused next to its field, two good times are sent; the officer
picks one and it is booked. A third referral, to any clinician of the agency, is declined and
the peer sees "Declined"."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_licences import _coordinator
from .test_officer_journey import set_round_the_clock_hours
from .test_schedule_clashes import call, local_date
from .test_video_session import OFFICER_PASSWORD, enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


async def _roster(page: Page) -> None:
    roster = {
        "template": "pitman",
        "cycle": "D------",
        "anchor": local_date(date.today() + timedelta(days=4)),
        "timezone": "America/Chicago",
    }
    await call(page, "scheduling", "SetRoster", {"roster": roster})


# An instant as a datetime-local value in the browser's zone.
_LOCAL = (
    "iso => { const d = new Date(iso); "
    "return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); }"
)


# The page's own formatting of an instant (time.js `when`), in English.
_WHEN = (
    "iso => new Intl.DateTimeFormat('en', { weekday: 'short', day: 'numeric', month: 'short', "
    "hour: '2-digit', minute: '2-digit' }).format(new Date(iso))"
)


async def _notices(page: Page, kind: str) -> list[dict[str, str]]:
    """The signed-in person's in-app notifications of one kind, oldest first (title and body)."""
    found = (await call(page, "notifications", "ListNotifications", {"limit": 50})).get("notifications") or []
    return [{"title": n["title"], "body": n["body"]} for n in reversed(found) if n.get("kind") == kind]


async def _refer(peer: Page, clinician: str) -> None:
    await peer.get_by_role("link", name="Refer", exact=True).click()
    await expect(peer).to_have_title("Refer to a clinician · Tenfour")
    await peer.get_by_label("Who").select_option(label="Sam")
    await peer.get_by_label("Clinician").select_option(clinician)
    await peer.get_by_role("button", name="Send the referral").click()
    await expect(peer.locator("#status")).to_contain_text("Referral sent.")


async def test_peer_refers_the_officer_agrees_and_books_a_clinician(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    coordinator_email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, coordinator_email, THERAPIST_PASSWORD)
    email = f"dr{secrets.token_hex(3)}@example.org"
    clinician = system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, shot)

    # A peer supporter: enrolled as an officer, nominated by the coordinator, signed in again.
    _, first = await new_page(browser, problems, "peer-enrol", PHONE)
    peer_session = await enrol_officer(first, system.url, code)
    peer_username = (await call(first, "identity", "GetMe", {}))["username"]
    _, coordinator = await new_page(browser, problems, "coordinator", LAPTOP)
    await _coordinator(coordinator, system, coordinator_email)
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
        {"officer_user_id": peer_session["user_id"], "profile": profile},
    )
    _, peer = await new_page(browser, problems, "peer", LAPTOP)
    await peer.goto(f"{system.url}/#/signin")
    await peer.get_by_label("Username or e-mail").fill(peer_username)
    await peer.get_by_label("Password").fill(OFFICER_PASSWORD)
    await peer.get_by_role("button", name="Sign in").click()
    await expect(peer.get_by_role("link", name="Refer", exact=True)).to_be_visible()
    await _roster(peer)
    await set_round_the_clock_hours(peer, shot)

    # The officer has a session with the peer.
    _, officer = await new_page(browser, problems, "officer", PHONE)
    session_officer = (await enrol_officer(officer, system.url, code))["user_id"]
    await _roster(officer)
    slot: dict[str, Any] = {}
    async with asyncio.timeout(30):  # the peer's hours reach scheduling as events
        while not slot:
            found = await call(
                officer,
                "scheduling",
                "FindSlots",
                {"limit": 5, "filters": {"provider_kind": "PROVIDER_KIND_PEER"}},
            )
            slot = (found.get("slots") or [{}])[0]
            if not slot:
                await asyncio.sleep(0.5)
    await call(
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

    # The peer refers them to the clinician.
    await _refer(peer, clinician)
    await expect(peer.locator(".referral .referral-state").first).to_have_text("Waiting for an answer")
    await shot(peer, "peer-refer")

    # The officer agrees and books one of the clinician's times.
    await officer.goto(f"{system.url}/#/referrals")
    card = officer.locator(".referral").first
    await expect(card.locator(".referral-state")).to_have_text("Waiting for an answer")
    await card.get_by_role("button", name="Yes, I agree").click()
    await expect(officer.locator("#status")).to_contain_text("Choose a time below.")
    times = officer.locator(".referral .referral-time")
    await expect(times.first).to_be_visible()
    await shot(officer, "officer-referral-times")
    await times.first.get_by_role("button", name="Book").click()
    await expect(officer.locator("#status")).to_contain_text("Booked. It is in your appointments.")
    await expect(officer.locator(".referral .referral-state").first).to_have_text("Booked")
    mine = (await call(officer, "scheduling", "ListAppointments", {}))["appointments"]
    assert sorted(a["provider_id"] for a in mine) == sorted([slot["provider_id"], clinician])

    # The peer sees only that the officer agreed (they did not share "booked").
    await peer.reload()
    await expect(peer.locator(".referral .referral-state").first).to_have_text("Agreed")

    # A second referral, from the session on the peer's Upcoming page: the officer is chosen.
    await peer.goto(f"{system.url}/#/upcoming")
    await peer.locator(".appointment").first.get_by_role("link", name="Refer to a clinician").click()
    await expect(peer).to_have_title("Refer to a clinician · Tenfour")
    await expect(peer.get_by_label("Who")).to_have_value(session_officer)
    await peer.get_by_label("Clinician").select_option(clinician)
    await peer.get_by_role("button", name="Send the referral").click()
    await expect(peer.locator("#status")).to_contain_text("Referral sent.")

    # The officer agrees and asks the clinician to propose times.
    await officer.reload()
    card = officer.locator(".referral").first  # the newest first
    await card.get_by_role("button", name="Yes, I agree").click()
    await expect(officer.locator("#status")).to_contain_text("Choose a time below.")
    card = officer.locator(".referral").first
    await card.get_by_label("Days or times that suit you (optional)").fill("Mornings after my day off")
    await card.get_by_role("button", name="Ask the clinician to propose times").click()
    await expect(officer.locator("#status")).to_contain_text("Asked. You will be told")

    # The clinician sees the request and the note, and proposes two times that fit the officer.
    found = await call(
        officer,
        "scheduling",
        "FindSlots",
        {"limit": 50, "filters": {"provider_kind": "PROVIDER_KIND_THERAPIST"}},
    )
    starts = [x["time"]["start"] for x in found.get("slots") or [] if x["provider_id"] == clinician][:2]
    assert len(starts) == 2, found
    await therapist.goto(f"{system.url}/#/referred")
    request = therapist.locator(".referral", has=therapist.locator(".times-note"))
    await expect(request.locator(".times-note")).to_have_text("Mornings after my day off")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    await request.get_by_label("Time 1", exact=True).fill(await therapist.evaluate(_LOCAL, past))
    await request.get_by_role("button", name="Propose these times").click()
    await expect(request.locator(".field-error").first).to_have_text("Time 1 is in the past.")
    # 03:00 in Chicago, two days ahead: the officer's usual sleep, said next to the field.
    night = datetime.combine(date.today() + timedelta(days=2), time(3), ZoneInfo("America/Chicago"))
    await request.get_by_label("Time 1", exact=True).fill(await therapist.evaluate(_LOCAL, night.isoformat()))
    await request.get_by_role("button", name="Propose these times").click()
    await expect(request.locator(".field-error").first).to_have_text(
        "Time 1 does not fit the shifts or rest of the officer."
    )
    for n, start in enumerate(starts, 1):
        await request.get_by_label(f"Time {n}", exact=True).fill(await therapist.evaluate(_LOCAL, start))
    await request.get_by_role("button", name="Propose these times").click()
    await expect(therapist.locator("#status")).to_contain_text("Times sent. The officer is told.")
    await expect(request.locator(".times-request")).to_contain_text("Proposed:")
    await shot(therapist, "clinician-proposes-times")

    # The officer picks the second one: booked with the clinician at that time.
    await officer.reload()
    proposed = officer.locator(".referral").first.locator(".proposed-time")
    await expect(proposed).to_have_count(2)
    await shot(officer, "officer-proposed-times")
    await proposed.nth(1).get_by_role("button", name="Pick this time").click()
    await expect(officer.locator("#status")).to_contain_text("Booked. It is in your appointments.")
    await expect(officer.locator(".referral .referral-state").first).to_have_text("Booked")
    mine = (await call(officer, "scheduling", "ListAppointments", {}))["appointments"]
    picked = [a for a in mine if a["provider_id"] == clinician and a["time"]["start"] == starts[1]]
    assert len(picked) == 1, mine

    # A third, to any clinician of the agency: the officer declines; the peer sees only that.
    await peer.goto(f"{system.url}/#/refer")
    await peer.get_by_label("Who").select_option(label="Sam")
    await peer.get_by_label("Clinician").select_option(label="Any clinician of our agency")
    await peer.get_by_role("button", name="Send the referral").click()
    await expect(peer.locator("#status")).to_contain_text("Referral sent.")
    await officer.reload()
    card = officer.locator(".referral").first
    await expect(card.locator(".referral-state")).to_have_text("Waiting for an answer")
    await card.get_by_role("button", name="No, thanks").click()
    await expect(officer.locator("#status")).to_contain_text("Declined. Your peer supporter sees only that.")
    await peer.reload()
    await expect(peer.locator(".referral .referral-state").first).to_have_text("Declined")

    # A fourth, to any clinician of the agency, agreed to: the pool learns of it then, not before,
    # in neutral words, and its queue says when the officer agreed.
    await therapist.goto(f"{system.url}/#/referred")
    await expect(therapist.locator(".referral")).to_have_count(2, timeout=30_000)
    await peer.goto(f"{system.url}/#/refer")
    await peer.get_by_label("Who").select_option(label="Sam")
    await peer.get_by_label("Clinician").select_option(label="Any clinician of our agency")
    await peer.get_by_role("button", name="Send the referral").click()
    await expect(peer.locator("#status")).to_contain_text("Referral sent.", timeout=30_000)
    # The officer is told of the suggestion: notifications has handled the proposal by then, so
    # had the pool been told at proposal, it would be there too.
    async with asyncio.timeout(30):
        while True:
            if len(await _notices(officer, "referral_proposed")) >= 4:
                break
            await asyncio.sleep(0.3)
    neutral = {
        "title": "Tenfour: a new referral",
        "body": "A new referral is in your queue. Open Referrals in Tenfour.",
    }
    # The two named referrals agreed to above; none for this one yet.
    assert await _notices(therapist, "referral_queued") == [neutral, neutral]
    await officer.reload()
    card = officer.locator(".referral").first
    await expect(card.locator(".referral-state")).to_have_text("Waiting for an answer", timeout=30_000)
    await card.get_by_role("button", name="Yes, I agree").click()
    await expect(officer.locator("#status")).to_contain_text("Choose a time below.", timeout=30_000)
    # The clinician's open page hears of it live, in the same neutral words.
    await expect(therapist.locator("#live-news")).to_have_text(
        "Tenfour: a new referral: A new referral is in your queue. Open Referrals in Tenfour.", timeout=30_000
    )
    told = await _notices(therapist, "referral_queued")
    assert len(told) == 3
    for words in ("Sam", peer_username, "peer", "Any clinician"):
        assert words not in str(told)
    await therapist.reload()
    await expect(therapist.locator(".referral")).to_have_count(3, timeout=30_000)
    queue = (await call(therapist, "scheduling", "ListReferrals", {}))["referrals"]
    newest = queue[0]
    assert newest["answered_at"] >= newest["created_at"]
    agreed = therapist.locator(f'.referral[data-referral="{newest["referral_id"]}"] .referral-agreed')
    shown = await therapist.evaluate(_WHEN, newest["answered_at"])
    await expect(agreed).to_have_text(f"Agreed {shown}")
    assert problems.items == []
