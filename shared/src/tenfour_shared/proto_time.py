"""Safe conversions of google.protobuf Timestamp and Duration values taken from requests.

protobuf's own ToDatetime/ToTimedelta raise ValueError or OverflowError for values outside
their range (and datetime arithmetic overflows later for values near it); these raise
InvalidInput naming the field, within the bounds every request is already checked against.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour_shared.errors import InvalidInput
from tenfour_shared.wire_checks import duration_problem, timestamp_problem

__all__ = ["to_datetime", "to_timedelta"]


def to_datetime(value: Timestamp, field: str) -> datetime:
    """An aware UTC datetime, or InvalidInput for `field`."""
    problem = timestamp_problem(value)
    if problem is not None:
        raise InvalidInput.single(field + problem[0], problem[1])
    return value.ToDatetime(tzinfo=UTC)


def to_timedelta(value: Duration, field: str) -> timedelta:
    """A timedelta, or InvalidInput for `field`."""
    problem = duration_problem(value)
    if problem is not None:
        raise InvalidInput.single(field + problem[0], problem[1])
    return value.ToTimedelta()
