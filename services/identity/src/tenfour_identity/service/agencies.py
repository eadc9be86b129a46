"""Agencies, their coordinators, and anonymous enrolment with agency codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour_identity.domain.enrolment import (
    EnrolmentCode,
    code_refused,
    hash_code,
    issue_code,
    normalise_code,
    refusal,
    revoke,
)
from tenfour_identity.domain.errors import AlreadyExists, NotFound
from tenfour_identity.domain.fields import DisplayName, Username
from tenfour_identity.domain.models import Agency, User
from tenfour_identity.domain.password_policy import ensure_acceptable_password
from tenfour_identity.domain.records import AuditEntry
from tenfour_identity.domain.roles import can_issue_enrolment_codes, can_manage_user, ensure
from tenfour_identity.domain.us_jurisdictions import us_jurisdiction
from tenfour_identity.domain.validation import build, parse
from tenfour_identity.service import events
from tenfour_identity.service.accounts import StaffInput, create_staff, new_id, validate_staff
from tenfour_identity.service.auth import AuthOutcome, start_session
from tenfour_identity.service.caller import caller
from tenfour_identity.service.deps import Deps
from tenfour_identity.service.errors import Form, fields_as
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role

__all__ = [
    "EnrolmentStats",
    "create_agency",
    "create_agency_admin",
    "create_enrolment_code",
    "enrolment_codes",
    "enrolment_stats",
    "redeem_enrolment_code",
    "revoke_enrolment_code",
]

DEFAULT_CODE_LIFETIME = timedelta(days=30)
SMALL_COUNT = 10  # CMS cell-size rule: never show a count of 1-10
_ROUND_TO = 10


async def _agency(deps: Deps, agency_id: str) -> Agency:
    agency = await deps.directory.get_agency(agency_id) if agency_id else None
    if agency is None:
        raise NotFound("no such agency")
    return agency


def _agency_of_request(principal: Principal, agency_id: str) -> str:
    """The agency a request names; an agency's own staff may leave it empty."""
    return agency_id or principal.agency_id or ""


async def create_agency(
    deps: Deps, principal: Principal, *, name: str, timezone: str, jurisdiction: str, crisis_line_text: str
) -> Agency:
    actor = await caller(deps, principal)
    agency = build(
        Agency,
        id=new_id("ag"),
        name=name,
        timezone=timezone,
        created_at=deps.now(),
        jurisdiction=jurisdiction or None,
        crisis_line_text=crisis_line_text,
    )
    await deps.directory.create_agency(
        agency,
        AuditEntry("agency_created", actor.id, agency.id),
        events.agency_registered(agency, agency.created_at),
    )
    return agency


async def create_agency_admin(deps: Deps, principal: Principal, agency_id: str, staff: StaffInput) -> User:
    actor = await caller(deps, principal)
    agency_id = _agency_of_request(principal, agency_id)
    ensure(can_manage_user(principal, Role.AGENCY_ADMIN, agency_id or None))
    form = Form()
    fields = validate_staff(form, staff)
    form.done()
    assert fields is not None
    await _agency(deps, agency_id)
    user = await create_staff(
        deps,
        staff=fields,
        password=staff.password,
        role=Role.AGENCY_ADMIN,
        agency_id=agency_id,
        created_by=actor.id,
    )
    assert user is not None
    return user


async def create_enrolment_code(
    deps: Deps,
    principal: Principal,
    *,
    agency_id: str,
    max_redemptions: int,
    expires_at: datetime | None,
    label: str,
) -> tuple[str, EnrolmentCode]:
    """A new code: its plaintext (shown once) and its record."""
    actor = await caller(deps, principal)
    agency_id = _agency_of_request(principal, agency_id)
    ensure(can_issue_enrolment_codes(principal, agency_id))
    await _agency(deps, agency_id)
    now = deps.now()
    with fields_as(rename={"max_uses": "max_redemptions"}):
        code, record = issue_code(
            code_id=new_id("code"),
            agency_id=agency_id,
            created_by=actor.id,
            now=now,
            expires_at=expires_at or now + DEFAULT_CODE_LIFETIME,
            pepper=deps.code_pepper,
            max_uses=max_redemptions or 1,
            label=label,
        )
    detail = f"code={record.id} max={record.max_uses}"
    await deps.codes.create(record, AuditEntry("enrolment_code_created", actor.id, agency_id, detail))
    return code, record


