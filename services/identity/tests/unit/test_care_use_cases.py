"""Officers' display names reach the providers they booked with, and nobody else, over fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged, UrgentAssigned
from tenfour.scheduling.v1 import appointments_pb2
from tenfour_identity.domain.errors import ValidationFailed
from tenfour_identity.domain.models import User
from tenfour_identity.service import care
from tenfour_identity.service.deps import Deps
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


class Unused:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unexpected use of {name}")


@dataclass
class Fakes:
    users: dict[str, User] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)

    async def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    async def is_active(self, family_id: str) -> bool:
        return True

    async def link(self, provider_id: str, officer_ids: Sequence[str]) -> None:
        self.links.setdefault(provider_id, set()).update(officer_ids)

    async def linked(self, provider_id: str, officer_ids: Sequence[str]) -> set[str]:
        return self.links.get(provider_id, set()) & set(officer_ids)


@pytest.fixture
def world() -> tuple[Fakes, Deps]:
    fakes = Fakes()
    deps = Deps(
        directory=fakes,  # type: ignore[arg-type]
        codes=Unused(),  # type: ignore[arg-type]
        sessions=fakes,  # type: ignore[arg-type]
        mfa=Unused(),  # type: ignore[arg-type]
        throttle=Unused(),  # type: ignore[arg-type]
        audit=Unused(),  # type: ignore[arg-type]
        signing_keys=Unused(),  # type: ignore[arg-type]
        issuer=Unused(),  # type: ignore[arg-type]
        passwords=Unused(),  # type: ignore[arg-type]
        code_pepper=b"p" * 32,
        clock=lambda: NOW,
        care=fakes,
    )
    for user_id, role, name in (
        ("o-1", Role.OFFICER, "Sam"),
        ("o-2", Role.OFFICER, "Lee"),
        ("t-1", Role.THERAPIST, "Dr. Rivera"),
        ("t-2", Role.THERAPIST, "Dr. Chen"),
    ):
        fakes.users[user_id] = User(
            id=user_id,
            username=f"user{user_id}",
            display_name=name,
            role=role,
            agency_id="ag-1" if role is Role.OFFICER else None,
            email=None if role is Role.OFFICER else f"{user_id}@example.org",
            created_at=NOW,
        )
    return fakes, deps


def provider(user_id: str) -> Principal:
    return Principal(user_id, Role.THERAPIST, None, f"s-{user_id}", "t")


async def booked(deps: Deps, provider_id: str, *officers: str) -> None:
    appointment = appointments_pb2.Appointment(
        appointment_id="a-1", provider_id=provider_id, officer_ids=officers
    )
    table = care.handlers(deps)
    await table["scheduling.appointment_status_changed"](
        Envelope(), AppointmentStatusChanged(appointment=appointment)
    )


async def test_a_provider_sees_the_names_of_officers_who_booked_with_them_only(
    world: tuple[Fakes, Deps],
) -> None:
    _, deps = world
    assert await care.officer_names(deps, provider("t-1"), ["o-1", "o-2"]) == {}
    await booked(deps, "t-1", "o-1")
    assert await care.officer_names(deps, provider("t-1"), ["o-1", "o-2", "t-2"]) == {"o-1": "Sam"}
    assert await care.officer_names(deps, provider("t-2"), ["o-1"]) == {}


async def test_an_urgent_session_links_the_officer_to_the_provider_who_took_it(
    world: tuple[Fakes, Deps],
) -> None:
    _, deps = world
    table = care.handlers(deps)
    await table["scheduling.urgent_assigned"](Envelope(), UrgentAssigned(officer_id="o-2", provider_id="t-2"))
    assert await care.officer_names(deps, provider("t-2"), ["o-2"]) == {"o-2": "Lee"}


async def test_a_deactivated_officer_is_not_named_and_long_lists_are_refused(
    world: tuple[Fakes, Deps],
) -> None:
    fakes, deps = world
    await booked(deps, "t-1", "o-1", "o-2")
    fakes.users["o-2"] = fakes.users["o-2"].model_copy(update={"disabled": True})
    assert await care.officer_names(deps, provider("t-1"), ["o-1", "o-2"]) == {"o-1": "Sam"}
    with pytest.raises(ValidationFailed):
        await care.officer_names(deps, provider("t-1"), [f"o-{n}" for n in range(care.MAX_NAMES + 1)])
