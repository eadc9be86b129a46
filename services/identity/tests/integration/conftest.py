"""Identity as an OS process on real nats-server and redis-server, plus a cast of real users.

One identity process serves the whole integration suite (started like `make run` starts it);
tests isolate themselves with their own agencies, users and client tags. The cast (agencies
A and B, their coordinators, officers and peer supporters, a network therapist and the
bootstrapped system admin) is built through the public API only, MFA included.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import grpc
import pyotp
import pytest
from redis import Redis as SyncRedis

from tenfour.events.v1 import identity_events_pb2 as ev
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_identity.adapters import keys
from tenfour_identity.adapters.vault import Purpose, Vault
from tenfour_identity.domain.enrolment import hash_code
from tenfour_shared.auth.roles import Role
from tenfour_shared.launcher import ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, free_port

KEK = "5f" * 32  # the test deployment's TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY (hex, 32 bytes)
ADMIN_USERNAME = "root-operator"
ADMIN_PASSWORD = "correct staple horse battery 42"
PASSWORD = "quiet harbour lantern 7"
_counter = itertools.count(1)

Metadata = tuple[tuple[str, str], ...]


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}x{secrets.token_hex(3)}"


@dataclass
class Account:
    user_id: str
    username: str
    role: Role
    agency_id: str
    access: str = field(repr=False)
    refresh: str = field(repr=False)
    password: str = field(default=PASSWORD, repr=False)
    totp_secret: str = field(default="", repr=False)

    @property
    def md(self) -> Metadata:
        return (("authorization", f"Bearer {self.access}"),)


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """A code for the current step or one ahead (identity allows one step of drift, once each)."""
    return str(pyotp.TOTP(secret).at(int(time.time()) + 30 * steps_ahead))


def therapist_profile(**changes: object) -> ev.ProviderProfile:
    profile = ev.ProviderProfile(
        jurisdictions=["US-TX"],
        specialties=["trauma_ptsd", "critical_incident"],
        modalities=["individual", "crisis_on_call"],
        languages=["en-US"],
        gender="female",
        first_responder_competency="lived_experience",
        timezone="America/Chicago",
        bio="Former dispatcher.",
    )
    for name, value in changes.items():
        if isinstance(value, list):
            getattr(profile, name)[:] = value
        else:
            setattr(profile, name, value)
    return profile


def peer_profile() -> ev.ProviderProfile:
    return ev.ProviderProfile(
        specialties=["critical_incident"],
        modalities=["individual"],
        languages=["en"],
        timezone="America/Chicago",
    )


class Api:
    """Sync client helpers that build accounts through the public API."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.channel = grpc.insecure_channel(target)
        self.stub = identity_pb2_grpc.IdentityServiceStub(self.channel)

    def sign_in_staff(self, username: str, password: str, role: Role, agency_id: str = "") -> Account:
        """First sign-in of staff: password, then TOTP enrolment with the setup ticket."""
        first = self.stub.Login(pb.LoginRequest(username=username, password=password), timeout=10)
        assert first.mfa_setup_required
        assert not first.access_token
        enrolment = self.stub.BeginMfaSetup(pb.BeginMfaSetupRequest(mfa_setup_ticket=first.mfa_setup_ticket))
        done = self.stub.CompleteMfaSetup(
            pb.CompleteMfaSetupRequest(
                mfa_setup_ticket=first.mfa_setup_ticket, totp_code=totp_code(enrolment.secret)
            )
        )
        return Account(
            done.user.user_id,
            username,
            role,
            agency_id,
            done.access_token,
            done.refresh_token,
            password,
            enrolment.secret,
        )

    def create_agency(self, by: Account, name: str = "") -> str:
        reply = self.stub.CreateAgency(
            pb.CreateAgencyRequest(
                name=name or unique("Agency "), timezone="America/Chicago", jurisdiction="US-TX"
            ),
            metadata=by.md,
        )
        return str(reply.agency_id)

    def create_agency_admin(self, by: Account, agency_id: str) -> Account:
        username = unique("coord")
        self.stub.CreateAgencyAdmin(
            pb.CreateAgencyAdminRequest(
                agency_id=agency_id,
                email=f"{username}@pd.example.gov",
                display_name="Wellness Coordinator",
                password=PASSWORD,
                username=username,
            ),
            metadata=by.md,
        )
        return self.sign_in_staff(username, PASSWORD, Role.AGENCY_ADMIN, agency_id)

    def new_code(self, by: Account, agency_id: str, uses: int = 1) -> str:
        reply = self.stub.CreateEnrolmentCode(
            pb.CreateEnrolmentCodeRequest(agency_id=agency_id, max_redemptions=uses), metadata=by.md
        )
        return str(reply.code)

    def redeem(self, code: str, agency_id: str, username: str = "") -> Account:
        username = username or unique("owl")
        reply = self.stub.RedeemEnrolmentCode(
            pb.RedeemEnrolmentCodeRequest(
                code=code, username=username, display_name="Night Owl", password=PASSWORD
            ),
            timeout=10,
        )
        return Account(
            reply.user.user_id, username, Role.OFFICER, agency_id, reply.access_token, reply.refresh_token
        )

    def onboard_therapist(self, by: Account, agency_id: str = "", serves: tuple[str, ...] = ()) -> Account:
        username = unique("drkim")
        self.stub.OnboardTherapist(
            pb.OnboardTherapistRequest(
                email=f"{username}@clinic.example.com",
                display_name="Dr. Kim",
                password=PASSWORD,
                username=username,
                agency_id=agency_id,
                profile=therapist_profile(agency_ids=list(serves)),
            ),
            metadata=by.md,
        )
        return self.sign_in_staff(username, PASSWORD, Role.THERAPIST, agency_id)

    def nominate(self, admin: Account, officer: Account) -> Account:
        self.stub.NominatePeerSupporter(
            pb.NominatePeerSupporterRequest(officer_user_id=officer.user_id, profile=peer_profile()),
            metadata=admin.md,
        )
        refreshed = self.stub.Refresh(pb.RefreshRequest(refresh_token=officer.refresh))
        return replace(
            officer, role=Role.PEER_SUPPORTER, access=refreshed.access_token, refresh=refreshed.refresh_token
        )


