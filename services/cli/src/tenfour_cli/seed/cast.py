"""Who and what the demo seeds (the cast, their rotations and bookings), and the state file
that keeps their sign-ins."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenfour.common.v1 import common_pb2 as common

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
TOTAL_STEPS = 11
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
class DemoOfficer:
    key: str
    username: str
    display_name: str
    template: str
    offset: int
    note: str


@dataclass(frozen=True)
class DemoTherapist:
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
    DemoTherapist(
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
    DemoTherapist(
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
PEER = DemoOfficer(
    "peer",
    "peer.sam",
    "Sam (peer support)",
    "4-on-4-off",
    4,
    "peer supporter; 4-on-4-off, Mon-Fri 09:00-17:00 when off duty",
)
OFFICERS = (
    DemoOfficer("officer_pitman", "officer.pitman", "Pitman A-squad", "pitman", 0, "Pitman 2-2-3, 12 h days"),
    DemoOfficer(
        "officer_dupont", "officer.dupont", "DuPont B-squad", "dupont", 0, "DuPont, 12 h days and nights"
    ),
    DemoOfficer(
        "officer_fouron", "officer.fouron", "Four-on C-squad", "4-on-4-off", 2, "4-on-4-off, 12 h days"
    ),
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
