"""ICE servers per participant: our STUN/TURN with REST credentials, never a public STUN server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tenfour_shared.auth.roles import Role as AuthRole
from tenfour_signaling.domain import (
    IceConfiguration,
    IceServer,
    IceSettings,
    JoinDenied,
    Role,
    Room,
    RoomStateError,
    Seat,
    ice_configuration,
    ice_configuration_for,
    join_denial,
    new_handle,
)
from tenfour_signaling.service.access import Caller, require_seat
from tenfour_signaling.service.writer import RoomWriter

__all__ = ["IceService"]

_DOMAIN_ROLES = {
    AuthRole.OFFICER: Role.OFFICER,
    AuthRole.THERAPIST: Role.THERAPIST,
    AuthRole.PEER_SUPPORTER: Role.PEER_SUPPORTER,
}
_NO_TURN = IceConfiguration(servers=(), relay_only=False, expires_at=None)


class IceService:
    def __init__(
        self,
        settings: IceSettings | None,
        writer: RoomWriter,
        precall_ttl: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._writer = writer
        self._precall_ttl = precall_ttl
        self._clock = clock

    def check_relay(self, relay_only: bool) -> None:
        """Refuse relay-only up front when no TURN server could carry it."""
        self._require_turn(relay_only)

    def _require_turn(self, relay_only: bool) -> IceSettings | None:
        if self._settings is None and relay_only:
            raise RoomStateError("relay-only needs a TURN server, and none is configured")
        return self._settings

    def for_seat(self, room: Room, seat: Seat, *, relay_only: bool = False) -> IceConfiguration:
        settings = self._require_turn(relay_only or seat.relay_only)
        if settings is None:
            return _NO_TURN
        if relay_only and not seat.relay_only:
            seat = seat.model_copy(update={"relay_only": True})
        return ice_configuration_for(settings, room, seat, self._clock())

    async def for_appointment(
        self, caller: Caller, appointment_id: str, *, relay_only: bool
    ) -> IceConfiguration:
        """Fresh credentials for a participant who may be in the room now (refresh before expiry)."""
        room = (await self._writer.fresh(appointment_id)).room
        seat = require_seat(room, caller)
        reason = join_denial(room, caller.subject, self._clock())
        if reason is not None:
            raise JoinDenied(reason)
        return self.for_seat(room, seat, relay_only=relay_only)

    def for_precall(self, caller: Caller, *, relay_only: bool) -> IceConfiguration:
        """Short-lived servers for the pre-call check, under a throw-away handle."""
        role = _DOMAIN_ROLES.get(caller.role)
        forced = self._settings is not None and self._settings.forces_relay(role, caller.agency_id)
        settings = self._require_turn(relay_only or forced)
        if settings is None:
            return _NO_TURN
        expires_at = self._clock() + min(self._precall_ttl, settings.max_ttl)
        return ice_configuration(settings, new_handle(), expires_at, relay_only=relay_only or forced)

    def for_echo_peer(self) -> tuple[IceServer, ...]:
        """The echo peer runs here: our TURN too, so it is reachable from behind NAT."""
        if self._settings is None:
            return ()
        expires_at = self._clock() + self._precall_ttl
        return ice_configuration(self._settings, new_handle(), expires_at, relay_only=False).servers
