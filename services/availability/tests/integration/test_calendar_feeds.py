"""Busy-calendar subscriptions against a real local HTTP server serving a changing iCalendar file:
subscribing imports at once, polls send the server's validators (304 = nothing changes), a
change on the server becomes free-time changes, unusable addresses are refused with nothing
stored, repeated failures pause the feed with an event, and loopback is refused by default."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import grpc
import pytest
from aiohttp import web
from grpc import aio
from nats.aio.client import Client
from nats.js import JetStreamContext
from redis.asyncio import Redis

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc
from tenfour.events.v1.availability_events_pb2 import BusyCalendarFeedPaused
from tenfour_availability.adapters.feed_fetcher import HttpFeedFetcher, is_public
from tenfour_availability.bootstrap import running
from tenfour_availability.config import Settings
from tenfour_availability.domain.feeds import FeedError
from tenfour_shared.events.envelope import parse
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.tokens import TestTokens

from .conftest import START, FakeClock, Harness, violations, weekly

pytestmark = pytest.mark.integration
POLL = timedelta(minutes=15)


def calendar(*busy: tuple[datetime, datetime], summary: str = "Dentist with Jane Roe") -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}@example.test\r\nDTSTAMP:20251201T000000Z\r\n"
        f"DTSTART:{s:%Y%m%dT%H%M%SZ}\r\nDTEND:{e:%Y%m%dT%H%M%SZ}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
        for i, (s, e) in enumerate(busy)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n{events}END:VCALENDAR\r\n"


@dataclass
class CalendarServer:
    """A calendar host: /cal.ics with an ETag (304 when it matches), and unusable answers."""

    ics: str = ""
    broken: bool = False
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.ics.encode()).hexdigest()[:16] + '"'

    async def cal(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(dict(request.headers))
        if self.broken:
            return web.Response(status=500, text="oops")
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304, headers={"ETag": self.etag})
        return web.Response(text=self.ics, content_type="text/calendar", headers={"ETag": self.etag})

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text="<!doctype html><html><body>Sign in</body></html>", content_type="text/html")

    async def huge(self, request: web.Request) -> web.StreamResponse:
        reply = web.StreamResponse(headers={"Content-Type": "text/calendar"})
        reply.enable_chunked_encoding()
        await reply.prepare(request)
        chunk = b"BEGIN:VCALENDAR\r\n" + b"X" * (1024 * 1024)
        for _ in range(50):  # 50 MB unless the client stops reading first
            try:
                await reply.write(chunk)
            except (ConnectionError, RuntimeError):
                break
        return reply

    async def loop(self, request: web.Request) -> web.Response:
        other = "/loop-b" if request.path == "/loop-a" else "/loop-a"
        raise web.HTTPFound(other)


@pytest.fixture
async def server() -> AsyncIterator[CalendarServer]:
    host = CalendarServer()
    app = web.Application()
    app.router.add_get("/cal.ics", host.cal)
    app.router.add_get("/page", host.page)
    app.router.add_get("/huge.ics", host.huge)
    app.router.add_get("/loop-a", host.loop)
    app.router.add_get("/loop-b", host.loop)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    host.url = f"http://127.0.0.1:{port}"
    try:
        yield host
    finally:
        await runner.cleanup()


@pytest.fixture
async def feeds(
    nats_server: NatsServer,
    redis_server: RedisServer,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
) -> AsyncIterator[Harness]:
    """The service with private addresses allowed (the test server is on loopback), a fast due
    check and a pause after two failures."""
    settings = Settings(
        port=0,
        nats_url=nats_server.url,
        redis_url=redis_server.url,
        instance_id="test-availability-feeds",
        jwks_json=test_tokens.jwks_json,
        retry_base_seconds=0.01,
        log_level="WARNING",
        calendar_feeds_allow_private=True,
        calendar_feed_check_seconds=0.05,
        calendar_feed_poll_seconds=POLL.total_seconds(),
        calendar_feed_pause_after=2,
        calendar_feed_timeout_seconds=10,
    )
    fake = FakeClock()
    async with (
        running(settings, fake) as runtime,
        aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel,
    ):
        yield Harness(availability_pb2_grpc.AvailabilityServiceStub(channel), test_tokens, fake, nats_js[1])


async def subscribe(h: Harness, url: str, provider: str = "p") -> availability_pb2.BusyCalendarFeed:
    reply: availability_pb2.BusyCalendarFeed = await h.stub.SubscribeBusyCalendar(
        availability_pb2.SubscribeBusyCalendarRequest(provider_id=provider, url=url),
        metadata=h.as_provider(provider),
    )
    return reply


async def status(h: Harness, provider: str = "p") -> availability_pb2.BusyCalendarFeed:
    reply: availability_pb2.BusyCalendarFeed = await h.stub.GetBusyCalendarFeed(
        availability_pb2.GetBusyCalendarFeedRequest(provider_id=provider), metadata=h.as_provider(provider)
    )
    return reply


async def daytime_rules(h: Harness) -> None:
    from tenfour.availability.v1 import rules_pb2

    await h.set_rules(
        rules_pb2.RuleSet(
            provider_id="p", timezone="UTC", weekly=[weekly(d, (8, 0), (18, 0)) for d in range(1, 8)]
        )
    )


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a positive marker (the limit only keeps a broken run from hanging)."""
    for _ in range(1500):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


