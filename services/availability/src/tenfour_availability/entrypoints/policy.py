"""Who may call each availability RPC. Anything not listed is denied.

Roles only: that a provider acts on their own availability (subject == provider id) is checked
by service.access, which also lets system admins act for any provider.
"""

from __future__ import annotations

from tenfour_shared.auth.policy import Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.availability.v1.AvailabilityService/"
PROVIDERS_AND_ADMINS = Rule(roles={Role.THERAPIST, Role.PEER_SUPPORTER, Role.SYSTEM_ADMIN})
RPCS = (
    "GetRules",
    "SetRules",
    "UseDefaultRules",
    "ImportBusyCalendar",
    "ListAvailability",
    "SubscribeBusyCalendar",
    "GetBusyCalendarFeed",
    "SyncBusyCalendarFeed",
    "UnsubscribeBusyCalendar",
)

POLICY = Policy({_S + rpc: PROVIDERS_AND_ADMINS for rpc in RPCS})
