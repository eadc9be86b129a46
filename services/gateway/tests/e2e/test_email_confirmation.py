"""An officer adds an e-mail address on the Notifications page; the confirmation mail reaches a
real SMTP server (aiosmtpd); the link in it, opened in a browser that is not signed in,
confirms the address; the page then says so. Also: plain-words errors next to the field, the
developers' Outbox page, and channel choices with quiet hours that are kept. And a throttled
sign-in: the page says in plain words how long to wait and when to try again."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tenfour_testing.system import System

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .reach import mail_to
from .test_video_session import OFFICER_PASSWORD, enrol_officer

pytestmark = pytest.mark.e2e
CLINICAL_WORDS = re.compile(r"therap|counsel|clinic|crisis", re.IGNORECASE)


async def test_email_is_confirmed_through_the_mailed_link(
    system: System, browser: Browser, problems: PageProblems, shot: object
) -> None:
    code = system.enrolment_code(system.create_agency())
    _, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, code)
    await page.get_by_role("link", name="Notifications", exact=True).click()
    await expect(page).to_have_title("Notifications · Tenfour")

    # A bad address: the service's plain words next to the field, no code.
    field = page.get_by_label("E-mail address", exact=True)
    await field.fill("not an address")
    await page.get_by_role("button", name="Send confirmation link").click()
    await expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{await field.get_attribute('id')}-error")
    await expect(error).not_to_be_empty()
    assert "INVALID_ARGUMENT" not in (await error.inner_text())

    address = f"sam{secrets.token_hex(3)}@example.org"
    await field.fill(address)
    await page.get_by_role("button", name="Send confirmation link").click()
    await expect(page.get_by_text(f"We sent a link to {address}")).to_be_visible()

    mail = await mail_to(system, address)
    subject = str(mail["Subject"])
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    body = str(text.get_content())
    assert not CLINICAL_WORDS.search(subject), subject
    link = re.search(r"https?://\S+/notifications/confirm-email\?token=[\w.~%-]+", body)
    assert link, body
    assert link.group(0).startswith(system.url)

    # The developers' outbox shows the same mail with the link clickable.
    await page.get_by_role("link", name="Outbox", exact=True).click()
    shown = page.locator("li.mail", has_text=address).first
    await expect(shown.locator(".subject")).to_have_text(subject)
    await expect(shown.get_by_role("link", name=link.group(0))).to_be_visible()

    # The link, opened on another device that is not signed in, confirms after one click.
    _, other = await new_page(browser, problems, "other device", LAPTOP)
    await other.goto(link.group(0))
    await expect(other).to_have_title("Confirm your e-mail address · Tenfour")
    assert "token=" not in other.url  # the token leaves the address bar at once
    await other.get_by_role("button", name="Confirm this address").click()
    await expect(other.get_by_text("is confirmed")).to_be_visible()

    await page.get_by_role("link", name="Notifications", exact=True).click()
    await expect(page.get_by_text(f"{address} is confirmed.")).to_be_visible()

    # A link that was replaced or mistyped says so in plain words.
    await other.goto(f"{system.url}/notifications/confirm-email?token=nope{secrets.token_hex(8)}")
    await other.get_by_role("button", name="Confirm this address").click()
    await expect(other.get_by_text("This link has expired or a newer one was sent.")).to_be_visible()
    assert problems.items == []


async def choose(page: Page, category: str, channel: str, on: bool) -> None:
    box = page.locator(f'fieldset.category[data-category="{category}"]').get_by_label(channel, exact=True)
    await (box.check() if on else box.uncheck())


async def test_channels_and_quiet_hours_are_kept(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    code = system.enrolment_code(system.create_agency())
    _, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, code)
    await page.get_by_role("link", name="Notifications", exact=True).click()
    quiet = page.get_by_role("group", name="Quiet hours")
    await choose(page, "CATEGORY_CHANGES", "E-mail", on=False)
    await quiet.get_by_label("No alerts or e-mail during these hours").check()
    await quiet.get_by_label("From", exact=True).fill("22:30")
    await quiet.get_by_label("To", exact=True).fill("06:15")
    zone = quiet.get_by_label("Time zone", exact=True)
    await zone.fill("Mars/Olympus_Mons")
    await page.get_by_role("button", name="Save choices").click()
    await expect(zone).to_have_attribute("aria-invalid", "true")  # named next to the field
    await zone.fill("America/Chicago")
    await page.get_by_role("button", name="Save choices").click()
    await expect(page.locator("#status")).to_contain_text("Your choices are saved.")

    await page.reload()
    changes = page.locator('fieldset.category[data-category="CATEGORY_CHANGES"]')
    await expect(changes.get_by_label("E-mail", exact=True)).not_to_be_checked()
    await expect(changes.get_by_label("Alerts on my devices", exact=True)).to_be_checked()
    await expect(quiet.get_by_label("No alerts or e-mail during these hours")).to_be_checked()
    await expect(quiet.get_by_label("From", exact=True)).to_have_value("22:30")
    await expect(quiet.get_by_label("To", exact=True)).to_have_value("06:15")
    await expect(quiet.get_by_label("Time zone", exact=True)).to_have_value("America/Chicago")
    assert problems.items == []


async def test_throttled_sign_in_says_in_plain_words_when_to_try_again(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    code = system.enrolment_code(system.create_agency())
    _, joined = await new_page(browser, problems, "officer", PHONE)
    username = f"owl{secrets.token_hex(4)}"
    await enrol_officer(joined, system.url, code, username)
    _, page = await new_page(browser, problems, "someone-signing-in", LAPTOP)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Username or e-mail").fill(username)
    password = page.get_by_label("Password")
    button = page.get_by_role("button", name="Sign in")
    summary = page.locator(".form-summary")

    async def sign_in(with_password: str) -> str:
        await password.fill(with_password)
        await button.click()
        await expect(button).to_be_enabled()
        await expect(summary).to_be_visible()
        return await summary.inner_text()

    for _ in range(6):
        assert "Too many" not in await sign_in("a wrong guess at it")
    # The right password during the wait is refused, in words, with when to try again; trying
    # again then makes the wait longer.
    first = await sign_in(OFFICER_PASSWORD)
    second = await sign_in(OFFICER_PASSWORD)
    await shot(page, "sign-in-throttled")

    for text in (first, second):
        assert text.startswith("Too many sign-in attempts. To protect the account, please wait ")
        assert re.search(r"try again at \d", text), text
        assert "RESOURCE_EXHAUSTED" not in text
    waits = [int(re.search(r"wait (\d+) seconds", t).group(1)) for t in (first, second)]  # type: ignore[union-attr]
    assert waits[1] > waits[0] >= 2, waits
    assert (
        await page.evaluate("fetch('/api/session').then((r) => r.json()).then((s) => s.signed_in)") is False
    )
    assert problems.items == []
