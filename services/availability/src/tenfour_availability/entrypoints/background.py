"""Work the service does on its own: keeping imported calendars expanded about a year ahead."""

from __future__ import annotations

import asyncio
import logging

from tenfour_availability.service.calendars import CalendarImports

log = logging.getLogger("tenfour.availability")


async def refresh_busy_calendars_forever(calendars: CalendarImports, every_seconds: float) -> None:
    while True:
        refreshed = await calendars.refresh_all()
        if refreshed:
            log.info("busy calendars re-expanded", extra={"count": refreshed})
        await asyncio.sleep(every_seconds)
