"""Demo data through public RPCs only: an agency, its coordinator, two therapists, a peer supporter,
officers on Pitman, DuPont and 4-on-4-off rotations, availability, and a few bookings.

Idempotent. The sign-ins live in a state file (0600, `.data/demo-accounts.json` under `make run`)
written before each step that creates something, so:

* a complete file whose officer can still sign in means the demo exists: nothing is done;
* an incomplete file (an interrupted run) is resumed: accounts that exist are signed in to
  with the passwords already chosen, missing ones are created;
* without a file, demo usernames that are taken mean someone seeded this system without
  keeping the file: nothing is done either (the first call creates nothing else).

A step whose RPC a service does not offer yet (UNIMPLEMENTED) is reported as
"skipped: <Service>/<RPC> not available yet" and the seed goes on without it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pyotp

from tenfour.availability.v1 import availability_pb2 as avp
from tenfour.availability.v1 import rules_pb2
from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2 as evp
from tenfour.identity.v1 import identity_pb2 as idp
from tenfour.scheduling.v1 import appointments_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.auth import sign_in
from tenfour_cli.config import write_private
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.passwords import new_password
from tenfour_cli.rpc import Clients, bearer, call
from tenfour_cli.timeutil import local_date_pb

__all__ = [
    "WEB_URL",
    "AdminCredentials",
    "DemoSeeder",
    "SeedResult",
    "load_accounts",
    "sign_in_rows",
]

T = TypeVar("T")

WEB_URL = "http://127.0.0.1:8080"
AGENCY_NAME = "Tenfour Demo Police Department"
ZONE = "America/Chicago"
JURISDICTION = "US-TX"
CRISIS_LINE = "In crisis right now? Call or text 988 (Suicide & Crisis Lifeline), 24/7."
STATE_VERSION = 1
DEFAULT_PREFIX = "demo"
PREFIX = re.compile(r"[a-z][a-z0-9]{0,11}")  # usernames stay within identity's 32 characters
SLOT_WAIT_SECONDS = 30.0
PREFERRED_WAIT = 10.0  # seconds more for the preferred kind of provider
TOTAL_STEPS = 10
CRISIS_ON_CALL = "therapist_okafor"  # on call around the clock for urgent sessions
OVERNIGHT_DAYS = (
    common.WEEKDAY_MONDAY,
    common.WEEKDAY_TUESDAY,
    common.WEEKDAY_WEDNESDAY,
    common.WEEKDAY_THURSDAY,
)

Step = Callable[[str, int, int], None]  # (what, steps done, steps in all)


@dataclass
class Account:
    key: str
    role: str  # system_admin | agency_admin | therapist | peer_supporter | officer
    username: str
    display_name: str
    password: str
    email: str = ""
    totp_secret: str = ""
    user_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class AdminCredentials:
    """How the seed signs in as a system admin: a token, or a username and password (+ TOTP)."""

    username: str = ""
    password: str = ""
    totp_secret: str = ""
    totp_code: str = ""
    token: str = ""


@dataclass
class SeedResult:
    status: str  # created | resumed | exists | exists_without_file
    path: Path
    state: dict[str, Any]
    message: str = ""
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Officer:
    key: str
    username: str
    display_name: str
    template: str
    offset: int
    note: str


@dataclass(frozen=True)
class _Therapist:
    key: str
    username: str
    display_name: str
    mailbox: str  # the part before @; the domain names the prefix
    gender: str
    competency: str
    specialties: tuple[str, ...]
    modalities: tuple[str, ...]
    languages: tuple[str, ...]
    bio: str
    note: str


THERAPISTS = (
    _Therapist(
        "therapist_rivera",
        "dr.rivera",
        "Dr. Ana Rivera",
        "ana.rivera",
        "female",
        "lived_experience",
        ("trauma_ptsd", "critical_incident", "sleep"),
        ("individual", "group"),
        ("en", "es"),
        "Licensed psychologist from a police family. Evenings and late nights for shift workers.",
        "Mon-Fri 09:00-17:00 and Mon-Thu 21:00-01:00 (overnight)",
    ),
    _Therapist(
        "therapist_okafor",
        "dr.okafor",
        "Dr. James Okafor",
        "james.okafor",
        "male",
        "trained",
        ("depression_anxiety", "stress_burnout", "substance_use"),
        ("individual", "crisis_on_call"),
        ("en",),
        "Licensed clinical social worker; first-responder culture trained.",
        "Mon-Fri 09:00-17:00; crisis on call around the clock",
    ),
)
COORDINATOR = ("coordinator", "coordinator", "Dana Whitfield", "dana.whitfield")
PEER = _Officer(
    "peer",
    "peer.sam",
    "Sam (peer support)",
    "4-on-4-off",
    4,
    "peer supporter; 4-on-4-off, Mon-Fri 09:00-17:00 when off duty",
)
OFFICERS = (
    _Officer("officer_pitman", "officer.pitman", "Pitman A-squad", "pitman", 0, "Pitman 2-2-3, 12 h days"),
    _Officer(
        "officer_dupont", "officer.dupont", "DuPont B-squad", "dupont", 0, "DuPont, 12 h days and nights"
    ),
    _Officer("officer_fouron", "officer.fouron", "Four-on C-squad", "4-on-4-off", 2, "4-on-4-off, 12 h days"),
)
# Which kind of provider each booking prefers (any kind when none of that kind fits).
BOOKINGS = (
    ("officer_pitman", common.PROVIDER_KIND_THERAPIST, True),  # True: the soonest slot (the first to open)
    ("officer_dupont", common.PROVIDER_KIND_PEER, False),
    ("officer_fouron", common.PROVIDER_KIND_THERAPIST, False),
)


def load_accounts(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == STATE_VERSION else None


def sign_in_rows(state: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(role, username, password, TOTP secret, note) for every demo account, staff first."""
    order = {"system_admin": 0, "agency_admin": 1, "therapist": 2, "peer_supporter": 3, "officer": 4}
    accounts = sorted(
        state.get("accounts", {}).values(), key=lambda a: (order.get(a["role"], 9), a["username"])
    )
    return [
        (a["role"], a["username"], a["password"], a.get("totp_secret") or "-", a.get("note") or "")
        for a in accounts
    ]