async def test_a_subscribed_calendar_is_polled_with_its_etag_and_changes_reach_free_time(
    feeds: Harness, server: CalendarServer, redis_client: Redis
) -> None:
    day = (START + timedelta(days=1)).replace(hour=0)  # Tuesday 6 January 2026
    morning = (day.replace(hour=10), day.replace(hour=12))
    server.ics = calendar(morning)
    await daytime_rules(feeds)

    feed = await subscribe(feeds, f"{server.url}/cal.ics")

    assert feed.last_error == ""
    assert not feed.paused
    assert feed.busy_intervals == 1
    assert feed.url_display == f"{server.url}/…"  # the path of a shared link is its secret
    assert feed.last_synced_at.ToDatetime().replace(tzinfo=START.tzinfo) == START
    free = await feeds.free("p", day, day + timedelta(days=1))
    assert [(s.hour, e.hour) for s, e, _ in free] == [(8, 10), (12, 18)]
    version = (await feeds.get_rules("p")).version

    # Unchanged on the server: the poll sends the ETag, gets 304, and nothing is published.
    feeds.clock.now = START + POLL
    await until(lambda: _count(server, 2), "second poll")
    assert server.requests[1].get("If-None-Match") == server.etag
    await until(lambda: _synced_at(feeds, START + POLL), "sync recorded")
    assert (await feeds.get_rules("p")).version == version

    # Changed on the server: the next poll imports it and free time follows.
    server.ics = calendar((day.replace(hour=14), day.replace(hour=15)))
    feeds.clock.now = START + 2 * POLL
    await until(lambda: _version_above(feeds, version), "new version")
    free = await feeds.free("p", day, day + timedelta(days=1))
    assert [(s.hour, e.hour) for s, e, _ in free] == [(8, 14), (15, 18)]
    stored = repr(await redis_client.get("availability:ics:{p}")) + repr(
        await redis_client.hgetall("availability:feed:{p}")
    )
    assert "Jane" not in stored
    assert "Dentist" not in stored


async def _count(server: CalendarServer, n: int) -> bool:
    return len(server.requests) >= n


async def _synced_at(h: Harness, when: datetime) -> bool:
    return (await status(h)).last_synced_at.ToDatetime().replace(tzinfo=when.tzinfo) == when


async def _version_above(h: Harness, version: int) -> bool:
    return (await h.get_rules("p")).version > version


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/page", "web page, not a calendar"),
        ("/huge.ics", "larger than the 2 MB limit"),
        ("/loop-a", "redirects in a loop"),
        ("/missing", "no calendar at this address (HTTP 404)"),
        ("ftp://example.org/cal.ics", "Only http:// and https://"),
        ("https://user:secret@example.org/cal.ics", "Remove the user name and password"),
    ],
)
async def test_an_unusable_address_is_refused_on_the_url_field_and_nothing_changes(
    feeds: Harness, server: CalendarServer, path: str, words: str
) -> None:
    await daytime_rules(feeds)
    before = await feeds.get_rules("p")
    url = path if "://" in path else f"{server.url}{path}"

    with pytest.raises(grpc.RpcError) as caught:
        await subscribe(feeds, url)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [(name, message)] = violations(caught.value)
    assert name == "url"
    assert words in message, message
    assert (await feeds.get_rules("p")).version == before.version
    with pytest.raises(grpc.RpcError) as missing:
        await status(feeds)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_repeated_failures_pause_the_feed_and_tell_the_provider_then_sync_now_resumes(
    feeds: Harness, server: CalendarServer
) -> None:
    server.ics = calendar((START + timedelta(hours=30), START + timedelta(hours=31)))
    await daytime_rules(feeds)
    await subscribe(feeds, f"{server.url}/cal.ics")
    paused_events = await feeds.js.subscribe("availability.busy_calendar_feed_paused", ordered_consumer=True)
    server.broken = True

    feeds.clock.now = START + POLL
    await until(lambda: _failures(feeds, 1), "first failure")
    first = await status(feeds)
    assert "HTTP 500" in first.last_error
    assert not first.paused
    assert first.next_sync_at.ToDatetime() > feeds.clock.now.replace(tzinfo=None)  # backed off
    feeds.clock.now = START + 10 * POLL
    await until(lambda: _failures(feeds, 2), "second failure")

    paused = await status(feeds)
    message = await paused_events.next_msg(timeout=30)
    env, payload = parse(message.data, message.headers)
    assert paused.paused
    assert not paused.HasField("next_sync_at")
    assert isinstance(payload, BusyCalendarFeedPaused)
    assert (env.subject, payload.consecutive_failures, payload.last_error_code) == ("p", 2, "http_status")
    assert server.url not in repr(payload)  # the address is never in an event

    server.broken = False
    resumed: availability_pb2.BusyCalendarFeed = await feeds.stub.SyncBusyCalendarFeed(
        availability_pb2.SyncBusyCalendarFeedRequest(provider_id="p"), metadata=feeds.as_provider("p")
    )
    assert not resumed.paused
    assert resumed.last_error == ""
    assert resumed.consecutive_failures == 0
    await feeds.stub.UnsubscribeBusyCalendar(
        availability_pb2.UnsubscribeBusyCalendarRequest(provider_id="p"), metadata=feeds.as_provider("p")
    )
    with pytest.raises(grpc.RpcError) as gone:
        await status(feeds)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND


