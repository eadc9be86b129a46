"""Property: an imported roster yields exactly the duty recurring_ical_events expands from the
same calendar, whether its rules became the cycle or stayed dated."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_scheduling.domain import import_roster_ics, shifts
from tenfour_shared.timeline import Interval

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "UTC"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# Around the 2025 DST changes of the zones above, both hemispheres.
BASES = [date(2025, 3, 1), date(2025, 3, 20), date(2025, 9, 25), date(2025, 10, 20), date(2025, 6, 1)]


@st.composite
def feeds(draw: st.DrawFn) -> tuple[bytes, Interval, str]:
    zone = draw(st.sampled_from(ZONES))
    tz = ZoneInfo(zone)
    base = draw(st.sampled_from(BASES))
    calendar = icalendar.Calendar.new(prodid="-//test//EN")
    for i in range(draw(st.integers(1, 6))):
        first = base + timedelta(days=draw(st.integers(0, 20)))
        wall = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30])))
        begin = datetime.combine(first, wall)
        length = timedelta(minutes=draw(st.integers(4, 14 * 4)) * 15)
        event = icalendar.Event.new(
            uid=f"e{i}", start=begin.replace(tzinfo=tz), end=(begin + length).replace(tzinfo=tz)
        )
        shape = draw(st.sampled_from(["single", "daily", "weekly", "bounded"]))
        interval = draw(st.integers(1, 14))
        if shape == "daily":
            event.add("RRULE", {"FREQ": "DAILY", "INTERVAL": interval})
        elif shape == "weekly":
            days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=4, unique=True))
            event.add("RRULE", {"FREQ": "WEEKLY", "INTERVAL": 1 + interval % 3, "BYDAY": days})
        elif shape == "bounded":
            event.add("RRULE", {"FREQ": "DAILY", "INTERVAL": interval, "COUNT": draw(st.integers(1, 5))})
        if shape in ("daily", "bounded") and draw(st.booleans()):
            skipped = first + timedelta(days=interval * draw(st.integers(1, 3)))
            event.add("EXDATE", [datetime.combine(skipped, wall).replace(tzinfo=tz)])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    start = datetime.combine(base + timedelta(days=draw(st.integers(0, 10))), time(0), UTC)
    return calendar.to_ical(), Interval(start, start + timedelta(days=40)), zone


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(feeds())
def test_imported_roster_matches_recurring_ical_events(feed: tuple[bytes, Interval, str]) -> None:
    data, window, zone = feed
    occurrences = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
        window.start, window.end
    )
    spans = [(o.start.astimezone(UTC), o.end.astimezone(UTC)) for o in occurrences]
    # In UTC: aware datetimes sharing a zone compare by wall clock. A duty whose wall-clock
    # hours fall in a spring-forward gap is empty, so no duty.
    truth = sorted((s, e) for s, e in spans if window.start <= s < window.end and e > s)
    roster = import_roster_ics(data, window=window, zone=zone).roster
    mine = sorted((s.start, s.end) for s in shifts(roster, window) if window.start <= s.start < window.end)
    assert mine == truth
