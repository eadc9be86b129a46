"""Events the availability service produces, and the codec between their rule sets and the domain.

The codec lives next to the event so the producer (availability, which also uses it for its API)
and every consumer (scheduling) read a rule set the same way. Message field names follow
tenfour_shared.calendar's, so a domain error path such as ``weekly[2].end`` is also the message's
path; only time off differs (``time_off[0].end`` is ``time_off[0].range.end``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.availability.v1 import rules_pb2 as pb
from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import availability_events_pb2 as ev
from tenfour_shared.calendar import (
    FieldViolation,
    RuleSet,
    RuleValidationError,
    SessionSettings,
    SessionType,
    Weekday,
    Window,
    parse_rule_set,
)
from tenfour_shared.sensible_dates import date_range_problem
from tenfour_shared.timeline import Interval

PAYLOADS: dict[str, type[Message]] = {
    "availability.provider_rules_changed": ev.ProviderRulesChanged,
    "availability.busy_calendar_feed_paused": ev.BusyCalendarFeedPaused,
}

SESSION_TYPE_NUMBERS: dict[SessionType, common.SessionType.ValueType] = {
    SessionType.INDIVIDUAL: common.SESSION_TYPE_INDIVIDUAL,
    SessionType.GROUP: common.SESSION_TYPE_GROUP,
    SessionType.CRISIS: common.SESSION_TYPE_CRISIS,
}
SESSION_TYPES: dict[int, SessionType] = {int(n): t for t, n in SESSION_TYPE_NUMBERS.items()}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIME_OFF_BOUND = re.compile(r"^(time_off\[\d+\])\.(start|end)\b")


@dataclass(frozen=True, slots=True)
class ProviderAvailability:
    """A decoded ProviderRulesChanged: what a consumer needs to expand a provider's free time."""

    provider_id: str
    version: int
    active: bool
    rules: RuleSet
    external_busy: tuple[Interval, ...]
    busy_horizon: Interval | None  # None: no calendar imported


def decode_rules_changed(event: ev.ProviderRulesChanged) -> ProviderAvailability:
    """Raises RuleValidationError if the event's rule set does not validate (never from our producer)."""
    rules = rule_set_from_proto(event.rules).model_copy(update={"version": event.version})
    horizon = interval_from_proto(event.busy_horizon) if event.HasField("busy_horizon") else None
    return ProviderAvailability(
        provider_id=event.provider_id,
        version=event.version,
        active=event.active,
        rules=rules,
        external_busy=tuple(interval_from_proto(r) for r in event.external_busy),
        busy_horizon=horizon,
    )


def message_path(domain_path: str) -> str:
    """The RuleSet message's field path for a calendar domain error path."""
    return _TIME_OFF_BOUND.sub(r"\1.range.\2", domain_path)


def rule_set_from_proto(msg: pb.RuleSet) -> RuleSet:
    """Validate a message into the domain. RuleValidationError paths name the message's fields.

    Unset session-setting fields take the type's defaults; an empty ``sessions`` means the
    default settings of every type. Conversion problems are reported before domain checks.
    """
    reader = _Reader()
    data: dict[str, Any] = {
        "provider_id": msg.provider_id,
        "timezone": msg.timezone,
        "version": msg.version,
        "weekly": [
            {"weekday": reader.weekday(w.weekday, f"weekly[{i}].weekday"), **reader.window(w, f"weekly[{i}]")}
            for i, w in enumerate(msg.weekly)
        ],
        "overrides": [reader.override(o, f"overrides[{i}]") for i, o in enumerate(msg.overrides)],
        "time_off": [reader.time_off(t, f"time_off[{i}]") for i, t in enumerate(msg.time_off)],
    }
    if msg.sessions:
        data["sessions"] = [reader.session(s, f"sessions[{i}]") for i, s in enumerate(msg.sessions)]
    if reader.errors:
        raise RuleValidationError(reader.errors)
    try:
        return parse_rule_set(data)
    except RuleValidationError as exc:
        raise RuleValidationError(
            [FieldViolation(message_path(v.field), v.message) for v in exc.violations]
        ) from None


def rule_set_to_proto(rules: RuleSet) -> pb.RuleSet:
    """The canonical message: every session setting explicit; no updated_at, active or labels."""
    msg = pb.RuleSet(provider_id=rules.provider_id, timezone=rules.timezone, version=rules.version)
    for w in rules.weekly:
        msg.weekly.add(weekday=int(w.weekday), start=_clock(w.start), end=_clock(w.end), offers=_offers(w))
    for o in rules.overrides:
        msg.overrides.add(
            day=_day(o.day),
            day_off=not o.windows,
            windows=[
                pb.Window(start=_clock(w.start), end=_clock(w.end), offers=_offers(w)) for w in o.windows
            ],
        )
    for t in rules.time_off:
        if t.start is not None and t.end is not None:
            msg.time_off.add(range=interval_to_proto(Interval(t.start, t.end)))
        elif t.first_day is not None and t.last_day is not None:
            msg.time_off.add(first_day=_day(t.first_day), last_day=_day(t.last_day))
    for s in rules.sessions:
        msg.sessions.add(
            session_type=SESSION_TYPE_NUMBERS[s.session_type],
            duration=_duration(s.duration),
            buffer_before=_duration(s.buffer_before),
            buffer_after=_duration(s.buffer_after),
            min_notice=_duration(s.min_notice),
            max_per_day=s.max_per_day or 0,
            max_per_week=s.max_per_week or 0,
        )
    return msg


def interval_to_proto(interval: Interval) -> common.TimeRange:
    return common.TimeRange(start=_timestamp(interval.start), end=_timestamp(interval.end))


