"""Officers' display names for the providers of their sessions, and only for them.

An officer chooses a display name at sign-up, promised to be seen by their provider only.
Events never carry it (officers are pseudonymous on the bus); instead identity learns from
scheduling's appointment events which officers booked with which provider, and answers a
provider's question "who are these officers?" for those officers alone. Anyone else gets nothing,
not an error, so the answer cannot be used to probe who exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from google.protobuf.message import Message

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.scheduling_events_pb2 import UrgentAssigned
from tenfour_identity.domain.errors import ValidationFailed
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_identity.service.ports import CareLinks
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

__all__ = ["MAX_NAMES", "handlers", "officer_names"]

MAX_NAMES = 200
Handler = Callable[[Envelope, Message], Awaitable[None]]


def _links(deps: Deps) -> CareLinks:
    if deps.care is None:
        raise RuntimeError("identity was built without its care links")
    return deps.care


def handlers(deps: Deps) -> Mapping[str, Handler]:
    async def appointment(_env: Envelope, payload: Message) -> None:
        booked = payload.appointment  # type: ignore[attr-defined]
        if booked.provider_id:
            await _links(deps).link(booked.provider_id, list(booked.officer_ids))

    async def urgent(_env: Envelope, payload: Message) -> None:
        assert isinstance(payload, UrgentAssigned)
        if payload.provider_id and payload.officer_id:
            await _links(deps).link(payload.provider_id, [payload.officer_id])

    return {
        "scheduling.appointment_status_changed": appointment,
        "scheduling.appointment_rescheduled": appointment,
        "scheduling.urgent_assigned": urgent,
    }


async def officer_names(deps: Deps, principal: Principal, officer_ids: Sequence[str]) -> dict[str, str]:
    """Display names of those of `officer_ids` who booked with the calling provider."""
    me = await caller(deps, principal)
    wanted = list(dict.fromkeys(i for i in officer_ids if i))
    if len(wanted) > MAX_NAMES:
        raise ValidationFailed([("officer_ids", f"must list at most {MAX_NAMES} officers")])
    names: dict[str, str] = {}
    for officer_id in await _links(deps).linked(me.id, wanted):
        user = await deps.directory.get_user(officer_id)
        if user is not None and user.role is Role.OFFICER and not user.disabled:
            names[officer_id] = user.display_name
    return names
