"""Protobuf messages to domain values and back, with errors named by message field paths.

Used for requests (the entrypoint prefixes the paths with the request field, e.g. ``roster.``)
and for what the adapters store: rosters, preferences and policies are kept as their canonical
messages and read back through these same functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.domain import (
    TEMPLATES,
    DomainValidationError,
    FatiguePolicy,
    FieldViolation,
    OfficerPreferences,
    OverrideKind,
    Roster,
    ShiftDefinition,
    ShiftKind,
    roster_from_template,
)
from tenfour_shared.timeline import Interval

__all__ = [
    "AgencyPolicy",
    "StoredPreferences",
    "duration",
    "interval_from_proto",
    "interval_to_proto",
    "policy_from_proto",
    "policy_to_proto",
    "preferences_from_proto",
    "preferences_to_proto",
    "roster_from_proto",
    "roster_to_proto",
    "timestamp",
]

_KINDS = {
    ShiftKind.DAY: pb.SHIFT_KIND_DAY,
    ShiftKind.SWING: pb.SHIFT_KIND_SWING,
    ShiftKind.NIGHT: pb.SHIFT_KIND_NIGHT,
}
_KIND_OF = {int(v): k for k, v in _KINDS.items()}
_OVERRIDES = {
    pb.OVERRIDE_KIND_OVERTIME: OverrideKind.OVERTIME,
    pb.OVERRIDE_KIND_COURT: OverrideKind.COURT,
    pb.OVERRIDE_KIND_TRAINING: OverrideKind.TRAINING,
    pb.OVERRIDE_KIND_LEAVE: OverrideKind.LEAVE,
    pb.OVERRIDE_KIND_SICK: OverrideKind.SICK,
    pb.OVERRIDE_KIND_SHIFT: OverrideKind.SHIFT,
}
_OVERRIDE_OF = {k: v for v, k in _OVERRIDES.items()} | {
    OverrideKind.SWAP_IN: pb.OVERRIDE_KIND_SWAP,
    OverrideKind.SWAP_OUT: pb.OVERRIDE_KIND_SWAP,
}
# Domain field -> message field, for paths the two name differently.
_ROSTER_FIELDS = {"zone": "timezone"}
_OVERRIDE_FIELDS = {"day": "date"}
_POLICY_FIELDS = {
    "night_sleep_length": "sleep_after_night",
    "night_sleep_delay": "sleep_start_after_night",
    "min_rest_between_shifts": "min_rest_gap",
}
MAX_OVERRIDES = 2000
_OFFSET = re.compile(r"^(\d{1,4})(m|h|d)$")


# -- small values ---------------------------------------------------------------------------


def timestamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


def duration(span: timedelta) -> Duration:
    out = Duration()
    out.FromTimedelta(span)
    return out


def interval_to_proto(interval: Interval) -> common.TimeRange:
    return common.TimeRange(start=timestamp(interval.start), end=timestamp(interval.end))


def interval_from_proto(msg: common.TimeRange, path: str) -> Interval:
    """Both bounds required, end after start; DomainValidationError naming ``path``."""
    problems = []
    bounds: list[datetime] = []
    for name in ("start", "end"):
        if not msg.HasField(name):
            problems.append(FieldViolation(f"{path}.{name}", "is required"))
            continue
        try:
            bounds.append(getattr(msg, name).ToDatetime(tzinfo=UTC))
        except (ValueError, OverflowError):
            problems.append(FieldViolation(f"{path}.{name}", "is not a valid timestamp"))
    if problems:
        raise DomainValidationError(problems)
    if bounds[1] <= bounds[0]:
        raise DomainValidationError.single(f"{path}.end", "must be after the start")
    return Interval(bounds[0], bounds[1])


def _clock(value: time) -> common.LocalTime:
    return common.LocalTime(hour=value.hour, minute=value.minute)


def _day(value: date) -> common.LocalDate:
    return common.LocalDate(year=value.year, month=value.month, day=value.day)


class _Reader:
    """Message parts to plain values, one violation per part that has no domain value."""

    def __init__(self) -> None:
        self.problems: list[FieldViolation] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(FieldViolation(path, message))

    def clock(self, owner: Any, name: str, path: str, *, required: bool = True) -> time | None:
        if not owner.HasField(name):
            if required:
                self.fail(f"{path}.{name}" if path else name, "is required")
            return None
        value: common.LocalTime = getattr(owner, name)
        if 0 <= value.hour <= 23 and 0 <= value.minute <= 59:
            return time(value.hour, value.minute)
        self.fail(f"{path}.{name}" if path else name, "hour must be 0-23 and minute 0-59")
        return None

    def day(self, owner: Any, name: str, path: str, *, required: bool = True) -> date | None:
        full = f"{path}.{name}" if path else name
        if not owner.HasField(name):
            if required:
                self.fail(full, "is required")
            return None
        value: common.LocalDate = getattr(owner, name)
        try:
            return date(value.year, value.month, value.day)
        except ValueError:
            self.fail(full, f"{value.year}-{value.month}-{value.day} is not a valid date")
            return None

    def span(self, owner: Any, name: str, path: str) -> timedelta | None:
        if not owner.HasField(name):
            return None
        value: Duration = getattr(owner, name)
        if value.seconds < 0 or value.nanos < 0:
            self.fail(f"{path}.{name}" if path else name, "must not be negative")
            return None
        return value.ToTimedelta()

    def raise_if_any(self) -> None:
        if self.problems:
            raise DomainValidationError(self.problems)


def _renamed(exc: DomainValidationError, rename: Callable[[str], str]) -> DomainValidationError:
    return DomainValidationError(FieldViolation(rename(v.field), v.message) for v in exc.violations)


def _head(path: str) -> tuple[str, str]:
    """``overrides[2].start`` -> (``overrides[2]``, ``start``); ``cycle`` -> (``cycle``, ``)."""
    head, _, rest = path.partition(".")
    return head, rest


# -- rosters --------------------------------------------------------------------------------


def _template_parts(name: str) -> tuple[str, dict[str, ShiftDefinition]]:
    """The cycle and shift definitions of a named template (aliases included)."""
    try:
        built = roster_from_template(name, anchor=date(2000, 1, 1), zone="UTC")
    except DomainValidationError as exc:
        raise DomainValidationError.single("template", exc.violations[0].message) from None
    return built.cycle, dict(built.definitions)


def roster_from_proto(msg: pb.Roster) -> Roster:
    """A validated roster; violations name the Roster message's fields (``shifts[1].length``)."""
    reader = _Reader()
    given: dict[str, int] = {}
    definitions: dict[str, Any] = {}
    for i, s in enumerate(msg.shifts):
        path = f"shifts[{i}]"
        if s.letter in given:
            reader.fail(f"{path}.letter", f"letter {s.letter!r} is defined twice")
        given.setdefault(s.letter, i)
        kind = _KIND_OF.get(s.kind)
        if kind is None:
            reader.fail(f"{path}.kind", "is required: SHIFT_KIND_DAY, _SWING or _NIGHT")
        length = reader.span(s, "length", path)
        if length is None and not s.HasField("length"):
            reader.fail(f"{path}.length", "is required")
        definitions[s.letter] = {"start": reader.clock(s, "start", path), "length": length, "kind": kind}
    cycle = msg.cycle
    from_template: set[str] = set()
    if msg.template:
        try:
            template_cycle, template_defs = _template_parts(msg.template)
        except DomainValidationError as exc:
            reader.problems.extend(exc.violations)
            template_cycle, template_defs = "", {}
        cycle = cycle or template_cycle
        from_template = set(template_defs) - set(definitions)
        definitions = {letter: d.model_dump() for letter, d in template_defs.items()} | definitions
    elif not msg.shifts and any(ch != "-" for ch in cycle):
        reader.fail("shifts", "define every letter of the cycle (or name a template)")
    overrides = [_override_data(o, f"overrides[{i}]", reader) for i, o in enumerate(msg.overrides)]
    if len(msg.overrides) > MAX_OVERRIDES:
        reader.fail("overrides", f"at most {MAX_OVERRIDES} overrides")
    anchor = reader.day(msg, "anchor", "", required=False)

    def rename(path: str) -> str:
        head, rest = _head(path)
        if head == "definitions":
            letter, _, field = rest.partition(".")
            if letter in from_template:
                return "template"
            if letter in given:
                return f"shifts[{given[letter]}]" + (f".{field}" if field else ".letter")
            return "shifts"
        if head.startswith("overrides["):
            return f"{head}.{_OVERRIDE_FIELDS.get(rest, rest)}" if rest else head
        return _ROSTER_FIELDS.get(path, path)

    data = {
        "definitions": definitions,
        "cycle": cycle,
        "offset_days": msg.offset_days,
        "zone": msg.timezone,
        "overrides": overrides,
        **({"anchor": anchor} if anchor is not None else {}),
    }
    try:
        roster = Roster.parse(data)
    except DomainValidationError as exc:
        # Everything wrong at once; what conversion already reported is not repeated.
        seen = {v.field for v in reader.problems}
        if "template" in seen:  # an unknown template leaves the cycle and letters undefined
            seen |= {"cycle", "shifts"}
        reader.problems.extend(v for v in _renamed(exc, rename).violations if v.field not in seen)
    reader.raise_if_any()
    return roster


