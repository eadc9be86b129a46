"""JSON endpoints: one generic route per unary RPC, and the routes that handle tokens.

`POST /api/<service>/<Method>` takes the request message as JSON (proto field names) and
answers the reply message as JSON, or {code, message, fields} with an HTTP status. Every call
is a POST, reads included, so one CSRF rule covers the whole API.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import Message

from tenfour.identity.v1 import identity_pb2
from tenfour_gateway import auth
from tenfour_gateway.auth import RefreshFlights, TokenPair
from tenfour_gateway.backends import Backends, Rpc, rpc_of
from tenfour_gateway.config import Settings
from tenfour_gateway.errors import error_response, from_rpc_error, json_response
from tenfour_gateway.security import csrf_problem
from tenfour_shared.auth.errors import InvalidToken, KeysUnavailable
from tenfour_shared.auth.tokens import TokenVerifier

__all__ = ["CLIENT_METADATA_KEY", "Api", "to_json"]

log = logging.getLogger("tenfour.gateway.api")
CLIENT_METADATA_KEY = "x-tenfour-client"  # identity's per-source login throttling


def to_json(message: Message) -> dict[str, Any]:
    result: dict[str, Any] = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return result


class BadJson(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_into(body: Any, message: Message) -> Message:
    if not isinstance(body, dict):
        raise BadJson("the request body must be a JSON object")
    try:
        json_format.ParseDict(body, message)
    except json_format.ParseError as exc:
        raise BadJson(str(exc)[:300]) from None
    return message


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    if request.content_type != "application/json":
        raise BadJson("send the request as application/json")
    try:
        return json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise BadJson("the request body is not valid JSON") from None


@dataclass
class Api:
    settings: Settings
    backends: Backends
    catalogue: Mapping[tuple[str, str], Rpc]
    verifier: TokenVerifier
    flights: RefreshFlights

    # -- helpers ---------------------------------------------------------------------------

    def client_tag(self, request: web.Request) -> str:
        """A pseudonymous per-address tag for identity's login throttling (never an address)."""
        address = request.remote or ""
        if self.settings.trust_forwarded:
            forwarded = request.headers.get("X-Forwarded-For", "")
            if forwarded:
                address = forwarded.split(",")[0].strip()
        return hashlib.sha256(f"tenfour-client:{address}".encode()).hexdigest()[:32]

    def metadata(self, request: web.Request, token: str | None) -> list[tuple[str, str]]:
        md = [(CLIENT_METADATA_KEY, self.client_tag(request))]
        if token:
            md.append(("authorization", f"Bearer {token}"))
        return md

    def csrf(self, request: web.Request, *, websocket: bool = False) -> web.Response | None:
        problem = csrf_problem(
            request.method, request, request.host, self.settings.allowed_origins, websocket=websocket
        )
        if problem is None:
            return None
        log.info("csrf refusal", extra={"reason_code": problem.replace(" ", "_")})
        return error_response(grpc.StatusCode.PERMISSION_DENIED, "This request came from another site.")

    async def call(self, request: web.Request, rpc: Rpc, message: Message, token: str | None) -> web.Response:
        try:
            reply = await self.backends.call(rpc, message, self.metadata(request, token))
        except grpc.RpcError as exc:
            status, body = from_rpc_error(exc)
            return json_response(body, status)
        return json_response(to_json(reply))

    # -- the generic route ------------------------------------------------------------------

    async def rpc(self, request: web.Request) -> web.Response:
        refused = self.csrf(request)
        if refused is not None:
            return refused
        rpc = self.catalogue.get((request.match_info["service"], request.match_info["method"]))
        if rpc is None:
            return error_response(grpc.StatusCode.NOT_FOUND, "No such operation.")
        token, how = auth.access_token(request)
        if how == "bearer" and token is None:
            return error_response(grpc.StatusCode.UNAUTHENTICATED, "Malformed Authorization header.")
        try:
            message = parse_into(await read_json(request), rpc.request())
        except BadJson as exc:
            return error_response(grpc.StatusCode.INVALID_ARGUMENT, exc.message)
        return await self.call(request, rpc, message, token)

    # -- who am I ---------------------------------------------------------------------------

    async def session(self, request: web.Request) -> web.Response:
        """The signed-in user as the token says (role and ids only), for the page to pick its menu."""
        token, _ = auth.access_token(request)
        if not token:
            has_refresh = bool(request.cookies.get(auth.REFRESH_COOKIE))
            return json_response({"signed_in": False, "can_refresh": has_refresh})
        try:
            principal = await self.verifier.verify(token)
        except InvalidToken:
            return json_response({"signed_in": False, "can_refresh": True})
        except KeysUnavailable:
            return error_response(grpc.StatusCode.UNAVAILABLE)
        return json_response(
            {
                "signed_in": True,
                "user_id": principal.subject,
                "role": principal.role.value,
                "agency_id": principal.agency_id or "",
                # Developers' local mailbox page (make run only); never set in a deployment.
                "dev_outbox": bool(self.settings.notifications_dev_mailbox_dir),
            }
        )

    # -- tokens ------------------------------------------------------------------------------

    def _auth_reply(self, request: web.Request, result: identity_pb2.AuthResult) -> web.Response:
        body = to_json(result)
        pair = _pair(result)
        if auth.wants_body_tokens(request) or pair is None:
            if pair is None:
                body.pop("access_token", None)
                body.pop("refresh_token", None)
            return json_response(body)
        body.pop("access_token", None)
        body.pop("refresh_token", None)
        response = json_response(body)
        auth.set_cookies(response, pair)
        return response

    async def _token_call(self, request: web.Request, method: str, message: Message) -> web.Response:
        try:
            result = await self.backends.call(
                rpc_of("identity", method), message, self.metadata(request, None)
            )
        except grpc.RpcError as exc:
            status, body = from_rpc_error(exc)
            return json_response(body, status)
        return self._auth_reply(request, result)

    async def _body(self, request: web.Request, message: Message) -> Message | web.Response:
        refused = self.csrf(request)
        if refused is not None:
            return refused
        try:
            return parse_into(await read_json(request), message)
        except BadJson as exc:
            return error_response(grpc.StatusCode.INVALID_ARGUMENT, exc.message)

    async def login(self, request: web.Request) -> web.Response:
        message = await self._body(request, identity_pb2.LoginRequest())
        if isinstance(message, web.Response):
            return message
        return await self._token_call(request, "Login", message)

    async def enrol(self, request: web.Request) -> web.Response:
        message = await self._body(request, identity_pb2.RedeemEnrolmentCodeRequest())
        if isinstance(message, web.Response):
            return message
        return await self._token_call(request, "RedeemEnrolmentCode", message)

    async def complete_mfa_setup(self, request: web.Request) -> web.Response:
        message = await self._body(request, identity_pb2.CompleteMfaSetupRequest())
        if isinstance(message, web.Response):
            return message
        return await self._token_call(request, "CompleteMfaSetup", message)

    async def refresh(self, request: web.Request) -> web.Response:
        message = await self._body(request, identity_pb2.RefreshRequest())
        if isinstance(message, web.Response):
            return message
        assert isinstance(message, identity_pb2.RefreshRequest)
        token = auth.refresh_token(request, message.refresh_token)
        if not token:
            return error_response(grpc.StatusCode.UNAUTHENTICATED, "Please sign in again.")
        rpc = rpc_of("identity", "Refresh")

        async def call() -> TokenPair:
            reply = await self.backends.call(
                rpc, identity_pb2.RefreshRequest(refresh_token=token), self.metadata(request, None)
            )
            pair = _pair(reply)
            if pair is None:
                raise RuntimeError("identity answered Refresh without tokens")
            return pair

        try:
            pair = await self.flights.run(token, call)
        except grpc.RpcError as exc:
            status, body = from_rpc_error(exc)
            response = json_response(body, status)
            if exc.code() == grpc.StatusCode.UNAUTHENTICATED:
                auth.clear_cookies(response)
            return response
        body = {"access_expires_at": _iso(pair.access_expires_at)}
        if auth.wants_body_tokens(request):
            body |= {"access_token": pair.access_token, "refresh_token": pair.refresh_token}
            return json_response(body)
        response = json_response(body)
        auth.set_cookies(response, pair)
        return response

    async def logout(self, request: web.Request) -> web.Response:
        message = await self._body(request, identity_pb2.LogoutRequest())
        if isinstance(message, web.Response):
            return message
        assert isinstance(message, identity_pb2.LogoutRequest)
        token = auth.refresh_token(request, message.refresh_token)
        if token:
            try:
                await self.backends.call(
                    rpc_of("identity", "Logout"),
                    identity_pb2.LogoutRequest(refresh_token=token),
                    self.metadata(request, None),
                )
            except grpc.RpcError as exc:
                if exc.code() not in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND):
                    status, body = from_rpc_error(exc)
                    return json_response(body, status)
        response = json_response({})
        auth.clear_cookies(response)
        response.headers["Clear-Site-Data"] = '"cookies", "storage"'
        return response


def _pair(result: identity_pb2.AuthResult) -> TokenPair | None:
    if not result.access_token or not result.refresh_token:
        return None
    return TokenPair(
        result.access_token,
        result.refresh_token,
        result.access_expires_at.ToDatetime(tzinfo=UTC)
        if result.HasField("access_expires_at")
        else datetime.now(UTC),
    )


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
