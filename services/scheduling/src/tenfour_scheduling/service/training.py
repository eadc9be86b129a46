"""Peer-supporter readiness: the agency's training policy, each peer's records, and what
follows from them.

After every change of a peer's records or of their agency's policy, the peer's
``ready_until`` is stored (read by the slot search, booking and urgent routing through the
provider snapshot) with a ``peer_readiness_changed`` event (the peer's future sessions are
re-checked), and two due items are queued: a warning 30 days before the lapse and the lapse
itself. ``drive`` (the worker) turns due items into ``peer_training_lapsing`` and
``peer_training_lapsed`` events: notifications tells the peer and the agency's coordinators,
and scheduling's own consumer re-checks the peer's future sessions, which are then conflicts.

Coordinators are the agency's admins: they act on peers of their own agency only.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile as ProfileMessage
from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.domain.errors import FieldViolation
from tenfour_scheduling.domain.readiness import (
    NEVER_READY,
    WARN_AHEAD,
    Course,
    Readiness,
    Record,
    State,
    policy_problems,
    readiness,
    ready_at,
    record_problems,
)
from tenfour_scheduling.domain.records import from_ms, to_ms
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.due import send_due
from tenfour_scheduling.service.ports import ProviderProfiles
from tenfour_scheduling.service.program_ports import TrainingRecords
from tenfour_shared import errors
from tenfour_shared.events.envelope import build

__all__ = ["TrainingService"]

_STATES = {
    State.CURRENT: tpb.READINESS_STATE_CURRENT,
    State.LAPSING: tpb.READINESS_STATE_LAPSING,
    State.LAPSED: tpb.READINESS_STATE_LAPSED,
    State.NOT_REQUIRED: tpb.READINESS_STATE_NOT_REQUIRED,
}


def _at(ts: Timestamp, present: bool) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if present else None


def _record(r: tpb.TrainingRecord) -> Record:
    completed = _at(r.completed_at, r.HasField("completed_at"))
    assert completed is not None  # validated when recorded
    return Record(r.record_id, r.course, r.provider, completed, _at(r.expires_at, r.HasField("expires_at")))


def _invalid(violations: list[FieldViolation], prefix: str) -> errors.InvalidInput:
    return errors.InvalidInput(
        [errors.FieldViolation(f"{prefix}.{v.field}", v.description) for v in violations]
    )


class TrainingService:
    def __init__(self, store: TrainingRecords, providers: ProviderProfiles, clock: Clock) -> None:
        self._store = store
        self._providers = providers
        self._clock = clock

    # -- policy -------------------------------------------------------------------------------

    async def policy(self, agency_id: str) -> tpb.TrainingPolicy:
        return await self._store.policy(agency_id) or tpb.TrainingPolicy(agency_id=agency_id)

    async def set_policy(self, agency_id: str, required: list[tpb.RequiredCourse]) -> tpb.TrainingPolicy:
        courses = [Course(c.course, c.title.strip() or c.course) for c in required]
        problems = policy_problems(courses)
        if problems:
            raise _invalid(problems, "policy")
        current = await self.policy(agency_id)
        new = tpb.TrainingPolicy(
            agency_id=agency_id,
            required=[tpb.RequiredCourse(course=c.course, title=c.title) for c in courses],
            version=current.version + 1,
            updated_at=timestamp(self._clock()),
        )
        await self._store.put_policy(new)
        for peer_id in await self._peers(agency_id):
            await self.refresh(peer_id, agency_id, new)
        return new

    # -- records ------------------------------------------------------------------------------

    async def record(self, agency_id: str, r: tpb.TrainingRecord) -> tpb.TrainingRecord:
        now = self._clock()
        completed = _at(r.completed_at, r.HasField("completed_at"))
        expires = _at(r.expires_at, r.HasField("expires_at"))
        problems = record_problems(r.course, r.provider, completed, expires, now)
        if not r.peer_id:
            problems.insert(0, FieldViolation("peer_id", "is required"))
        if problems:
            raise _invalid(problems, "record")
        await self._peer(agency_id, r.peer_id)
        stored = tpb.TrainingRecord()
        stored.CopyFrom(r)
        stored.provider = r.provider.strip()
        stored.record_id = f"tr-{secrets.token_hex(8)}"
        stored.recorded_at.CopyFrom(timestamp(now))
        stored.source = stored.source or "coordinator"
        await self._store.put_record(stored)
        await self.refresh(r.peer_id, agency_id)
        return stored

    async def remove(self, agency_id: str, peer_id: str, record_id: str) -> None:
        if not peer_id or not record_id:
            missing = [f for f, v in (("peer_id", peer_id), ("record_id", record_id)) if not v]
            raise errors.InvalidInput([errors.FieldViolation(f, "is required") for f in missing])
        await self._peer(agency_id, peer_id)
        if not await self._store.remove_record(peer_id, record_id):
            raise errors.NotFound("no such training record")
        await self.refresh(peer_id, agency_id)

    # -- status -------------------------------------------------------------------------------

    async def status(self, agency_id: str, peer_id: str) -> tpb.PeerReadiness:
        profile = await self._peer(agency_id, peer_id)
        return await self._status(profile, await self.policy(agency_id))

    async def peers(self, agency_id: str) -> list[tpb.PeerReadiness]:
        policy = await self.policy(agency_id)
        out = []
        for peer_id in await self._peers(agency_id):
            profile = await self._providers.profile(peer_id)
            if profile is not None:
                out.append(await self._status(profile, policy))
        return sorted(out, key=lambda p: (p.display_name.casefold(), p.peer_id))

    async def _status(self, profile: ProfileMessage, policy: tpb.TrainingPolicy) -> tpb.PeerReadiness:
        now = self._clock()
        records = await self._store.records(profile.provider_id)
        found = readiness(_courses(policy), [_record(r) for r in records], now)
        by_id = {r.record_id: r for r in records}
        out = tpb.PeerReadiness(
            peer_id=profile.provider_id,
            display_name=profile.display_name,
            state=_STATES[found.state],
            offered=profile.active and ready_at(found.ready_until, now),
            records=sorted(records, key=lambda r: r.completed_at.ToDatetime(), reverse=True),
        )
        if found.ready_until is not None and found.ready_until > NEVER_READY:
            out.ready_until.CopyFrom(timestamp(found.ready_until))
        for c in found.courses:
            status = tpb.CourseStatus(course=c.course.course, title=c.course.title, state=_STATES[c.state])
            if c.latest is not None:
                status.latest.CopyFrom(by_id[c.latest.record_id])
            out.courses.append(status)
        return out

    # -- readiness ----------------------------------------------------------------------------

    async def refresh(
        self, peer_id: str, agency_id: str, policy: tpb.TrainingPolicy | None = None
    ) -> Readiness:
        """Store the peer's readiness (with its event when it changed) and queue its warning
        and lapse."""
        now = self._clock()
        policy = policy or await self.policy(agency_id)
        records = [_record(r) for r in await self._store.records(peer_id)]
        found = readiness(_courses(policy), records, now)
        until = found.ready_until
        event = ev.PeerReadinessChanged(peer_id=peer_id, agency_id=agency_id, ready=ready_at(until, now))
        if until is not None and until > NEVER_READY:
            event.ready_until.CopyFrom(timestamp(until))
        envelope = build(event, subject=peer_id, when=now)
        until_ms = None if until is None else to_ms(until)
        if await self._store.set_readiness(peer_id, until_ms, envelope) and until is not None:
            assert until_ms is not None
            due = {f"lapse|{peer_id}|{until_ms}": max(until_ms, to_ms(now))}
            if until > now:
                due[f"warn|{peer_id}|{until_ms}"] = max(to_ms(until - WARN_AHEAD), to_ms(now))
            await self._store.schedule(due)
        return found

    async def drive(self) -> int:
        """Send every due warning and lapse whose expiry still holds; how many were sent."""
        return await send_due(self._store, self._clock(), self._lapse)

    async def _lapse(self, member: str, now: datetime) -> Envelope | None:
        kind, peer_id, ms = member.split("|")
        profile = await self._providers.profile(peer_id)
        if (
            await self._store.readiness(peer_id) != int(ms)
            or profile is None
            or profile.kind != common.PROVIDER_KIND_PEER
            or not profile.agency_ids
        ):
            return None  # renewed, policy changed or no longer a peer
        agency_id = profile.agency_ids[0]
        found = readiness(
            _courses(await self.policy(agency_id)),
            [_record(r) for r in await self._store.records(peer_id)],
            now,
        )
        at = timestamp(max(from_ms(int(ms)), NEVER_READY))
        courses = list(found.lapsing_courses)
        payload: ev.PeerTrainingLapsing | ev.PeerTrainingLapsed
        if kind == "warn":
            payload = ev.PeerTrainingLapsing(
                peer_id=peer_id, agency_id=agency_id, expires_at=at, courses=courses
            )
        else:
            payload = ev.PeerTrainingLapsed(
                peer_id=peer_id, agency_id=agency_id, expired_at=at, courses=courses
            )
        return build(payload, subject=peer_id, when=now)

    # -- scope --------------------------------------------------------------------------------

    async def _peers(self, agency_id: str) -> list[str]:
        out = []
        for pid in await self._providers.agency_provider_ids(agency_id):
            profile = await self._providers.profile(pid)
            if (
                profile is not None
                and profile.kind == common.PROVIDER_KIND_PEER
                and agency_id in profile.agency_ids
            ):
                out.append(pid)
        return out

    async def _peer(self, agency_id: str, peer_id: str) -> ProfileMessage:
        """The peer's profile, if they are a peer supporter of ``agency_id``."""
        profile = await self._providers.profile(peer_id)
        if profile is None:
            raise errors.NotFound("no peer supporter with this id")
        if agency_id not in profile.agency_ids:
            raise errors.NotAllowed("this person is not in your agency")
        if profile.kind != common.PROVIDER_KIND_PEER:
            raise errors.WrongState("training requirements apply to peer supporters only")
        return profile


def _courses(policy: tpb.TrainingPolicy) -> list[Course]:
    return [Course(c.course, c.title or c.course) for c in policy.required]
