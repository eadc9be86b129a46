"""Prometheus metrics of deliveries."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from tenfour_notifications.domain.model import Channel

DELIVERED = Counter(
    "tenfour_notifications_delivered_total", "Deliveries accepted by the receiver", ["channel", "kind"]
)
FAILED = Counter(
    "tenfour_notifications_failed_total", "Deliveries that failed for good", ["channel", "reason"]
)
LATENCY = Histogram(
    "tenfour_notifications_delivery_seconds",
    "From the event to its delivery",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600),
)


class PrometheusMetrics:
    def delivered(self, channel: Channel, kind: str, latency_seconds: float) -> None:
        DELIVERED.labels(channel.value, kind).inc()
        LATENCY.labels(channel.value).observe(max(0.0, latency_seconds))

    def failed(self, channel: Channel, reason_code: str) -> None:
        FAILED.labels(channel.value, reason_code).inc()
