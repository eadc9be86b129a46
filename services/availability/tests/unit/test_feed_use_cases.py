"""Calendar subscriptions' use cases over in-memory fakes of our ports: a fetch or calendar that
fails stores nothing, an unchanged calendar publishes nothing, a sync that finishes after the
provider stopped following does not bring the subscription back, and a pause happens once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_availability.domain.feeds import Feed, FeedError, FeedPolicy, Fetched
from tenfour_availability.service.calendars import CalendarImports
from tenfour_availability.service.feeds import CalendarFeeds
from tenfour_shared.errors import InvalidInput

from .test_availability_use_cases import NOW, FakeRules, mornings, therapist

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n"
    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260303T150000Z\r\nDTEND:20260303T160000Z\r\n"
    "SUMMARY:Secret\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@dataclass
class FakeStore:
    feeds: dict[str, Feed] = field(default_factory=dict)
    events: list[Envelope] = field(default_factory=list)

    async def get(self, provider_id: str) -> Feed | None:
        return self.feeds.get(provider_id)

    async def save(self, feed: Feed, event: Envelope | None = None, *, replace: bool = False) -> bool:
        stored = self.feeds.get(feed.provider_id)
        if not replace and (stored is None or stored.url != feed.url):
            return False
        self.feeds[feed.provider_id] = feed
        self.events += [event] if event is not None else []
        return True

    async def delete(self, provider_id: str) -> bool:
        return self.feeds.pop(provider_id, None) is not None

    async def provider_ids(self) -> list[str]:
        return sorted(self.feeds)


@dataclass
class FakeFetcher:
    answers: list[Fetched | FeedError] = field(default_factory=list)
    before_answer: object = None

    async def fetch(self, url: str, etag: str, last_modified: str) -> Fetched:
        if callable(self.before_answer):
            await self.before_answer()
        answer = self.answers.pop(0)
        if isinstance(answer, FeedError):
            raise answer
        return answer


@pytest.fixture
async def world() -> tuple[CalendarFeeds, FakeRules, FakeStore, FakeFetcher]:
    repo, store, fetcher = FakeRules(), FakeStore(), FakeFetcher()
    await repo.change("t-1", lambda s: s.with_rules(mornings()), NOW)
    calendars = CalendarImports(repo, lambda: NOW)
    feeds = CalendarFeeds(store, fetcher, calendars, repo, lambda: NOW, FeedPolicy(pause_after=2))
    return feeds, repo, store, fetcher


async def test_a_failed_fetch_or_a_broken_calendar_stores_nothing(
    world: tuple[CalendarFeeds, FakeRules, FakeStore, FakeFetcher],
) -> None:
    feeds, repo, store, fetcher = world
    fetcher.answers = [FeedError("timeout", "slow"), Fetched("BEGIN:VCALENDAR\r\nnot a calendar")]
    writes = repo.writes

    for _ in range(2):
        with pytest.raises(InvalidInput):
            await feeds.subscribe(therapist(), "t-1", "https://cal.example/x.ics")

    assert (repo.writes, store.feeds) == (writes, {})


async def test_an_unchanged_calendar_is_not_imported_again(
    world: tuple[CalendarFeeds, FakeRules, FakeStore, FakeFetcher],
) -> None:
    feeds, repo, _, fetcher = world
    fetcher.answers = [Fetched(ICS, '"1"'), Fetched(ICS.replace("Secret", "Other words"), '"2"')]
    await feeds.subscribe(therapist(), "t-1", "https://cal.example/x.ics")
    writes = repo.writes

    after = await feeds.sync_now(therapist(), "t-1")

    assert repo.writes == writes  # only a summary changed: the stored busy time is the same
    assert (after.etag, after.busy_intervals, after.last_error) == ('"2"', 1, "")
    assert "Secret" not in (repo.states["t-1"].ics or "")


async def test_a_sync_finishing_after_unsubscribe_does_not_bring_the_feed_back(
    world: tuple[CalendarFeeds, FakeRules, FakeStore, FakeFetcher],
) -> None:
    feeds, _, store, fetcher = world
    fetcher.answers = [Fetched(ICS, '"1"'), Fetched(None, '"1"')]
    await feeds.subscribe(therapist(), "t-1", "https://cal.example/x.ics")
    store.feeds["t-1"] = replace(store.feeds["t-1"], next_at=NOW - timedelta(seconds=1))

    async def provider_stops_meanwhile() -> None:
        await feeds.unsubscribe(therapist(), "t-1")

    fetcher.before_answer = provider_stops_meanwhile
    assert await feeds.sync_due() == 1

    assert store.feeds == {}


async def test_the_pause_event_is_written_once_and_a_paused_feed_is_left_alone(
    world: tuple[CalendarFeeds, FakeRules, FakeStore, FakeFetcher],
) -> None:
    feeds, _, store, fetcher = world
    fetcher.answers = [
        Fetched(ICS, '"1"'),
        FeedError("http_status", "HTTP 500"),
        FeedError("http_status", "HTTP 500"),
    ]
    await feeds.subscribe(therapist(), "t-1", "https://cal.example/x.ics")
    attempted = []
    for _ in range(3):  # the clock is fixed: make the feed due (a paused one stays paused)
        store.feeds["t-1"] = replace(store.feeds["t-1"], next_at=NOW - timedelta(seconds=1))
        attempted.append(await feeds.sync_due())

    assert attempted == [1, 1, 0]
    assert store.feeds["t-1"].paused
    assert [e.type for e in store.events] == ["availability.busy_calendar_feed_paused"]
