"""Clinicians' licences (licensure.proto).

Agency admins record and remove licences of their own agency's clinicians; system admins of
any clinician (they name the agency to list). A therapist lists their own licences.
"""

from __future__ import annotations

from tenfour.scheduling.v1 import licensure_pb2 as lpb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import Principal, current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import InvalidInput, NotAllowed

__all__ = ["LicensureRpcs"]


def _scope(caller: Principal) -> str | None:
    """The agency an admin acts in; None for a system admin (any clinician)."""
    return None if caller.role is Role.SYSTEM_ADMIN else requests.agency_of(caller)


class LicensureRpcs(RpcBase):
    async def RecordLicence(self, request: lpb.RecordLicenceRequest, context: Ctx) -> lpb.Licence:
        if request.licence.clinician_id:
            requests.provider_id(request.licence.clinician_id, "licence.clinician_id")
        return await self._s.licensure.record(_scope(current_principal()), request.licence)

    async def RemoveLicence(
        self, request: lpb.RemoveLicenceRequest, context: Ctx
    ) -> lpb.RemoveLicenceResponse:
        if request.clinician_id:
            requests.provider_id(request.clinician_id, "clinician_id")
        await self._s.licensure.remove(_scope(current_principal()), request.clinician_id, request.licence_id)
        return lpb.RemoveLicenceResponse()

    async def ListLicences(self, request: lpb.ListLicencesRequest, context: Ctx) -> lpb.ListLicencesResponse:
        caller = current_principal()
        clinician = request.clinician_id
        if caller.role is Role.THERAPIST:
            if clinician and clinician != caller.subject:
                raise NotAllowed("you can only see your own licences")
            clinician = caller.subject
            agency = ""
        elif caller.role is Role.SYSTEM_ADMIN:
            agency = request.agency_id
            if not agency and not clinician:
                raise InvalidInput.single("agency_id", "name the agency (or the clinician) to list")
            if agency:
                requests.provider_id(agency, "agency_id")
        else:
            agency = requests.agency_of(caller)
            if request.agency_id and request.agency_id != agency:
                raise NotAllowed("you can only see your own agency's clinicians")
        if clinician:
            requests.provider_id(clinician, "clinician_id")
        found = await self._s.licensure.list(agency, clinician)
        return lpb.ListLicencesResponse(clinicians=found)
