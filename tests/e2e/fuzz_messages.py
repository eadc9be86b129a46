"""Hypothesis strategies for request bodies, derived from the proto descriptors alone.

Every RPC of every Tenfour service in the descriptor pool is covered without a line per RPC: a
new service or RPC is fuzzed as soon as its proto is generated. Bodies come in three kinds:
valid-shaped messages (every field drawn from its type, with values the services know, such as
the callers' ids, real zones and whole-minute instants), adversarial values inside well-formed
messages (edge integers, undefined enum numbers, out-of-range Timestamps/Durations, huge,
invisible or injection-like strings), and malformed bytes (flipped, truncated, invalid UTF-8,
random).
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

import tenfour

# Ids the running system knows: the fuzz tokens' subjects and agency, so some requests reach
# past "not yours" checks into the use cases.
KNOWN_IDS = ["agency-1", "agency-2", "officer-fuzz", "therapist-fuzz", "peer_supporter-fuzz", "prov-1", "x"]
ZONES = ["UTC", "Europe/London", "America/Chicago", "Australia/Lord_Howe", "Etc/GMT+12"]
NASTY = [
    "",
    " ",
    "../../etc/passwd",
    "' OR '1'='1",
    "{{7*7}}",
    "%s%s%n",
    "\u202eevil",
    "\u200b",
    "Ω≈ç√∫",
    "🙂" * 10,
    "a\nb\rc\td",
    "*",
    "{agency-1}",
    "agency-1:*",
    "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR",
    "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n",
    "DD--NN--",
]
LENGTHS = [255, 256, 4096, 4097, 70_000]
INT32 = [0, 1, -1, 7, 100, 2**31 - 1, -(2**31)]
INT64 = [*INT32, 2**53, 2**63 - 1, -(2**63)]
UINT = [0, 1, 2**32 - 1]
NOW = int(time.time()) // 60 * 60
SECONDS = [
    NOW,
    NOW + 3600,
    NOW + 86400 * 3,
    NOW - 86400,
    0,
    -1,
    2**31,
    2**62,
    -(2**62),
    253402300799,
    253402300800,
]
NANOS = [0, 0, 0, 1, -1, 999_999_999, 1_000_000_000, -(2**31)]
SPANS = [0, 60, 300, 1800, 3000, 3600, 8 * 3600, 86400, 14 * 86400, -60, 2**40, 2**62, 315_576_000_001]
MAX_DEPTH = 3


def load_all_protos() -> None:
    """Import every generated *_pb2 module so the descriptor pool holds every service."""
    for info in pkgutil.walk_packages(tenfour.__path__, "tenfour."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)


def tenfour_services() -> list[ServiceDescriptor]:
    load_all_protos()
    pool = descriptor_pool.Default()
    found = []
    for info in pkgutil.walk_packages(tenfour.__path__, "tenfour."):
        if info.name.endswith("_pb2"):
            file = pool.FindFileByName(importlib.import_module(info.name).DESCRIPTOR.name)
            found.extend(file.services_by_name.values())
    return sorted(found, key=lambda s: s.full_name)


@dataclass(frozen=True)
class Rpc:
    service: ServiceDescriptor
    method: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.service.full_name}/{self.method.name}"

    @property
    def request_class(self) -> type[Message]:
        return message_factory.GetMessageClass(self.method.input_type)

    @property
    def streams_in(self) -> bool:
        return bool(self.method.client_streaming)

    @property
    def streams_out(self) -> bool:
        return bool(self.method.server_streaming)


def strings() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(KNOWN_IDS),
        st.sampled_from(ZONES),
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.sampled_from(LENGTHS).map(lambda n: "a" * n),
    )


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return strings()
    if t == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if t == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        defined = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(defined), st.integers(-3, 1000))
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(
            allow_nan=True, allow_infinity=True, width=32 if t == FieldDescriptor.TYPE_FLOAT else 64
        )
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return st.one_of(st.sampled_from(UINT), st.integers(0, 2**32 - 1))
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return st.one_of(st.sampled_from(UINT), st.integers(0, 2**64 - 1))
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return st.one_of(st.sampled_from(INT64), st.integers(-(2**63), 2**63 - 1))
    return st.one_of(st.sampled_from(INT32), st.integers(-(2**31), 2**31 - 1))


@st.composite
def messages(draw: st.DrawFn, descriptor: Descriptor, depth: int = 0) -> Message:
    """A message of `descriptor` with a random subset of its fields set (valid-shaped or adversarial)."""
    message = message_factory.GetMessageClass(descriptor)()
    name = descriptor.full_name
    if name == "google.protobuf.Timestamp":
        message.seconds = draw(st.one_of(st.sampled_from(SECONDS), st.integers(NOW - 10**8, NOW + 10**8)))  # type: ignore[attr-defined]
        message.nanos = draw(st.sampled_from(NANOS))  # type: ignore[attr-defined]
        return message
    if name == "google.protobuf.Duration":
        message.seconds = draw(st.sampled_from(SPANS))  # type: ignore[attr-defined]
        message.nanos = draw(st.sampled_from(NANOS))  # type: ignore[attr-defined]
        return message
    if depth > MAX_DEPTH:
        return message
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key = field.message_type.fields_by_name["key"]
            value = field.message_type.fields_by_name["value"]
            for _ in range(draw(st.integers(0, 2))):
                k = draw(_scalar(key))
                if value.message_type is not None:
                    getattr(message, field.name)[k].CopyFrom(draw(messages(value.message_type, depth + 1)))
                else:
                    getattr(message, field.name)[k] = draw(_scalar(value))
            continue
        values = range(draw(st.integers(0, 3))) if field.is_repeated else range(1)
        for _ in values:
            if field.message_type is not None:
                item = draw(messages(field.message_type, depth + 1))
                if field.is_repeated:
                    getattr(message, field.name).add().CopyFrom(item)
                else:
                    getattr(message, field.name).CopyFrom(item)
            elif field.is_repeated:
                getattr(message, field.name).append(draw(_scalar(field)))
            else:
                setattr(message, field.name, draw(_scalar(field)))
    return message


def _mutate(blob: bytes, how: str, at: int, byte: int) -> bytes:
    if not blob:
        return bytes([byte])
    i = at % len(blob)
    if how == "flip":
        return blob[:i] + bytes([blob[i] ^ (1 << (byte % 8))]) + blob[i + 1 :]
    if how == "truncate":
        return blob[:i]
    if how == "bad-utf8":  # a string field 1 holding an invalid sequence, prepended
        return b"\x0a\x02\xc3\x28" + blob
    return blob + bytes([byte, 0xFF, 0xFF])


@st.composite
def bodies(draw: st.DrawFn, rpc: Rpc) -> tuple[str, bytes]:
    """(kind, wire bytes) of one request body for `rpc`."""
    kind = draw(st.sampled_from(["valid-shaped", "valid-shaped", "malformed", "random"]))
    if kind == "random":
        return kind, draw(st.binary(max_size=64))
    message = draw(messages(rpc.method.input_type))
    blob = message.SerializeToString()
    if kind == "malformed":
        how = draw(st.sampled_from(["flip", "truncate", "bad-utf8", "garbage"]))
        blob = _mutate(blob, how, draw(st.integers(0, 10**6)), draw(st.integers(0, 255)))
    return kind, blob
