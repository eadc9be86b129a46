from __future__ import annotations

import pytest

from tenfour_shared.auth import (
    AccessDenied,
    AgencyScope,
    Principal,
    Role,
    agency_scope,
    agency_violation,
    current_principal,
    current_principal_or_none,
    principal_scope,
    require_same_agency,
)

OFFICER = Principal("u-1", Role.OFFICER, "a-1", "s-1", "t-1")
OPERATOR = Principal("u-2", Role.SYSTEM_ADMIN, None, "s-2", "t-2")


def test_principal_scope_sets_and_restores() -> None:
    assert current_principal_or_none() is None
    with pytest.raises(LookupError):
        current_principal()
    with principal_scope(OFFICER):
        assert current_principal() is OFFICER
        with principal_scope(OPERATOR):
            assert current_principal() is OPERATOR
        assert current_principal() is OFFICER
    assert current_principal_or_none() is None


def test_same_agency_passes_other_agency_is_denied() -> None:
    require_same_agency(OFFICER, "a-1")
    with pytest.raises(AccessDenied):
        require_same_agency(OFFICER, "a-2")
    with pytest.raises(AccessDenied):
        require_same_agency(OFFICER, "")


def test_system_admin_needs_explicit_opt_in() -> None:
    with pytest.raises(AccessDenied):
        require_same_agency(OPERATOR, "a-1")
    require_same_agency(OPERATOR, "a-1", allow_system_admin=True)


def test_agencyless_therapist_never_matches_an_agency() -> None:
    therapist = Principal("u-3", Role.THERAPIST, None, "s", "t")
    with pytest.raises(AccessDenied):
        require_same_agency(therapist, "a-1")


@pytest.mark.parametrize(
    ("role", "agency", "ok"),
    [
        (Role.OFFICER, "a", True),
        (Role.OFFICER, None, False),
        (Role.PEER_SUPPORTER, None, False),
        (Role.AGENCY_ADMIN, None, False),
        (Role.THERAPIST, None, True),
        (Role.THERAPIST, "a", True),
        (Role.THERAPIST, "", False),
        (Role.SYSTEM_ADMIN, None, True),
        (Role.SYSTEM_ADMIN, "a", False),
    ],
)
def test_agency_rules_per_role(role: Role, agency: str | None, ok: bool) -> None:
    assert (agency_violation(role, agency) is None) is ok


def test_scopes() -> None:
    assert agency_scope(Role.OFFICER) is AgencyScope.REQUIRED
    assert agency_scope(Role.THERAPIST) is AgencyScope.OPTIONAL
    assert agency_scope(Role.SYSTEM_ADMIN) is AgencyScope.NONE


def test_package_import_pulls_in_no_grpc() -> None:
    """Domain cores may import tenfour_shared.auth; only .interceptor may bring gRPC in."""
    import subprocess
    import sys

    probe = "import sys, tenfour_shared.auth; print('grpc' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
