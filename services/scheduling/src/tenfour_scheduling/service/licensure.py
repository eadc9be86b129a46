"""Clinicians' licences: recorded and removed by admins, read by the slot search, booking,
series, urgent routing and conflict checks through the provider snapshot.

Every change is stored with a ``clinician_licensure_changed`` event: scheduling's own consumer
re-checks the clinician's future sessions (a session after the end of every matching licence
becomes a conflict with alternatives). A warning 30 days before each licence expires is queued
and sent once by ``drive`` (the worker) as ``licence_expiring``: notifications tells the
clinician and the agency's admins.

Agency admins act on clinicians of their own agency; system admins on any clinician.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile as ProfileMessage
from tenfour.scheduling.v1 import licensure_pb2 as lpb
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.domain.licensure import WARN_AHEAD, licence_problems
from tenfour_scheduling.domain.records import to_ms
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.due import send_due
from tenfour_scheduling.service.ports import ProviderProfiles
from tenfour_scheduling.service.program_ports import LicenceRecords
from tenfour_shared import errors
from tenfour_shared.events.envelope import build

__all__ = ["LicensureService"]


def _at(ts: Timestamp, present: bool) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if present else None


def _state(lic: lpb.Licence, now: datetime) -> int:
    issued, expires = lic.issued_at.ToDatetime(tzinfo=UTC), lic.expires_at.ToDatetime(tzinfo=UTC)
    if now < issued:
        return lpb.LICENCE_STATE_NOT_YET
    if now >= expires:
        return lpb.LICENCE_STATE_EXPIRED
    return lpb.LICENCE_STATE_EXPIRING if expires - now <= WARN_AHEAD else lpb.LICENCE_STATE_VALID


def _renews(other: lpb.Licence, lic: lpb.Licence) -> bool:
    """``other`` continues ``lic``: the same jurisdiction, valid from before ``lic`` ends to after."""
    return (
        other.licence_id != lic.licence_id
        and other.jurisdiction == lic.jurisdiction
        and other.issued_at.ToDatetime() <= lic.expires_at.ToDatetime() < other.expires_at.ToDatetime()
    )


class LicensureService:
    def __init__(self, store: LicenceRecords, providers: ProviderProfiles, clock: Clock) -> None:
        self._store = store
        self._providers = providers
        self._clock = clock

    async def record(self, agency_id: str | None, lic: lpb.Licence) -> lpb.Licence:
        """``agency_id``: the admin's agency (None: a system admin)."""
        issued = _at(lic.issued_at, lic.HasField("issued_at"))
        expires = _at(lic.expires_at, lic.HasField("expires_at"))
        problems = licence_problems(lic.jurisdiction, lic.number, issued, expires)
        violations = [errors.FieldViolation(f"licence.{p.field}", p.description) for p in problems]
        if not lic.clinician_id:
            violations.insert(0, errors.FieldViolation("licence.clinician_id", "is required"))
        if violations:
            raise errors.InvalidInput(violations)
        profile = await self._clinician(agency_id, lic.clinician_id)
        now = self._clock()
        stored = lpb.Licence(
            licence_id=f"lic-{secrets.token_hex(8)}",
            clinician_id=lic.clinician_id,
            jurisdiction=lic.jurisdiction.upper(),
            number=lic.number.strip(),
            issued_at=lic.issued_at,
            expires_at=lic.expires_at,
            recorded_at=timestamp(now),
        )
        await self._store.put(stored, self._changed(profile, now))
        assert expires is not None
        if expires > now:
            member = f"warn|{lic.clinician_id}|{stored.licence_id}|{to_ms(expires)}"
            await self._store.schedule({member: max(to_ms(expires - WARN_AHEAD), to_ms(now))})
        return stored

    async def remove(self, agency_id: str | None, clinician_id: str, licence_id: str) -> None:
        if not clinician_id or not licence_id:
            missing = [f for f, v in (("clinician_id", clinician_id), ("licence_id", licence_id)) if not v]
            raise errors.InvalidInput([errors.FieldViolation(f, "is required") for f in missing])
        profile = await self._clinician(agency_id, clinician_id)
        if not await self._store.remove(clinician_id, licence_id, self._changed(profile, self._clock())):
            raise errors.NotFound("no such licence")

    async def list(self, agency_id: str, clinician_id: str = "") -> list[lpb.ClinicianLicences]:
        now = self._clock()
        ids = [clinician_id] if clinician_id else await self._providers.agency_provider_ids(agency_id)
        out = []
        for pid in ids:
            profile = await self._providers.profile(pid)
            if profile is None or profile.kind == common.PROVIDER_KIND_PEER:
                continue
            if clinician_id and agency_id and agency_id not in profile.agency_ids:
                raise errors.NotAllowed("this clinician does not serve your agency")
            held = sorted(
                await self._store.licences(pid), key=lambda x: (x.expires_at.ToDatetime(), x.licence_id)
            )
            out.append(
                lpb.ClinicianLicences(
                    clinician_id=pid,
                    display_name=profile.display_name,
                    licences=[lpb.LicenceStatus(licence=x, state=_state(x, now)) for x in held],  # type: ignore[arg-type]
                )
            )
        return sorted(out, key=lambda c: (c.display_name.casefold(), c.clinician_id))

    async def drive(self) -> int:
        """Send every due expiry warning whose licence is still on record; how many were sent."""
        return await send_due(self._store, self._clock(), self._warning)

    async def _warning(self, member: str, now: datetime) -> Envelope | None:
        _, clinician_id, licence_id, _ms = member.split("|")
        held = {x.licence_id: x for x in await self._store.licences(clinician_id)}
        profile = await self._providers.profile(clinician_id)
        lic = held.get(licence_id)
        if lic is None or profile is None or not profile.agency_ids:
            return None  # removed, or no longer a clinician here
        if any(_renews(other, lic) for other in held.values()):
            return None  # the renewal is already on record: nothing to do
        event = ev.LicenceExpiring(
            clinician_id=clinician_id,
            agency_id=profile.agency_ids[0],
            other_agency_ids=profile.agency_ids[1:],  # every agency's admins are told
            jurisdiction=lic.jurisdiction,
            expires_at=lic.expires_at,
        )
        return build(event, subject=clinician_id, when=now)

    def _changed(self, profile: ProfileMessage, now: datetime) -> Envelope:
        event = ev.ClinicianLicensureChanged(
            clinician_id=profile.provider_id, agency_id=profile.agency_ids[0] if profile.agency_ids else ""
        )
        return build(event, subject=profile.provider_id, when=now)

    async def _clinician(self, agency_id: str | None, clinician_id: str) -> ProfileMessage:
        profile = await self._providers.profile(clinician_id)
        if profile is None:
            raise errors.NotFound("no clinician with this id")
        if agency_id is not None and agency_id not in profile.agency_ids:
            raise errors.NotAllowed("this clinician does not serve your agency")
        if profile.kind == common.PROVIDER_KIND_PEER:
            raise errors.WrongState("peer supporters are not licensed clinicians")
        return profile
