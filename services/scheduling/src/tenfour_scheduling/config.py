from __future__ import annotations

from pydantic import Field

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=50053, ge=0, le=65535)
    # Redis connections this process opens at most; further commands wait for a free one.
    redis_max_connections: int = Field(default=64, ge=4, le=10_000)
