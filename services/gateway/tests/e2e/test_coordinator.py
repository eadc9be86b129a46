"""A wellness coordinator in the browser: enrolment codes, sign-up counts, rest rules."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pyotp
import pytest
from playwright.async_api import Browser, expect

from tenfour_gateway.testing import THERAPIST_PASSWORD, System

from .conftest import LAPTOP, PageProblems, new_page

pytestmark = pytest.mark.e2e


async def test_codes_and_rest_rules(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"coord{secrets.token_hex(3)}@example.org"
    system.create_coordinator(agency, email, THERAPIST_PASSWORD)
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
    await expect(page.get_by_text("small numbers are not shown")).to_be_visible()  # < 11 sign-ups
    await shot(page, "coordinator-enrolment-codes")

    await page.get_by_role("link", name="Rest rules", exact=True).click()
    before = page.get_by_label("Free time before a shift starts (minutes)")
    await expect(before).to_have_value("90")
    await before.fill("120")
    await page.get_by_role("button", name="Save rest rules").click()
    await expect(page.locator("#status")).to_contain_text("Rest rules saved.")
    await page.reload()
    await expect(page.get_by_label("Free time before a shift starts (minutes)")).to_have_value("120")
    await shot(page, "coordinator-rest-rules")

    await page.get_by_role("link", name="Numbers", exact=True).click()
    await expect(page).to_have_title("Program numbers · Tenfour")
    report = page.locator("table.report").or_(page.get_by_text("No month has been published yet."))
    await expect(report).to_be_visible()
    await shot(page, "coordinator-program-numbers")
    assert problems.items == []
