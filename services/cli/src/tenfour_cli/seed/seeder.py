"""The demo seed's plan: check, resume or start, then each step in order."""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.passwords import new_password
from tenfour_cli.seed.calendar_steps import CalendarSteps
from tenfour_cli.seed.cast import (
    COORDINATOR,
    JURISDICTION,
    OFFICERS,
    PEER,
    STATE_VERSION,
    THERAPISTS,
    TOTAL_STEPS,
    ZONE,
    Account,
    SeedResult,
    load_accounts,
)
from tenfour_cli.seed.identity_steps import IdentitySteps
from tenfour_cli.seed.notification_steps import NotificationSteps


class DemoSeeder(IdentitySteps, CalendarSteps, NotificationSteps):
    # -- the plan ----------------------------------------------------------------------------

    def run(self) -> SeedResult:
        self._step("checking for demo data")
        previous = load_accounts(self.path)
        existing = previous
        if existing is not None and existing.get("complete"):
            if self._still_there(existing):
                return SeedResult("exists", self.path, existing, "demo data exists: nothing to do")
            existing = None  # the file outlived the data it describes (a wiped Redis): seed again
        fresh = existing is None
        self.state = existing or self._new_state(previous)
        self.state["web_url"] = self.web_url
        self._save()

        self._step("signing in as the system admin")
        admin_token = self.token("admin")

        self._step("onboarding therapists")
        for index, therapist in enumerate(THERAPISTS):
            taken = self._onboard(therapist, admin_token, serve=bool(self.state["agency"]["agency_id"]))
            if taken and fresh and index == 0:
                return self._foreign_demo()

        self._step("creating the demo agency and its coordinator")
        agency_id = self._agency(admin_token)
        for therapist in THERAPISTS:
            self._serve(therapist, agency_id, admin_token)
        self._coordinator(agency_id, admin_token)

        self._step("issuing enrolment codes")
        self._codes(agency_id)

        self._step("enrolling officers")
        for officer in (*OFFICERS, PEER):
            self._enrol(officer, agency_id, resumed=not fresh)

        self._step("setting rosters (Pitman, DuPont, 4-on-4-off)")
        for officer in (*OFFICERS, PEER):
            self._roster(officer)

        self._step("nominating the peer supporter")
        self._nominate()

        self._step("setting availability")
        self._availability()

        self._step("confirming the demo officer's email (reminders reach the developer mailbox)")
        self._officer_email()

        self._step("booking sessions")
        self._book_all()

        self.state["complete"] = True
        self.state["completed_at"] = datetime.now(UTC).isoformat()
        self._save()
        self.on_step("done", TOTAL_STEPS, TOTAL_STEPS)
        status = "created" if fresh else "resumed"
        return SeedResult(status, self.path, self.state, f"demo data {status}", sorted(set(self.skipped)))

    def _foreign_demo(self) -> SeedResult:
        """Demo usernames are taken but not by us: keep only what we know (the admin) and stop."""
        message = (
            f"demo accounts exist on this system already, but their sign-ins are not in {self.path}: "
            "nothing done (remove the data folder for a fresh demo)"
        )
        admin = self.state["accounts"].get("admin")
        self.state.update(
            complete=True, foreign=True, accounts={"admin": admin} if admin else {}, notes=[message]
        )
        self._save()
        return SeedResult("exists_without_file", self.path, self.state, message)

    def _new_state(self, previous: dict[str, Any] | None) -> dict[str, Any]:
        accounts: dict[str, Any] = {}

        def add(account: Account) -> None:
            accounts[account.key] = asdict(account)

        if self.admin.username:
            admin = Account("admin", "system_admin", self.admin.username, "System admin", self.admin.password)
            admin.totp_secret = self.admin.totp_secret or self._known_admin_secret(previous)
            admin.note = "operator: creates agencies, onboards therapists"
            add(admin)
        key, username, name, mailbox = COORDINATOR
        email = self._email(mailbox)
        add(
            Account(
                key,
                "agency_admin",
                self._name(username),
                name,
                new_password(),
                email,
                note="wellness coordinator",
            )
        )
        for t in THERAPISTS:
            name, email = self._name(t.username), self._email(t.mailbox)
            add(Account(t.key, "therapist", name, t.display_name, new_password(), email, note=t.note))
        for o in OFFICERS:
            add(
                Account(o.key, "officer", self._name(o.username), o.display_name, new_password(), note=o.note)
            )
        add(
            Account(
                PEER.key,
                "peer_supporter",
                self._name(PEER.username),
                PEER.display_name,
                new_password(),
                note=PEER.note,
            )
        )
        return {
            "version": STATE_VERSION,
            "complete": False,
            "started_at": datetime.now(UTC).isoformat(),
            "web_url": self.web_url,
            "agency": {
                "agency_id": "",
                "name": self.agency_name,
                "timezone": ZONE,
                "jurisdiction": JURISDICTION,
            },
            "accounts": accounts,
            "enrolment_code": {},
            "signup_code": {},
            "bookings": [],
            "skipped": [],
            "notes": [],
        }

    def _known_admin_secret(self, previous: dict[str, Any] | None) -> str:
        """The admin's TOTP secret from an earlier file (the seed may have enrolled it)."""
        admin = (previous or {}).get("accounts", {}).get("admin") or {}
        return str(admin.get("totp_secret") or "") if admin.get("username") == self.admin.username else ""

    def _still_there(self, state: dict[str, Any]) -> bool:
        """The demo exists if its first officer can still sign in (no MFA, nothing consumed)."""
        officer = state.get("accounts", {}).get(OFFICERS[0].key)
        if not isinstance(officer, dict):
            return False
        request = idp.LoginRequest(username=officer["username"], password=officer["password"])
        try:
            result = self._call(self.clients.identity.Login, request, what="login")
        except CliError as exc:
            if exc.exit is Exit.AUTH:
                return False
            raise
        if result.refresh_token:  # a failed logout is harmless: the session ends after an hour idle
            with contextlib.suppress(CliError):
                self._call(
                    self.clients.identity.Logout, idp.LogoutRequest(refresh_token=result.refresh_token)
                )
        return True
