"""The one place where the gateway is wired: routes, middleware, backends, lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
from aiohttp import web

from tenfour.identity.v1 import identity_pb2
from tenfour.scheduling.v1 import scheduling_pb2
from tenfour_gateway.api import Api
from tenfour_gateway.auth import RefreshFlights
from tenfour_gateway.backends import Backends, build_catalogue, rpc_of
from tenfour_gateway.config import Settings
from tenfour_gateway.errors import error_response, from_rpc_error, json_response
from tenfour_gateway.fhir.routes import Fhir
from tenfour_gateway.live_ws import live_socket
from tenfour_gateway.security import security_headers_middleware
from tenfour_gateway.signaling_ws import signaling_socket
from tenfour_shared import logs
from tenfour_shared.auth_wiring import build_verifier

__all__ = ["WEB_ROOT", "build_app", "serve"]

log = logging.getLogger("tenfour.gateway")
WEB_ROOT = Path(__file__).parent / "web"
SERVICE = "gateway"
_JWKS_TTL = 60.0
_TYPES = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml", "html": "text/html"}

# Without these the app still works (live updates and alerts pause, the pages say so), so they
# do not take the gateway out of its load balancer.
_OPTIONAL_BACKENDS = frozenset({"notifications"})
_APP_PATHS = (
    "/appointments/{id}",
    "/urgent/{id}",
    "/conflicts/{id}",  # scheduling's AppointmentConflictDetected.review_path
    "/notifications",
    "/notifications/confirm-email",
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _timing(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Route name, status and duration only: never paths (feed tokens), addresses or bodies."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        route = request.match_info.route.resource
        log.debug(
            "request",
            extra={
                "rpc": route.canonical if route is not None else "-",
                "code": status,
                "duration_ms": round((time.perf_counter() - started) * 1e3, 2),
            },
        )


class Gateway:
    """Holds what the handlers share; built once per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.backends = Backends(settings.targets(), settings.rpc_timeout_seconds, settings)
        self.api = Api(
            settings=settings,
            backends=self.backends,
            catalogue=build_catalogue(),
            verifier=build_verifier(settings),
            flights=RefreshFlights(),
        )
        self.draining = False
        self._jwks: tuple[float, str] | None = None

    async def healthz(self, request: web.Request) -> web.Response:
        if self.draining:
            return json_response({"status": "draining"}, 503)
        return json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        health = await self.backends.health()
        ready = not self.draining and all(
            v == "SERVING" for name, v in health.items() if name not in _OPTIONAL_BACKENDS
        )
        return json_response({"ready": ready, "backends": health}, 200 if ready else 503)

    async def jwks(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if self._jwks is None or now - self._jwks[0] > _JWKS_TTL:
            try:
                reply = await self.backends.call(
                    rpc_of("identity", "GetJwks"), identity_pb2.GetJwksRequest(), ()
                )
            except grpc.RpcError as exc:
                if self._jwks is None:
                    status, body = from_rpc_error(exc)
                    return json_response(body, status)
            else:
                json.loads(reply.jwks_json)  # refuse to publish something that is not JSON
                self._jwks = (now, reply.jwks_json)
        assert self._jwks is not None
        return web.Response(
            text=self._jwks[1],
            content_type="application/jwk-set+json",
            headers={"Cache-Control": "public, max-age=300"},
        )

    async def calendar_feed(self, request: web.Request) -> web.Response:
        """A calendar app's GET: the unguessable token in the path is the credential."""
        token = request.match_info["token"].removesuffix(".ics")
        try:
            reply = await self.backends.call(
                rpc_of("scheduling", "GetCalendarFeed"),
                scheduling_pb2.GetCalendarFeedRequest(token=token),
                (),
            )
        except grpc.RpcError as exc:
            status, _ = from_rpc_error(exc)
            return web.Response(status=status, text="Calendar not available.\n", content_type="text/plain")
        return web.Response(
            text=reply.ics,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, max-age=300"},
        )

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB_ROOT / "index.html", headers={"Cache-Control": "no-cache"})

    async def service_worker(self, request: web.Request) -> web.FileResponse:
        # From the site root, so its scope is the whole app; always revalidated, so a new
        # version reaches every browser on its next visit.
        return web.FileResponse(
            WEB_ROOT / "sw.js",
            headers={"Cache-Control": "no-cache", "Content-Type": "text/javascript; charset=utf-8"},
        )

    async def not_found(self, request: web.Request) -> web.Response:
        return error_response(grpc.StatusCode.NOT_FOUND, "No such endpoint.")

    async def ws(self, request: web.Request) -> web.StreamResponse:
        return await signaling_socket(self.api, request)

    async def live(self, request: web.Request) -> web.StreamResponse:
        return await live_socket(self.api, request)


def build_app(settings: Settings) -> tuple[web.Application, Gateway]:
    gateway = Gateway(settings)
    app = web.Application(
        middlewares=[security_headers_middleware(settings.hsts_seconds), _timing],
        client_max_size=settings.max_body_bytes,
    )
    api = gateway.api
    app.router.add_get("/healthz", gateway.healthz)
    app.router.add_get("/readyz", gateway.readyz)
    app.router.add_get("/.well-known/jwks.json", gateway.jwks)
    app.router.add_get("/calendar/{token}", gateway.calendar_feed)
    app.router.add_get("/", gateway.index)
    app.router.add_get("/sw.js", gateway.service_worker)
    # Links in notifications and mails name app paths (/appointments/<id>, /urgent/<id>, the
    # email confirmation): the app reads the path and shows the matching page.
    for path in _APP_PATHS:
        app.router.add_get(path, gateway.index)
    app.router.add_static("/static/", WEB_ROOT, append_version=False)
    app.router.add_get("/api/session", api.session)
    app.router.add_post("/api/auth/login", api.login)
    app.router.add_post("/api/auth/enrol", api.enrol)
    app.router.add_post("/api/auth/mfa-setup", api.complete_mfa_setup)
    app.router.add_post("/api/auth/refresh", api.refresh)
    app.router.add_post("/api/auth/logout", api.logout)
    app.router.add_get("/api/signaling/ws", gateway.ws)
    app.router.add_get("/api/live", gateway.live)
    app.router.add_post("/api/{service:[a-z]+}/{method:[A-Za-z]+}", api.rpc)
    app.router.add_route("*", "/api/{tail:.*}", gateway.not_found)
    Fhir(api).routes(app)

    async def static_types(request: web.Request, response: web.StreamResponse) -> None:
        # Module scripts need a JavaScript type (nosniff is on), whatever /etc/mime.types says.
        suffix = request.path.rsplit(".", 1)[-1] if request.path.startswith("/static/") else ""
        if suffix in _TYPES and response.status == 200:
            response.content_type = _TYPES[suffix]

    app.on_response_prepare.append(static_types)

    async def close_backends(_: web.Application) -> None:
        await gateway.backends.close()

    app.on_cleanup.append(close_backends)
    return app, gateway


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    app, gateway = build_app(settings)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, shutdown_timeout=settings.drain_grace_seconds)
    await site.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stopping.set)
    log.info("serving", extra={"service": SERVICE, "port": settings.port, "status": "SERVING"})
    await stopping.wait()
    gateway.draining = True  # health says 503 so load balancers stop sending new requests
    log.info("draining", extra={"service": SERVICE, "status": "NOT_SERVING"})
    await runner.cleanup()
    log.info("stopped", extra={"service": SERVICE})
