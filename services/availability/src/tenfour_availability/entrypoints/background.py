"""Work the service does on its own: keeping imported calendars expanded about a year ahead."""

from __future__ import annotations

import asyncio
import logging

from tenfour_availability.service.availability import AvailabilityService

log = logging.getLogger("tenfour.availability")


async def refresh_busy_calendars_forever(service: AvailabilityService, every_seconds: float) -> None:
    while True:
        refreshed = await service.refresh_busy_calendars()
        if refreshed:
            log.info("busy calendars re-expanded", extra={"count": refreshed})
        await asyncio.sleep(every_seconds)
