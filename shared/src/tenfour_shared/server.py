"""gRPC server bootstrap shared by every service.

Lifecycle: servicers are registered, the port is bound and health says NOT_SERVING while the
service connects to Redis/NATS and starts its background work; then SERVING. On SIGTERM or
SIGINT health flips to NOT_SERVING (so load balancers stop routing), background work stops,
and in-flight RPCs get `drain_grace_seconds` to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType

from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from tenfour_shared import metrics, tls
from tenfour_shared.config import ServiceSettings
from tenfour_shared.request_guard import RequestGuard
from tenfour_shared.rpc_errors import ErrorInterceptor

log = logging.getLogger("tenfour.server")

Closer = Callable[[], Awaitable[object]]

_OPTIONS = (("grpc.so_reuseport", 0),)


class Runtime:
    """One service process: gRPC server, health, reflection, background tasks, shutdown."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        service_names: Sequence[str],
        interceptors: Sequence[aio.ServerInterceptor] = (),
    ) -> None:
        self.name = name
        self.settings = settings
        self.service_names = tuple(service_names)
        # RequestGuard is innermost: bodies are decoded and checked after authentication.
        # No SO_REUSEPORT (gRPC's default): a second server on a taken port must fail to start,
        # not silently share the port and receive some of another service's calls.
        self.server = aio.server(
            interceptors=[ErrorInterceptor(), *interceptors, RequestGuard()], options=_OPTIONS
        )
        self.health = health.aio.HealthServicer()
        self.port = 0
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Closer] = []

    async def __aenter__(self) -> Runtime:
        metrics.set_service(self.name)
        metrics.serve(self.settings.metrics_port, self.settings.host)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )
        for svc in ("", *self.service_names):
            await self.health.set(svc, health_pb2.HealthCheckResponse.NOT_SERVING)
        address = f"{self.settings.host}:{self.settings.port}"
        creds = tls.server_credentials(self.settings)
        if creds is None:
            self.port = self.server.add_insecure_port(address)
        else:
            self.port = self.server.add_secure_port(address, creds)
        await self.server.start()
        if self.settings.health_port:
            await self._serve_plain_health()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stopping.set)
        log.info("listening", extra={"service": self.name, "port": self.port, "status": "NOT_SERVING"})
        return self

    async def _serve_plain_health(self) -> None:
        """Health alone on a plaintext port, for probes that cannot speak mutual TLS (Kubernetes'
        gRPC probes): it reveals SERVING or not, nothing else, and takes no request data."""
        server = aio.server(options=_OPTIONS)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        server.add_insecure_port(f"{self.settings.host}:{self.settings.health_port}")
        await server.start()
        self.on_close(lambda: server.stop(0))

    def on_close(self, closer: Closer) -> None:
        """Register cleanup, run in reverse order after the server has drained."""
        self._closers.append(closer)

    def spawn(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run background work for the life of the process; a crash is logged and restarted."""

        async def supervised() -> None:
            delay = 0.2
            while not self._stopping.is_set():
                try:
                    await work()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.error(
                        "background task failed", extra={"state": name, "error_type": type(exc).__name__}
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)

        self._tasks.append(asyncio.create_task(supervised(), name=name))

    async def _cancel_tasks(self, within: float) -> None:
        """Cancel the background work, again while it keeps running, for at most ``within`` s.

        On Python 3.11 a cancel that lands as a reply arrives is swallowed by asyncio.wait_for
        (redis-py, nats-py); a loop that then only awaits runs on after shutdown, and pytest's
        loop teardown, which cancels once, waits for it forever. The next cancel lands elsewhere.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        pending = {task for task in self._tasks if not task.done()}
        while pending and loop.time() < deadline:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=min(0.1, deadline - loop.time()))
        if pending:
            log.warning(
                "background work did not stop", extra={"state": ",".join(t.get_name() for t in pending)}
            )

    async def ready(self) -> None:
        for svc in ("", *self.service_names):
            await self.health.set(svc, health_pb2.HealthCheckResponse.SERVING)
        log.info("serving", extra={"service": self.name, "port": self.port, "status": "SERVING"})

    def stop(self) -> None:
        self._stopping.set()

    async def wait(self) -> None:
        await self._stopping.wait()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        await self.health.enter_graceful_shutdown()
        log.info("draining", extra={"service": self.name, "status": "NOT_SERVING"})
        await self._cancel_tasks(self.settings.drain_grace_seconds + 1)
        await self.server.stop(self.settings.drain_grace_seconds)
        for closer in reversed(self._closers):
            # A stuck close must not keep the process from exiting.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(closer(), 5.0)
        log.info("stopped", extra={"service": self.name})