def _override_data(msg: pb.RosterOverride, path: str, reader: _Reader) -> dict[str, Any]:
    if msg.kind == pb.OVERRIDE_KIND_SWAP:
        kind: OverrideKind | None = OverrideKind.SWAP_IN if msg.adds_duty else OverrideKind.SWAP_OUT
    else:
        kind = _OVERRIDES.get(msg.kind)
    if kind is None:
        reader.fail(f"{path}.kind", "is required")
    data: dict[str, Any] = {
        "kind": kind,
        "day": reader.day(msg, "date", path),
        "start": reader.clock(msg, "start", path, required=False),
        "length": reader.span(msg, "length", path),
        "through": reader.day(msg, "through", path, required=False),
    }
    if msg.shift_kind:
        data["shift_kind"] = _KIND_OF.get(msg.shift_kind)
    return data


def roster_to_proto(roster: Roster, *, officer_id: str, template: str = "", version: int = 0) -> pb.Roster:
    """The canonical message: every letter's definition explicit, overrides in stored order."""
    msg = pb.Roster(
        officer_id=officer_id,
        cycle=roster.cycle,
        anchor=_day(roster.anchor),
        offset_days=roster.offset_days,
        timezone=roster.zone,
        template=template,
        version=version,
    )
    for letter in sorted(roster.definitions):
        d = roster.definitions[letter]
        msg.shifts.add(letter=letter, start=_clock(d.start), length=duration(d.length), kind=_KINDS[d.kind])
    for o in roster.overrides:
        out = msg.overrides.add(kind=_OVERRIDE_OF[o.kind], date=_day(o.day), adds_duty=o.kind.adds_duty)
        if o.start is not None:
            out.start.CopyFrom(_clock(o.start))
        if o.length is not None:
            out.length.CopyFrom(duration(o.length))
        if o.through is not None:
            out.through.CopyFrom(_day(o.through))
        if o.shift_kind is not None:
            out.shift_kind = _KINDS[o.shift_kind]
    return msg