class DemoSeeder:
    def __init__(
        self,
        clients: Clients,
        path: Path,
        admin: AdminCredentials,
        *,
        web_url: str = WEB_URL,
        on_step: Step | None = None,
        slot_wait: float = SLOT_WAIT_SECONDS,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        if not PREFIX.fullmatch(prefix):
            raise CliError(f"prefix {prefix!r}: 1-12 of a-z and 0-9, starting with a letter", Exit.USAGE)
        self.prefix = prefix
        self.agency_name = AGENCY_NAME if prefix == DEFAULT_PREFIX else f"{AGENCY_NAME} ({prefix})"
        self.clients = clients
        self.path = path
        self.admin = admin
        self.web_url = web_url
        self.on_step = on_step or (lambda *_: None)
        self.slot_wait = slot_wait
        self.state: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}
        self.skipped: list[str] = []
        self._done = 0

    # -- plumbing ----------------------------------------------------------------------------

    def _name(self, suffix: str) -> str:
        return f"{self.prefix}.{suffix}"

    def _email(self, mailbox: str) -> str:
        return f"{mailbox}@{self.prefix}.tenfour.invalid"

    def _step(self, what: str) -> None:
        self.on_step(what, self._done, TOTAL_STEPS)
        self._done += 1

    def _save(self) -> None:
        self.state["skipped"] = sorted(set(self.state.get("skipped", [])) | set(self.skipped))
        write_private(self.path, json.dumps(self.state, indent=2))

    def _call(self, method: Callable[..., T], request: Any, token: str = "", what: str = "") -> T:
        return call(
            method, request, metadata=bearer(token) if token else (), timeout=self.clients.timeout, what=what
        )

    def _optional(self, rpc: str, work: Callable[[], T]) -> T | None:
        """Run `work`; an UNIMPLEMENTED answer records 'skipped: <rpc> not available yet'."""
        try:
            return work()
        except CliError as exc:
            if exc.status != "UNIMPLEMENTED":
                raise
            self.skipped.append(f"skipped: {rpc} not available yet")
            return None

    def _account(self, key: str) -> Account:
        return Account(**self.state["accounts"][key])

    def _put(self, account: Account) -> None:
        self.state["accounts"][account.key] = asdict(account)
        self._save()

    def token(self, key: str) -> str:
        """A fresh access token of a demo account (signing in, MFA set-up included, when needed)."""
        if key in self.tokens:
            return self.tokens[key]
        if key == "admin" and self.admin.token:
            self.tokens[key] = self.admin.token
            return self.admin.token
        account = self._account(key)

        def setup(enrolment: idp.EnrolMfaResponse) -> str:
            account.totp_secret = enrolment.secret
            self._put(account)  # kept before the code is sent: a crash cannot lose the secret
            return pyotp.TOTP(enrolment.secret).now()

        code = self.admin.totp_code if key == "admin" else ""
        try:
            signed = sign_in(
                self.clients.identity,
                account.username,
                account.password,
                totp_code=code,
                totp_secret=account.totp_secret,
                on_setup=setup,
                timeout=self.clients.timeout,
                wait_for_fresh_code=True,
            )
        except CliError as exc:
            if exc.exit is Exit.AUTH and not account.totp_secret and key == "admin":
                exc.hint = (
                    "the admin has MFA already: pass --admin-totp CODE, or `tenfour login` as the admin"
                )
            raise
        account.user_id = signed.result.user.user_id
        self._put(account)
        self.tokens[key] = signed.result.access_token
        return signed.result.access_token

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

    # -- identity ----------------------------------------------------------------------------

    def _profile(self, therapist: _Therapist, agencies: list[str]) -> evp.ProviderProfile:
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

    def _onboard(self, therapist: _Therapist, admin_token: str, *, serve: bool) -> bool:
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

    def _serve(self, therapist: _Therapist, agency_id: str, admin_token: str) -> None:
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

    def _enrol(self, officer: _Officer, agency_id: str, *, resumed: bool) -> None:
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

    def _roster(self, officer: _Officer) -> None:
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

    # -- availability ------------------------------------------------------------------------

    def _availability(self) -> None:
        for key in (*(t.key for t in THERAPISTS), PEER.key):
            self._provider_hours(key, overnight=key == THERAPISTS[0].key)

    def _provider_hours(self, key: str, *, overnight: bool) -> None:
        token = self.token(key)
        request = avp.UseDefaultRulesRequest(provider_id=self._account(key).user_id, timezone=ZONE)
        rules = self._optional(
            "AvailabilityService/UseDefaultRules",
            lambda: self._call(self.clients.availability.UseDefaultRules, request, token, "default hours"),
        )
        if rules is not None and overnight:
            self._optional("AvailabilityService/SetRules", lambda: self._overnight(token, rules))
        if rules is not None and key == CRISIS_ON_CALL:
            self._optional("AvailabilityService/SetRules", lambda: self._crisis_on_call(token, rules))

    def _crisis_on_call(self, token: str, rules: rules_pb2.RuleSet) -> rules_pb2.RuleSet:
        """Crisis sessions around the clock, so "talk to someone now" connects in the demo at once.

        Windows of one day may not overlap, so the day is tiled: crisis before and after the
        09:00-17:00 hours, which offer both kinds; whole days at weekends.
        """
        if any(common.SESSION_TYPE_CRISIS in w.offers for w in rules.weekly):
            return rules
        updated = rules_pb2.RuleSet()
        updated.CopyFrom(rules)
        del updated.weekly[:]
        midnight, nine, five = common.LocalTime(hour=0), common.LocalTime(hour=9), common.LocalTime(hour=17)
        crisis, both = (
            [common.SESSION_TYPE_CRISIS],
            [common.SESSION_TYPE_INDIVIDUAL, common.SESSION_TYPE_CRISIS],
        )
        weekdays = {w.weekday for w in rules.weekly}
        for day in range(common.WEEKDAY_MONDAY, common.WEEKDAY_SUNDAY + 1):
            if day in weekdays:
                updated.weekly.add(weekday=day, start=midnight, end=nine, offers=crisis)
                updated.weekly.add(weekday=day, start=nine, end=five, offers=both)
                updated.weekly.add(weekday=day, start=five, end=midnight, offers=crisis)
            else:  # start == end: the whole day
                updated.weekly.add(weekday=day, start=midnight, end=midnight, offers=crisis)
        request = avp.SetRulesRequest(rules=updated, expected_version=rules.version)
        return self._call(self.clients.availability.SetRules, request, token, "crisis on-call hours")

    def _overnight(self, token: str, rules: rules_pb2.RuleSet) -> rules_pb2.RuleSet:
        """Mon-Thu 21:00-01:00: windows across midnight, for officers coming off a day shift."""
        start, end = common.LocalTime(hour=21), common.LocalTime(hour=1)
        have = {(w.weekday, w.start.hour, w.start.minute) for w in rules.weekly}
        updated = rules_pb2.RuleSet()
        updated.CopyFrom(rules)
        for day in OVERNIGHT_DAYS:
            if (day, 21, 0) not in have:
                updated.weekly.add(weekday=day, start=start, end=end, offers=[common.SESSION_TYPE_INDIVIDUAL])
        if len(updated.weekly) == len(rules.weekly):
            return rules
        request = avp.SetRulesRequest(rules=updated, expected_version=rules.version)
        return self._call(self.clients.availability.SetRules, request, token, "overnight hours")

    # -- bookings ----------------------------------------------------------------------------

    def _book_all(self) -> None:
        deadline = time.monotonic() + self.slot_wait
        booked = {b["officer"] for b in self.state["bookings"]}
        for key, kind, soonest in BOOKINGS:
            if key in booked:
                continue
            searched = self._optional(
                "SchedulingService/FindSlots", functools.partial(self._book, key, kind, soonest, deadline)
            )
            if searched is None:
                return  # no slot search yet: nothing can be booked

    def _wait_for_slots(
        self, token: str, kind: common.ProviderKind.ValueType, deadline: float
    ) -> scp.FindSlotsResponse:
        found = self._slots(token, kind)
        while not found.slots and time.monotonic() < deadline:
            time.sleep(0.5)
            found = self._slots(token, kind)
        return found

    def _slots(self, token: str, kind: common.ProviderKind.ValueType) -> scp.FindSlotsResponse:
        request = scp.FindSlotsRequest(
            session_type=common.SESSION_TYPE_INDIVIDUAL,
            filters=scp.SlotFilters(provider_kind=kind),
            limit=20,
        )
        return self._call(self.clients.scheduling.FindSlots, request, token, "find slots")

    def _book(self, key: str, kind: common.ProviderKind.ValueType, soonest: bool, deadline: float) -> bool:
        token = self.token(key)
        mine = self._optional(
            "SchedulingService/ListAppointments",
            lambda: self._call(
                self.clients.scheduling.ListAppointments, scp.ListAppointmentsRequest(), token
            ),
        )
        earlier = [
            a
            for a in (mine.appointments if mine else [])
            if a.status == appointments_pb2.APPOINTMENT_STATUS_BOOKED
        ]
        if earlier:  # booked by an interrupted run
            first = earlier[0]
            self._record(
                key, first.appointment_id, first.provider_id, first.time.start.ToDatetime(tzinfo=UTC)
            )
            return True
        # Providers' hours and profiles reach scheduling as events: wait until slots show up,
        # a little longer for the preferred kind of provider, then take any kind.
        found = self._wait_for_slots(token, common.PROVIDER_KIND_UNSPECIFIED, deadline)
        preferred = found
        if found.slots and kind:
            preferred = self._wait_for_slots(token, kind, min(deadline, time.monotonic() + PREFERRED_WAIT))
        slots = list(preferred.slots or found.slots)
        if not slots:
            note = (
                f"no slot for {self._account(key).username}: {found.empty_reason or found.empty_reason_code}"
            )
            self.state["notes"].append(note)
            self._save()
            return False
        slot = min(slots, key=lambda s: s.time.start.ToSeconds()) if soonest else slots[0]
        start = slot.time.start.ToDatetime(tzinfo=UTC)
        request = scp.BookRequest(
            idempotency_key=f"demo-seed-{key}-{int(start.timestamp())}",
            provider_id=slot.provider_id,
            session_type=common.SESSION_TYPE_INDIVIDUAL,
            start=slot.time.start,
        )
        appointment = self._optional(
            "SchedulingService/Book",
            lambda: self._call(self.clients.scheduling.Book, request, token, "book"),
        )
        if appointment is None:
            return False
        self._record(key, appointment.appointment_id, appointment.provider_id, start)
        return True

    def _record(self, key: str, appointment_id: str, provider_id: str, start: datetime) -> None:
        names = {a["user_id"]: a["display_name"] for a in self.state["accounts"].values()}
        self.state["bookings"].append(
            {
                "officer": key,
                "officer_username": self._account(key).username,
                "appointment_id": appointment_id,
                "provider_id": provider_id,
                "provider": names.get(provider_id, provider_id),
                "start": start.isoformat(),
                "start_local": start.astimezone(ZoneInfo(ZONE)).strftime("%a %Y-%m-%d %H:%M %Z"),
            }
        )
        self._save()
