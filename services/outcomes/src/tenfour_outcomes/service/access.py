"""Who sees which agency's figures, and who may give feedback.

Agency admins: their own agency only. System admins: any agency, named explicitly. Officers
give feedback for their own agency. The RPC policy checks roles first; this checks agencies.
"""

from __future__ import annotations

import re

from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import InvalidInput, NotAllowed

__all__ = ["AGENCY_ID", "officer_agency", "report_agency"]

# identity's identifier alphabet; also safe inside a Redis hash tag.
AGENCY_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def report_agency(caller: Principal, requested: str) -> str:
    if caller.role is Role.SYSTEM_ADMIN:
        if not requested:
            raise InvalidInput.single("agency_id", "is required: which agency's figures")
        if not AGENCY_ID.fullmatch(requested):
            raise InvalidInput.single("agency_id", "is not an agency id")
        return requested
    if caller.role is Role.AGENCY_ADMIN and caller.agency_id:
        if requested and requested != caller.agency_id:
            raise NotAllowed("agency admins see their own agency's figures only")
        return caller.agency_id
    raise NotAllowed("outcomes are for agency and system admins")


def officer_agency(caller: Principal) -> str:
    if caller.role is not Role.OFFICER or not caller.agency_id or not AGENCY_ID.fullmatch(caller.agency_id):
        raise NotAllowed("feedback is given by officers of an agency")
    return caller.agency_id
