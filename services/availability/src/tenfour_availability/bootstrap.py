"""The one place where availability's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial

from tenfour.availability.v1 import availability_pb2_grpc
from tenfour_availability.adapters.feed_fetcher import HttpFeedFetcher
from tenfour_availability.adapters.feed_store import RedisFeedStore
from tenfour_availability.adapters.rules_repository import RulesRepository
from tenfour_availability.config import Settings
from tenfour_availability.domain.feeds import FeedPolicy
from tenfour_availability.entrypoints.background import (
    refresh_busy_calendars_forever,
    sync_calendar_feeds_forever,
)
from tenfour_availability.entrypoints.event_handlers import identity_handlers
from tenfour_availability.entrypoints.grpc_api import SERVICE_NAME, AvailabilityApi
from tenfour_availability.entrypoints.policy import POLICY
from tenfour_availability.service.availability import AvailabilityService
from tenfour_availability.service.calendars import CalendarImports, Clock
from tenfour_availability.service.feeds import CalendarFeeds
from tenfour_shared import logs
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.calendar.ics_read import MAX_ICS_BYTES
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "availability"


def utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def running(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Runtime]:
    """The service serving until the block ends; tests and benchmarks use it in-process."""
    infra = Infra(settings, SERVICE)
    repo = RulesRepository(infra.redis, infra.relay)
    service = AvailabilityService(repo, clock)
    calendars = CalendarImports(repo, clock, timedelta(days=settings.busy_refresh_after_days))
    fetcher = HttpFeedFetcher(
        allow_private=settings.calendar_feeds_allow_private,
        max_bytes=MAX_ICS_BYTES,
        timeout_seconds=settings.calendar_feed_timeout_seconds,
    )
    policy = FeedPolicy(
        every=timedelta(seconds=settings.calendar_feed_poll_seconds),
        pause_after=settings.calendar_feed_pause_after,
    )
    feeds = CalendarFeeds(RedisFeedStore(infra.redis, infra.relay), fetcher, calendars, repo, clock, policy)
    infra.consume("identity", identity_handlers(service, feeds))
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY)])
    availability_pb2_grpc.add_AvailabilityServiceServicer_to_server(
        AvailabilityApi(service, calendars, feeds), runtime.server
    )
    async with runtime:
        await infra.connect(runtime)
        runtime.spawn(
            "busy-refresh", partial(refresh_busy_calendars_forever, calendars, settings.busy_refresh_seconds)
        )
        runtime.spawn(
            "calendar-feeds",
            partial(sync_calendar_feeds_forever, feeds, settings.calendar_feed_check_seconds),
        )
        await runtime.ready()
        yield runtime


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    async with running(settings) as runtime:
        await runtime.wait()
