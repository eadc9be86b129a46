"""Providers: therapists onboarded by operators, peer supporters nominated by their agency.

Every profile change is stored with a new version and published (ProviderProfileUpdated,
the whole profile) in the same transaction, so scheduling matches without calling identity.
Profile updates replace the whole profile. Who a therapist serves (`agency_ids`, an explicit
list) is set by system admins only; a peer supporter always serves exactly their own agency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tenfour_identity.domain.errors import NotAllowed, NotFound, ValidationFailed, WrongState
from tenfour_identity.domain.fields import DisplayName
from tenfour_identity.domain.models import User
from tenfour_identity.domain.provider import ProviderKind, ProviderProfile, kind_for_role
from tenfour_identity.domain.records import AuditEntry, Change, StoredProfile
from tenfour_identity.domain.roles import can_edit_provider_profile, can_manage_user, ensure
from tenfour_identity.domain.validation import build, evolve, parse
from tenfour_identity.service import events
from tenfour_identity.service.accounts import StaffInput, create_staff, new_id, validate_staff
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_identity.service.errors import Form, fields_as
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

__all__ = [
    "ProfileInput",
    "get_provider_profile",
    "list_providers",
    "nominate_peer_supporter",
    "onboard_therapist",
    "update_provider_profile",
]

_COMPETENT_DEFAULT = "trained"  # what the boolean `first_responder_competent` alone means


@dataclass(frozen=True, slots=True)
class ProfileInput:
    """A profile as a request carries it, not yet validated."""

    provider_id: str = ""
    kind: ProviderKind | None = None
    agency_ids: Sequence[str] = ()
    jurisdictions: Sequence[str] = ()
    specialties: Sequence[str] = ()
    modalities: Sequence[str] = ()
    languages: Sequence[str] = ()
    gender: str = ""
    first_responder_competency: str = ""
    first_responder_competent: bool = False
    timezone: str = ""
    display_name: str = ""
    bio: str = ""
    accepting_new_clients: bool | None = None


def _build_profile(
    user_id: str, kind: ProviderKind, agency_ids: Sequence[str], data: ProfileInput
) -> ProviderProfile:
    if data.kind is not None and data.kind is not kind:
        raise ValidationFailed([("profile.kind", f"must be {kind.value} for this account")])
    competency = data.first_responder_competency or (
        _COMPETENT_DEFAULT if data.first_responder_competent else "none"
    )
    with fields_as(prefix="profile", rename={"user_id": "provider_id"}):
        return build(
            ProviderProfile,
            user_id=user_id,
            kind=kind,
            agency_ids=list(agency_ids),
            jurisdictions=list(data.jurisdictions),
            specialties=list(data.specialties),
            modalities=list(data.modalities),
            languages=list(data.languages),
            gender=data.gender or "undisclosed",
            first_responder_competency=competency,
            timezone=data.timezone,
            bio=data.bio,
            accepting_new_clients=True if data.accepting_new_clients is None else data.accepting_new_clients,
        )


async def _check_agencies(deps: Deps, agency_ids: Sequence[str]) -> None:
    missing = [
        (f"profile.agency_ids[{i}]", "no such agency")
        for i, agency_id in enumerate(agency_ids)
        if await deps.directory.get_agency(agency_id) is None
    ]
    if missing:
        raise ValidationFailed(missing)


async def onboard_therapist(
    deps: Deps, principal: Principal, staff: StaffInput, profile: ProfileInput, agency_id: str
) -> tuple[User, StoredProfile]:
    actor = await caller(deps, principal)
    ensure(can_manage_user(principal, Role.THERAPIST, agency_id or None))
    user_id = new_id("u")
    served = list(profile.agency_ids) or ([agency_id] if agency_id else [])
    form = Form()
    fields = validate_staff(form, staff)
    built = form.value(lambda: _build_profile(user_id, ProviderKind.THERAPIST, served, profile))
    form.done()
    assert fields is not None
    assert built is not None
    await _check_agencies(deps, sorted({*served, *([agency_id] if agency_id else [])}))
    user = await create_staff(
        deps,
        staff=fields,
        password=staff.password,
        role=Role.THERAPIST,
        agency_id=agency_id or None,
        created_by=actor.id,
        profile=built,
        user_id=user_id,
    )
    assert user is not None
    return user, StoredProfile(built, 1)


async def nominate_peer_supporter(
    deps: Deps, principal: Principal, officer_user_id: str, profile: ProfileInput
) -> tuple[User, StoredProfile]:
    """An officer volunteers (and gives the coordinator their user id from GetMe); the
    coordinator of their agency makes them a peer supporter with a profile."""
    actor = await caller(deps, principal)
    if not officer_user_id:
        raise ValidationFailed([("officer_user_id", "is required")])
    now = deps.now()

    def decide(user: User, _current: StoredProfile | None) -> Change:
        if user.role is not Role.OFFICER or not can_manage_user(
            principal, Role.PEER_SUPPORTER, user.agency_id
        ):
            if user.role is Role.PEER_SUPPORTER and user.agency_id == principal.agency_id:
                raise WrongState("this officer is already a peer supporter")
            raise NotAllowed("no such officer in your agency")
        if user.disabled:
            raise WrongState("this account is deactivated")
        assert user.agency_id is not None
        built = _build_profile(user.id, ProviderKind.PEER, [user.agency_id], profile)
        promoted = evolve(user, role=Role.PEER_SUPPORTER)
        stored = StoredProfile(built, 1)
        entry = AuditEntry("role_changed", user.id, user.agency_id, f"role=peer_supporter by={actor.id}")
        return Change(
            user=promoted,
            profile=stored,
            events=[events.profile_updated(promoted, stored, now)],
            audit=[entry],
        )

    try:
        user, stored = await deps.directory.change_user(officer_user_id, decide)
    except NotFound:
        raise NotAllowed("no such officer in your agency") from None
    assert stored is not None
    return user, stored


async def update_provider_profile(
    deps: Deps, principal: Principal, profile: ProfileInput
) -> tuple[User, StoredProfile]:
    actor = await caller(deps, principal)
    provider_id = profile.provider_id or actor.id
    display_name = (
        str(parse(DisplayName, profile.display_name, "profile.display_name")) if profile.display_name else ""
    )
    now = deps.now()

    def decide(user: User, current: StoredProfile | None) -> Change:
        kind = kind_for_role(user.role)
        allowed = kind is not None and current is not None
        if not allowed or not can_edit_provider_profile(principal, user.id, user.role, user.agency_id):
            raise NotAllowed("no such provider in your scope")
        assert kind is not None
        assert current is not None
        if user.disabled:
            raise WrongState("this account is deactivated")
        if kind is ProviderKind.THERAPIST and principal.role is Role.SYSTEM_ADMIN:
            served = list(profile.agency_ids)
        else:
            served = sorted(current.profile.agency_ids)
        built = _build_profile(user.id, kind, served, profile)
        renamed = (
            evolve(user, display_name=display_name)
            if display_name and display_name != user.display_name
            else user
        )
        if built == current.profile and renamed is user:
            return Change()  # nothing changed: no new version, no event
        stored = StoredProfile(built, current.version + 1)
        entry = AuditEntry(
            "profile_updated", user.id, user.agency_id or "", f"version={stored.version} by={actor.id}"
        )
        return Change(
            user=renamed if renamed is not user else None,
            profile=stored,
            events=[events.profile_updated(renamed, stored, now)],
            audit=[entry],
        )

    if principal.role is Role.SYSTEM_ADMIN and profile.agency_ids:
        await _check_agencies(deps, profile.agency_ids)
    try:
        user, stored = await deps.directory.change_user(provider_id, decide)
    except NotFound:
        if principal.role is Role.SYSTEM_ADMIN:
            raise
        raise NotAllowed("no such provider in your scope") from None
    assert stored is not None
    return user, stored


async def get_provider_profile(
    deps: Deps, principal: Principal, provider_id: str
) -> tuple[User, StoredProfile]:
    """The whole profile, for whoever may edit it; anyone else learns nothing (not even existence)."""
    actor = await caller(deps, principal)
    found = await deps.directory.user_with_profile(provider_id or actor.id)
    if found is None and principal.role is Role.SYSTEM_ADMIN:
        raise NotFound("no such provider")
    if found is None or not can_edit_provider_profile(
        principal, found[0].id, found[0].role, found[0].agency_id
    ):
        raise NotAllowed("no such provider in your scope")
    return found


async def list_providers(
    deps: Deps, principal: Principal, agency_id: str
) -> list[tuple[User, StoredProfile]]:
    """Active providers an agency's officers may book: its peers and the therapists serving it."""
    await caller(deps, principal)
    agency_id = agency_id or principal.agency_id or ""
    if not agency_id:
        raise ValidationFailed([("agency_id", "is required")])
    if principal.role is not Role.SYSTEM_ADMIN and principal.agency_id != agency_id:
        raise NotAllowed("you can only list providers of your own agency")
    return [
        (user, stored)
        for user, stored in await deps.directory.list_profiles()
        if not user.disabled and stored.profile.serves(agency_id)
    ]
