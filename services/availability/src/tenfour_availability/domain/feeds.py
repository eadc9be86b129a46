"""A provider's busy-calendar subscription: its address, validators and sync record, and the
rules for when to fetch next, when to give up (pause) and what a provider is shown."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

__all__ = ["MAX_URL_LENGTH", "Feed", "FeedError", "FeedPolicy", "Fetched", "display_url", "normalize_url"]

MAX_URL_LENGTH = 2048


class FeedError(Exception):
    """A fetch or import that failed: a stable code and plain words for the provider's page."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize_url(raw: str) -> str:
    """The subscribed address, or FeedError("invalid_url") in plain words.

    webcal:// (what calendar apps hand out) is read as https://; only http and https are fetched.
    Credentials in the address are refused: they would be stored and sent in the clear.
    """
    url = raw.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url or len(url) > MAX_URL_LENGTH:
        raise FeedError(
            "invalid_url", f"Enter the calendar's web address (at most {MAX_URL_LENGTH} characters)."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FeedError("invalid_url", "This is not a web address.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError("invalid_url", "Only http:// and https:// calendar addresses can be followed.")
    if parts.username is not None or parts.password is not None:
        raise FeedError("invalid_url", "Remove the user name and password from the address.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise FeedError("invalid_url", "The address contains spaces or control characters.")
    del port
    return url


def display_url(url: str) -> str:
    """Scheme and host only: the path of a shared calendar link is usually its secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's outcome: ``text`` None when the server said "not modified"."""

    text: str | None
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class Feed:
    provider_id: str
    url: str
    etag: str = ""
    last_modified: str = ""
    last_synced_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str = ""
    last_error_code: str = ""
    failures: int = 0
    paused: bool = False
    next_at: datetime | None = None
    busy_intervals: int = 0


@dataclass(frozen=True, slots=True)
class FeedPolicy:
    """Poll every ``every``; after a failure back off (doubling, capped at ``max_backoff``);
    after ``pause_after`` failures in a row stop until the provider acts."""

    every: timedelta = timedelta(minutes=15)
    max_backoff: timedelta = timedelta(hours=6)
    pause_after: int = 5

    def succeeded(
        self, feed: Feed, now: datetime, etag: str, last_modified: str, busy_intervals: int | None
    ) -> Feed:
        return replace(
            feed,
            etag=etag,
            last_modified=last_modified,
            last_synced_at=now,
            last_attempt_at=now,
            last_error="",
            last_error_code="",
            failures=0,
            paused=False,
            next_at=now + self.every,
            busy_intervals=feed.busy_intervals if busy_intervals is None else busy_intervals,
        )

    def failed(self, feed: Feed, now: datetime, error: FeedError) -> Feed:
        failures = feed.failures + 1
        paused = failures >= self.pause_after
        backoff = min(self.every * (2 ** (failures - 1)), self.max_backoff)
        return replace(
            feed,
            last_attempt_at=now,
            last_error=error.message,
            last_error_code=error.code,
            failures=failures,
            paused=paused,
            next_at=None if paused else now + backoff,
        )

    def due(self, feed: Feed, now: datetime) -> bool:
        return not feed.paused and (feed.next_at is None or feed.next_at <= now)
