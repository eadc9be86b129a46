"""Parsing the times people type: instants, dates, times of day and durations."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import user_zone

__all__ = [
    "day_or_instant",
    "duration_pb",
    "local_date_pb",
    "local_time_pb",
    "parse_date",
    "parse_duration",
    "parse_instant",
    "timestamp_pb",
]

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def _bad(option: str, text: str, expected: str) -> CliError:
    return CliError(f"{option}: {text!r} is not {expected}", Exit.USAGE)


def parse_instant(text: str, option: str = "time") -> datetime:
    """ISO 8601 with an offset (2026-11-25T12:30:00-06:00 or ...Z); without one: the user's zone
    (TENFOUR_TZ, else this machine's)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _bad(option, text, "an ISO 8601 time such as 2026-11-25T12:30-06:00") from None
    if moment.tzinfo is None:
        zone = user_zone()
        moment = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return moment.astimezone(UTC)


def day_or_instant(text: str, option: str = "time", end_of_day: bool = False) -> datetime:
    """An instant, or a date: its start in UTC (the next day's with ``end_of_day``: through
    that day)."""
    text = text.strip()
    if len(text) == 10:
        moment = parse_instant(f"{text}T00:00:00Z", option)
        return moment + timedelta(days=1) if end_of_day else moment
    return parse_instant(text, option)


def parse_date(text: str, option: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _bad(option, text, "a date such as 2026-01-05") from None


def parse_duration(text: str, option: str = "duration") -> timedelta:
    """12h, 90m, 1h30m, 2d, 45s (or a bare number of minutes)."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        return timedelta(minutes=int(cleaned))
    match = _DURATION.fullmatch(cleaned)
    if not cleaned or match is None:
        raise _bad(option, text, "a duration such as 12h, 90m or 1h30m")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def local_time_pb(text: str, option: str = "time") -> common.LocalTime:
    match = _CLOCK.fullmatch(text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _bad(option, text, "a time of day such as 07:00")
    return common.LocalTime(hour=int(match.group(1)), minute=int(match.group(2)))


def local_date_pb(day: date) -> common.LocalDate:
    return common.LocalDate(year=day.year, month=day.month, day=day.day)


def timestamp_pb(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment.astimezone(UTC))
    return ts


def duration_pb(delta: timedelta) -> Duration:
    out = Duration()
    out.FromTimedelta(delta)
    return out
