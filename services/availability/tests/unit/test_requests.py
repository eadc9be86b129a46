"""Request fields to domain values, and calendar errors to the request's field names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour.common.v1 import common_pb2
from tenfour_availability.entrypoints.requests import (
    field_errors,
    list_window,
    rules_from_request,
    session_type,
    under,
)
from tenfour_shared.calendar import (
    CalendarError,
    ExpansionRangeError,
    IcsError,
    RuleValidationError,
    SessionType,
)
from tenfour_shared.errors import InvalidInput


def fields(caught: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [v.field for v in caught.value.violations]


def test_rule_set_paths_are_prefixed_with_the_request_field() -> None:
    message = rules_pb2.RuleSet(
        provider_id="p1",
        timezone="Nowhere/Special",
        time_off=[rules_pb2.TimeOff(label="x" * 101)],
    )
    with pytest.raises(InvalidInput) as caught, field_errors(under("rules")):
        rules_from_request(message)
    assert fields(caught) == ["rules.time_off[0].label", "rules.timezone", "rules.time_off[0]"]


def test_output_only_fields_are_ignored_and_labels_kept() -> None:
    message = rules_pb2.RuleSet(provider_id="p1", timezone="UTC", version=-5, active=True)
    off = message.time_off.add(label="conference", first_day=common_pb2.LocalDate(year=2026, month=6, day=1))
    off.last_day.CopyFrom(off.first_day)
    rules, labels = rules_from_request(message)
    assert (rules.version, labels) == (0, ("conference",))


def test_renamed_fields_and_calendar_lines() -> None:
    with pytest.raises(InvalidInput) as caught, field_errors(window="range"):
        raise ExpansionRangeError("spans 400 days")
    assert fields(caught) == ["range"]
    with pytest.raises(InvalidInput) as caught, field_errors():
        raise IcsError("END:VEVENT does not close BEGIN:VCALENDAR", line=7)
    assert [(v.field, v.description) for v in caught.value.violations] == [
        ("ics", "line 7: END:VEVENT does not close BEGIN:VCALENDAR")
    ]
    assert not issubclass(InvalidInput, CalendarError)


def request(start: datetime | None, end: datetime | None) -> availability_pb2.ListAvailabilityRequest:
    out = availability_pb2.ListAvailabilityRequest(provider_id="p1")
    out.range.SetInParent()
    if start is not None:
        out.range.start.FromDatetime(start)
    if end is not None:
        out.range.end.FromDatetime(end)
    return out


def test_list_window_needs_both_ends_in_order() -> None:
    a, b = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    assert (list_window(request(a, b)).start, list_window(request(a, b)).end) == (a, b)
    cases = {
        (None, b): ["range.start"],
        (a, None): ["range.end"],
        (b, a): ["range.end"],
        (a, a): ["range.end"],
    }
    for (start, end), expected in cases.items():
        with pytest.raises(RuleValidationError) as caught:
            list_window(request(start, end))
        assert [v.field for v in caught.value.violations] == expected
    with pytest.raises(RuleValidationError) as missing:
        list_window(availability_pb2.ListAvailabilityRequest(provider_id="p1"))
    assert missing.value.violations[0].field == "range"


def test_session_type_filter() -> None:
    assert session_type(common_pb2.SESSION_TYPE_UNSPECIFIED) is None
    assert session_type(common_pb2.SESSION_TYPE_GROUP) is SessionType.GROUP
    with pytest.raises(RuleValidationError):
        session_type(42)
