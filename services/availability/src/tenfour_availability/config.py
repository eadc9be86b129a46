from __future__ import annotations

from pydantic import Field

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=50052, ge=0, le=65535)
    # Imported calendars are expanded about a year ahead; this re-expands them once the
    # expansion is older than busy_refresh_after_days, checking every busy_refresh_seconds.
    busy_refresh_seconds: float = Field(default=3600.0, gt=0)
    busy_refresh_after_days: float = Field(default=7.0, gt=0, le=180)
