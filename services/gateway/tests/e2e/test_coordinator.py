"""A wellness coordinator in the browser: enrolment codes, sign-up counts, rest rules."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
import redis.asyncio as aioredis
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_accessibility import serious
from .test_video_session import OFFICER_PASSWORD

pytestmark = pytest.mark.e2e

_SPEC = importlib.util.spec_from_file_location(
    "program_history", Path(__file__).resolve().parents[4] / "deploy" / "local" / "program_history.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
history = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("program_history", history)
_SPEC.loader.exec_module(history)


async def publish_program_history(system: System, agency: str) -> str:
    """`make run`'s made-up month before last (sessions, referrals) for this agency; returns its
    label once outcomes' read model holds every event of it (the positive marker)."""
    today = datetime.now(UTC).date()
    events = history.history_events(agency, today)
    await history.publish_history(system.nats.url, events)
    redis = aioredis.Redis.from_url(system.redis.url)
    wanted = {f"outcomes:facts:{{{agency}}}": 48, f"outcomes:referrals:{{{agency}}}": 32}
    try:
        for _ in range(1500):
            if all([await redis.hlen(key) >= n for key, n in wanted.items()]):
                break
            await asyncio.sleep(0.02)
        else:
            raise TimeoutError("outcomes did not take in the program history")
    finally:
        await redis.aclose()
    return str(history.history_month(today).strftime("%Y-%m"))


async def test_codes_and_rest_rules(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
    month = await publish_program_history(system, agency)
    _, page = await new_page(browser, problems, "coordinator", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(email)
    await page.get_by_label("Password").fill(THERAPIST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    secret = await page.locator("[data-mfa-secret]").text_content()
    await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP((secret or "").strip()).now())
    await page.get_by_role("button", name="Finish and sign in").click()
    await expect(page.get_by_role("link", name="Enrolment codes")).to_be_visible()

    await page.get_by_role("link", name="Codes", exact=True).click()
    await page.get_by_label("Label (for you)").fill("Night shift roll call")
    await page.get_by_role("button", name="Create code").click()
    code = page.locator(".enrolment-code")
    await expect(code).to_have_text(re.compile(r"[A-Z0-9-]{8,}"))
    await expect(page.get_by_text("Fewer than 11 sign-ups so far")).to_be_visible()  # < 11 sign-ups
    # The code is listed (never its plaintext again) and a leaked one can be stopped.
    listed = page.locator("li.code-item", has_text="Night shift roll call")
    await expect(listed).to_contain_text("Active")
    await expect(listed).to_contain_text("fewer than 11 people")
    assert (await code.text_content() or "x") not in (await listed.text_content() or "")
    await shot(page, "coordinator-enrolment-codes")
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await listed.get_by_role("button", name="Stop this code").click()
    await expect(page.locator("#status")).to_have_text('The code "Night shift roll call" is stopped.')
    await expect(listed).to_contain_text("Stopped")
    await expect(listed.get_by_role("button", name="Stop this code")).to_have_count(0)
    # Someone who got hold of it cannot join any more, and is told so in plain words.
    context, phone = await new_page(browser, problems, "stranger", PHONE)
    await phone.goto(f"{system.url}/#/enrol")
    await phone.get_by_label("Agency code").fill(await code.text_content() or "")
    await phone.get_by_label("Username").fill(f"owl{secrets.token_hex(3)}")
    await phone.get_by_label("Display name").fill("Sam")
    for label in ("Password", "Password again"):
        await phone.get_by_label(label, exact=True).fill(OFFICER_PASSWORD)
    await phone.get_by_role("button", name="Join").click()
    await expect(phone.locator(".form-summary")).to_contain_text(
        "This agency code is not valid or has expired"
    )
    await expect(phone).to_have_url(re.compile(r"#/enrol$"))
    await context.close()
    # A validity the form cannot take is said next to its field, and the last new code's notice
    # does not stand beside it.
    await page.get_by_label("Valid for (days)").fill("400")
    await page.get_by_role("button", name="Create code").click()
    valid = page.locator(".field", has=page.get_by_label("Valid for (days)")).locator(".field-error")
    await expect(valid).to_have_text("Valid for (days) must be between 1 and 365.")
    await expect(code).to_have_count(0)

    await page.get_by_role("link", name="Rest rules", exact=True).click()
    before = page.get_by_label("Free time before a shift starts (minutes)")
    await expect(before).to_have_value("90")
    await before.fill("120")
    await expect(page.get_by_label("Usual sleep starts at")).to_have_value("23:00")
    await page.get_by_label("Usual sleep starts at").fill("22:30")
    nights = page.get_by_label("No session the day after this many night shifts in a row (0: no such rule)")
    await nights.fill("3")
    await page.get_by_role("button", name="Save rest rules").click()
    await expect(page.locator("#status")).to_contain_text("Rest rules saved.")
    await page.reload()
    await expect(page.get_by_label("Free time before a shift starts (minutes)")).to_have_value("120")
    await expect(page.get_by_label("Usual sleep starts at")).to_have_value("22:30")
    await expect(page.get_by_label("Usual sleep ends at")).to_have_value("07:00")
    await expect(nights).to_have_value("3")
    await shot(page, "coordinator-rest-rules")

    await page.get_by_role("link", name="Numbers", exact=True).click()
    await expect(page).to_have_title("Program numbers · Tenfour")
    report = page.locator("table.report")
    await expect(report).to_be_visible()
    # Warm handoffs of the history month: 18 referrals made, 14 agreed to, 12 sessions held.
    # Each heading is short on screen; its full words are what a screen reader reads.
    headers = await report.locator("thead th").evaluate_all(
        "ths => ths.map(th => (th.querySelector('.visually-hidden') || th).textContent)"
    )
    cells = (
        await report.locator("tbody tr", has=page.get_by_role("rowheader", name=month, exact=True))
        .locator("td")
        .all_text_contents()
    )
    row = dict(zip(headers[1:], cells, strict=True))
    assert (row["Referrals made"], row["Referrals agreed to"], row["Referral sessions held"]) == (
        "18",
        "14",
        "12",
    )
    # Every column fits a laptop's width: the table does not scroll sideways in its box.
    box = page.get_by_role("region", name="Program numbers")
    widths = await box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert widths[0] <= widths[1], widths
    await expect(report.get_by_role("columnheader", name="Referrals agreed to")).to_have_attribute(
        "title", "Referrals agreed to"
    )
    await shot(page, "coordinator-program-numbers")
    # On a phone it still scrolls, inside its own focusable box, and the page itself does not.
    await page.set_viewport_size(PHONE)
    assert await box.evaluate("b => b.scrollWidth > b.clientWidth")
    await expect(box).to_have_attribute("tabindex", "0")
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert await serious(page) == []  # the filled table too: axe, and nothing wider than the phone
    assert problems.items == []
