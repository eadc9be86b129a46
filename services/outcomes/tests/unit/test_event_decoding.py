"""Scheduling's appointment -> the change outcomes records: the officers' day kinds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour.scheduling.v1.appointments_pb2 import DayKind as Proto
from tenfour_outcomes.domain.facts import DayKind
from tenfour_outcomes.entrypoints.event_handlers import change_of


def _appointment(officers: list[str], kinds: list[int]) -> Appointment:
    out = Appointment(
        appointment_id="t-1.00000000000000aa",
        agency_id="agency-1",
        provider_id="t-1",
        officer_ids=officers,
        officer_day_kinds=kinds,  # type: ignore[arg-type]
        status=AppointmentStatus.APPOINTMENT_STATUS_BOOKED,
        version=1,
    )
    out.time.start.FromDatetime(datetime(2026, 1, 5, 15, tzinfo=UTC))
    return out


@pytest.mark.parametrize(
    ("officers", "kinds", "expected"),
    [
        (["o-1"], [Proto.DAY_KIND_DAY_OFF], (DayKind.DAY_OFF,)),
        (["o-1"], [Proto.DAY_KIND_WORK_DAY], (DayKind.WORK_DAY,)),
        (["o-1"], [], ()),  # an event from before the field: not recorded
        (["o-1"], [Proto.DAY_KIND_UNSPECIFIED], ()),
        (["o-1", "o-2"], [Proto.DAY_KIND_UNSPECIFIED, Proto.DAY_KIND_WORK_DAY], (None, DayKind.WORK_DAY)),
        (["o-1", "o-2"], [Proto.DAY_KIND_DAY_OFF], (DayKind.DAY_OFF,)),  # the second: not recorded
        (["o-1"], [Proto.DAY_KIND_DAY_OFF, Proto.DAY_KIND_WORK_DAY], (DayKind.DAY_OFF,)),  # extra ignored
        (["o-1"], [7], ()),  # a value from a newer schema
    ],
)
def test_day_kinds_are_decoded_in_the_order_of_the_officers(
    officers: list[str], kinds: list[int], expected: tuple[DayKind | None, ...]
) -> None:
    change = change_of(_appointment(officers, kinds), AppointmentStatus.APPOINTMENT_STATUS_UNSPECIFIED)
    assert change.day_kinds == expected
