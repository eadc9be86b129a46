from __future__ import annotations

from pydantic import Field

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=50052, ge=0, le=65535)
    # Imported calendars are expanded about a year ahead; this re-expands them once the
    # expansion is older than busy_refresh_after_days, checking every busy_refresh_seconds.
    busy_refresh_seconds: float = Field(default=3600.0, gt=0)
    busy_refresh_after_days: float = Field(default=7.0, gt=0, le=180)
    # Busy-calendar subscriptions: polled every calendar_feed_poll_seconds (a due check every
    # calendar_feed_check_seconds), each fetch bounded in time and size; paused after
    # calendar_feed_pause_after failures in a row. Private, loopback and link-local addresses
    # are refused unless calendar_feeds_allow_private (an operator's choice, e.g. an intranet EHR).
    calendar_feed_poll_seconds: float = Field(default=900.0, ge=1, le=86400)
    calendar_feed_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    calendar_feed_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    calendar_feed_pause_after: int = Field(default=5, ge=1, le=100)
    calendar_feeds_allow_private: bool = False