@dataclass(frozen=True, slots=True)
class EnrolmentStats:
    codes_issued: int
    redemptions: int  # rounded down to a multiple of 10; 0 when suppressed
    suppressed: bool  # 1-10 redemptions (or none): the count is not shown


def coarsen(redemptions: int) -> tuple[int, bool]:
    """What an agency may see of a redemption count: no small cells, no single-step changes."""
    if redemptions <= SMALL_COUNT:
        return 0, True
    return redemptions - redemptions % _ROUND_TO, False


async def enrolment_stats(deps: Deps, principal: Principal, agency_id: str) -> EnrolmentStats:
    await caller(deps, principal)
    agency_id = _agency_of_request(principal, agency_id)
    ensure(can_issue_enrolment_codes(principal, agency_id))
    await _agency(deps, agency_id)
    issued, redeemed = await deps.codes.stats(agency_id)
    shown, suppressed = coarsen(redeemed)
    return EnrolmentStats(issued, shown, suppressed)


async def enrolment_codes(deps: Deps, principal: Principal, agency_id: str) -> list[EnrolmentCode]:
    """The agency's codes on record, newest first (plaintexts are never kept)."""
    await caller(deps, principal)
    agency_id = _agency_of_request(principal, agency_id)
    ensure(can_issue_enrolment_codes(principal, agency_id))
    await _agency(deps, agency_id)
    return sorted(await deps.codes.of_agency(agency_id), key=lambda c: c.created_at, reverse=True)


async def revoke_enrolment_code(
    deps: Deps, principal: Principal, agency_id: str, code_id: str
) -> EnrolmentCode:
    """Stop a code at once (a leaked one, say); revoking twice changes nothing."""
    actor = await caller(deps, principal)
    agency_id = _agency_of_request(principal, agency_id)
    ensure(can_issue_enrolment_codes(principal, agency_id))
    await _agency(deps, agency_id)
    code_hash = await deps.codes.hash_of(agency_id, code_id) if code_id else None
    record = await deps.codes.get(code_hash) if code_hash else None
    if record is None or record.agency_id != agency_id:
        raise NotFound("no such enrolment code")
    if record.revoked_at is not None:
        return record
    revoked = revoke(record, deps.now())
    await deps.codes.revoke(
        revoked, AuditEntry("enrolment_code_revoked", actor.id, agency_id, f"code={record.id}")
    )
    return await deps.codes.get(record.code_hash) or revoked  # as stored (a concurrent revoke wins)


async def redeem_enrolment_code(
    deps: Deps, *, code: str, username: str, display_name: str, password: str, jurisdiction: str = ""
) -> AuthOutcome:
    """Anonymous sign-up: an agency code, a pseudonym and a password; signed in at once. Where
    the officer lives (optional) is not kept here: it goes to scheduling with the event."""
    form = Form()
    lives_in = ""
    try:
        lives_in = us_jurisdiction(jurisdiction)
    except ValueError as exc:
        form.add("jurisdiction", str(exc))
    normalised = form.value(lambda: normalise_code(code))
    name = form.value(lambda: str(parse(Username, username, "username")))
    shown_name = form.value(lambda: str(parse(DisplayName, display_name, "display_name")))
    form.value(lambda: ensure_acceptable_password(password, display_name=display_name, username=username))
    form.done()
    assert normalised is not None
    assert name is not None
    assert shown_name is not None

    now = deps.now()
    code_hash = hash_code(normalised, deps.code_pepper)
    record = await deps.codes.get(code_hash)
    reason = refusal(record, now)
    if reason is not None:
        raise code_refused(reason)
    assert record is not None
    if await deps.directory.find_login(name):
        raise AlreadyExists("username is taken")
    user = build(
        User,
        id=new_id("u"),
        username=name,
        display_name=shown_name,
        role=record.role,
        agency_id=record.agency_id,
        created_at=now,
    )
    password_hash = await deps.passwords.hash(password)
    # The audit entry deliberately omits the code: nobody can tell which code an officer used.
    entry = AuditEntry("user_registered", user.id, record.agency_id, "via=enrolment_code")
    refused = await deps.codes.redeem(
        code_hash,
        user=user,
        password_hash=password_hash,
        event=events.user_registered(user, now, jurisdiction=lives_in),
        entry=entry,
        now=now,
    )
    if refused is not None:
        raise code_refused(refused)
    return await start_session(deps, user, "enrolment")
