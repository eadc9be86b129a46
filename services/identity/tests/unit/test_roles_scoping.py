from __future__ import annotations

import pytest

from tenfour_identity.domain.errors import NotAllowed
from tenfour_identity.domain.roles import (
    can_edit_provider_profile,
    can_issue_enrolment_codes,
    can_manage_agency,
    can_manage_user,
    ensure,
)
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

OPERATOR = Principal("ops", Role.SYSTEM_ADMIN, None, "s", "t")
ADMIN_A = Principal("adm", Role.AGENCY_ADMIN, "a", "s", "t")
OFFICER_A = Principal("off", Role.OFFICER, "a", "s", "t")
THERAPIST = Principal("ther", Role.THERAPIST, None, "s", "t")
PEER_A = Principal("peer", Role.PEER_SUPPORTER, "a", "s", "t")


@pytest.mark.parametrize(
    ("actor", "role", "agency", "allowed"),
    [
        (OPERATOR, Role.THERAPIST, None, True),
        (OPERATOR, Role.OFFICER, "a", True),
        (ADMIN_A, Role.OFFICER, "a", True),
        (ADMIN_A, Role.PEER_SUPPORTER, "a", True),
        (ADMIN_A, Role.AGENCY_ADMIN, "a", True),
        (ADMIN_A, Role.OFFICER, "b", False),
        (ADMIN_A, Role.THERAPIST, None, False),
        (ADMIN_A, Role.SYSTEM_ADMIN, None, False),
        (OFFICER_A, Role.OFFICER, "a", False),
        (THERAPIST, Role.OFFICER, "a", False),
    ],
)
def test_can_manage_user(actor: Principal, role: Role, agency: str | None, allowed: bool) -> None:
    assert can_manage_user(actor, role, agency) is allowed


def test_enrolment_codes_and_agency_settings() -> None:
    assert can_issue_enrolment_codes(ADMIN_A, "a")
    assert not can_issue_enrolment_codes(ADMIN_A, "b")
    assert can_issue_enrolment_codes(OPERATOR, "b")
    assert not can_issue_enrolment_codes(OFFICER_A, "a")
    assert can_manage_agency(OPERATOR, None)
    assert not can_manage_agency(ADMIN_A, None)
    assert can_manage_agency(ADMIN_A, "a")
    assert not can_manage_agency(PEER_A, "a")


def test_provider_profiles() -> None:
    assert can_edit_provider_profile(THERAPIST, "ther", Role.THERAPIST, None)
    assert not can_edit_provider_profile(THERAPIST, "other", Role.THERAPIST, None)
    assert can_edit_provider_profile(OPERATOR, "ther", Role.THERAPIST, None)
    assert not can_edit_provider_profile(ADMIN_A, "ther", Role.THERAPIST, None)
    assert can_edit_provider_profile(ADMIN_A, "peer", Role.PEER_SUPPORTER, "a")
    assert not can_edit_provider_profile(ADMIN_A, "peer", Role.PEER_SUPPORTER, "b")
    assert can_edit_provider_profile(PEER_A, "peer", Role.PEER_SUPPORTER, "a")
    assert not can_edit_provider_profile(OPERATOR, "off", Role.OFFICER, "a")


def test_ensure() -> None:
    ensure(True)
    with pytest.raises(NotAllowed, match="nope"):
        ensure(False, "nope")
