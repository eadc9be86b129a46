"""Who an appointment is with, in words, for the appointment list: the provider's display name
for an officer; for the provider, the officer's chosen display name (identity's GetOfficerNames,
as the web app shows it) or the group's seats, never an id."""

from __future__ import annotations

from collections.abc import Sequence

from tenfour.common.v1 import common_pb2 as common
from tenfour.identity.v1 import identity_pb2 as idp
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_cli.app import Context
from tenfour_cli.exits import CliError
from tenfour_cli.rpc import call

__all__ = ["counterparts"]

MAX_NAMES = 200  # GetOfficerNames takes at most 200 ids


def _provider_names(ctx: Context) -> dict[str, str]:
    """Display names of the providers the caller may list (their agency's); empty if not allowed."""
    try:
        reply = call(
            ctx.clients.identity.ListProviders,
            idp.ListProvidersRequest(),
            metadata=ctx.metadata(),
            timeout=ctx.timeout,
        )
    except CliError:
        return {}
    return {p.provider_id: p.display_name for p in reply.providers}


def _me(ctx: Context) -> str:
    try:
        return call(
            ctx.clients.identity.GetMe, idp.GetMeRequest(), metadata=ctx.metadata(), timeout=ctx.timeout
        ).user_id
    except CliError:
        return ""


def _officer_names(ctx: Context, officer_ids: list[str]) -> dict[str, str]:
    """The names officers chose, of those who booked with the caller; names are a courtesy."""
    names: dict[str, str] = {}
    for at in range(0, len(officer_ids), MAX_NAMES):
        try:
            reply = call(
                ctx.clients.identity.GetOfficerNames,
                idp.GetOfficerNamesRequest(officer_ids=officer_ids[at : at + MAX_NAMES]),
                metadata=ctx.metadata(),
                timeout=ctx.timeout,
            )
        except CliError:
            return names
        names.update(reply.display_names)
    return names


def counterparts(ctx: Context, appointments: Sequence[Appointment]) -> list[str]:
    """For each appointment, who it is with, in words."""
    me = _me(ctx)
    mine = [a for a in appointments if me and a.provider_id == me]
    officers = _officer_names(ctx, list(dict.fromkeys(o for a in mine for o in a.officer_ids)))
    providers = _provider_names(ctx) if len(mine) < len(appointments) else {}
    out: list[str] = []
    for a in appointments:
        if not (me and a.provider_id == me):
            out.append(providers.get(a.provider_id, a.provider_id))
        elif a.session_type == common.SESSION_TYPE_GROUP:
            out.append(f"group, {len(a.officer_ids)} of {a.capacity}")
        else:
            out.append(next((officers[o] for o in a.officer_ids if o in officers), "an officer"))
    return out
