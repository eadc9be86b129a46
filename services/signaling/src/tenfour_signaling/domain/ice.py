"""The ICE server list handed to each participant: our STUN, our TURN, never a public STUN."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from .participants import Role
from .room import Room, Seat
from .turn import DEFAULT_MAX_TTL, credential_expiry, mint_turn_credential

__all__ = [
    "IceConfiguration",
    "IceServer",
    "IceSettings",
    "ice_configuration",
    "ice_configuration_for",
    "seat_relay_only",
]

_PUBLIC_STUN_DOMAINS = (".google.com", ".googleapis.com")


class IceServer(BaseModel):
    """Mirrors RTCIceServer; ``credential`` is kept out of repr."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    urls: tuple[str, ...] = Field(min_length=1)
    username: str | None = None
    credential: str | None = Field(default=None, repr=False)


class IceConfiguration(BaseModel):
    """What one participant gets: servers, whether to gather relay candidates only, and expiry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    servers: tuple[IceServer, ...]
    relay_only: bool = False
    expires_at: datetime | None = None


class IceSettings(BaseModel):
    """Deployment settings for our coturn; ``turns_host`` enables ``turns:`` on 443."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    secret: SecretStr
    port: int = Field(default=3478, ge=1, le=65535)
    turns_host: str | None = None
    turns_port: int = Field(default=443, ge=1, le=65535)
    max_ttl: timedelta = DEFAULT_MAX_TTL
    # Agency policy: relaying hides these roles' IP addresses from the other peers.
    relay_only_roles: frozenset[Role] = frozenset()
    # ... except in these agencies, whose policy lets their officers connect directly.
    direct_media_agencies: frozenset[str] = frozenset()

    def forces_relay(self, role: Role | None, agency_id: str | None) -> bool:
        return role in self.relay_only_roles and (agency_id or "") not in self.direct_media_agencies

    @field_validator("host", "turns_host")
    @classmethod
    def _own_server(cls, host: str | None) -> str | None:
        if host is not None and ("." + host.lower().rstrip(".")).endswith(_PUBLIC_STUN_DOMAINS):
            raise ValueError("public STUN servers leak who talks to whom; use our own")
        return host


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def ice_configuration(
    settings: IceSettings, handle: str, expires_at: datetime, *, relay_only: bool
) -> IceConfiguration:
    """Our STUN and TURN for one opaque handle, with TURN credentials valid until ``expires_at``."""
    credential = mint_turn_credential(settings.secret.get_secret_value(), handle, expires_at)
    hostport = _hostport(settings.host, settings.port)
    # UDP first: aiortc uses only the first TURN URL it can, and UDP is what works best.
    turn_urls = [f"turn:{hostport}?transport=udp", f"turn:{hostport}?transport=tcp"]
    if settings.turns_host is not None:
        turn_urls.append(f"turns:{_hostport(settings.turns_host, settings.turns_port)}?transport=tcp")
    turn = IceServer(urls=tuple(turn_urls), username=credential.username, credential=credential.password)
    # A relay-only peer never uses server-reflexive candidates, so it needs no STUN server.
    servers = (turn,) if relay_only else (IceServer(urls=(f"stun:{hostport}",)), turn)
    return IceConfiguration(servers=servers, relay_only=relay_only, expires_at=credential.expires_at)


def seat_relay_only(settings: IceSettings | None, seat: Seat, agency_id: str = "") -> bool:
    """Relay-only by the participant's own choice or by policy for their role (and agency)."""
    return seat.relay_only or (
        settings is not None and settings.forces_relay(seat.participant.role, agency_id)
    )


def ice_configuration_for(settings: IceSettings, room: Room, seat: Seat, now: datetime) -> IceConfiguration:
    """ICE servers for one seat, with TURN credentials that expire with the room (capped)."""
    expires_at = credential_expiry(now, room.closes_at, settings.max_ttl)
    relay_only = seat_relay_only(settings, seat, room.agency_id)
    return ice_configuration(settings, seat.handle, expires_at, relay_only=relay_only)
