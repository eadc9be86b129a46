from __future__ import annotations

from pydantic import Field

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=50053, ge=0, le=65535)
