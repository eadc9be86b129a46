"""Prometheus metrics every service exposes (labels never carry personal data: only the
service, RPC method, status code and event type)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

RPC_SECONDS = Histogram(
    "tenfour_rpc_duration_seconds",
    "Server-side RPC latency",
    ["service", "rpc", "code"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
EVENTS_PUBLISHED = Counter("tenfour_events_published_total", "Events relayed from the outbox", ["service"])
EVENTS_CONSUMED = Counter(
    "tenfour_events_consumed_total",
    "Events taken from JetStream, by outcome (processed, duplicate, retried, dead_lettered, ignored)",
    ["service", "event_type", "outcome"],
)
BACKGROUND_PASSES = Counter(
    "tenfour_background_passes_total",
    "Completed passes of a service's background job (a stalled job stops counting)",
    ["service", "job"],
)
OUTBOX_LAG = Gauge(
    "tenfour_outbox_lag_seconds", "Age of the oldest outbox entry when the relay reached it", ["service"]
)

_service = "unknown"


def set_service(name: str) -> None:
    global _service
    _service = name


def service() -> str:
    return _service


def serve(port: int, host: str = "127.0.0.1") -> None:
    """Expose /metrics on `port` (0 = disabled)."""
    if port:
        start_http_server(port, addr=host)
