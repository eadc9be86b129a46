"""Work the service does on its own: keeping imported calendars expanded about a year ahead,
and polling subscribed calendars."""

from __future__ import annotations

import asyncio
import logging

from tenfour_availability.service.calendars import CalendarImports
from tenfour_availability.service.feeds import CalendarFeeds
from tenfour_shared.events.bus import raise_if_cancelled
from tenfour_shared.metrics import BACKGROUND_PASSES

log = logging.getLogger("tenfour.availability")


async def refresh_busy_calendars_forever(calendars: CalendarImports, every_seconds: float) -> None:
    while True:
        raise_if_cancelled()  # a cancel swallowed by a Redis reply still stops the loop
        refreshed = await calendars.refresh_all()
        if refreshed:
            log.info("busy calendars re-expanded", extra={"count": refreshed})
        BACKGROUND_PASSES.labels("availability", "busy_refresh").inc()
        await asyncio.sleep(every_seconds)


async def sync_calendar_feeds_forever(feeds: CalendarFeeds, every_seconds: float) -> None:
    while True:
        raise_if_cancelled()
        synced = await feeds.sync_due()
        if synced:
            log.info("calendar feeds synced", extra={"count": synced})
        BACKGROUND_PASSES.labels("availability", "feed_sync").inc()
        await asyncio.sleep(every_seconds)
