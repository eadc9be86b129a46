"""Warm handoff: a peer supporter refers an officer they have had sessions with to clinicians
(or the agency's pool); the officer consents or declines, and books from the referral.

A named clinician must be offerable to that officer now (active, serving the agency, giving
individual sessions, licensed in the officer's jurisdiction: ``ineligibility``); the same
rules apply again when the officer books (``Book``). The peer sees the state only, and
"booked" only when the officer allowed it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.checks import licensure_for
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import ineligibility
from tenfour_scheduling.service.ports import Appointments, Facts
from tenfour_scheduling.service.program_ports import ReferralProviders, ReferralRecords
from tenfour_shared import errors
from tenfour_shared.calendar import SessionType
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["AGREED_LASTS", "EXPIRES_AFTER", "ReferralService"]

EXPIRES_AFTER = timedelta(days=14)  # to answer
AGREED_LASTS = timedelta(days=30)  # from agreeing, to book (longer while proposed times are open)
MAX_CLINICIANS = 5
_R = rpb.ReferralState


def _at(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


class ReferralService:
    def __init__(
        self,
        store: ReferralRecords,
        providers: ReferralProviders,
        appointments: Appointments,
        facts: Facts,
        book: Book,
        clock: Clock,
    ) -> None:
        self._store = store
        self._providers = providers
        self._appointments = appointments
        self._facts = facts
        self._book = book
        self._clock = clock

    async def propose(
        self, peer_id: str, agency_id: str, officer_id: str, clinician_ids: list[str]
    ) -> rpb.Referral:
        if officer_id == peer_id:
            raise errors.InvalidInput.single("officer_id", "is you; refer an officer you support")
        if len(clinician_ids) > MAX_CLINICIANS or len(set(clinician_ids)) != len(clinician_ids):
            raise errors.InvalidInput.single("clinician_ids", f"at most {MAX_CLINICIANS}, each once")
        if not await self._supports(peer_id, officer_id):
            raise errors.NotAllowed("you can refer only officers you have had a session with")
        now = self._clock()
        if clinician_ids:
            facts, snapshots = await self._facts.read(
                officer_id, agency_id, Interval(now, now), clinician_ids
            )
            by_id = {s.provider_id: s for s in snapshots}
            for i, clinician in enumerate(clinician_ids):
                snapshot = by_id.get(clinician)
                profile = snapshot.profile if snapshot is not None else None
                if snapshot is None or profile is None or profile.kind != common.PROVIDER_KIND_THERAPIST:
                    raise errors.WrongState(f"clinician_ids[{i}] is not a clinician of your agency")
                why = ineligibility(
                    snapshot,
                    agency_id=agency_id,
                    officer_id=officer_id,
                    session_type=SessionType.INDIVIDUAL,
                    current_provider=clinician,  # a referral is not refused for "not accepting new clients"
                    at=now,
                    jurisdictions=licensure_for(facts),
                )
                if why is not None:
                    raise errors.WrongState(f"clinician_ids[{i}]: {why}")
        referral = rpb.Referral(
            referral_id=f"r{secrets.token_hex(8)}",
            peer_id=peer_id,
            officer_id=officer_id,
            agency_id=agency_id,
            clinician_ids=clinician_ids,
            state=_R.REFERRAL_STATE_PROPOSED,
            created_at=timestamp(now),
            expires_at=timestamp(now + EXPIRES_AFTER),
        )
        told = build(
            ev.ReferralProposed(
                officer_id=officer_id,
                agency_id=agency_id,
                referral_id=referral.referral_id,
                proposed_at=timestamp(now),
            ),
            subject=referral.referral_id,
            when=now,
        )
        if not await self._store.replace(referral, b"", told):
            raise errors.ConcurrentChange("referrals are changing; retry")
        return referral

    async def clinicians_for(self, referral: rpb.Referral) -> list[str]:
        """Whose queue the referral is in: the named clinicians, or for the pool every clinician
        of the agency who could be offered to the officer now (active, serving the agency, giving
        individual sessions, licensed where the officer lives or by a compact)."""
        if referral.clinician_ids:
            return list(referral.clinician_ids)
        return await self.may_serve(referral, await self._providers.agency_provider_ids(referral.agency_id))

    async def may_serve(self, referral: rpb.Referral, candidates: list[str]) -> list[str]:
        """The clinicians among ``candidates`` the referred officer could be offered now."""
        now = self._clock()
        facts, snapshots = await self._facts.read(
            referral.officer_id, referral.agency_id, Interval(now, now), candidates
        )
        where = licensure_for(facts)
        return [
            s.provider_id
            for s in snapshots
            if s.profile is not None
            and s.profile.kind == common.PROVIDER_KIND_THERAPIST
            and ineligibility(
                s,
                agency_id=referral.agency_id,
                officer_id=referral.officer_id,
                session_type=SessionType.INDIVIDUAL,
                current_provider=s.provider_id,
                at=now,
                jurisdictions=where,
            )
            is None
        ]

    async def _supports(self, peer_id: str, officer_id: str) -> bool:
        ids = await self._appointments.provider_index(peer_id, None, None)
        return any(officer_id in s.appointment.officer_ids for s in await self._appointments.get_many(ids))

    def shown(self, referral: rpb.Referral) -> rpb.Referral:
        """The referral as it stands now: one not answered, or agreed to and not booked, past its
        expiry (and past any times proposed on it) is EXPIRED."""
        now = self._clock()
        open_times = referral.HasField("proposed") and _at(referral.proposed.expires_at) > now
        if (
            referral.state in (_R.REFERRAL_STATE_PROPOSED, _R.REFERRAL_STATE_CONSENTED)
            and _at(referral.expires_at) <= now
            and not open_times
        ):
            shown = rpb.Referral()
            shown.CopyFrom(referral)
            shown.state = _R.REFERRAL_STATE_EXPIRED
            return shown
        return referral

    async def listed(self, user_id: str, role: str, agency_ids: list[str]) -> list[rpb.Referral]:
        """An officer's referrals, a peer's (redacted), or a therapist's queue."""
        found: list[rpb.Referral] = []
        if role == "therapist":
            for agency in agency_ids:
                for r in map(self.shown, await self._store.agency_referrals(agency)):
                    if r.state not in (_R.REFERRAL_STATE_CONSENTED, _R.REFERRAL_STATE_BOOKED):
                        continue
                    named = user_id in r.clinician_ids or (
                        not r.clinician_ids and await self.may_serve(r, [user_id]) == [user_id]
                    )
                    if named:
                        queue = rpb.Referral()
                        queue.CopyFrom(r)
                        queue.peer_id = ""  # who referred stays between the peer and the officer
                        if r.appointment_id:
                            stored = await self._appointments.get(r.appointment_id)
                            if stored is None or stored.appointment.provider_id != user_id:
                                queue.appointment_id = ""
                        found.append(queue)
        else:
            for agency, referral_id in await self._store.of_person(user_id):
                got = await self._store.get(agency, referral_id)
                if got is None:
                    continue
                r = self.shown(got[0])
                if r.peer_id == user_id and r.officer_id != user_id:
                    r = self._for_peer(r)
                found.append(r)
        return sorted(found, key=lambda r: (-int(_at(r.created_at).timestamp()), r.referral_id))

    @staticmethod
    def _for_peer(r: rpb.Referral) -> rpb.Referral:
        shown = rpb.Referral()
        shown.CopyFrom(r)
        shown.appointment_id = ""
        shown.clinician_ids[:] = r.clinician_ids
        for private in ("times_requested_at", "times_note", "proposed", "answered_at"):
            shown.ClearField(private)  # between the officer and the clinicians
        if r.state == _R.REFERRAL_STATE_BOOKED and not r.share_booked_with_peer:
            shown.state = _R.REFERRAL_STATE_CONSENTED
        return shown

    async def officers(self, officer_id: str, agency_id: str, referral_id: str) -> tuple[rpb.Referral, bytes]:
        got = await self._store.get(agency_id, referral_id)
        if got is None:
            raise errors.NotFound("no such referral")
        if got[0].officer_id != officer_id:
            raise errors.NotAllowed("only the officer referred can answer or book this referral")
        return got

    async def answer(
        self, officer_id: str, agency_id: str, referral_id: str, *, consent: bool, share: bool
    ) -> rpb.Referral:
        referral, raw = await self.officers(officer_id, agency_id, referral_id)
        if self.shown(referral).state != _R.REFERRAL_STATE_PROPOSED:
            raise errors.WrongState("this referral was already answered, or it expired")
        new = rpb.Referral()
        new.CopyFrom(referral)
        new.state = _R.REFERRAL_STATE_CONSENTED if consent else _R.REFERRAL_STATE_DECLINED
        new.share_booked_with_peer = consent and share
        new.answered_at.CopyFrom(timestamp(self._clock()))
        if consent:
            new.expires_at.CopyFrom(timestamp(self._clock() + AGREED_LASTS))
        answered = ev.ReferralAnswered(
            officer_id=officer_id,
            agency_id=agency_id,
            referral_id=referral_id,
            consented=consent,
            answered_at=timestamp(self._clock()),
        )
        events = [build(answered, subject=referral_id, when=self._clock())]
        if consent:  # now in the clinicians' queue: they are told (the pool as it stands now)
            queued = ev.ReferralQueued(
                agency_id=agency_id, referral_id=referral_id, clinician_ids=await self.clinicians_for(new)
            )
            events.append(build(queued, subject=referral_id, when=self._clock()))
        if not await self._store.replace(new, raw, *events):
            raise errors.ConcurrentChange("this referral is changing; look at it again")
        return new

    async def book(
        self, officer_id: str, agency_id: str, referral_id: str, provider_id: str, start: datetime, key: str
    ) -> tuple[rpb.Referral, Appointment]:
        referral, raw = await self.officers(officer_id, agency_id, referral_id)
        if self.shown(referral).state != _R.REFERRAL_STATE_CONSENTED:
            raise errors.WrongState(
                "book from a referral once you have agreed to it, only once, and before it expires"
            )
        if referral.clinician_ids and provider_id not in referral.clinician_ids:
            raise errors.WrongState("this referral is for other clinicians")
        profile = await self._providers.profile(provider_id)
        if profile is None or profile.kind != common.PROVIDER_KIND_THERAPIST:
            raise errors.WrongState("a referral is booked with a clinician")
        appointment = await self._book.book(
            officer_id=officer_id,
            agency_id=agency_id,
            provider_id=provider_id,
            session_type=SessionType.INDIVIDUAL,
            start=start,
            idempotency_key=key or f"referral-{referral_id}",
            from_referral=True,
        )
        new = rpb.Referral()
        new.CopyFrom(referral)
        new.state = _R.REFERRAL_STATE_BOOKED
        new.appointment_id = appointment.appointment_id
        new.times_note = ""  # the officer's note on preferred times is not kept once booked
        if not await self._store.replace(new, raw):
            raise errors.ConcurrentChange("this referral is changing; look at it again")
        return new, appointment
