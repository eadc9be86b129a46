"""Start Tenfour services as separate OS processes and wait until health says SERVING.

Used by `make run` and by the cross-service tests, so both exercise the same start-up path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tenfour_shared import ports
from tenfour_shared.config import TlsSettings
from tenfour_shared.tls import sync_channel
from tenfour_testing.embedded import env_with

SERVICES: dict[str, tuple[int, str]] = {
    "identity": (50051, "tenfour.identity.v1.IdentityService"),
    "availability": (50052, "tenfour.availability.v1.AvailabilityService"),
    "scheduling": (50053, "tenfour.scheduling.v1.SchedulingService"),
    "signaling": (50054, "tenfour.signaling.v1.SignalingService"),
    "outcomes": (50055, "tenfour.outcomes.v1.OutcomesService"),
    "notifications": (50056, "tenfour.notifications.v1.NotificationService"),
}


def health_status(
    target: str, service: str = "", timeout: float = 1.0, tls_settings: TlsSettings | None = None
) -> int:
    """SERVING or not; over mutual TLS with the certificate in `tls_settings` (default: the
    TENFOUR_TLS_* environment, none under `make run`)."""
    with sync_channel(target, tls_settings or TlsSettings()) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError:
            return int(health_pb2.HealthCheckResponse.UNKNOWN)
        return int(reply.status)


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def tls(self) -> TlsSettings:
        """The certificate this process was given, to check its health as a peer would."""
        env = {**os.environ, **self.env}
        return TlsSettings(
            tls_ca_file=env.get("TENFOUR_TLS_CA_FILE", ""),
            tls_cert_file=env.get("TENFOUR_TLS_CERT_FILE", ""),
            tls_key_file=env.get("TENFOUR_TLS_KEY_FILE", ""),
        )

    def start(self) -> None:
        log_path = self.log_path or Path(os.devnull)
        with log_path.open("ab") as out:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", f"tenfour_{self.name}"],
                env=env_with(TENFOUR_PORT=str(self.port), **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_serving(self, timeout: float = 90.0) -> None:
        # Generous: a loaded 2-core CI machine imports and starts six services at once; this
        # bounds a hang, it does not time the start-up.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode} during start-up")
            # Our own child must hold the port: another process's server on it could answer.
            ours = self.proc is None or ports.listened_by(self.port, self.proc.pid) is not False
            if (
                ours
                and health_status(self.target, SERVICES[self.name][1], tls_settings=self.tls())
                == health_pb2.HealthCheckResponse.SERVING
            ):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not SERVING on {self.target} after {timeout}s")

    def terminate(self, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
