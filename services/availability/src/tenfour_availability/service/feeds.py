"""Busy-calendar subscriptions: subscribe (fetch at once, refuse what cannot be used), poll on a
schedule with the server's validators, back off and pause after repeated failures (telling the
provider through an event), sync on demand, stop.

Every fetched calendar goes through `CalendarImports.import_from_feed`, the same guarded
reading and minimising as an upload, so only busy time and recurrences are ever stored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from tenfour.events.v1.availability_events_pb2 import BusyCalendarFeedPaused
from tenfour_availability.domain.feeds import Feed, FeedError, FeedPolicy, normalize_url
from tenfour_availability.service.access import authorize, require_active, require_rules
from tenfour_availability.service.calendars import CalendarImports, Clock
from tenfour_availability.service.ports import FeedFetcher, FeedStore, ProviderRules
from tenfour_shared.auth.principal import Principal
from tenfour_shared.calendar import CalendarError
from tenfour_shared.errors import InvalidInput, NotFound, WrongState
from tenfour_shared.events.envelope import build

__all__ = ["CalendarFeeds"]

log = logging.getLogger("tenfour.availability.feeds")
_CONCURRENT_SYNCS = 4


def _calendar_problem(exc: CalendarError) -> FeedError:
    detail = exc.violations[0].message if exc.violations else "it could not be read"
    return FeedError("invalid_calendar", f"The address did not give a usable calendar: {detail}")


class CalendarFeeds:
    def __init__(
        self,
        store: FeedStore,
        fetcher: FeedFetcher,
        calendars: CalendarImports,
        repo: ProviderRules,
        clock: Clock,
        policy: FeedPolicy,
    ) -> None:
        self._store = store
        self._fetcher = fetcher
        self._calendars = calendars
        self._repo = repo
        self._clock = clock
        self._policy = policy

    async def subscribe(self, caller: Principal, provider_id: str, url: str) -> Feed:
        """Fetched and imported now: a URL that does not give a calendar is refused on "url"
        and nothing stored changes (the import is the last step that can fail)."""
        authorize(caller, provider_id)
        try:
            url = normalize_url(url)
        except FeedError as exc:
            raise InvalidInput.single("url", exc.message) from None
        state = await self._repo.get(provider_id)
        require_rules(state)
        require_active(state)
        try:
            fetched = await self._fetcher.fetch(url, "", "")
            if fetched.text is None:
                raise FeedError("http_status", "The calendar server answered without a calendar.")
            count = await self._calendars.import_from_feed(provider_id, fetched.text)
        except FeedError as exc:
            raise InvalidInput.single("url", exc.message) from None
        except CalendarError as exc:
            raise InvalidInput.single("url", _calendar_problem(exc).message) from None
        if count is None:  # the same busy time as stored: keep its count
            count = len(state.busy.intervals) if state.busy is not None else 0
        feed = self._policy.succeeded(
            Feed(provider_id, url), self._clock(), fetched.etag, fetched.last_modified, count
        )
        await self._store.save(feed, replace=True)
        return feed

    async def get(self, caller: Principal, provider_id: str) -> Feed:
        authorize(caller, provider_id)
        feed = await self._store.get(provider_id)
        if feed is None:
            raise NotFound("you have no calendar subscription")
        return feed

    async def sync_now(self, caller: Principal, provider_id: str) -> Feed:
        """One attempt now; a paused feed starts over (its failure count too)."""
        feed = await self.get(caller, provider_id)
        return await self._sync(replace(feed, paused=False, failures=0))

    async def unsubscribe(self, caller: Principal, provider_id: str) -> None:
        authorize(caller, provider_id)
        if not await self._store.delete(provider_id):
            raise NotFound("you have no calendar subscription")

    async def forget(self, provider_id: str) -> None:
        """The provider was deactivated: nothing more is fetched for them."""
        await self._store.delete(provider_id)

    async def sync_due(self) -> int:
        """Sync every feed whose time has come; how many were attempted."""
        now = self._clock()
        due: list[Feed] = []
        for provider_id in await self._store.provider_ids():
            feed = await self._store.get(provider_id)
            if feed is not None and self._policy.due(feed, now):
                due.append(feed)
        gate = asyncio.Semaphore(_CONCURRENT_SYNCS)

        async def one(feed: Feed) -> None:
            async with gate:
                await self._sync(feed)

        await asyncio.gather(*(one(f) for f in due))
        return len(due)

    async def _sync(self, feed: Feed) -> Feed:
        now = self._clock()
        try:
            fetched = await self._fetcher.fetch(feed.url, feed.etag, feed.last_modified)
            count = None
            if fetched.text is not None:
                count = await self._calendars.import_from_feed(feed.provider_id, fetched.text)
            after = self._policy.succeeded(
                feed,
                now,
                fetched.etag or feed.etag,
                fetched.last_modified or feed.last_modified,
                count,
            )
        except FeedError as exc:
            after = self._policy.failed(feed, now, exc)
        except CalendarError as exc:
            after = self._policy.failed(feed, now, _calendar_problem(exc))
        except WrongState as exc:  # no rules any more, or deactivated meanwhile
            after = self._policy.failed(feed, now, FeedError("no_rules", exc.message))
        event = None
        if after.paused and not feed.paused:
            paused = BusyCalendarFeedPaused(
                provider_id=feed.provider_id,
                consecutive_failures=after.failures,
                last_error_code=after.last_error_code,
            )
            event = build(paused, subject=feed.provider_id, when=now)
            log.warning(
                "calendar feed paused",
                extra={"provider_id": feed.provider_id, "reason_code": after.last_error_code},
            )
        await self._store.save(after, event)
        return after
