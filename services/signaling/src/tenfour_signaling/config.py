"""Signaling settings (TENFOUR_ prefix); TURN is optional so the service runs on a laptop."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from tenfour_shared.config import ServiceSettings
from tenfour_signaling.domain import IceSettings, Role


class Settings(ServiceSettings):
    port: int = Field(default=50054, ge=0, le=65535)
    # Our coturn (use-auth-secret). Without a secret no STUN/TURN is offered: host candidates
    # only, fine on one machine, not for real networks.
    turn_host: str = ""
    turn_port: int = Field(default=3478, ge=1, le=65535)
    turn_secret: SecretStr = SecretStr("")
    turns_host: str = ""  # set to offer turns: (TLS) too, for networks that only allow 443
    turns_port: int = Field(default=443, ge=1, le=65535)
    turn_max_ttl_seconds: float = Field(default=3 * 3600, gt=0)
    # Comma-separated roles whose address is always hidden (relay only) when TURN is configured.
    # Default: officers (an officer's home address must not reach anyone); "" turns it off.
    relay_only_roles: Annotated[frozenset[Role], NoDecode] = frozenset({Role.OFFICER})
    # Agency policy: agencies whose officers may connect directly (comma-separated agency ids).
    direct_media_agencies: Annotated[frozenset[str], NoDecode] = frozenset()
    # The join window: from this long before the start to this long after the end.
    room_open_before_minutes: float = Field(default=10, ge=0, le=24 * 60)
    room_grace_after_minutes: float = Field(default=15, ge=0, le=24 * 60)
    # How long ended rooms (and their resume buffers) stay readable before Redis expires them.
    room_retention_seconds: float = Field(default=3600, gt=0)
    resume_window_seconds: float = Field(default=30, gt=0, le=600)
    heartbeat_seconds: float = Field(default=10, gt=0, le=120)
    sweep_seconds: float = Field(default=5, gt=0, le=600)
    precall_max_seconds: float = Field(default=60, gt=0, le=600)
    precall_max_concurrent: int = Field(default=4, ge=0, le=100)
    # Janus (VideoRoom) instances for group media: comma-separated API URLs, e.g.
    # http://janus-0:8088/janus. Without them groups are a mesh of browsers.
    janus_urls: Annotated[tuple[str, ...], NoDecode] = ()
    janus_api_secret: SecretStr = SecretStr("")
    janus_room_admin_key: SecretStr = SecretStr("")
    # Pairs through the SFU too (hides each side's address without relay, costs a hop).
    sfu_for_pairs: bool = False

    @field_validator("direct_media_agencies", mode="before")
    @classmethod
    def _agencies(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("relay_only_roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(Role(part.strip()) for part in value.split(",") if part.strip())
        return value

    @field_validator("janus_urls", mode="before")
    @classmethod
    def _urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _turn_complete(self) -> Self:
        if self.turn_secret.get_secret_value() and not self.turn_host:
            raise ValueError("TENFOUR_TURN_HOST is required with TENFOUR_TURN_SECRET")
        explicit = "relay_only_roles" in self.model_fields_set
        if explicit and self.relay_only_roles and self.ice_settings() is None:
            raise ValueError("relay-only roles need a TURN server (TENFOUR_TURN_HOST/SECRET)")
        self.ice_settings()  # validates the host (never a public STUN server)
        if self.janus_urls and not (
            self.janus_api_secret.get_secret_value() and self.janus_room_admin_key.get_secret_value()
        ):
            raise ValueError(
                "TENFOUR_JANUS_URLS needs TENFOUR_JANUS_API_SECRET and TENFOUR_JANUS_ROOM_ADMIN_KEY"
            )
        for url in self.janus_urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError("TENFOUR_JANUS_URLS must be http(s) URLs")
        return self

    def ice_settings(self) -> IceSettings | None:
        if not self.turn_secret.get_secret_value():
            return None
        return IceSettings(
            host=self.turn_host,
            port=self.turn_port,
            secret=self.turn_secret,
            turns_host=self.turns_host or None,
            turns_port=self.turns_port,
            max_ttl=timedelta(seconds=self.turn_max_ttl_seconds),
            relay_only_roles=self.relay_only_roles,
            direct_media_agencies=self.direct_media_agencies,
        )

    @property
    def open_before(self) -> timedelta:
        return timedelta(minutes=self.room_open_before_minutes)

    @property
    def grace_after(self) -> timedelta:
        return timedelta(minutes=self.room_grace_after_minutes)

    @property
    def resume_window(self) -> timedelta:
        return timedelta(seconds=self.resume_window_seconds)
