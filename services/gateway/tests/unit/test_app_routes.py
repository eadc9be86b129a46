"""Routes that need no backend: the service worker, app paths from links, the live socket's refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tenfour_gateway.app import build_app
from tenfour_gateway.config import Settings
from tenfour_gateway.security import CSP, SW_POLICY


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    # Backends at addresses where nothing listens: these routes must not need them.
    settings = Settings(
        identity_target="127.0.0.1:1", notifications_target="127.0.0.1:1", jwks_json='{"keys": []}'
    )
    app, _ = build_app(settings)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_service_worker_is_served_from_the_root(client: TestClient) -> None:  # type: ignore[type-arg]
    reply = await client.get("/sw.js")
    assert reply.status == 200
    assert reply.content_type == "text/javascript"
    assert reply.headers["Cache-Control"] == "no-cache"  # a new version reaches browsers at once
    assert reply.headers["Content-Security-Policy"] == CSP
    body = await reply.text()
    assert "showNotification" in body
    assert "notificationclick" in body


def test_csp_allows_only_the_service_worker_policy() -> None:
    directives = dict(part.split(" ", 1) for part in CSP.split("; "))
    assert directives["trusted-types"] == SW_POLICY  # one named policy, no 'allow-duplicates'
    assert directives["worker-src"] == "'self'"
    assert directives["require-trusted-types-for"] == "'script'"


@pytest.mark.parametrize(
    "path",
    [
        "/notifications/confirm-email?token=abc",
        "/appointments/a1",
        "/urgent/r1",
        "/conflicts/t1.0123456789abcdef",
        "/notifications",
    ],
)
async def test_links_in_mails_and_alerts_open_the_app(client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    reply = await client.get(path)
    assert reply.status == 200
    assert '<script type="module" src="/static/js/app.js"></script>' in await reply.text()
    assert reply.headers["Referrer-Policy"] == "no-referrer"  # the token never leaves in a Referer


async def test_live_socket_needs_a_session(client: TestClient) -> None:  # type: ignore[type-arg]
    reply = await client.get("/api/live")
    assert reply.status == 401
    body = await reply.json()
    assert body["message"] == "Please sign in again."


async def test_live_socket_refuses_other_sites(client: TestClient) -> None:  # type: ignore[type-arg]
    reply = await client.get(
        "/api/live",
        headers={"Origin": "https://evil.example", "Cookie": "__Host-tenfour_access=x"},
    )
    assert reply.status == 403


async def test_live_socket_unavailable_backend_is_plain_words(client: TestClient) -> None:  # type: ignore[type-arg]
    reply = await client.get(
        "/api/live", headers={"Authorization": "Bearer not-a-real-token", "Origin": str(client.make_url(""))}
    )
    assert reply.status == 503
    body = await reply.json()
    assert body["code"] == "UNAVAILABLE"
    assert body["message"] == "The service is busy or restarting. Please try again in a moment."
