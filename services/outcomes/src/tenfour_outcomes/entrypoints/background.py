"""Publishing due months of every agency on a timer, so feedback working data goes on time
and reports read frozen figures."""

from __future__ import annotations

import asyncio
import logging

from tenfour_outcomes.service.reports import Reports
from tenfour_shared.events.bus import raise_if_cancelled

log = logging.getLogger("tenfour.outcomes")


async def publish_forever(reports: Reports, every_seconds: float) -> None:
    while True:
        raise_if_cancelled()
        try:
            await reports.publish_due()
        except Exception as exc:  # one bad round must not stop the next
            log.warning("publishing failed", extra={"error_type": type(exc).__name__})
        await asyncio.sleep(every_seconds)
