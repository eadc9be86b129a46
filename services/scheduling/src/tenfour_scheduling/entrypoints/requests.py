"""Requests to domain values; every problem becomes INVALID_ARGUMENT naming the request field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.codec import interval_from_proto, nonempty
from tenfour_scheduling.adapters.keys import ID
from tenfour_scheduling.domain import MAX_HORIZON, InvalidInput, ProviderKind, SlotFilters
from tenfour_shared.auth.principal import Principal
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import NotAllowed
from tenfour_shared.proto_time import to_datetime, to_timedelta
from tenfour_shared.timeline import Interval

__all__ = [
    "agency_of",
    "field_errors",
    "filters",
    "horizon",
    "idempotency_key",
    "instant",
    "limit",
    "own_officer_id",
    "provider_id",
    "session_type",
    "time_range",
]

MAX_RANGE = timedelta(days=366)
DEFAULT_LIMIT = 20
MAX_LIMIT = 200


@contextmanager
def field_errors(prefix: str = "", renamed: Mapping[str, str] | None = None) -> Iterator[None]:
    """Domain validation errors raised inside the block, as request field violations."""
    try:
        yield
    except InvalidInput as exc:
        names = renamed or {}
        error = exc.renamed(lambda field: names.get(field, field))
        raise (error.prefixed(prefix) if prefix else error) from None


def own_officer_id(caller: Principal, requested: str) -> str:
    """Officers act on their own data only: ``requested`` is empty (the caller) or the caller."""
    if requested and requested != caller.subject:
        raise NotAllowed("you can only act on your own roster, preferences and sessions")
    if not ID.match(caller.subject):
        raise NotAllowed("this account's id cannot be used for scheduling")
    return caller.subject


def agency_of(caller: Principal) -> str:
    if not caller.agency_id or not ID.match(caller.agency_id):
        raise NotAllowed("scheduling needs an account that belongs to an agency")
    return caller.agency_id


def provider_id(value: str, field: str = "provider_id") -> str:
    if not value:
        raise InvalidInput.single(field, "is required")
    if not ID.match(value):
        raise InvalidInput.single(field, "is not a provider id")
    return value


def idempotency_key(value: str) -> str:
    if not 1 <= len(value) <= 255:
        raise InvalidInput.single("idempotency_key", "is required: 1 to 255 characters, new for each booking")
    return value


def session_type(value: common.SessionType.ValueType) -> SessionType:
    if value in (common.SESSION_TYPE_UNSPECIFIED, common.SESSION_TYPE_INDIVIDUAL):
        return SessionType.INDIVIDUAL
    if value == common.SESSION_TYPE_CRISIS:
        raise InvalidInput.single("session_type", "crisis sessions are requested with RequestUrgentSession")
    if value == common.SESSION_TYPE_GROUP:
        raise InvalidInput.single(
            "session_type", "a seat in a group session is taken with group_appointment_id (see FindSlots)"
        )
    raise InvalidInput.single("session_type", f"unknown session type {value}")


def instant(value: Timestamp, present: bool, field: str) -> datetime:
    if not present:
        raise InvalidInput.single(field, "is required")
    moment = to_datetime(value, field)
    if moment.second or moment.microsecond:
        raise InvalidInput.single(field, "must be on a whole minute")
    return moment


def time_range(msg: common.TimeRange, present: bool, field: str = "range") -> Interval:
    if not present:
        raise InvalidInput.single(field, "is required")
    with field_errors():
        window = interval_from_proto(msg, field)
    if window.duration > MAX_RANGE:
        raise InvalidInput.single(field, f"spans more than {MAX_RANGE.days} days")
    return window


STEPS_MINUTES = (5, 10, 15, 20, 30, 60)


def step(value: Duration, present: bool) -> timedelta | None:
    """Minutes between offered starts; None (the search's default, 15) when not given."""
    if not present:
        return None
    span = to_timedelta(value, "step")
    if span % timedelta(minutes=1) or span // timedelta(minutes=1) not in STEPS_MINUTES:
        raise InvalidInput.single("step", f"must be one of {', '.join(map(str, STEPS_MINUTES))} minutes")
    return span


def horizon(value: Duration, present: bool) -> timedelta:
    if not present:
        return timedelta(days=14)
    span = to_timedelta(value, "horizon")
    if span <= timedelta(0):
        raise InvalidInput.single("horizon", "must be positive")
    if span > MAX_HORIZON:
        raise InvalidInput.single(
            "horizon", f"is {span / timedelta(days=1):g} days; at most {MAX_HORIZON.days}"
        )
    return span


def limit(value: int) -> int:
    if value == 0:
        return DEFAULT_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput.single("limit", f"must be between 1 and {MAX_LIMIT} (0 = {DEFAULT_LIMIT})")
    return value


_KINDS = {
    common.PROVIDER_KIND_THERAPIST: ProviderKind.THERAPIST,
    common.PROVIDER_KIND_PEER: ProviderKind.PEER,
}


_NO_FILTERS = SlotFilters()


def filters(msg: pb.SlotFilters) -> SlotFilters:
    if not msg.ByteSize():  # every field unset (the web app's default view): no model to build
        return _NO_FILTERS
    if msg.provider_kind and msg.provider_kind not in _KINDS:
        raise InvalidInput.single("filters.provider_kind", f"unknown provider kind {msg.provider_kind}")
    with field_errors("filters"):
        return SlotFilters(
            kind=_KINDS.get(msg.provider_kind),
            gender=msg.gender.strip() or None,
            first_responder_competent=msg.first_responder_competent,
            licensed_in_jurisdiction=msg.licensed_in_my_jurisdiction,
            continuity_only=msg.continuity,
            specialties=nonempty(msg.specialties),
            languages=nonempty(msg.languages),
        )
