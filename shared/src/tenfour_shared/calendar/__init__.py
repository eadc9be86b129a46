"""Providers' availability rules and their expansion into free UTC time.

Pure domain code shared by the availability service (stores and edits rule sets) and the
scheduling service (receives whole rule sets by event and expands them itself).
"""

from tenfour_shared.calendar.errors import (
    CalendarError,
    ExpansionRangeError,
    FieldViolation,
    IcsError,
    RuleValidationError,
    field_path,
)
from tenfour_shared.calendar.expand import MAX_RANGE, Availability, expand
from tenfour_shared.calendar.ics import parse_busy_calendar
from tenfour_shared.calendar.ics_read import minimal_calendar
from tenfour_shared.calendar.placement import (
    DEFAULT_STEP,
    Booking,
    Unbookable,
    candidate_starts,
    check_bookable,
)
from tenfour_shared.calendar.rules import RuleSet, check_successor, parse_rule_set
from tenfour_shared.calendar.sessions import SessionSettings, SessionType
from tenfour_shared.calendar.time_off import TimeOff
from tenfour_shared.calendar.windows import DateOverride, Weekday, WeeklyWindow, Window

__all__ = [
    "DEFAULT_STEP",
    "MAX_RANGE",
    "Availability",
    "Booking",
    "CalendarError",
    "DateOverride",
    "ExpansionRangeError",
    "FieldViolation",
    "IcsError",
    "RuleSet",
    "RuleValidationError",
    "SessionSettings",
    "SessionType",
    "TimeOff",
    "Unbookable",
    "Weekday",
    "WeeklyWindow",
    "Window",
    "candidate_starts",
    "check_bookable",
    "check_successor",
    "expand",
    "field_path",
    "minimal_calendar",
    "parse_busy_calendar",
    "parse_rule_set",
]
