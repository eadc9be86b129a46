"""The gateway over HTTP in front of the real services: tokens, cookies, CSRF, errors, JWKS."""

from __future__ import annotations

import json
import secrets
from typing import Any

import aiohttp
import pytest

from tenfour.identity.v1 import identity_pb2
from tenfour_gateway.auth import ACCESS_COOKIE, REFRESH_COOKIE

pytestmark = pytest.mark.e2e

PASSWORD = "Maple-Orbit-Falcon-8812"


class EagerResponse(aiohttp.ClientResponse):
    """Reads every body at once, so no test leaves a connection unreleased."""

    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        response = await super().start(connection)
        if self.status != 101:  # a WebSocket upgrade keeps its connection
            await self.read()
        return response


def _client(url: str) -> aiohttp.ClientSession:
    # Like a browser on http://127.0.0.1: cookies for an IP host, Secure cookies on loopback.
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[url])
    return aiohttp.ClientSession(url, cookie_jar=jar, headers={"Origin": url}, response_class=EagerResponse)


async def _enrol(client: aiohttp.ClientSession, code: str) -> dict[str, Any]:
    reply = await client.post(
        "/api/auth/enrol",
        json={
            "code": code,
            "username": f"officer{secrets.token_hex(4)}",
            "display_name": "Sam",
            "password": PASSWORD,
        },
    )
    body: dict[str, Any] = await reply.json()
    assert reply.status == 200, body
    return body


def _cookie(client: aiohttp.ClientSession, name: str) -> str:
    for morsel in client.cookie_jar:
        if morsel.key == name:
            return morsel.value
    return ""


async def test_health_and_readiness(system: Any) -> None:
    async with aiohttp.ClientSession(system.url, response_class=EagerResponse) as client:
        assert (await client.get("/healthz")).status == 200
        reply = await client.get("/readyz")
        body = await reply.json()
        assert reply.status == 200
        assert body["backends"] == dict.fromkeys(
            ["identity", "availability", "scheduling", "signaling", "outcomes", "notifications"], "SERVING"
        )


async def test_jwks_is_identitys(system: Any) -> None:
    direct = system.admin.stub.GetJwks(identity_pb2.GetJwksRequest())
    async with aiohttp.ClientSession(system.url, response_class=EagerResponse) as client:
        reply = await client.get("/.well-known/jwks.json")
        assert reply.status == 200
        assert reply.content_type == "application/jwk-set+json"
        assert json.loads(await reply.text()) == json.loads(direct.jwks_json)


async def test_cookie_session_lifecycle(system: Any) -> None:
    code = system.enrolment_code(system.create_agency())
    async with _client(system.url) as client:
        body = await _enrol(client, code)
        assert "access_token" not in body  # scripts never see tokens
        assert "refresh_token" not in body
        assert body["user"]["role"] == "ROLE_OFFICER"
        first_refresh = _cookie(client, REFRESH_COOKIE)
        assert _cookie(client, ACCESS_COOKIE)
        assert first_refresh

        session = await (await client.get("/api/session")).json()
        assert session["signed_in"] is True
        assert session["role"] == "officer"
        me = await client.post("/api/identity/GetMe", json={})
        assert me.status == 200
        assert (await me.json())["user_id"] == session["user_id"]

        # Refresh rotates both cookies; the old refresh token no longer works.
        refreshed = await client.post("/api/auth/refresh", json={})
        assert refreshed.status == 200, await refreshed.text()
        assert _cookie(client, REFRESH_COOKIE) not in ("", first_refresh)
        assert (await client.post("/api/identity/GetMe", json={})).status == 200

        out = await client.post("/api/auth/logout", json={})
        assert out.status == 200
        assert out.headers["Clear-Site-Data"] == '"cookies", "storage"'
        assert not _cookie(client, ACCESS_COOKIE)
        assert (await client.post("/api/identity/GetMe", json={})).status == 401


async def test_bearer_clients_get_tokens_in_the_body(system: Any) -> None:
    code = system.enrolment_code(system.create_agency())
    async with aiohttp.ClientSession(system.url, response_class=EagerResponse) as client:
        reply = await client.post(
            "/api/auth/enrol",
            json={
                "code": code,
                "username": f"native{secrets.token_hex(4)}",
                "display_name": "Jo",
                "password": PASSWORD,
            },
            headers={"X-Tenfour-Token-Delivery": "body"},
        )
        body = await reply.json()
        assert reply.status == 200, body
        assert not reply.cookies
        token = body["access_token"]
        me = await client.post("/api/identity/GetMe", json={}, headers={"Authorization": f"Bearer {token}"})
        assert me.status == 200
        refreshed = await client.post(
            "/api/auth/refresh",
            json={"refresh_token": body["refresh_token"]},
            headers={"X-Tenfour-Token-Delivery": "body"},
        )
        assert refreshed.status == 200
        assert (await refreshed.json())["access_token"] != token


async def test_field_violations_reach_the_form(system: Any) -> None:
    code = system.enrolment_code(system.create_agency())
    async with _client(system.url) as client:
        reply = await client.post(
            "/api/auth/enrol",
            json={"code": code, "username": "x y", "display_name": "Sam", "password": "short"},
        )
        body = await reply.json()
        assert reply.status == 400
        assert body["code"] == "INVALID_ARGUMENT"
        assert "password" in body["fields"]
        assert "username" in body["fields"]
        assert not _cookie(client, ACCESS_COOKIE)


async def test_cross_site_requests_are_refused(system: Any) -> None:
    code = system.enrolment_code(system.create_agency())
    async with _client(system.url) as client:
        await _enrol(client, code)
        forged = await client.post("/api/identity/GetMe", json={}, headers={"Origin": "https://evil.example"})
        assert forged.status == 403
        assert (await forged.json())["code"] == "PERMISSION_DENIED"
        login_csrf = await client.post(
            "/api/auth/login",
            json={"username": "a", "password": "b"},
            headers={"Origin": "https://evil.example"},
        )
        assert login_csrf.status == 403
        socket = await client.get(
            "/api/signaling/ws?session_id=x", headers={"Origin": "https://evil.example"}
        )
        assert socket.status == 403


async def test_bad_requests(system: Any) -> None:
    async with _client(system.url) as client:
        assert (await client.post("/api/identity/GetMe", json={})).status == 401
        unknown = await client.post("/api/identity/NoSuchThing", json={})
        assert unknown.status == 404
        wrong_field = await client.post("/api/auth/login", json={"user": "x"})
        assert wrong_field.status == 400
        assert (await wrong_field.json())["code"] == "INVALID_ARGUMENT"
        not_json = await client.post(
            "/api/auth/login", data=b"{", headers={"Content-Type": "application/json"}
        )
        assert not_json.status == 400
        form = await client.post("/api/auth/login", data={"username": "x"})
        assert form.status == 400  # only JSON bodies, so a plain HTML form cannot post here


async def test_static_app_and_headers(system: Any) -> None:
    async with aiohttp.ClientSession(system.url, response_class=EagerResponse) as client:
        page = await client.get("/")
        assert page.status == 200
        html = await page.text()
        assert '<script type="module" src="/static/js/app.js"></script>' in html
        assert "therapy" not in html.lower()
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        script = await client.get("/static/js/app.js")
        assert script.status == 200
        assert script.content_type == "text/javascript"