def intervals_to_proto(intervals: Iterable[Interval]) -> list[common.TimeRange]:
    return [interval_to_proto(iv) for iv in intervals]


def interval_from_proto(msg: common.TimeRange) -> Interval:
    """Raises ValueError for an invalid timestamp or an end before the start."""
    return Interval(msg.start.ToDatetime(tzinfo=UTC), msg.end.ToDatetime(tzinfo=UTC))


def _timestamp(moment: datetime) -> Timestamp:
    """Timestamp.FromDatetime's result at a third of its cost (answers carry hundreds of these)."""
    since = moment - _EPOCH
    return Timestamp(seconds=since.days * 86400 + since.seconds, nanos=since.microseconds * 1000)


def _clock(value: time) -> common.LocalTime:
    return common.LocalTime(hour=value.hour, minute=value.minute)


def _window(window: Window) -> pb.Window:
    return pb.Window(start=_clock(window.start), end=_clock(window.end), offers=_offers(window))


def _day(value: date) -> common.LocalDate:
    return common.LocalDate(year=value.year, month=value.month, day=value.day)


def _duration(value: timedelta) -> Duration:
    out = Duration()
    out.FromTimedelta(value)
    return out


def _offers(window: Window) -> list[common.SessionType.ValueType]:
    return [SESSION_TYPE_NUMBERS[t] for t in window.offers]


class _Reader:
    """Message parts to plain values, collecting a violation per part that has no domain value."""

    def __init__(self) -> None:
        self.errors: list[FieldViolation] = []

    def _fail(self, path: str, message: str) -> None:
        self.errors.append(FieldViolation(path, message))

    def weekday(self, number: int, path: str) -> Weekday | None:
        if Weekday.MONDAY <= number <= Weekday.SUNDAY:
            return Weekday(number)
        self._fail(path, "is required: WEEKDAY_MONDAY to WEEKDAY_SUNDAY")
        return None

    def clock(self, owner: Message, name: str, path: str) -> time | None:
        if not owner.HasField(name):
            self._fail(f"{path}.{name}", "is required")
            return None
        value: common.LocalTime = getattr(owner, name)
        if 0 <= value.hour <= 23 and 0 <= value.minute <= 59:
            return time(value.hour, value.minute)
        self._fail(f"{path}.{name}", "hour must be 0-23 and minute 0-59 (00:00 is midnight)")
        return None

    def day(self, owner: Message, name: str, path: str) -> date | None:
        if not owner.HasField(name):
            return None
        value: common.LocalDate = getattr(owner, name)
        try:
            day = date(value.year, value.month, value.day)
        except ValueError:
            self._fail(f"{path}.{name}", f"{value.year}-{value.month}-{value.day} is not a valid date")
            return None
        problem = date_range_problem(day)
        if problem:
            self._fail(f"{path}.{name}", problem)
            return None
        return day

    def session_type(self, number: int, path: str) -> SessionType | None:
        if number in SESSION_TYPES:
            return SESSION_TYPES[number]
        self._fail(path, "must be SESSION_TYPE_INDIVIDUAL, SESSION_TYPE_GROUP or SESSION_TYPE_CRISIS")
        return None

    def window(self, msg: pb.Window | pb.WeeklyWindow, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.clock(msg, "start", path),
            "end": self.clock(msg, "end", path),
        }
        if msg.offers:
            out["offers"] = [self.session_type(t, f"{path}.offers[{k}]") for k, t in enumerate(msg.offers)]
        return out

    def override(self, msg: pb.DateOverride, path: str) -> dict[str, Any]:
        day = self.day(msg, "day", path)
        if not msg.HasField("day"):
            self._fail(f"{path}.day", "is required")
        if msg.day_off and msg.windows:
            self._fail(f"{path}.windows", "must be empty when day_off is set")
        elif not msg.day_off and not msg.windows:
            self._fail(f"{path}.windows", "give at least one window, or set day_off for a day off")
        windows = [self.window(w, f"{path}.windows[{k}]") for k, w in enumerate(msg.windows)]
        return {"day": day, "windows": windows}

    def time_off(self, msg: pb.TimeOff, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if msg.HasField("range"):
            for bound in ("start", "end"):
                if msg.range.HasField(bound):
                    out[bound] = self.instant(getattr(msg.range, bound), f"{path}.range.{bound}")
        for name in ("first_day", "last_day"):
            if msg.HasField(name):
                out[name] = self.day(msg, name, path)
        return out

    def instant(self, value: Timestamp, path: str) -> datetime | None:
        try:
            return value.ToDatetime(tzinfo=UTC)
        except (ValueError, OverflowError):
            self._fail(path, "is not a valid timestamp")
            return None

    def session(self, msg: pb.SessionSettings, path: str) -> dict[str, Any]:
        kind = self.session_type(msg.session_type, f"{path}.session_type")
        if kind is None:
            return {}
        default = SessionSettings.default(kind)
        out: dict[str, Any] = {"session_type": kind}
        for name in ("duration", "buffer_before", "buffer_after", "min_notice"):
            field: Duration = getattr(msg, name)
            out[name] = field.ToTimedelta() if _has(msg, name) else getattr(default, name)
        for cap_name in ("max_per_day", "max_per_week"):
            if not _has(msg, cap_name):
                out[cap_name] = getattr(default, cap_name)
            elif (cap := getattr(msg, cap_name)) < 0:
                self._fail(f"{path}.{cap_name}", "must be 0 (no cap) or between 1 and 1000")
            else:
                out[cap_name] = cap or None
        return out


def _has(owner: Message, name: str) -> bool:
    return owner.HasField(name)
