"""The one guarded way in for an untrusted iCalendar file, and the minimum worth keeping of it.

Both importers (a provider's busy calendar, an officer's roster) read through `read_calendar`:
the same size limit, the same error for text icalendar cannot parse. `minimal_calendar` keeps
only what placement needs (when events are busy, and how they recur): summaries, descriptions,
locations, attendees, organisers, alarms, URLs and the exporter's UIDs are dropped before
anything is stored.
"""

from __future__ import annotations

from typing import Any

import icalendar

from tenfour_shared.calendar.errors import IcsError

__all__ = ["KEPT_PROPERTIES", "MAX_ICS_BYTES", "minimal_calendar", "read_calendar"]

MAX_ICS_BYTES = 2 * 1024 * 1024
# Busy time and recurrence structure; UID is replaced (it links RECURRENCE-ID overrides only).
KEPT_PROPERTIES = (
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "TRANSP",
    "STATUS",
)


def read_calendar(text: str | bytes, max_bytes: int = MAX_ICS_BYTES) -> Any:
    """Parse untrusted iCalendar text; IcsError when it is too large or not iCalendar at all."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise IcsError(f"the calendar is larger than the {max_bytes:,} byte limit")
    try:
        return icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise IcsError(str(exc).splitlines()[0][:200]) from None


def minimal_calendar(text: str) -> str:
    """The same busy time and recurrences as `text`, with nothing else in it."""
    source = read_calendar(text)
    out = icalendar.Calendar()
    out.add("PRODID", "-//Tenfour//busy time//EN")
    out.add("VERSION", "2.0")
    for zone in source.walk("VTIMEZONE"):  # needed to read TZID-qualified times
        out.add_component(zone)
    uids: dict[str, int] = {}
    for event in source.walk("VEVENT"):
        kept = icalendar.Event()
        original = str(event.get("UID", ""))
        number = uids.setdefault(original, len(uids)) if original else len(uids) + 10_000_000
        kept.add("UID", f"{number}@busy.tenfour.invalid")
        for name in KEPT_PROPERTIES:
            values = event.get(name)
            for value in values if isinstance(values, list) else [values] if values is not None else []:
                kept.add(name, value, encode=False)
        out.add_component(kept)
    return str(out.to_ical().decode("utf-8"))
