"""Who may read or change a provider's availability (the provider themself, or a system admin), and when.

Officers and agency admins are refused here too, not only by the RPC policy: they see
bookable slots through scheduling, never a provider's raw rules or free time.
"""

from __future__ import annotations

import re

from tenfour_availability.domain.state import ProviderState
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import FieldViolation, RuleSet, RuleValidationError
from tenfour_shared.errors import NotAllowed, WrongState

__all__ = ["PROVIDER_ROLES", "authorize", "check_provider_id", "require_active", "require_rules"]

PROVIDER_ROLES = frozenset({Role.THERAPIST, Role.PEER_SUPPORTER})
# Opaque user ids from identity; braces would break the Redis hash tag, blanks are always a mistake.
_PROVIDER_ID = re.compile(r"[^\s{}]{1,128}")


def check_provider_id(provider_id: str) -> None:
    if not _PROVIDER_ID.fullmatch(provider_id):
        raise RuleValidationError(
            [
                FieldViolation(
                    "provider_id", "is required: the provider's user id (1-128 characters, no spaces)"
                )
            ]
        )


def authorize(caller: Principal, provider_id: str) -> None:
    check_provider_id(provider_id)
    if caller.role is Role.SYSTEM_ADMIN:
        return
    if caller.role in PROVIDER_ROLES and caller.subject == provider_id:
        return
    raise NotAllowed("you can only see and manage your own availability")


def require_rules(state: ProviderState) -> RuleSet:
    if state.rules is None:
        raise WrongState("set your hours first (SetRules or UseDefaultRules)")
    return state.rules


def require_active(state: ProviderState) -> None:
    if not state.active:
        raise WrongState("this provider was deactivated; availability can no longer change")
