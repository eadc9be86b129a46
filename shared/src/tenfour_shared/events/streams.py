"""One JetStream stream per producing service, plus the dead-letter stream."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError

PRODUCERS = ("identity", "availability", "scheduling", "signaling")
DEAD_LETTER_STREAM = "TENFOUR_DEADLETTER"
DUPLICATE_WINDOW_SECONDS = 120.0


def stream_name(producer: str) -> str:
    return f"TENFOUR_{producer.upper()}"


def dead_letter_subject(consumer_service: str, event_type: str) -> str:
    return f"deadletter.{consumer_service}.{event_type or 'unknown'}"


async def ensure_streams(js: JetStreamContext, producers: tuple[str, ...] = PRODUCERS) -> None:
    """Create (or update) the streams; safe to call from every service at start-up."""
    configs = [
        StreamConfig(
            name=stream_name(p),
            subjects=[f"{p}.>"],
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            max_age=30 * 24 * 3600.0,
        )
        for p in producers
    ]
    configs.append(
        StreamConfig(
            name=DEAD_LETTER_STREAM,
            subjects=["deadletter.>"],
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            max_age=90 * 24 * 3600.0,
        )
    )
    for cfg in configs:
        try:
            await js.add_stream(cfg)
        except BadRequestError:
            # Exists with other settings (e.g. replicas: 3 set by an operator on a cluster):
            # keep theirs rather than overwrite them on every service start.
            continue
