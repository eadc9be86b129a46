"""Test support: NATS, Redis, an SMTP sink, every gRPC service and the gateway as OS processes.

Nothing is faked. Identity issues real tokens (its bootstrap admin seeds agencies, codes and
therapists over gRPC), every service verifies them with identity's JWKS, and the gateway
is reached over HTTP on a free port. Mail goes to a real aiosmtpd server that keeps it in a
Maildir (the developers' outbox reads the same folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pyotp
from grpc_health.v1 import health_pb2
from redis import Redis

from tenfour.identity.v1 import identity_pb2, identity_pb2_grpc
from tenfour_shared.launcher import SERVICES, ServiceProcess, health_status
from tenfour_shared.ports import listened_by
from tenfour_shared.redis_store import Keys
from tenfour_testing.bookings import publish_booking as publish_booking  # the tests take it from here
from tenfour_testing.embedded import NatsServer, RedisServer, env_with, free_port
from tenfour_testing.smtp import SmtpSink

ADMIN_USERNAME = "root-admin"
ADMIN_PASSWORD = "Quartz-Lantern-Meadow-7219"


@dataclass
class GatewayProcess:
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tenfour_gateway"],
                env=env_with(TENFOUR_PORT=str(self.port), **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.proc.returncode}: {self.log_path.read_text()}")
            # Our own child must hold the port: another process's server on it could answer.
            ours = self.proc is None or listened_by(self.port, self.proc.pid) is not False
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as reply:  # noqa: S310 (http only)
                    if ours and reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise TimeoutError("gateway not ready")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
        self.wait_ready()


@dataclass
class Admin:
    """The bootstrap system admin, signed in over gRPC (MFA set up on first sign-in)."""

    stub: identity_pb2_grpc.IdentityServiceStub
    access_token: str = ""
    totp: pyotp.TOTP | None = None

    @property
    def metadata(self) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.access_token}"),)


@dataclass
class System:
    nats: NatsServer
    redis: RedisServer
    services: dict[str, ServiceProcess]
    gateway: GatewayProcess
    log_dir: Path
    smtp: SmtpSink
    admin: Admin = field(init=False)

    @property
    def url(self) -> str:
        return self.gateway.url

    def target(self, name: str) -> str:
        return self.services[name].target

    def create_agency(self, name: str = "Test County Sheriff", crisis_line_text: str = "") -> str:
        reply = self.admin.stub.CreateAgency(
            identity_pb2.CreateAgencyRequest(
                name=name, timezone="America/Chicago", jurisdiction="US-TX", crisis_line_text=crisis_line_text
            ),
            metadata=self.admin.metadata,
        )
        return str(reply.agency_id)

    def enrolment_code(self, agency_id: str, uses: int = 20) -> str:
        reply = self.admin.stub.CreateEnrolmentCode(
            identity_pb2.CreateEnrolmentCodeRequest(agency_id=agency_id, max_redemptions=uses),
            metadata=self.admin.metadata,
        )
        return str(reply.code)

    def create_coordinator(self, agency_id: str, email: str, password: str) -> str:
        reply = self.admin.stub.CreateAgencyAdmin(
            identity_pb2.CreateAgencyAdminRequest(
                agency_id=agency_id, email=email, display_name="Pat Coordinator", password=password
            ),
            metadata=self.admin.metadata,
        )
        return str(reply.user_id)

    def onboard_therapist(
        self,
        email: str,
        password: str,
        serves: tuple[str, ...] = (),
        modalities: tuple[str, ...] = ("individual",),
    ) -> str:
        from tenfour.common.v1 import common_pb2
        from tenfour.events.v1 import identity_events_pb2

        profile = identity_events_pb2.ProviderProfile(
            kind=common_pb2.PROVIDER_KIND_THERAPIST,
            agency_ids=list(serves),
            jurisdictions=["US-TX"],
            specialties=["trauma_ptsd"],
            languages=["en"],
            modalities=list(modalities),
            timezone="America/Chicago",
            display_name="Dr. Rivera",
            first_responder_competency="trained",
        )
        reply = self.admin.stub.OnboardTherapist(
            identity_pb2.OnboardTherapistRequest(
                email=email,
                display_name="Dr. Rivera",
                password=password,
                profile=profile,
            ),
            metadata=self.admin.metadata,
        )
        # The profile reaches availability as an event; before it is handled UseDefaultRules
        # without a zone is (rightly) refused. The marker: the zone availability stored.
        key, deadline = Keys("availability")("profile", reply.user_id), time.monotonic() + 30
        with Redis.from_url(self.redis.url) as client:
            while client.hget(key, "timezone") is None:
                if time.monotonic() > deadline:
                    raise AssertionError("availability never got the new therapist's profile")
                time.sleep(0.05)
        return str(reply.user_id)


def _wait_serving(proc: ServiceProcess, timeout: float = 90.0) -> None:
    """ServiceProcess.wait_serving, also for a service the launcher does not list yet. The bound
    is generous: with every core busy, importing a service alone has taken over 20 s."""
    if proc.name in SERVICES:
        proc.wait_serving(timeout)
        return
    deadline = time.monotonic() + timeout
    while health_status(proc.target) != health_pb2.HealthCheckResponse.SERVING:
        if proc.proc is not None and proc.proc.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with code {proc.proc.returncode} during start-up")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{proc.name} not SERVING")
        time.sleep(0.1)


def _sign_in_admin(target: str) -> Admin:
    channel = grpc.insecure_channel(target)
    admin = Admin(identity_pb2_grpc.IdentityServiceStub(channel))
    first = admin.stub.Login(identity_pb2.LoginRequest(username=ADMIN_USERNAME, password=ADMIN_PASSWORD))
    if first.mfa_setup_required:
        secret = admin.stub.BeginMfaSetup(
            identity_pb2.BeginMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket)
        )
        admin.totp = pyotp.TOTP(secret.secret)
        result = admin.stub.CompleteMfaSetup(
            identity_pb2.CompleteMfaSetupRequest(
                mfa_setup_ticket=first.mfa_setup_ticket, totp_code=admin.totp.now()
            )
        )
    else:
        result = first
    admin.access_token = result.access_token
    assert admin.access_token, "the bootstrap admin could not sign in"
    return admin


def start_system(tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[System]:
    with NatsServer(tmp / "nats") as nats, RedisServer(tmp / "redis") as redis:
        names = [*SERVICES, *(name for name in ("outcomes", "notifications") if name not in SERVICES)]
        ports = {name: free_port() for name in names}
        gateway_port = free_port()
        smtp = SmtpSink(free_port(), tmp / "maildir", tmp / "smtp.log")
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_RETRY_BASE_SECONDS": "0.1",
            "TENFOUR_IDENTITY_TARGET": f"127.0.0.1:{ports['identity']}",
            "TENFOUR_AVAILABILITY_TARGET": f"127.0.0.1:{ports['availability']}",
            "TENFOUR_SCHEDULING_TARGET": f"127.0.0.1:{ports['scheduling']}",
            "TENFOUR_SIGNALING_TARGET": f"127.0.0.1:{ports['signaling']}",
            "TENFOUR_OUTCOMES_TARGET": f"127.0.0.1:{ports['outcomes']}",
            "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
            "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "TENFOUR_IDENTITY_SIGNING_KEY_ACTIVATION_SECONDS": "0",
            # Rooms open a day ahead, so a slot booked in the test can be joined at once.
            "TENFOUR_ROOM_OPEN_BEFORE_MINUTES": "1440",
            # Mail to the sink, links in it to this gateway, the outbox page on.
            "TENFOUR_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "TENFOUR_NOTIFICATIONS_SMTP_PORT": str(smtp.port),
            "TENFOUR_NOTIFICATIONS_PUBLIC_BASE_URL": f"http://127.0.0.1:{gateway_port}",
            "TENFOUR_NOTIFICATIONS_DEV_MAILBOX_DIR": str(smtp.maildir),
            "TENFOUR_NOTIFICATIONS_ALLOW_INSECURE_PUSH": "true",
            "TENFOUR_NOTIFICATIONS_ALLOW_INSECURE_WEBHOOK": "true",
            # Calendar subscriptions in tests follow a calendar server on loopback.
            "TENFOUR_CALENDAR_FEEDS_ALLOW_PRIVATE": "true",
            **(
                {"TENFOUR_NOTIFICATIONS_TARGET": f"127.0.0.1:{ports['notifications']}"}
                if "notifications" in ports
                else {}
            ),
            **(extra_env or {}),
        }
        procs = {name: ServiceProcess(name, ports[name], env, tmp / f"{name}.log") for name in names}
        gateway = GatewayProcess(gateway_port, env, tmp / "gateway.log")
        try:
            smtp.start()
            for proc in procs.values():
                proc.start()
            for proc in procs.values():
                _wait_serving(proc)
            gateway.start()
            gateway.wait_ready()
            system = System(nats, redis, procs, gateway, tmp, smtp)
            system.admin = _sign_in_admin(procs["identity"].target)
            yield system
        finally:
            gateway.stop()
            for proc in procs.values():
                proc.terminate()
            smtp.stop()
            if os.environ.get("TENFOUR_KEEP_LOGS"):
                print(f"logs kept in {tmp}")


THERAPIST_PASSWORD = "Harbor-Violet-Canyon-5531"


async def sign_in_with_new_mfa(client: Any, username: str, password: str) -> pyotp.TOTP:
    """A provider's first sign-in through the gateway: Login, then TOTP set-up with the ticket."""
    first = await (
        await client.post("/api/auth/login", json={"username": username, "password": password})
    ).json()
    assert first.get("mfa_setup_required"), first
    ticket = first["mfa_setup_ticket"]
    secret = await (
        await client.post("/api/identity/BeginMfaSetup", json={"mfa_setup_ticket": ticket})
    ).json()
    totp = pyotp.TOTP(secret["secret"])
    done = await client.post(
        "/api/auth/mfa-setup", json={"mfa_setup_ticket": ticket, "totp_code": totp.now()}
    )
    assert done.status == 200, await done.text()
    return totp
