"""JSON logs that cannot carry personal data.

Only allowlisted structured fields are emitted, and the message text is scrubbed of anything
that looks like a token, an address, an e-mail or SDP, because a log line that leaks who
used the service defeats the product.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from tenfour_shared import tracing

# Structured fields that are safe by construction: opaque ids, codes, counts and timings.
SAFE_FIELDS = frozenset(
    {
        "service",
        "instance",
        "rpc",
        "code",
        "duration_ms",
        "event_id",
        "event_type",
        "stream",
        "consumer",
        "count",
        "attempt",
        "port",
        "status",
        "request_id",
        "appointment_id",
        "provider_id",
        "agency_id",
        "version",
        "reason_code",
        "state",
        "error_type",
        "lag",
    }
)

_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*"), "[jwt]"),
    (re.compile(r"(?i)bearer\s+\S+"), "bearer [token]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "[ip]"),
    # IPv6 including the compressed forms ("2001:db8::1", "::1", "fe80::1%eth0").
    (re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,8}[0-9a-fA-F]{0,4}(?![\w:])"), "[ip]"),
    (re.compile(r"(?s)v=0\r?\n.*"), "[sdp]"),
    (re.compile(r"(?i)candidate:\S+(?: \S+)*"), "[candidate]"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        if trace := tracing.trace_id():
            entry["trace_id"] = trace
        for key, value in record.__dict__.items():
            if key in SAFE_FIELDS and key != "service":
                entry[key] = value if isinstance(value, int | float | bool) else scrub(str(value))
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception messages and tracebacks may quote request data.
            entry["error_type"] = record.exc_info[0].__name__
        return json.dumps(entry, separators=(",", ":"))


def configure(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library loggers can print peer addresses and payloads at debug level.
    for noisy in ("aioice", "aiortc", "nats", "grpc"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
