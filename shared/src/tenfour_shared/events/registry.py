"""Every event payload type, by name, merged from the per-producer catalogs.

Explicit so that a new event is one line in its producer's catalog module; a type's prefix
names the producing service, which is also its JetStream stream.
"""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour_shared.events.catalog import availability, identity, scheduling, signaling

PAYLOADS: dict[str, tuple[str, type[Message]]] = {}
for _producer, _module in (
    ("identity", identity),
    ("availability", availability),
    ("scheduling", scheduling),
    ("signaling", signaling),
):
    for _name, _cls in _module.PAYLOADS.items():
        if not _name.startswith(f"{_producer}."):
            raise RuntimeError(f"event type {_name} must start with its producer {_producer}")
        PAYLOADS[_name] = (_producer, _cls)

_BY_CLASS: dict[type[Message], str] = {cls: name for name, (_, cls) in PAYLOADS.items()}


def type_of(payload: Message) -> str:
    try:
        return _BY_CLASS[type(payload)]
    except KeyError:
        raise KeyError(f"{type(payload).__name__} is not a registered event payload") from None
