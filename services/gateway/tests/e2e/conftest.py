"""Real headless Chromium (Debian's `chromium`) driven by Playwright, with fake camera and microphone."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
# Every expectation waits up to 20 s for its marker (Playwright's default is 5 s): on a loaded CI
# machine a page's answer through the real services has taken longer than 5 s. An expectation
# that is already met returns at once, so this costs nothing when things are quick.
EXPECT_TIMEOUT_MS = 20_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class PageProblems:
    """Script errors and CSP refusals seen by a page: a test fails if there are any."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page, who: str) -> Page:
        page.on("pageerror", lambda error: self.items.append(f"{who}: {error}"))

        def console(message: object) -> None:
            text = getattr(message, "text", "")
            if "Content Security Policy" in text or "Refused to" in text or "TrustedHTML" in text:
                self.items.append(f"{who}: {text}")

        page.on("console", console)
        return page


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


async def new_page(
    browser: Browser, problems: PageProblems, who: str, viewport: dict[str, int]
) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = await context.new_page()
    problems.watch(page, who)
    return context, page


@pytest.fixture
def shot(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Screenshots: into docs/screenshots/ with TENFOUR_UPDATE_SCREENSHOTS=1, else the test's tmp dir."""
    target = SCREENSHOTS if os.environ.get("TENFOUR_UPDATE_SCREENSHOTS") == "1" else tmp_path

    async def take(page: Page, name: str, full_page: bool = True) -> None:
        target.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(target / f"{name}.png"), full_page=full_page, animations="disabled")

    return take
