"""The access audit trail: appending what the services saw, listing it, checking the chain.

Pseudonymous by construction: the appointment and user ids in the events are replaced by keyed
HMAC pseudonyms before anything is stored ("s-…" for sessions, "a-…" for actors), so the trail
names nobody, even to whoever reads Redis. A system admin can still follow one session: the
filter takes the appointment id and matches its pseudonym. Agency staff cannot read it at all:
both RPCs are for system admins only (entrypoints/policy.py).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping

from google.protobuf.message import Message

from tenfour.events.v1.access_events_pb2 import SessionAccess
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_identity.domain.access_chain import ACTIONS, AccessFact, ChainEntry, Verdict
from tenfour_identity.domain.errors import ValidationFailed
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_identity.service.ports import AccessTrail
from tenfour_shared.auth.principal import Principal
from tenfour_shared.events.consumer import PermanentFailure

DEFAULT_PAGE = 100
MAX_PAGE = 1000
_ROLES = frozenset({"officer", "therapist", "peer_supporter", "agency_admin", "system_admin"})

Handler = Callable[[Envelope, Message], Awaitable[None]]


def pseudonym(deps: Deps, kind: str, raw: str) -> str:
    digest = hmac.new(deps.access_key, f"{kind}:{raw}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}-{digest[:24]}"


def _trail(deps: Deps) -> AccessTrail:
    if deps.access_trail is None:
        raise RuntimeError("identity was built without its access trail")
    return deps.access_trail


async def record(deps: Deps, env: Envelope, access: SessionAccess) -> None:
    if access.action not in ACTIONS or access.actor_role not in _ROLES:
        raise PermanentFailure("not an access the trail knows")
    if not access.appointment_id or not access.actor_id:
        raise PermanentFailure("access without a session or an actor")
    fact = AccessFact(
        time_ms=env.time.ToMilliseconds(),
        action=access.action,
        session=pseudonym(deps, "s", access.appointment_id),
        actor=pseudonym(deps, "a", access.actor_id),
        actor_role=access.actor_role,
        source=env.source,
    )
    await _trail(deps).append(env.id, fact)


def _handlers(event_type: str) -> Callable[[Deps], Mapping[str, Handler]]:
    def build(deps: Deps) -> Mapping[str, Handler]:
        async def handle(env: Envelope, payload: Message) -> None:
            await record(deps, env, payload.access)  # type: ignore[attr-defined]

        return {event_type: handle}

    return build


HANDLERS_FROM: dict[str, Callable[[Deps], Mapping[str, Handler]]] = {
    "scheduling": _handlers("scheduling.session_accessed"),
    "signaling": _handlers("signaling.session_accessed"),
}


async def list_entries(
    deps: Deps, principal: Principal, *, limit: int, after_seq: int, appointment_id: str
) -> list[ChainEntry]:
    await caller(deps, principal)
    problems = []
    if limit < 0 or limit > MAX_PAGE:
        problems.append(("limit", f"must be between 1 and {MAX_PAGE} (0: {DEFAULT_PAGE})"))
    if after_seq < 0:
        problems.append(("after_seq", "must be 0 or the seq of an entry"))
    if len(appointment_id) > 200:
        problems.append(("appointment_id", "is too long to be an appointment id"))
    if problems:
        raise ValidationFailed(problems)
    session = pseudonym(deps, "s", appointment_id) if appointment_id else ""
    return await _trail(deps).page(limit=limit or DEFAULT_PAGE, after_seq=after_seq, session=session)


async def verify_chain(deps: Deps, principal: Principal) -> Verdict:
    await caller(deps, principal)
    return await _trail(deps).verify()
