"""What the use cases read and write through their ports (service/ports.py and
service/sfu_port.py): stored rooms and the outcome of a step, and the SFU's rooms and legs."""

from __future__ import annotations

from dataclasses import dataclass

from tenfour.signaling.v1.signaling_pb2 import SignalEvent
from tenfour_signaling.domain.room import Room

__all__ = [
    "Committed",
    "Delivery",
    "Leg",
    "Published",
    "Rejected",
    "Relayed",
    "SfuRoom",
    "SfuUnavailable",
    "StoredRoom",
    "publisher_field",
    "subscriber_field",
]


@dataclass(frozen=True, slots=True)
class StoredRoom:
    room: Room
    version: int


@dataclass(frozen=True, slots=True)
class Delivery:
    recipient: str  # handle
    event: SignalEvent  # without seq


@dataclass(frozen=True, slots=True)
class Committed:
    stored: StoredRoom
    seqs: tuple[int, ...]  # one per delivery, in order
    reported_seq: int  # the reported handle's last seq before this step


@dataclass(frozen=True, slots=True)
class Rejected:
    """The room moved on (``version``) or a must-not-exist key exists (``exists``)."""

    reason: str  # "version" | "exists"


@dataclass(frozen=True, slots=True)
class Relayed:
    accepted_seq: int
    duplicate: bool
    seqs: tuple[int, ...]


class SfuUnavailable(Exception):
    """The SFU instance did not answer or refused: the caller may retry (or fail over)."""


@dataclass(frozen=True, slots=True)
class SfuRoom:
    instance: str
    room: str
    secret: str  # manages the room (create, destroy, kick): never leaves signaling
    pin: str  # joins need it; only signaling joins


@dataclass(frozen=True, slots=True)
class Leg:
    """One media connection on the SFU (a publisher, or a subscription to one feed)."""

    instance: str
    session: int
    handle: int


@dataclass(frozen=True, slots=True)
class Published:
    feed: str
    display: str


def publisher_field(handle: str) -> str:
    return f"pub:{handle}"


def subscriber_field(handle: str, feed: str) -> str:
    return f"sub:{handle}:{feed}"
