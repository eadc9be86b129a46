"""Security headers and the CSRF rule."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tenfour_gateway.security import CSP, csrf_problem, security_headers_middleware

HOST = "tenfour.example.org"


def test_csp_is_strict() -> None:
    directives = dict(part.split(" ", 1) for part in CSP.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert "'unsafe-inline'" not in CSP
    assert "'unsafe-eval'" not in CSP
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["require-trusted-types-for"] == "'script'"


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_pass(method: str) -> None:
    assert csrf_problem(method, {"Origin": "https://evil.example", "Cookie": "a=b"}, HOST, ()) is None


def test_same_origin_post_passes() -> None:
    headers = {"Origin": f"https://{HOST}", "Cookie": "a=b"}
    assert csrf_problem("POST", headers, HOST, ()) is None


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", f"https://{HOST}.evil.example", "https://evil.example:443"]
)
def test_cross_origin_post_is_refused(origin: str) -> None:
    assert csrf_problem("POST", {"Origin": origin, "Cookie": "a=b"}, HOST, ()) is not None


def test_configured_origins_replace_the_host_rule() -> None:
    allowed = ("https://app.example.org",)
    assert csrf_problem("POST", {"Origin": "https://app.example.org", "Cookie": "x"}, HOST, allowed) is None
    assert csrf_problem("POST", {"Origin": f"https://{HOST}", "Cookie": "x"}, HOST, allowed) is not None


def test_fetch_metadata_without_origin() -> None:
    assert csrf_problem("POST", {"Sec-Fetch-Site": "same-origin", "Cookie": "x"}, HOST, ()) is None
    assert csrf_problem("POST", {"Sec-Fetch-Site": "cross-site", "Cookie": "x"}, HOST, ()) is not None
    assert csrf_problem("POST", {"Sec-Fetch-Site": "same-site", "Cookie": "x"}, HOST, ()) is not None


def test_cookie_without_any_origin_signal_is_refused() -> None:
    assert csrf_problem("POST", {"Cookie": "x"}, HOST, ()) is not None


def test_bearer_clients_without_cookies_are_not_checked() -> None:
    assert csrf_problem("POST", {"Authorization": "Bearer abc"}, HOST, ()) is None
    assert csrf_problem("POST", {}, HOST, ()) is None  # nothing ambient to forge


def test_websocket_handshake_is_checked_like_a_post() -> None:
    evil = {"Origin": "https://evil.example", "Cookie": "x"}
    assert csrf_problem("GET", evil, HOST, (), websocket=True) is not None
    good = {"Origin": f"http://{HOST}", "Cookie": "x"}
    assert csrf_problem("GET", good, HOST, (), websocket=True) is None


async def test_every_response_carries_the_headers() -> None:
    async def ok(_: web.Request) -> web.Response:
        return web.json_response({})

    async def missing(_: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    app = web.Application(middlewares=[security_headers_middleware(31536000)])
    app.router.add_get("/api/x", ok)
    app.router.add_get("/gone", missing)
    async with TestClient(TestServer(app)) as client:
        for path, status in (("/api/x", 200), ("/gone", 404), ("/nowhere", 404)):
            reply = await client.get(path)
            assert reply.status == status
            assert reply.headers["Content-Security-Policy"] == CSP
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
            assert reply.headers["Referrer-Policy"] == "no-referrer"
            assert reply.headers["X-Frame-Options"] == "DENY"
            assert reply.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
            assert "camera=(self)" in reply.headers["Permissions-Policy"]
            assert "microphone=(self)" in reply.headers["Permissions-Policy"]
        assert (await client.get("/api/x")).headers["Cache-Control"] == "no-store"