def shift_kind_to_proto(kind: ShiftKind) -> pb.ShiftKind.ValueType:
    return _KINDS[kind]


def template_messages() -> list[pb.RotationTemplate]:
    out = []
    for name, t in TEMPLATES.items():
        msg = pb.RotationTemplate(name=name, cycle=t.cycle, description=t.title)
        for letter in sorted(t.definitions):
            d = t.definitions[letter]
            msg.shifts.add(
                letter=letter, start=_clock(d.start), length=duration(d.length), kind=_KINDS[d.kind]
            )
        out.append(msg)
    return out


# -- agency policy --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencyPolicy:
    """An agency's fatigue rules plus the booking settings the agency configures with them."""

    agency_id: str
    fatigue: FatiguePolicy
    late_cancel_window: timedelta = timedelta(hours=24)
    urgent_escalate_after: timedelta = timedelta(minutes=10)
    crisis_line_text: str = ""
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    version: int = 0  # 0: never set, the defaults

    @classmethod
    def default(cls, agency_id: str) -> AgencyPolicy:
        return cls(agency_id=agency_id, fatigue=FatiguePolicy())


def policy_from_proto(msg: pb.FatiguePolicy, agency_id: str, version: int = 0) -> AgencyPolicy:
    """Unset fields take the defaults; violations name FatiguePolicy's fields."""
    reader = _Reader()
    fatigue: dict[str, Any] = {}
    for domain_name in (
        "pre_shift_buffer",
        "post_shift_buffer",
        "night_sleep_length",
        "night_sleep_delay",
        "min_rest_between_shifts",
    ):
        value = reader.span(msg, _POLICY_FIELDS.get(domain_name, domain_name), "")
        if value is not None:
            fatigue[domain_name] = value
    if msg.max_sessions_per_day:
        fatigue["max_sessions_per_day"] = msg.max_sessions_per_day
    defaults = AgencyPolicy.default(agency_id)
    late = reader.span(msg, "late_cancel_window", "")
    if late is not None and late > timedelta(days=7):
        reader.fail("late_cancel_window", "must be at most 7 days")
    escalate = reader.span(msg, "urgent_escalate_after", "")
    if escalate is not None and not timedelta(minutes=1) <= escalate <= timedelta(hours=24):
        reader.fail("urgent_escalate_after", "must be between 1 min and 24 h")
    if len(msg.crisis_line_text) > 500:
        reader.fail("crisis_line_text", "must be at most 500 characters")
    offsets = [
        _reminder_offset(text, f"reminder_offsets[{i}]", reader)
        for i, text in enumerate(msg.reminder_offsets)
    ]
    if len(msg.reminder_offsets) > 5:
        reader.fail("reminder_offsets", "at most 5 reminders")
    try:
        parsed = FatiguePolicy.parse(fatigue)
    except DomainValidationError as exc:
        reader.problems.extend(_renamed(exc, lambda p: _POLICY_FIELDS.get(p, p)).violations)
    reader.raise_if_any()
    return AgencyPolicy(
        agency_id=agency_id,
        fatigue=parsed,
        late_cancel_window=defaults.late_cancel_window if late is None else late,
        urgent_escalate_after=defaults.urgent_escalate_after if escalate is None else escalate,
        crisis_line_text=msg.crisis_line_text,
        reminder_offsets=tuple(o for o in offsets if o is not None)
        if msg.reminder_offsets
        else defaults.reminder_offsets,
        version=version,
    )


