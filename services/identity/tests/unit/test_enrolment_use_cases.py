"""Agencies' enrolment codes over in-memory fakes of our ports: who may issue them, what is
stored and audited (never the plaintext code), and the coarsened counts an agency sees.
The same flows against Redis are in tests/integration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tenfour_identity.domain.enrolment import EnrolmentCode
from tenfour_identity.domain.errors import NotAllowed, NotFound, WrongCredentials
from tenfour_identity.domain.models import Agency, User
from tenfour_identity.domain.records import AuditEntry
from tenfour_identity.service.agencies import SMALL_COUNT, create_enrolment_code, enrolment_stats
from tenfour_identity.service.deps import Deps
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


class Unused:
    """A port this use case must not touch."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unexpected use of {name}")


@dataclass
class FakeDirectory:
    users: dict[str, User] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)

    async def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    async def get_agency(self, agency_id: str) -> Agency | None:
        return self.agencies.get(agency_id)


@dataclass
class FakeSessions:
    active: set[str] = field(default_factory=set)

    async def is_active(self, family_id: str) -> bool:
        return family_id in self.active


@dataclass
class FakeCodes:
    records: dict[str, EnrolmentCode] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    redeemed: dict[str, int] = field(default_factory=dict)

    async def create(self, code: EnrolmentCode, entry: AuditEntry) -> None:
        self.records[code.code_hash] = code
        self.audit.append(entry)

    async def stats(self, agency_id: str) -> tuple[int, int]:
        issued = sum(1 for r in self.records.values() if r.agency_id == agency_id)
        return issued, self.redeemed.get(agency_id, 0)


class World:
    def __init__(self) -> None:
        self.directory = FakeDirectory()
        self.sessions = FakeSessions()
        self.codes = FakeCodes()
        self.deps = Deps(
            directory=self.directory,  # type: ignore[arg-type]
            codes=self.codes,  # type: ignore[arg-type]
            sessions=self.sessions,  # type: ignore[arg-type]
            mfa=Unused(),  # type: ignore[arg-type]
            throttle=Unused(),  # type: ignore[arg-type]
            audit=Unused(),  # type: ignore[arg-type]
            signing_keys=Unused(),  # type: ignore[arg-type]
            issuer=Unused(),  # type: ignore[arg-type]
            passwords=Unused(),  # type: ignore[arg-type]
            code_pepper=b"p" * 32,
            clock=lambda: NOW,
        )
        for agency in ("ag-1", "ag-2"):
            self.directory.agencies[agency] = Agency(
                id=agency, name=f"Agency {agency}", timezone="UTC", created_at=NOW
            )

    def admin(self, user_id: str, agency: str) -> Principal:
        self.directory.users[user_id] = User(
            id=user_id,
            username=f"admin{user_id[-1]}",
            display_name="Coordinator",
            role=Role.AGENCY_ADMIN,
            agency_id=agency,
            email=f"{user_id}@example.org",
            created_at=NOW,
        )
        self.sessions.active.add(f"s-{user_id}")
        return Principal(user_id, Role.AGENCY_ADMIN, agency, f"s-{user_id}", "t")

    async def issue(self, principal: Principal, agency: str = "") -> tuple[str, EnrolmentCode]:
        return await create_enrolment_code(
            self.deps, principal, agency_id=agency, max_redemptions=25, expires_at=None, label="spring intake"
        )


@pytest.fixture
def world() -> World:
    return World()


async def test_an_agency_admin_issues_a_code_stored_and_audited_without_its_plaintext(world: World) -> None:
    code, record = await world.issue(world.admin("u-a1", "ag-1"))
    assert (record.agency_id, record.max_uses) == ("ag-1", 25)
    assert record.expires_at == NOW + timedelta(days=30)
    assert list(world.codes.records.values()) == [record]
    (entry,) = world.codes.audit
    assert (entry.kind, entry.user_id, entry.agency_id) == ("enrolment_code_created", "u-a1", "ag-1")
    stored = repr(record) + repr(entry)
    assert code not in stored


async def test_an_admin_cannot_issue_codes_for_another_agency_or_a_missing_one(world: World) -> None:
    admin = world.admin("u-a1", "ag-1")
    with pytest.raises(NotAllowed):
        await world.issue(admin, "ag-2")
    del world.directory.agencies["ag-1"]
    with pytest.raises(NotFound):
        await world.issue(admin)
    assert world.codes.records == {}


async def test_an_ended_session_cannot_issue_codes(world: World) -> None:
    admin = world.admin("u-a1", "ag-1")
    world.sessions.active.clear()  # logged out, or the account was deactivated
    with pytest.raises(WrongCredentials):
        await world.issue(admin)


@pytest.mark.parametrize(
    ("redeemed", "shown", "suppressed"),
    [(0, 0, True), (SMALL_COUNT, 0, True), (SMALL_COUNT + 1, 10, False), (37, 30, False)],
)
async def test_an_agency_sees_redemptions_only_coarsened(
    world: World, redeemed: int, shown: int, suppressed: bool
) -> None:
    admin = world.admin("u-a1", "ag-1")
    await world.issue(admin)
    world.codes.redeemed["ag-1"] = redeemed
    stats = await enrolment_stats(world.deps, admin, "")
    assert (stats.codes_issued, stats.redemptions, stats.suppressed) == (1, shown, suppressed)
