"""Token cookies and the single-flight refresh."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from aiohttp import web

from tenfour_gateway.auth import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    RefreshFlights,
    TokenPair,
    clear_cookies,
    set_cookies,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _cookies(response: web.StreamResponse) -> SimpleCookie:
    """The Set-Cookie headers the response will send, parsed back as a browser would."""
    jar: SimpleCookie = SimpleCookie()
    for morsel in response.cookies.values():
        jar.load(morsel.OutputString())
    return jar


def test_cookies_are_httponly_secure_strict() -> None:
    response = web.Response()
    set_cookies(response, TokenPair("access.jwt", "refresh-opaque", NOW + timedelta(minutes=10)), NOW)
    jar = _cookies(response)
    access, refresh = jar[ACCESS_COOKIE], jar[REFRESH_COOKIE]
    for morsel in (access, refresh):
        assert morsel["httponly"] is True
        assert morsel["secure"] is True
        assert morsel["samesite"] == "Strict"
        assert not morsel["domain"]  # host-only
    assert ACCESS_COOKIE.startswith("__Host-")
    assert access["path"] == "/"
    assert access["max-age"] == "600"  # gone when the token expires
    assert refresh["path"] == "/api/auth/"  # only the token endpoints ever see it
    assert not refresh["max-age"]  # a session cookie
    assert not refresh["expires"]


def test_clearing_expires_both() -> None:
    response = web.Response()
    clear_cookies(response)
    jar = _cookies(response)
    assert jar[ACCESS_COOKIE]["max-age"] == "0"
    assert jar[REFRESH_COOKIE]["max-age"] == "0"
    assert jar[REFRESH_COOKIE]["path"] == "/api/auth/"


async def test_concurrent_refreshes_share_one_call() -> None:
    flights = RefreshFlights()
    calls = 0
    release = asyncio.Event()

    async def call() -> TokenPair:
        nonlocal calls
        calls += 1
        await release.wait()
        return TokenPair(f"a{calls}", f"r{calls}", NOW)

    tasks = [asyncio.create_task(flights.run("same-refresh-token", call)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    pairs = await asyncio.gather(*tasks)
    assert calls == 1
    assert {p.access_token for p in pairs} == {"a1"}
    # Shortly after, the same (already rotated) token gets the same answer instead of a reuse.
    assert (await flights.run("same-refresh-token", call)).access_token == "a1"
    assert calls == 1
    assert (await flights.run("another-token", call)).access_token == "a2"


async def test_failures_are_not_remembered() -> None:
    flights = RefreshFlights()
    attempts = 0

    async def flaky() -> TokenPair:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("identity restarting")
        return TokenPair("a", "r", NOW)

    with pytest.raises(RuntimeError):
        await flights.run("t", flaky)
    assert (await flights.run("t", flaky)).access_token == "a"


async def test_answers_expire() -> None:
    now = [0.0]
    flights = RefreshFlights(keep_seconds=10, clock=lambda: now[0])
    calls = 0

    async def call() -> TokenPair:
        nonlocal calls
        calls += 1
        return TokenPair(f"a{calls}", "r", NOW)

    await flights.run("t", call)
    now[0] = 11
    await flights.run("other", call)  # sweeps the expired entry
    assert (await flights.run("t", call)).access_token == "a3"
