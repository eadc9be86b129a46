"""An agency's policy and an officer's preferences: their messages to domain values and back."""

import re
from datetime import time, timedelta
from typing import Any

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.codec.values import FieldReader, duration, local_time, renamed
from tenfour_scheduling.domain import (
    FatiguePolicy,
    InvalidInput,
    OfficerPreferences,
)
from tenfour_scheduling.domain.fatigue import MAX_SLEEP, sleep_span
from tenfour_scheduling.domain.policy import AgencyPolicy, StoredPreferences
from tenfour_shared.text import excerpt

__all__ = ["policy_from_proto", "policy_to_proto", "preferences_from_proto", "preferences_to_proto"]

_POLICY_FIELDS = {
    "night_sleep_length": "sleep_after_night",
    "night_sleep_delay": "sleep_start_after_night",
    "min_rest_between_shifts": "min_rest_gap",
}
_OFFSET = re.compile(r"^(\d{1,4})(m|h|d)$")
_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_JURISDICTION = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")


def policy_from_proto(msg: pb.FatiguePolicy, agency_id: str, version: int = 0) -> AgencyPolicy:
    """Unset fields take the defaults; violations name FatiguePolicy's fields."""
    reader = FieldReader()
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
    for name in ("usual_sleep_start", "usual_sleep_end"):
        wall = reader.clock(msg, name, "", required=False)
        if wall is not None:
            fatigue[name] = wall
    start = fatigue.get("usual_sleep_start", FatiguePolicy().usual_sleep_start)
    if not _check_sleep(
        start, fatigue.get("usual_sleep_end", FatiguePolicy().usual_sleep_end), "usual_sleep_end", reader
    ):
        fatigue.pop("usual_sleep_start", None), fatigue.pop("usual_sleep_end", None)  # said once
    if not 0 <= msg.max_consecutive_nights <= 14:
        reader.fail("max_consecutive_nights", "must be between 0 (no rule) and 14")
    else:
        fatigue["max_consecutive_nights"] = msg.max_consecutive_nights
    defaults = AgencyPolicy.default(agency_id)
    late = reader.span(msg, "late_cancel_window", "")
    if late is not None and late > timedelta(days=7):
        reader.fail("late_cancel_window", "must be at most 7 days")
    escalate = reader.span(msg, "urgent_escalate_after", "")
    if escalate is not None and not timedelta(seconds=20) <= escalate <= timedelta(hours=24):
        reader.fail("urgent_escalate_after", "must be between 20 s and 24 h")
    widen = reader.span(msg, "urgent_widen_after", "")
    if widen is not None and not timedelta(seconds=10) <= widen <= timedelta(hours=1):
        reader.fail("urgent_widen_after", "must be between 10 s and 1 h")
    if len(msg.crisis_line_text) > 500:
        reader.fail("crisis_line_text", "must be at most 500 characters")
    offsets = [
        _reminder_offset(text, f"reminder_offsets[{i}]", reader)
        for i, text in enumerate(msg.reminder_offsets)
    ]
    if len(msg.reminder_offsets) > 5:
        reader.fail("reminder_offsets", "at most 5 reminders")
    compacts = tuple(sorted({j.strip().upper() for j in msg.compact_jurisdictions if j.strip()}))
    for i, j in enumerate(msg.compact_jurisdictions):
        if j.strip() and not _JURISDICTION.match(j.strip()):
            reader.fail(f"compact_jurisdictions[{i}]", "must be an ISO 3166-2 code such as US-CA")
    if len(compacts) > 60:
        reader.fail("compact_jurisdictions", "at most 60 jurisdictions")
    try:
        parsed = FatiguePolicy.parse(fatigue)
    except InvalidInput as exc:
        reader.problems.extend(renamed(exc, lambda p: _POLICY_FIELDS.get(p, p)).violations)
    reader.raise_if_any()
    return AgencyPolicy(
        agency_id=agency_id,
        fatigue=parsed,
        late_cancel_window=defaults.late_cancel_window if late is None else late,
        urgent_escalate_after=defaults.urgent_escalate_after if escalate is None else escalate,
        urgent_widen_after=defaults.urgent_widen_after if widen is None else widen,
        crisis_line_text=msg.crisis_line_text,
        reminder_offsets=tuple(o for o in offsets if o is not None)
        if msg.reminder_offsets
        else defaults.reminder_offsets,
        version=version,
        compact_jurisdictions=compacts,
    )


def _check_sleep(start: time, end: time, path: str, reader: FieldReader) -> bool:
    """Whether a nightly sleep window is usable; if not, the reason is on ``path``."""
    if start == end:
        reader.fail(path, "must differ from the start of the sleep window")
        return False
    if sleep_span(start, end) > MAX_SLEEP:
        span = int(sleep_span(start, end).total_seconds() // 60)
        reader.fail(
            path, f"makes a sleep window of {span // 60} h {span % 60:02d} min; it may be at most 14 h"
        )
        return False
    return True


def _reminder_offset(text: str, path: str, reader: FieldReader) -> timedelta | None:
    match = _OFFSET.match(text.strip())
    if match is None:
        reader.fail(path, f"{excerpt(text)} is not an offset such as 24h, 90m or 2d")
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
        urgent_widen_after=duration(policy.urgent_widen_after),
        crisis_line_text=policy.crisis_line_text,
        reminder_offsets=[_offset_text(o) for o in policy.reminder_offsets],
        version=policy.version,
        compact_jurisdictions=list(policy.compact_jurisdictions),
        usual_sleep_start=local_time(f.usual_sleep_start),
        usual_sleep_end=local_time(f.usual_sleep_end),
        max_consecutive_nights=f.max_consecutive_nights,
    )


def preferences_from_proto(msg: pb.Preferences) -> StoredPreferences:
    reader = FieldReader()
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
            reader.fail(f"languages[{i}]", f"{excerpt(tag)} is not a BCP 47 language tag such as en or fr-CA")
    data: dict[str, Any] = {
        "preferred_hours": hours,
        "prefer_days_off": msg.prefer_days_off,
        "avoid_day_before_night_block": msg.avoid_day_before_night_block,
    }
    wake = reader.clock(msg, "usual_wake_time", "", required=False)
    if wake is not None:
        data["usual_wake_time"] = wake
    if msg.HasField("usual_sleep"):
        start = reader.clock(msg.usual_sleep, "start", "usual_sleep")
        end = reader.clock(msg.usual_sleep, "end", "usual_sleep")
        if start is not None and end is not None and _check_sleep(start, end, "usual_sleep.end", reader):
            data["usual_sleep"] = {"start": start, "end": end}
    reader.raise_if_any()
    return StoredPreferences(
        OfficerPreferences.parse(data), msg.jurisdiction.upper() or None, tuple(msg.languages)
    )


def preferences_to_proto(stored: StoredPreferences, officer_id: str) -> pb.Preferences:
    p = stored.preferences
    return pb.Preferences(
        officer_id=officer_id,
        preferred_hours=[
            pb.HourRange(start=local_time(h.start), end=local_time(h.end)) for h in p.preferred_hours
        ],
        prefer_days_off=p.prefer_days_off,
        avoid_day_before_night_block=p.avoid_day_before_night_block,
        jurisdiction=stored.jurisdiction or "",
        languages=list(stored.languages),
        usual_wake_time=local_time(p.usual_wake_time),
        usual_sleep=None
        if p.usual_sleep is None
        else pb.HourRange(start=local_time(p.usual_sleep.start), end=local_time(p.usual_sleep.end)),
    )
