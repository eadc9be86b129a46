"""Who is calling, re-checked against the directory for identity's own RPCs.

Other services trust a token until it expires (minutes); identity also refuses a token whose
session was ended (logout, reuse, deactivation) or whose account changed since it was issued.
"""

from __future__ import annotations

from tenfour_identity.domain.errors import WrongCredentials
from tenfour_identity.domain.models import User
from tenfour_identity.service.deps import Deps
from tenfour_shared.auth.principal import Principal

__all__ = ["caller"]


async def caller(deps: Deps, principal: Principal) -> User:
    user = await deps.directory.get_user(principal.subject)
    stale = (
        user is None
        or user.disabled
        or user.role is not principal.role
        or user.agency_id != principal.agency_id
        or not await deps.sessions.is_active(principal.session_id)
    )
    if stale or user is None:
        raise WrongCredentials("this session has ended: sign in again")
    return user