def _reminder_offset(text: str, path: str, reader: _Reader) -> timedelta | None:
    match = _OFFSET.match(text.strip())
    if match is None:
        reader.fail(path, f"{text!r} is not an offset such as 24h, 90m or 2d")
        return None
    amount, unit = int(match.group(1)), match.group(2)
    value = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
    if not timedelta(minutes=5) <= value <= timedelta(days=14):
        reader.fail(path, "must be between 5 min and 14 days before the session")
        return None
    return value


def _offset_text(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 2 * 24 * 60:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def policy_to_proto(policy: AgencyPolicy) -> pb.FatiguePolicy:
    f = policy.fatigue
    return pb.FatiguePolicy(
        agency_id=policy.agency_id,
        pre_shift_buffer=duration(f.pre_shift_buffer),
        post_shift_buffer=duration(f.post_shift_buffer),
        sleep_after_night=duration(f.night_sleep_length),
        sleep_start_after_night=duration(f.night_sleep_delay),
        min_rest_gap=duration(f.min_rest_between_shifts),
        max_sessions_per_day=f.max_sessions_per_day,
        late_cancel_window=duration(policy.late_cancel_window),
        urgent_escalate_after=duration(policy.urgent_escalate_after),
        crisis_line_text=policy.crisis_line_text,
        reminder_offsets=[_offset_text(o) for o in policy.reminder_offsets],
        version=policy.version,
    )


# -- preferences ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPreferences:
    preferences: OfficerPreferences
    jurisdiction: str | None = None
    languages: tuple[str, ...] = ()


_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_JURISDICTION = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")


def preferences_from_proto(msg: pb.Preferences) -> StoredPreferences:
    reader = _Reader()
    hours = [
        {
            "start": reader.clock(h, "start", f"preferred_hours[{i}]"),
            "end": reader.clock(h, "end", f"preferred_hours[{i}]"),
        }
        for i, h in enumerate(msg.preferred_hours)
    ]
    if len(msg.preferred_hours) > 10:
        reader.fail("preferred_hours", "at most 10 ranges")
    if msg.jurisdiction and not _JURISDICTION.match(msg.jurisdiction):
        reader.fail("jurisdiction", "must be an ISO 3166-2 code such as US-CA")
    for i, tag in enumerate(msg.languages):
        if not _TAG.match(tag):
            reader.fail(f"languages[{i}]", f"{tag!r} is not a BCP 47 language tag such as en or fr-CA")
    data: dict[str, Any] = {
        "preferred_hours": hours,
        "prefer_days_off": msg.prefer_days_off,
        "avoid_day_before_night_block": msg.avoid_day_before_night_block,
    }
    wake = reader.clock(msg, "usual_wake_time", "", required=False)
    if wake is not None:
        data["usual_wake_time"] = wake
    reader.raise_if_any()
    return StoredPreferences(
        OfficerPreferences.parse(data), msg.jurisdiction.upper() or None, tuple(msg.languages)
    )


def preferences_to_proto(stored: StoredPreferences, officer_id: str) -> pb.Preferences:
    p = stored.preferences
    return pb.Preferences(
        officer_id=officer_id,
        preferred_hours=[pb.HourRange(start=_clock(h.start), end=_clock(h.end)) for h in p.preferred_hours],
        prefer_days_off=p.prefer_days_off,
        avoid_day_before_night_block=p.avoid_day_before_night_block,
        jurisdiction=stored.jurisdiction or "",
        languages=list(stored.languages),
        usual_wake_time=_clock(p.usual_wake_time),
    )


def nonempty(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v.strip())