async def _failures(h: Harness, n: int) -> bool:
    return (await status(h)).consecutive_failures >= n


async def test_by_default_loopback_and_private_addresses_are_refused(
    harness: Harness, server: CalendarServer
) -> None:
    server.ics = calendar()
    from tenfour.availability.v1 import rules_pb2

    await harness.set_rules(
        rules_pb2.RuleSet(provider_id="p", timezone="UTC", weekly=[weekly(1, (8, 0), (18, 0))])
    )

    with pytest.raises(grpc.RpcError) as caught:
        await subscribe(harness, f"{server.url}/cal.ics")

    [(name, message)] = violations(caught.value)
    assert name == "url"
    assert "private network" in message
    assert server.requests == []  # refused before connecting
    port = server.url.rsplit(":", 1)[1]
    fetcher = HttpFeedFetcher(allow_private=False, max_bytes=2**21, timeout_seconds=10)
    for url in (
        f"http://localhost:{port}/cal.ics",
        "http://169.254.169.254/latest/",
        "http://[::1]/",
        "http://10.0.0.8/",
    ):
        with pytest.raises(FeedError) as refused:
            await fetcher.fetch(url, "", "")
        assert refused.value.code == "private_address", url
    assert server.requests == []


async def test_a_redirect_from_a_public_server_to_a_private_address_is_refused_before_connecting(
    server: CalendarServer,
) -> None:
    """The check runs again on every hop: a public calendar host (here the loopback server,
    counted as public for this test) redirecting to a private address is refused, and the
    private server never sees a request."""
    server.ics = calendar()
    hits: list[str] = []

    async def inside(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text=calendar(), content_type="text/calendar")

    inner = web.Application()
    inner.router.add_get("/cal.ics", inside)
    runner = web.AppRunner(inner, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.2", 0).start()
    private_port = runner.addresses[0][1]

    targets = [f"http://127.0.0.2:{private_port}/cal.ics", f"http://[::1]:{private_port}/cal.ics"]

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(targets[int(request.match_info["n"])])

    outer = web.Application()
    outer.router.add_get("/go/{n}", redirect)
    outer.router.add_get("/cal.ics", server.cal)
    outer_runner = web.AppRunner(outer, access_log=None)
    await outer_runner.setup()
    await web.TCPSite(outer_runner, "127.0.0.1", 0).start()
    public_port = outer_runner.addresses[0][1]

    def only_this_loopback_is_public(address: str) -> bool:
        return address.split("%", 1)[0] == "127.0.0.1" or is_public(address)

    fetcher = HttpFeedFetcher(
        allow_private=False, max_bytes=2**21, timeout_seconds=10, public=only_this_loopback_is_public
    )
    try:
        # The "public" host itself is fetched (so the refusals below are about the redirect).
        fetched = await fetcher.fetch(f"http://127.0.0.1:{public_port}/cal.ics", "", "")
        assert fetched.text is not None
        assert fetched.text.startswith("BEGIN:VCALENDAR")
        for n, target in enumerate(targets):
            with pytest.raises(FeedError) as refused:
                await fetcher.fetch(f"http://127.0.0.1:{public_port}/go/{n}", "", "")
            assert refused.value.code == "private_address", target
        # The same redirect is followed when the operator allows private addresses: the refusal
        # above was the address check, not a broken redirect.
        allowed = HttpFeedFetcher(allow_private=True, max_bytes=2**21, timeout_seconds=10)
        followed = await allowed.fetch(f"http://127.0.0.1:{public_port}/go/0", "", "")
        assert followed.text is not None
        assert hits == ["/cal.ics"]
    finally:
        await outer_runner.cleanup()
        await runner.cleanup()
