"""Seeding through identity: the agency, therapists, the coordinator, enrolment codes, officers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tenfour.events.v1 import identity_events_pb2 as evp
from tenfour.identity.v1 import identity_pb2 as idp
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.seed.cast import (
    CRISIS_LINE,
    JURISDICTION,
    OFFICERS,
    PEER,
    ZONE,
    DemoOfficer,
    DemoTherapist,
)
from tenfour_cli.seed.plumbing import SeederBase
from tenfour_cli.timeutil import local_date_pb


class IdentitySteps(SeederBase):
    # -- identity ----------------------------------------------------------------------------

    def _profile(self, therapist: DemoTherapist, agencies: list[str]) -> evp.ProviderProfile:
        return evp.ProviderProfile(
            agency_ids=agencies,
            jurisdictions=[JURISDICTION],
            specialties=therapist.specialties,
            modalities=therapist.modalities,
            languages=therapist.languages,
            gender=therapist.gender,
            first_responder_competency=therapist.competency,
            timezone=ZONE,
            display_name=therapist.display_name,
            bio=therapist.bio,
        )

    def _onboard(self, therapist: DemoTherapist, admin_token: str, *, serve: bool) -> bool:
        """Onboard (serving the agency if it exists); True if the username was taken already."""
        account = self._account(therapist.key)
        if account.user_id:
            return False
        agencies = [self.state["agency"]["agency_id"]] if serve else []
        request = idp.OnboardTherapistRequest(
            email=account.email,
            display_name=therapist.display_name,
            password=account.password,
            profile=self._profile(therapist, agencies),
            username=account.username,
        )
        try:
            user = self._call(
                self.clients.identity.OnboardTherapist, request, admin_token, "onboard therapist"
            )
        except CliError as exc:
            if exc.status != "ALREADY_EXISTS":
                raise
            return True
        account.user_id = user.user_id
        self._put(account)
        return False

    def _agency(self, admin_token: str) -> str:
        agency = self.state["agency"]
        if not agency["agency_id"]:
            request = idp.CreateAgencyRequest(
                name=self.agency_name, timezone=ZONE, jurisdiction=JURISDICTION, crisis_line_text=CRISIS_LINE
            )
            created = self._call(self.clients.identity.CreateAgency, request, admin_token, "create agency")
            agency["agency_id"] = created.agency_id
            self._save()
        return str(agency["agency_id"])

    def _serve(self, therapist: DemoTherapist, agency_id: str, admin_token: str) -> None:
        """Therapists onboarded before the agency existed are assigned to it (the system admin's call)."""
        account = self._account(therapist.key)
        if not account.user_id:  # taken username on a resumed run: learn the id by signing in
            self.token(therapist.key)
            account = self._account(therapist.key)
        profile = self._profile(therapist, [agency_id])
        profile.provider_id = account.user_id
        self._call(
            self.clients.identity.UpdateProviderProfile,
            idp.UpdateProviderProfileRequest(profile=profile),
            admin_token,
            "assign therapist",
        )

    def _coordinator(self, agency_id: str, admin_token: str) -> None:
        account = self._account("coordinator")
        if not account.user_id:
            request = idp.CreateAgencyAdminRequest(
                agency_id=agency_id,
                email=account.email,
                display_name=account.display_name,
                password=account.password,
                username=account.username,
            )
            try:
                user = self._call(
                    self.clients.identity.CreateAgencyAdmin, request, admin_token, "coordinator"
                )
                account.user_id = user.user_id
                self._put(account)
            except CliError as exc:
                if exc.status != "ALREADY_EXISTS":
                    raise
        self.token("coordinator")  # sets up MFA now, so the printed TOTP secret is the real one

    def _codes(self, agency_id: str) -> None:
        coordinator = self.token("coordinator")
        wanted = {
            "enrolment_code": (len(OFFICERS) + 1, "Demo squads (used by the seed)"),
            "signup_code": (20, "Try it: sign up as a new officer"),
        }
        for name, (uses, label) in wanted.items():
            if self.state[name].get("code"):
                continue
            request = idp.CreateEnrolmentCodeRequest(agency_id=agency_id, max_redemptions=uses, label=label)
            code = self._call(
                self.clients.identity.CreateEnrolmentCode, request, coordinator, "enrolment code"
            )
            self.state[name] = {"code": code.code, "max_redemptions": uses, "label": label}
            self._save()

    def _enrol(self, officer: DemoOfficer, agency_id: str, *, resumed: bool) -> None:
        account = self._account(officer.key)
        if account.user_id:
            return
        if resumed:  # an interrupted run may have enrolled them before it could note it
            try:
                self.token(officer.key)
                return
            except CliError as exc:
                if exc.exit is not Exit.AUTH:
                    raise
        for attempt in range(2):
            request = idp.RedeemEnrolmentCodeRequest(
                code=self.state["enrolment_code"]["code"],
                username=account.username,
                display_name=account.display_name,
                password=account.password,
            )
            try:
                result = self._call(self.clients.identity.RedeemEnrolmentCode, request, what="enrol officer")
                break
            except CliError as exc:
                if exc.exit is not Exit.PRECONDITION or exc.status == "ALREADY_EXISTS" or attempt:
                    raise
                self.state["enrolment_code"] = {}  # used up or expired: issue another one
                self._codes(agency_id)
        account.user_id = result.user.user_id
        self._put(account)
        self.tokens[officer.key] = result.access_token

    def _roster(self, officer: DemoOfficer) -> None:
        anchor = datetime.now(ZoneInfo(ZONE)).date()
        roster = scp.Roster(
            template=officer.template, anchor=local_date_pb(anchor), offset_days=officer.offset, timezone=ZONE
        )
        token = self.token(officer.key)
        self._optional(
            "SchedulingService/SetRoster",
            lambda: self._call(
                self.clients.scheduling.SetRoster, scp.SetRosterRequest(roster=roster), token, "roster"
            ),
        )

    def _nominate(self) -> None:
        account = self._account(PEER.key)
        profile = evp.ProviderProfile(
            specialties=["critical_incident", "stress_burnout"],
            modalities=["individual"],
            languages=["en"],
            first_responder_competency="lived_experience",
            timezone=ZONE,
            display_name=PEER.display_name,
            bio="Patrol officer for 12 years, trained peer supporter. Off-duty days only.",
        )
        request = idp.NominatePeerSupporterRequest(officer_user_id=account.user_id, profile=profile)
        try:
            self._call(
                self.clients.identity.NominatePeerSupporter,
                request,
                self.token("coordinator"),
                "nominate peer",
            )
        except CliError as exc:
            if exc.exit is not Exit.PRECONDITION:  # already a peer supporter (a resumed run)
                raise
        self.tokens.pop(PEER.key, None)  # the role changed: the next token must say peer_supporter
