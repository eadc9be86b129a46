"""Rosters, fatigue policy, preferences, shifts and off-duty windows."""

from __future__ import annotations

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.codec import (
    interval_to_proto,
    policy_to_proto,
    preferences_from_proto,
    preferences_to_proto,
    roster_from_proto,
    shift_kind_to_proto,
    template_messages,
)
from tenfour_scheduling.domain import InvalidInput
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_scheduling.entrypoints.requests import agency_of, field_errors, own_officer_id, time_range
from tenfour_shared.auth.principal import current_principal, require_same_agency
from tenfour_shared.errors import FieldViolation

__all__ = ["RosterRpcs"]

MAX_ICS_BYTES = 1_000_000


class RosterRpcs(RpcBase):
    async def ListRotationTemplates(
        self, request: pb.ListRotationTemplatesRequest, context: Ctx
    ) -> pb.ListRotationTemplatesResponse:
        return pb.ListRotationTemplatesResponse(templates=template_messages())

    async def SetRoster(self, request: pb.SetRosterRequest, context: Ctx) -> pb.Roster:
        caller = current_principal()
        officer_id = own_officer_id(caller, request.roster.officer_id)
        agency = agency_of(caller)
        if not request.HasField("roster"):
            raise InvalidInput.single("roster", "is required")
        with field_errors("roster"):
            roster = roster_from_proto(request.roster)
        return await self._s.rosters.set_roster(officer_id, agency, roster, request.roster.template)

    async def GetRoster(self, request: pb.GetRosterRequest, context: Ctx) -> pb.Roster:
        officer_id = own_officer_id(current_principal(), request.officer_id)
        return (await self._s.rosters.roster(officer_id)).message

    async def ImportRosterCalendar(self, request: pb.ImportRosterCalendarRequest, context: Ctx) -> pb.Roster:
        caller = current_principal()
        officer_id = own_officer_id(caller, request.officer_id)
        agency = agency_of(caller)
        if not request.ics.strip():
            raise InvalidInput.single("ics", "is required: the text of an iCalendar (.ics) file")
        if len(request.ics.encode()) > MAX_ICS_BYTES:
            raise InvalidInput.single("ics", f"is larger than {MAX_ICS_BYTES // 1000} kB")
        with field_errors(renamed={"zone": "timezone"}):
            roster, _ = await self._s.rosters.import_calendar(
                officer_id, agency, request.ics, request.timezone
            )
        return roster

    async def AddRosterOverride(self, request: pb.AddRosterOverrideRequest, context: Ctx) -> pb.Roster:
        caller = current_principal()
        officer_id = own_officer_id(caller, request.officer_id)
        if not request.HasField("override"):
            raise InvalidInput.single("override", "is required")
        stored = await self._s.rosters.roster(officer_id)
        index = len(stored.message.overrides)
        try:
            return await self._s.rosters.add_override(officer_id, agency_of(caller), request.override)
        except InvalidInput as exc:
            raise _override_error(exc, index) from None

    async def GetShifts(self, request: pb.GetShiftsRequest, context: Ctx) -> pb.GetShiftsResponse:
        officer_id = own_officer_id(current_principal(), request.officer_id)
        window = time_range(request.range, request.HasField("range"))
        reply = pb.GetShiftsResponse()
        for s in await self._s.rosters.shifts(officer_id, window):
            reply.shifts.add(
                time=interval_to_proto(s.interval),
                kind=shift_kind_to_proto(s.kind),
                local_date=common.LocalDate(
                    year=s.local_date.year, month=s.local_date.month, day=s.local_date.day
                ),
                source=s.source.value,
                label=s.label,
            )
        return reply

    async def GetOffDutyWindows(
        self, request: pb.GetOffDutyWindowsRequest, context: Ctx
    ) -> pb.GetOffDutyWindowsResponse:
        caller = current_principal()
        officer_id = own_officer_id(caller, request.officer_id)
        window = time_range(request.range, request.HasField("range"))
        result = await self._s.rosters.off_duty(officer_id, agency_of(caller), window)
        reply = pb.GetOffDutyWindowsResponse(windows=[interval_to_proto(w) for w in result.windows])
        for b in result.blocked:
            reply.removed.add(time=interval_to_proto(b.interval), reason_code=b.reason.value, reason=b.text)
        return reply

    async def SetFatiguePolicy(self, request: pb.SetFatiguePolicyRequest, context: Ctx) -> pb.FatiguePolicy:
        caller = current_principal()
        agency = agency_of(caller)
        if request.policy.agency_id:
            require_same_agency(caller, request.policy.agency_id)
        with field_errors("policy"):
            stored = await self._s.rosters.set_policy(agency, request.policy)
        return policy_to_proto(stored)

    async def GetFatiguePolicy(self, request: pb.GetFatiguePolicyRequest, context: Ctx) -> pb.FatiguePolicy:
        caller = current_principal()
        agency = agency_of(caller)
        if request.agency_id:
            require_same_agency(caller, request.agency_id)
        return policy_to_proto(await self._s.rosters.policy(agency))

    async def SetPreferences(self, request: pb.SetPreferencesRequest, context: Ctx) -> pb.Preferences:
        caller = current_principal()
        officer_id = own_officer_id(caller, request.preferences.officer_id)
        with field_errors("preferences"):
            stored = preferences_from_proto(request.preferences)
        return await self._s.rosters.set_preferences(officer_id, stored, caller.agency_id or "")

    async def GetPreferences(self, request: pb.GetPreferencesRequest, context: Ctx) -> pb.Preferences:
        officer_id = own_officer_id(current_principal(), request.officer_id)
        return preferences_to_proto(await self._s.rosters.preferences(officer_id), officer_id)


def _override_error(exc: InvalidInput, index: int) -> InvalidInput:
    """Paths of the appended override (``overrides[n].start``) as ``override.start``."""
    prefix = f"overrides[{index}]"
    out = []
    for v in exc.violations:
        field = v.field
        if field == prefix or field.startswith(prefix + "."):
            field = "override" + field[len(prefix) :]
        elif field == "overrides":
            field = "override"
        out.append(FieldViolation(field, v.description))
    return InvalidInput(out)