@dataclass
class Agency:
    id: str
    admin: Account
    officer: Account
    peer: Account


@dataclass
class Stack:
    nats: NatsServer
    redis: RedisServer
    identity: ServiceProcess
    api: Api
    root: Account  # the bootstrapped system admin
    therapist: Account  # provider network: no agency of their own, serves A and B
    a: Agency
    b: Agency
    env: dict[str, str]

    @property
    def target(self) -> str:
        return self.identity.target

    def redis_client(self) -> SyncRedis:
        return SyncRedis.from_url(self.redis.url)

    def agency(self, name: str) -> Agency:
        return self.a if name == "a" else self.b

    def officer(self, agency: Agency) -> Account:
        """A fresh officer of `agency` (for cases that change or end an account)."""
        return self.api.redeem(self.api.new_code(agency.admin, agency.id), agency.id)


def code_key(code: str) -> str:
    """Where identity keeps an enrolment code (found by its keyed hash, as identity finds it)."""
    return keys.code(hash_code(code, Vault.from_setting(KEK).key(Purpose.CODE_PEPPER)))


def identity_env(nats: NatsServer, redis_server: RedisServer) -> dict[str, str]:
    return {
        "TENFOUR_NATS_URL": nats.url,
        "TENFOUR_REDIS_URL": redis_server.url,
        "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": KEK,
        "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
        "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "TENFOUR_IDENTITY_SIGNING_KEY_ACTIVATION_SECONDS": "1",
        "TENFOUR_LOG_LEVEL": "INFO",
    }


def _agency(api: Api, root: Account) -> Agency:
    agency_id = api.create_agency(root)
    admin = api.create_agency_admin(root, agency_id)
    officer = api.redeem(api.new_code(admin, agency_id), agency_id)
    peer = api.nominate(admin, api.redeem(api.new_code(admin, agency_id), agency_id))
    return Agency(agency_id, admin, officer, peer)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base: Path = tmp_path_factory.mktemp("identity")
    with NatsServer(base / "nats") as nats, RedisServer(base / "redis") as redis_server:
        env = identity_env(nats, redis_server)
        identity = ServiceProcess("identity", free_port(), env, base / "identity.log")
        identity.start()
        try:
            identity.wait_serving()
            api = Api(identity.target)
            root = api.sign_in_staff(ADMIN_USERNAME, ADMIN_PASSWORD, Role.SYSTEM_ADMIN)
            a, b = _agency(api, root), _agency(api, root)
            therapist = api.onboard_therapist(root, serves=(a.id, b.id))  # a provider-network clinician
            yield Stack(nats, redis_server, identity, api, root, therapist, a, b, env)
        finally:
            identity.terminate()


@pytest.fixture
def api(stack: Stack) -> Api:
    return stack.api
