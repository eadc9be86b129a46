"""Who may call each availability RPC. Anything not listed is denied."""

from __future__ import annotations

from tenfour_shared.auth.policy import Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.availability.v1.AvailabilityService/"
PROVIDERS_AND_ADMINS = Rule(roles={Role.THERAPIST, Role.PEER_SUPPORTER, Role.SYSTEM_ADMIN})

POLICY = Policy(
    {
        _S + "GetRules": PROVIDERS_AND_ADMINS,
        _S + "SetRules": PROVIDERS_AND_ADMINS,
    }
)
