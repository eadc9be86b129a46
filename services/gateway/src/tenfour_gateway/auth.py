"""Where a request's access token comes from, and how tokens become cookies.

Browsers: identity's tokens live in HttpOnly, Secure, SameSite=Strict cookies that page scripts
never see. The access token is `__Host-tenfour_access` (Path=/, expires with the token); the
refresh token is `__Secure-tenfour_refresh`, sent only to /api/auth/ and cleared when the
browser closes. Native clients send `Authorization: Bearer <access token>` instead, and ask for
tokens in the reply body with `X-Tenfour-Token-Delivery: body`.

The gateway never mints a token: it forwards the caller's to every backend, which verifies it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

__all__ = [
    "ACCESS_COOKIE",
    "REFRESH_COOKIE",
    "REFRESH_PATH",
    "RefreshFlights",
    "TokenPair",
    "access_token",
    "clear_cookies",
    "refresh_token",
    "set_cookies",
    "wants_body_tokens",
]

ACCESS_COOKIE = "__Host-tenfour_access"
REFRESH_COOKIE = "__Secure-tenfour_refresh"
REFRESH_PATH = "/api/auth/"
DELIVERY_HEADER = "X-Tenfour-Token-Delivery"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    access_expires_at: datetime


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token.strip():
        return None
    return token.strip()


def access_token(request: web.Request) -> tuple[str | None, str]:
    """(token, how): a bearer header wins over the cookie; how is "bearer", "cookie" or ""."""
    header = request.headers.get("Authorization")
    if header is not None:
        return _bearer(header), "bearer"
    token = request.cookies.get(ACCESS_COOKIE)
    return (token, "cookie") if token else (None, "")


def refresh_token(request: web.Request, body_token: str = "") -> str:
    return body_token or request.cookies.get(REFRESH_COOKIE, "")


def wants_body_tokens(request: web.Request) -> bool:
    return request.headers.get(DELIVERY_HEADER, "").lower() == "body"


def set_cookies(response: web.StreamResponse, pair: TokenPair, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    max_age = max(1, int((pair.access_expires_at - now).total_seconds()))
    response.set_cookie(
        ACCESS_COOKIE,
        pair.access_token,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="Strict",
    )
    # No Max-Age: a session cookie, gone when the browser closes (shared devices, patrol cars).
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        path=REFRESH_PATH,
        secure=True,
        httponly=True,
        samesite="Strict",
    )


def clear_cookies(response: web.StreamResponse) -> None:
    response.del_cookie(ACCESS_COOKIE, path="/", secure=True, httponly=True, samesite="Strict")
    response.del_cookie(REFRESH_COOKIE, path=REFRESH_PATH, secure=True, httponly=True, samesite="Strict")


class RefreshFlights:
    """One identity Refresh per refresh token at a time, and its answer kept briefly.

    Refresh tokens rotate on every use and a reused one revokes the whole session, so two tabs
    (or two requests) refreshing at the same moment must share a single call.
    """

    def __init__(self, keep_seconds: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._keep = keep_seconds
        self._clock = clock
        self._flights: dict[str, tuple[float, asyncio.Future[TokenPair]]] = {}

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    async def run(self, token: str, call: Callable[[], Awaitable[TokenPair]]) -> TokenPair:
        now = self._clock()
        for key in [k for k, (at, f) in self._flights.items() if f.done() and now - at > self._keep]:
            del self._flights[key]
        key = self._key(token)
        known = self._flights.get(key)
        if known is not None:
            return await asyncio.shield(known[1])
        future: asyncio.Future[TokenPair] = asyncio.get_running_loop().create_future()
        self._flights[key] = (now, future)
        try:
            pair = await call()
        except asyncio.CancelledError:
            del self._flights[key]
            future.cancel()
            raise
        except Exception as exc:
            del self._flights[key]  # a failure is not remembered: the next try asks again
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        future.set_result(pair)
        self._flights[key] = (self._clock(), future)
        return pair
