"""`GET /fhir/...`: FHIR R4 reads and searches, answered from the services with the caller's token.

Who sees what is the services' rule, applied again here to the FHIR shape: a provider reads their
own Schedule, free Slots (availability's ListAvailability) and Appointments; an officer reads the
Slots FindSlots offers them and their own Appointments (other group members are left out); an
agency or system admin gets 403, as no per-person data is theirs to see.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import grpc
from aiohttp import web
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message

from tenfour.availability.v1 import availability_pb2
from tenfour.common.v1 import common_pb2
from tenfour.scheduling.v1 import scheduling_pb2
from tenfour_gateway import auth
from tenfour_gateway.api import Api
from tenfour_gateway.backends import rpc_of
from tenfour_gateway.errors import HTTP_STATUS
from tenfour_gateway.fhir import resources
from tenfour_gateway.fhir.search import (
    ACCEPTED,
    SearchError,
    Window,
    check_id,
    check_names,
    date_range,
    free_time_window,
    one,
    page,
    reference,
)
from tenfour_shared.auth.errors import InvalidToken, KeysUnavailable
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

log = logging.getLogger("tenfour.gateway.fhir")
_PROVIDERS = {Role.THERAPIST, Role.PEER_SUPPORTER}
_ISSUE = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 503: "transient", 504: "timeout"}


def fhir_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, separators=(",", ":")),
        status=status,
        content_type=resources.MEDIA_TYPE,
        headers={"Cache-Control": "no-store"},
    )


def _problem(status: int, diagnostics: str, code: str | None = None) -> web.Response:
    return fhir_response(resources.outcome(code or _ISSUE.get(status, "exception"), diagnostics), status)


class Fhir:
    def __init__(self, api: Api) -> None:
        self._api = api

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/fhir/metadata", self.metadata)
        for kind in ACCEPTED:
            app.router.add_get(f"/fhir/{kind}", self._search(kind))
            app.router.add_get(f"/fhir/{kind}/{{id}}", self._read(kind))
        app.router.add_route("*", "/fhir/{tail:.*}", self.unknown)

    async def metadata(self, request: web.Request) -> web.Response:
        return fhir_response(resources.capability_statement(_base(request), dict(ACCEPTED)))

    async def unknown(self, request: web.Request) -> web.Response:
        if request.method != "GET":
            return _problem(405, "This FHIR API is read-only.", "not-supported")
        return _problem(404, "No such FHIR resource type here.", "not-supported")

    def _search(self, kind: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            return await self._answer(request, kind, None)

        return handler

    def _read(self, kind: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            return await self._answer(request, kind, request.match_info["id"])

        return handler

    async def _answer(self, request: web.Request, kind: str, read_id: str | None) -> web.Response:
        params: dict[str, list[str]] = {}
        for key, value in request.query.items():
            params.setdefault(key, []).append(value)
        try:
            if read_id is None:
                check_names(kind, params)
            principal, token = await self._caller(request)
            if principal.role not in _PROVIDERS and principal.role != Role.OFFICER:
                raise SearchError(
                    "Agencies see program numbers only, never a person's schedule.", 403, "forbidden"
                )
            if read_id is not None:
                params = {"_id": [read_id]}
            for value in params.get("_id", []):
                check_id(value, "_id" if read_id is None else "The id")
            window = page(params)  # refused before any backend call
            found = await self._find(kind, params, principal, token, request)
        except SearchError as exc:
            return _problem(exc.status, exc.diagnostics, exc.code)
        except grpc.RpcError as exc:
            status = HTTP_STATUS.get(exc.code(), 500)
            log.info("fhir backend refusal", extra={"code": exc.code().name})
            return _problem(status, "The service refused or could not answer this search.")
        if read_id is not None:
            match = [e for e in found if e["id"] == read_id]
            return fhir_response(match[0]) if match else _problem(404, f"No {kind} with this id for you.")
        shown = found[window.offset : window.offset + window.count]
        after = window.offset + window.count
        return fhir_response(
            resources.bundle(
                _base(request),
                kind,
                shown,
                len(found),
                _link(request, kind, params, window.offset, window.count),
                _link(request, kind, params, after, window.count) if after < len(found) else None,
            )
        )

    async def _caller(self, request: web.Request) -> tuple[Principal, str]:
        token, _ = auth.access_token(request)
        if not token:
            raise SearchError("Sign in first (bearer token or the web app's cookie).", 401, "login")
        try:
            return await self._api.verifier.verify(token), token
        except InvalidToken:
            raise SearchError("The access token is not valid or has expired.", 401, "login") from None
        except KeysUnavailable:
            raise SearchError(
                "Sign-in cannot be checked right now. Please try again.", 503, "transient"
            ) from None

    async def _call(
        self, request: web.Request, service: str, method: str, message: Message, token: str
    ) -> Any:
        return await self._api.backends.call(
            rpc_of(service, method), message, self._api.metadata(request, token)
        )

    async def _find(
        self, kind: str, params: Mapping[str, Sequence[str]], who: Principal, token: str, request: web.Request
    ) -> list[dict[str, Any]]:
        if kind == "Schedule":
            return await self._schedules(params, who, token, request)
        if kind == "Slot":
            return await self._slots(params, who, token, request)
        return await self._appointments(params, who, token, request)

    async def _schedules(
        self, params: Mapping[str, Sequence[str]], who: Principal, token: str, request: web.Request
    ) -> list[dict[str, Any]]:
        actor = one(params, "actor")
        wanted = reference(actor, ("Practitioner",), "actor")[1] if actor else None
        wanted_id = one(params, "_id")
        if who.role in _PROVIDERS:
            ids = [who.subject]
        else:  # an officer: the providers of their appointments, or the one asked for
            listed = await self._call(
                request,
                "scheduling",
                "ListAppointments",
                scheduling_pb2.ListAppointmentsRequest(include_past=True),
                token,
            )
            ids = sorted({a.provider_id for a in listed.appointments} | {x for x in (wanted, wanted_id) if x})
        return [resources.schedule(i) for i in ids if (wanted in (None, i)) and (wanted_id in (None, i))]

    async def _slots(
        self, params: Mapping[str, Sequence[str]], who: Principal, token: str, request: web.Request
    ) -> list[dict[str, Any]]:
        wanted_id = one(params, "_id")
        schedule = one(params, "schedule")
        if wanted_id is not None:  # a read: Slot ids are "<provider id>.<start in seconds>"
            schedule = wanted_id.rsplit(".", 1)[0]
        if not schedule:
            raise SearchError("Slot searches need schedule=Schedule/<provider id>.")
        provider = reference(schedule, ("Schedule",), "schedule")[1]
        status = one(params, "status")
        if status not in (None, "free"):
            if status in ("busy", "busy-unavailable", "busy-tentative", "entered-in-error"):
                return []  # only free time is published
            raise SearchError(
                "status must be free, busy, busy-unavailable, busy-tentative or entered-in-error."
            )
        window = free_time_window(date_range(params.get("start", []), "start"), datetime.now(UTC))
        if who.role in _PROVIDERS:
            if provider != who.subject:
                return []
            reply = await self._call(
                request,
                "availability",
                "ListAvailability",
                availability_pb2.ListAvailabilityRequest(provider_id=provider, range=_range(window)),
                token,
            )
            return [
                resources.slot(provider, f.range.start, f.range.end, (_session(t) for t in f.session_types))
                for f in reply.free
                if window.holds(f.range.start.ToDatetime(tzinfo=UTC))
            ]
        horizon = Duration()
        horizon.FromTimedelta(window.end - datetime.now(UTC))
        reply = await self._call(
            request,
            "scheduling",
            "FindSlots",
            scheduling_pb2.FindSlotsRequest(horizon=horizon, limit=200),
            token,
        )
        return [
            resources.slot(provider, s.time.start, s.time.end)
            for s in reply.slots
            if s.provider_id == provider and window.holds(s.time.start.ToDatetime(tzinfo=UTC))
        ]

    async def _appointments(
        self, params: Mapping[str, Sequence[str]], who: Principal, token: str, request: web.Request
    ) -> list[dict[str, Any]]:
        when = date_range(params.get("date", []), "date")
        statuses = {s for v in params.get("status", []) for s in v.split(",")}
        if statuses - set(resources.STATUS.values()):
            raise SearchError("status must be a FHIR Appointment status (e.g. booked, fulfilled, cancelled).")
        actor = one(params, "actor")
        wanted = reference(actor, ("Practitioner", "Patient"), "actor")[1] if actor else None
        wanted_id = one(params, "_id")
        message = scheduling_pb2.ListAppointmentsRequest(include_past=True)
        if when.start is not None and when.end is not None:
            message.range.start.FromDatetime(when.start)
            message.range.end.FromDatetime(when.end)
        listed = await self._call(request, "scheduling", "ListAppointments", message, token)
        found = []
        for a in sorted(listed.appointments, key=lambda a: (a.time.start.seconds, a.appointment_id)):
            officers = (
                list(a.officer_ids)
                if who.role in _PROVIDERS
                else [o for o in a.officer_ids if o == who.subject]
            )
            if wanted_id is not None and a.appointment_id != wanted_id:
                continue
            if statuses and resources.STATUS.get(a.status) not in statuses:
                continue
            if wanted is not None and wanted not in (a.provider_id, *officers):
                continue
            if not when.holds(a.time.start.ToDatetime(tzinfo=UTC)):
                continue
            found.append(resources.appointment(a, officers))
        return found


def _range(window: Window) -> common_pb2.TimeRange:
    out = common_pb2.TimeRange()
    out.start.FromDatetime(window.start)
    out.end.FromDatetime(window.end)
    return out


def _session(value: common_pb2.SessionType.ValueType) -> str:
    return resources.SESSION_NAMES.get(value, "session")


def _base(request: web.Request) -> str:
    return f"{request.url.origin()}/fhir"


def _link(
    request: web.Request, kind: str, params: Mapping[str, Sequence[str]], offset: int, count: int
) -> str:
    pairs = [(k, v) for k, vs in sorted(params.items()) if k not in ("_offset", "_count") for v in vs]
    pairs += [("_count", str(count)), ("_offset", str(offset))]
    return f"{_base(request)}/{kind}?{urlencode(pairs)}"
