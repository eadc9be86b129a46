"""A therapist follows their own calendar from the page, against a real local calendar server
whose file changes: a web-page address gets a plain error next to the field; a real one shows
"Last synced"; its busy time disappears from the officer's FindSlots; "Sync now" sends the ETag
(the server answers 304 while nothing changed); a change on the server frees the time again."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_schedule_clashes import call, local_date
from .test_video_session import enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


class CalendarHost:
    def __init__(self) -> None:
        self.ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nEND:VCALENDAR\r\n"
        self.not_modified = 0
        self.url = ""

    def busy(self, start: datetime, end: datetime) -> None:
        self.ics = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\nUID:x@example.test\r\n"
            f"DTSTAMP:20260101T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            "SUMMARY:Custody hearing, J. Roe\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )

    async def cal(self, request: web.Request) -> web.Response:
        etag = '"' + hashlib.sha256(self.ics.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=self.ics, content_type="text/calendar", headers={"ETag": etag})

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text="<html><body>Please sign in</body></html>", content_type="text/html")


@pytest.fixture
async def host() -> AsyncIterator[CalendarHost]:
    calendar = CalendarHost()
    app = web.Application()
    app.router.add_get("/private/abc123/basic.ics", calendar.cal)
    app.router.add_get("/share", calendar.page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    calendar.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield calendar
    finally:
        await runner.cleanup()


async def slot_starts(officer: Page, provider_id: str) -> set[str]:
    found = await call(officer, "scheduling", "FindSlots", {"limit": 200})
    return {s["time"]["start"] for s in found.get("slots", []) if s["provider_id"] == provider_id}


async def until_slots(officer: Page, provider_id: str, check: Any) -> set[str]:
    for _ in range(150):  # the change reaches scheduling as availability's event
        starts = await slot_starts(officer, provider_id)
        if check(starts):
            return starts
        await asyncio.sleep(0.2)
    raise AssertionError(f"FindSlots never matched: {sorted(starts)[:5]}")


async def test_a_therapist_follows_their_calendar_and_its_changes_reach_find_slots(
    system: System, browser: Browser, problems: PageProblems, shot: Any, host: CalendarHost
) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"feed{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    _, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    _, officer = await new_page(browser, problems, "officer", PHONE)
    await sign_in_therapist(therapist, system.url, email)
    await call(therapist, "availability", "UseDefaultRules", {"provider_id": therapist_id})
    await enrol_officer(officer, system.url, code)
    anchor = date.today() + timedelta(days=4)
    roster = {
        "template": "pitman",
        "cycle": "D------",
        "anchor": local_date(anchor),
        "timezone": "America/Chicago",
    }
    await call(officer, "scheduling", "SetRoster", {"roster": roster})
    first = min(await until_slots(officer, therapist_id, bool))
    start = datetime.fromisoformat(first.replace("Z", "+00:00"))
    host.busy(start, start + timedelta(hours=1))

    await therapist.goto(f"{system.url}/#/import")
    address = therapist.get_by_label("Calendar address (iCal link)")
    await address.fill(f"{host.url}/share")
    await therapist.get_by_role("button", name="Follow this calendar").click()
    await expect(therapist.locator(".field-error").first).to_contain_text("web page, not a calendar")
    await expect(therapist.locator('[data-feed="status"]')).to_have_count(0)  # nothing was stored

    await address.fill(f"{host.url}/private/abc123/basic.ics")
    await therapist.get_by_role("button", name="Follow this calendar").click()
    await expect(therapist.locator('[data-feed="synced"]')).to_contain_text("Last synced")
    await expect(therapist.locator('[data-feed="status"]')).not_to_contain_text("abc123")  # the link's secret
    await shot(therapist, "therapist-calendar-subscription")
    await until_slots(officer, therapist_id, lambda starts: first not in starts)

    await therapist.get_by_role("button", name="Sync now").click()
    for _ in range(150):  # the ETag was sent and honoured: 304, nothing re-imported
        if host.not_modified:
            break
        await asyncio.sleep(0.1)
    assert host.not_modified == 1
    await expect(therapist.locator('[data-feed="synced"]')).to_contain_text("Last synced")

    host.busy(start + timedelta(days=30), start + timedelta(days=30, hours=1))
    await therapist.get_by_role("button", name="Sync now").click()
    await until_slots(officer, therapist_id, lambda starts: first in starts)
    await therapist.reload()
    await expect(therapist.locator('[data-feed="synced"]')).to_contain_text("Last synced")
    assert problems.items == []
