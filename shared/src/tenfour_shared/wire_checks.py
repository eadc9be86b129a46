"""Checks every request message passes before any handler sees it, driven by its descriptor.

What protobuf itself accepts is wider than what any Tenfour handler can use: proto3 enums are
open, Timestamps and Durations are plain integers until converted, strings have no length. One
walk over the set fields refuses, with field paths, what no RPC accepts: unknown enum numbers,
Timestamps/Durations outside the product's range (and non-normalised ones), oversized strings,
bytes and lists. Service rules (e.g. "a session lasts 5 min to 8 h") stay in the services.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from tenfour_shared.errors import FieldViolation

__all__ = [
    "MAX_DURATION",
    "MAX_ITEMS",
    "MAX_STRING",
    "TIMESTAMP_MAX",
    "TIMESTAMP_MIN",
    "duration_problem",
    "locate_undecodable",
    "timestamp_problem",
    "violations",
]

# No date Tenfour handles (appointments, rosters, code expiries, audit times) lies outside
# 1970-2199, and no span (sessions, buffers, horizons, notice, rest gaps) is over ten years:
# anything beyond is a typo or an attack, and would overflow datetime arithmetic downstream.
TIMESTAMP_MIN = datetime(1970, 1, 1, tzinfo=UTC)
TIMESTAMP_MAX = datetime(2200, 1, 1, tzinfo=UTC)
MAX_DURATION = timedelta(days=3660)
MAX_STRING = 4096  # characters; identifiers, names, zones, tokens, labels are far shorter
MAX_BYTES = 64 * 1024
MAX_ITEMS = 10_000
# Fields that carry documents: an iCalendar export, an SDP offer or answer, a JWKS.
LONG_STRINGS = {
    "tenfour.availability.v1.ImportBusyCalendarRequest.ics": 2 * 1024 * 1024,
    "tenfour.scheduling.v1.ImportRosterCalendarRequest.ics": 2 * 1024 * 1024,
    "sdp": 256 * 1024,
    "offer_sdp": 256 * 1024,
    "answer_sdp": 256 * 1024,
    "jwks_json": 256 * 1024,
}
_NANOS = 1_000_000_000
_MAX_VIOLATIONS = 20
_MAX_DEPTH = 32
_TS_MIN = int(TIMESTAMP_MIN.timestamp())
_TS_MAX = int(TIMESTAMP_MAX.timestamp())
_DUR_MAX = int(MAX_DURATION.total_seconds())


def violations(message: Message) -> list[FieldViolation]:
    """Every problem of `message` no handler could accept, at most 20, with dotted field paths."""
    out: list[FieldViolation] = []
    _walk(message, "", out, 0)
    return out[:_MAX_VIOLATIONS]


def _walk(message: Message, prefix: str, out: list[FieldViolation], depth: int) -> None:
    if depth > _MAX_DEPTH:
        out.append(FieldViolation(prefix or "request", "nested too deeply"))
        return
    for field, value in message.ListFields():
        if len(out) >= _MAX_VIOLATIONS:
            return
        path = f"{prefix}.{field.name}" if prefix else field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            _map(field, value, path, out, depth)
        elif field.is_repeated:
            if len(value) > MAX_ITEMS:
                out.append(FieldViolation(path, f"at most {MAX_ITEMS:,} items"))
                continue
            for i, item in enumerate(value):
                _value(field, item, f"{path}[{i}]", out, depth)
        else:
            _value(field, value, path, out, depth)


def _map(field: FieldDescriptor, value: object, path: str, out: list[FieldViolation], depth: int) -> None:
    entries = dict(value)  # type: ignore[call-overload]
    if len(entries) > MAX_ITEMS:
        out.append(FieldViolation(path, f"at most {MAX_ITEMS:,} entries"))
        return
    entry = field.message_type
    assert entry is not None
    key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
    for key, item in entries.items():
        _value(key_field, key, f"{path}[key]", out, depth)
        _value(value_field, item, f"{path}[{str(key)[:16]}]", out, depth)


def _value(field: FieldDescriptor, value: object, path: str, out: list[FieldViolation], depth: int) -> None:
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        assert isinstance(value, Message)
        name = value.DESCRIPTOR.full_name
        if name == "google.protobuf.Timestamp":
            _problem(timestamp_problem(value), path, out)
        elif name == "google.protobuf.Duration":
            _problem(duration_problem(value), path, out)
        else:
            _walk(value, path, out, depth + 1)
    elif kind == FieldDescriptor.TYPE_STRING:
        assert isinstance(value, str)
        limit = LONG_STRINGS.get(field.full_name) or LONG_STRINGS.get(field.name) or MAX_STRING
        if len(value) > limit:
            out.append(FieldViolation(path, f"must be at most {limit:,} characters"))
        elif "\x00" in value:
            out.append(FieldViolation(path, "must not contain NUL characters"))
    elif kind == FieldDescriptor.TYPE_BYTES:
        assert isinstance(value, bytes)
        if len(value) > MAX_BYTES:
            out.append(FieldViolation(path, f"must be at most {MAX_BYTES:,} bytes"))
    elif kind == FieldDescriptor.TYPE_ENUM and not _defined(field, value):
        out.append(FieldViolation(path, "is not one of the defined values"))


def _defined(field: FieldDescriptor, value: object) -> bool:
    enum = field.enum_type
    return enum is None or (isinstance(value, int) and value in enum.values_by_number)


def timestamp_problem(value: Message) -> tuple[str, str] | None:
    """(sub-field suffix, description) of what is wrong with a Timestamp, or None."""
    seconds, nanos = int(value.seconds), int(value.nanos)  # type: ignore[attr-defined]
    if not 0 <= nanos < _NANOS:
        return ".nanos", "must be between 0 and 999,999,999"
    if not _TS_MIN <= seconds < _TS_MAX:
        return "", "must be between 1970-01-01 and 2199-12-31 (UTC)"
    return None


def duration_problem(value: Message) -> tuple[str, str] | None:
    """(sub-field suffix, description) of what is wrong with a Duration, or None."""
    seconds, nanos = int(value.seconds), int(value.nanos)  # type: ignore[attr-defined]
    if not -_NANOS < nanos < _NANOS or (seconds > 0 > nanos) or (seconds < 0 < nanos):
        return ".nanos", "must be within ±999,999,999 with the sign of seconds"
    if abs(seconds) > _DUR_MAX:
        return "", f"must be at most {MAX_DURATION.days:,} days"
    return None


def _problem(found: tuple[str, str] | None, path: str, out: list[FieldViolation]) -> None:
    if found is not None:
        out.append(FieldViolation(path + found[0], found[1]))


def locate_undecodable(descriptor: Any, data: bytes) -> str:
    """The dotted path of the first field that keeps `data` from decoding, else "request".

    Protobuf's parser says only *what* is wrong (bad UTF-8, corrupt wire format); walking the
    wire format once more finds *where*, so the violation can name the field.
    """
    try:
        return _locate(descriptor, data, "", 0) or "request"
    except (IndexError, ValueError):
        return "request"


def _locate(descriptor: Descriptor, data: bytes, prefix: str, depth: int) -> str | None:
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        field = descriptor.fields_by_number.get(number)
        path = (f"{prefix}.{field.name}" if prefix else field.name) if field is not None else prefix
        if wire_type == 0:
            _, pos = _varint(data, pos)
        elif wire_type == 1:
            pos += 8
        elif wire_type == 5:
            pos += 4
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            chunk, pos = data[pos : pos + length], pos + length
            if len(chunk) < length:
                return path or None
            if field is not None and field.type == FieldDescriptor.TYPE_STRING:
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError:
                    return path
            elif field is not None and field.message_type is not None and depth < _MAX_DEPTH:
                found = _locate(field.message_type, chunk, path, depth + 1)
                if found is not None:
                    return found
        else:
            return path or None  # groups are not used by any Tenfour message
        if pos > len(data):
            return path or None
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]  # IndexError on truncation, reported by the caller
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")
