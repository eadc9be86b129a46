"""Fetching a subscribed calendar over http(s), safely.

* SSRF: every address a host name resolves to (and every literal IP) must be public, unless an
  operator allows private ones (`TENFOUR_CALENDAR_FEEDS_ALLOW_PRIVATE`). The check sits in the
  resolver the connection uses, so what was checked is what is connected to (no DNS rebinding
  between check and connect), and it runs again for every redirect.
* Bounded: at most `max_bytes` of (decompressed) body, `timeout_seconds` in all, 5 redirects;
  a redirect back to an address already visited is a loop.
* Conditional: If-None-Match / If-Modified-Since from the last answer; 304 is "unchanged".
* Plain words for every failure, and a stable code (domain.feeds.FeedError).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from tenfour_availability.domain.feeds import FeedError, Fetched

__all__ = ["HttpFeedFetcher", "is_public"]

_MAX_REDIRECTS = 5
_USER_AGENT = "Tenfour-Calendar-Sync/1 (busy times only)"
_NOT_CALENDAR = FeedError(
    "not_calendar",
    "The address gave a web page, not a calendar. Use the calendar's iCal (.ics) address.",
)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _PrivateAddress(OSError):
    pass


class _GuardedResolver(AbstractResolver):
    """Resolves as usual, then refuses names that lead to a private address."""

    def __init__(self, public: Callable[[str], bool]) -> None:
        self._inner = DefaultResolver()
        self._public = public

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not found or not all(self._public(r["host"]) for r in found):
            raise _PrivateAddress("private address")
        return found

    async def close(self) -> None:
        await self._inner.close()


class HttpFeedFetcher:
    def __init__(
        self,
        *,
        allow_private: bool,
        max_bytes: int,
        timeout_seconds: float,
        public: Callable[[str], bool] = is_public,
    ) -> None:
        # `public` decides which addresses count as public; tests narrow it to put a "public"
        # server on loopback and check that a redirect from it to a private address is refused.
        self._public = public
        self._allow_private = allow_private
        self._max_bytes = max_bytes
        self._timeout = timeout_seconds

    async def fetch(self, url: str, etag: str, last_modified: str) -> Fetched:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._fetch(url, etag, last_modified)
        except TimeoutError:
            raise FeedError(
                "timeout", f"The calendar server did not answer within {self._timeout:g} seconds."
            ) from None
        except (aiohttp.ClientError, OSError) as exc:
            if _caused_by_private(exc):
                raise _private() from None
            if isinstance(exc, aiohttp.InvalidURL):
                raise FeedError("invalid_url", "This is not a web address that can be fetched.") from None
            raise FeedError("unreachable", "Could not connect to the calendar server.") from None

    async def _fetch(self, url: str, etag: str, last_modified: str) -> Fetched:
        headers = {"User-Agent": _USER_AGENT, "Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        connector = aiohttp.TCPConnector(
            resolver=None if self._allow_private else _GuardedResolver(self._public),
            use_dns_cache=False,
            force_close=True,
        )
        async with aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
        ) as session:
            seen = {url}
            for _ in range(_MAX_REDIRECTS + 1):
                self._check_target(url)
                async with self._get(session, url, headers) as reply:
                    if reply.status in (301, 302, 303, 307, 308):
                        url = self._next(url, reply.headers.get("Location", ""), seen)
                        continue
                    return await self._read(reply)
        raise FeedError("redirects", f"The address redirected more than {_MAX_REDIRECTS} times.")

    def _get(self, session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> Any:
        try:
            return session.get(url, headers=headers, allow_redirects=False)
        except (ValueError, aiohttp.InvalidURL):
            raise FeedError("invalid_url", "This is not a web address that can be fetched.") from None

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FeedError("invalid_url", "The address led somewhere other than an http(s) web address.")
        if self._allow_private:
            return
        host = parts.hostname
        try:
            literal = self._public(host)
        except ValueError:  # a name: the resolver checks every address it gives
            return
        if not literal:
            raise _private()

    def _next(self, url: str, location: str, seen: set[str]) -> str:
        if not location:
            raise FeedError("http_status", "The calendar server redirected without saying where to.")
        target = urljoin(url, location)
        if target in seen:
            raise FeedError("redirects", "The address redirects in a loop.")
        seen.add(target)
        return target

    async def _read(self, reply: aiohttp.ClientResponse) -> Fetched:
        etag = reply.headers.get("ETag", "")[:512]
        last_modified = reply.headers.get("Last-Modified", "")[:128]
        if reply.status == 304:
            return Fetched(None, etag, last_modified)
        if reply.status != 200:
            raise _status_error(reply.status)
        declared = reply.content_length
        if declared is not None and declared > self._max_bytes:
            raise _too_large(self._max_bytes)
        if reply.content_type in ("text/html", "application/xhtml+xml"):
            raise _NOT_CALENDAR
        body = bytearray()
        async for chunk in reply.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self._max_bytes:
                raise _too_large(self._max_bytes)
        try:
            text = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FeedError("not_calendar", "The address did not give calendar text (not UTF-8).") from None
        if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
            raise _NOT_CALENDAR
        return Fetched(text, etag, last_modified)


def _caused_by_private(exc: BaseException | None) -> bool:
    for _ in range(6):
        if exc is None:
            return False
        if isinstance(exc, _PrivateAddress) or isinstance(getattr(exc, "os_error", None), _PrivateAddress):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _private() -> FeedError:
    return FeedError(
        "private_address",
        "This address points inside a private network; only public calendar servers can be used.",
    )


def _too_large(limit: int) -> FeedError:
    return FeedError("too_large", f"The calendar is larger than the {limit // (1024 * 1024)} MB limit.")


def _status_error(status: int) -> FeedError:
    if status in (401, 403):
        return FeedError(
            "http_status", f"The calendar server refused access (HTTP {status}): is the link still shared?"
        )
    if status in (404, 410):
        return FeedError(
            "http_status", f"The calendar server has no calendar at this address (HTTP {status})."
        )
    return FeedError("http_status", f"The calendar server answered with an error (HTTP {status}).")
