"""Hypothesis strategies for request bodies, derived from the proto descriptors alone.

Every RPC of every Tenfour service in the descriptor pool is covered without a line per RPC: a
new service or RPC is fuzzed as soon as its proto is generated. Bodies come in three kinds:
valid-shaped messages (every field drawn from its type, with values the services know, such as
the callers' ids, real zones and whole-minute instants), adversarial values inside well-formed
messages (edge integers, undefined enum numbers, out-of-range Timestamps/Durations, huge,
invisible or injection-like strings), and malformed bytes (flipped, truncated, invalid UTF-8,
random).

The generator is written once against `Draw`, a small source of choices. Under `make test` the
source is Hypothesis (derandomized, so CI repeats); `make fuzz` draws from a seeded
`random.Random` instead, which is an order of magnitude cheaper per case and lets 10,000 cases
per RPC run in minutes. The seed is printed with any failure, and every failure prints its body.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

import tenfour

T = TypeVar("T")

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


class Draw(Protocol):
    """Where the generator's choices come from."""

    def choice(self, options: Sequence[T]) -> T: ...
    def integer(self, low: int, high: int) -> int: ...
    def binary(self, max_size: int) -> bytes: ...
    def text(self, max_size: int) -> str: ...
    def floating(self, width: int) -> float: ...


class HypothesisDraw:
    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def choice(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def binary(self, max_size: int) -> bytes:
        return self._draw(st.binary(max_size=max_size))

    def text(self, max_size: int) -> str:
        return self._draw(st.text(max_size=max_size))

    def floating(self, width: int) -> float:
        return self._draw(st.floats(allow_nan=True, allow_infinity=True, width=width))  # type: ignore[arg-type]


# Code points for random text: ASCII (with controls), Latin/Greek/Cyrillic, CJK, bidi and
# zero-width marks, private use and astral planes; never surrogates (protobuf refuses them).
_RANGES = [
    (0, 0x7F),
    (0x80, 0x52F),
    (0x2000, 0x206F),
    (0x4E00, 0x9FFF),
    (0xE000, 0xF8FF),
    (0xFFF0, 0xFFFF),
    (0x1F300, 0x1FAFF),
    (0x10000, 0x10FFFF),
]
_SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, float("nan"), float("inf"), float("-inf"), 1e308, 5e-324]


class RandomDraw:
    def __init__(self, rnd: random.Random) -> None:
        self._rnd = rnd

    def choice(self, options: Sequence[T]) -> T:
        return options[self._rnd.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self._rnd.randint(low, high)

    def binary(self, max_size: int) -> bytes:
        return self._rnd.randbytes(self._rnd.randint(0, max_size))

    def text(self, max_size: int) -> str:
        rnd = self._rnd
        out = []
        for _ in range(rnd.randint(0, max_size)):
            low, high = _RANGES[rnd.randrange(len(_RANGES))]
            out.append(chr(rnd.randint(low, high)))
        return "".join(out)

    def floating(self, width: int) -> float:
        if self._rnd.random() < 0.3:
            return self.choice(_SPECIAL_FLOATS)
        size, fmt = (4, "<f") if width == 32 else (8, "<d")
        return float(struct.unpack(fmt, self._rnd.randbytes(size))[0])


def one_of(d: Draw, *options: Callable[[], T]) -> T:
    return options[d.integer(0, len(options) - 1)]()


def string(d: Draw) -> str:
    return one_of(
        d,
        lambda: d.choice(KNOWN_IDS),
        lambda: d.choice(ZONES),
        lambda: d.choice(NASTY),
        lambda: d.text(40),
        lambda: "a" * d.choice(LENGTHS),
    )


def _scalar(d: Draw, field: FieldDescriptor) -> Any:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return string(d)
    if t == FieldDescriptor.TYPE_BYTES:
        return d.binary(64)
    if t == FieldDescriptor.TYPE_BOOL:
        return d.choice([False, True])
    if t == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        defined = [v.number for v in field.enum_type.values]
        return one_of(d, lambda: d.choice(defined), lambda: d.integer(-3, 1000))
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return d.floating(32 if t == FieldDescriptor.TYPE_FLOAT else 64)
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return one_of(d, lambda: d.choice(UINT), lambda: d.integer(0, 2**32 - 1))
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return one_of(d, lambda: d.choice(UINT), lambda: d.integer(0, 2**64 - 1))
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return one_of(d, lambda: d.choice(INT64), lambda: d.integer(-(2**63), 2**63 - 1))
    return one_of(d, lambda: d.choice(INT32), lambda: d.integer(-(2**31), 2**31 - 1))


def message(d: Draw, descriptor: Descriptor, depth: int = 0) -> Message:
    """A message of `descriptor` with a random subset of its fields set (valid-shaped or adversarial)."""
    out = message_factory.GetMessageClass(descriptor)()
    name = descriptor.full_name
    if name == "google.protobuf.Timestamp":
        out.seconds = one_of(d, lambda: d.choice(SECONDS), lambda: d.integer(NOW - 10**8, NOW + 10**8))  # type: ignore[attr-defined]
        out.nanos = d.choice(NANOS)  # type: ignore[attr-defined]
        return out
    if name == "google.protobuf.Duration":
        out.seconds = d.choice(SPANS)  # type: ignore[attr-defined]
        out.nanos = d.choice(NANOS)  # type: ignore[attr-defined]
        return out
    if depth > MAX_DEPTH:
        return out
    for field in descriptor.fields:
        if not d.choice([False, True]):
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key = field.message_type.fields_by_name["key"]
            value = field.message_type.fields_by_name["value"]
            for _ in range(d.integer(0, 2)):
                k = _scalar(d, key)
                if value.message_type is not None:
                    getattr(out, field.name)[k].CopyFrom(message(d, value.message_type, depth + 1))
                else:
                    getattr(out, field.name)[k] = _scalar(d, value)
            continue
        for _ in range(d.integer(0, 3)) if field.is_repeated else range(1):
            if field.message_type is not None:
                item = message(d, field.message_type, depth + 1)
                if field.is_repeated:
                    getattr(out, field.name).add().CopyFrom(item)
                else:
                    getattr(out, field.name).CopyFrom(item)
            elif field.is_repeated:
                getattr(out, field.name).append(_scalar(d, field))
            else:
                setattr(out, field.name, _scalar(d, field))
    return out


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


def body(d: Draw, rpc: Rpc) -> tuple[str, bytes]:
    """(kind, wire bytes) of one request body for `rpc`."""
    kind = d.choice(["valid-shaped", "valid-shaped", "malformed", "random"])
    if kind == "random":
        return kind, d.binary(64)
    blob = message(d, rpc.method.input_type).SerializeToString()
    if kind == "malformed":
        how = d.choice(["flip", "truncate", "bad-utf8", "garbage"])
        blob = _mutate(blob, how, d.integer(0, 10**6), d.integer(0, 255))
    return kind, blob


@st.composite
def bodies(draw: st.DrawFn, rpc: Rpc) -> tuple[str, bytes]:
    """The Hypothesis strategy of request bodies for `rpc`."""
    return body(HypothesisDraw(draw), rpc)
