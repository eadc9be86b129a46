"""The `tenfour` CLI against the real system: health, sign-in with MFA, exit codes, demo seeding."""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from tenfour_testing.embedded import free_port
from tenfour_testing.polling import poll

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME, Admin, System

SERVICE_COUNT = 6
CYCLES = {
    "officer_pitman": "DD--DDD--DD---",
    "officer_dupont": "NNNN---DDD-NNN---DDDD-------",
    "officer_fouron": "DDDD----",
}


def test_health_json_reports_every_service_serving_with_reflection(cli: Any) -> None:
    result = cli("--json", "health")
    assert result.code == 0, result.out + result.err
    report = result.json
    assert report["all_serving"] is True
    assert len(report["services"]) == SERVICE_COUNT
    for service in report["services"]:
        assert service["status"] == "SERVING"
        assert service["server_status"] == "SERVING"
        assert service["service"] in service["reflection"]
        assert "grpc.health.v1.Health" in service["reflection"]


def test_health_exits_7_when_a_service_is_unreachable(cli: Any) -> None:
    result = cli("health", "--json", "--scheduling-target", f"127.0.0.1:{free_port()}", "--timeout", "1")
    assert result.code == 7
    report = result.json
    assert report["all_serving"] is False
    down = [s["name"] for s in report["services"] if not s["serving"]]
    assert down == ["scheduling"]


def test_console_script_runs_as_a_process(system: System, tmp_path: Path) -> None:
    env = {**os.environ, "TENFOUR_CONFIG_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "tenfour_cli", "health", "--json", *system.flags()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["all_serving"] is True


def test_login_walks_the_mfa_setup_and_then_needs_a_code(cli: Any, admin: Admin, monkeypatch: Any) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    onboarded = cli(
        "--json",
        "therapist",
        "onboard",
        "--email",
        "lee.morgan@clinic.example",
        "--name",
        "Dr. Lee Morgan",
        "--username",
        "dr.morgan",
        "--timezone",
        "America/Denver",
        "--jurisdiction",
        "US-CO",
        "--specialty",
        "trauma_ptsd",
    )
    assert onboarded.code == 0, onboarded.out
    password = onboarded.json["password"]  # generated, shown once
    monkeypatch.delenv("TENFOUR_TOKEN")

    # Without a terminal the setup is never started behind the user's back.
    refused = cli("--json", "login", "-u", "dr.morgan", "--password", password)
    assert refused.code == 6
    assert "MFA" in refused.json["error"]["message"]

    setup = cli("--json", "login", "-u", "dr.morgan", "--password", password, "--auto-mfa-setup")
    assert setup.code == 0, setup.out
    secret = setup.json["mfa_setup"]["secret"]
    assert setup.json["mfa_setup"]["provisioning_uri"].startswith("otpauth://totp/")
    assert setup.json["user"]["role"] == "ROLE_THERAPIST"
    session_file = Path(setup.json["session_file"])
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600

    me = cli("--json", "whoami")
    assert me.code == 0
    assert me.json["user"]["username"] == "dr.morgan"
    assert me.json["user"]["mfa_enabled"] is True

    # Enrolled now: a password alone is not enough, a wrong code is refused, the secret works
    # (also within the 30 s step the set-up just used: the next step's code is accepted).
    assert cli("--json", "login", "-u", "dr.morgan", "--password", password).code == 3
    assert cli("--json", "login", "-u", "dr.morgan", "--password", password, "--totp", "12345x").code == 3
    again = cli("--json", "login", "-u", "dr.morgan", "--password", password, "--totp-secret", secret)
    assert again.code == 0, again.out
    staff = cli(
        "--json",
        "login",
        "-u",
        ADMIN_USERNAME,
        "--password",
        ADMIN_PASSWORD,
        "--totp-secret",
        admin.totp_secret,
    )
    assert staff.code == 0, staff.out
    assert staff.json["user"]["role"] == "ROLE_SYSTEM_ADMIN"

    assert cli("--json", "logout").json == {"signed_out": True}
    assert cli("--json", "whoami").code == 3


def test_exit_codes_tell_what_failed(cli: Any, admin: Admin, monkeypatch: Any) -> None:
    wrong = cli("--json", "login", "-u", ADMIN_USERNAME, "--password", "not the password at all")
    assert wrong.code == 3
    assert wrong.json["error"]["status"] == "UNAUTHENTICATED"

    assert cli("--json", "whoami").code == 3  # not signed in

    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    invalid = cli("--json", "agency", "create", "--name", "Harbor PD", "--timezone", "Mars/Olympus_Mons")
    assert invalid.code == 5
    assert invalid.json["error"]["status"] == "INVALID_ARGUMENT"
    assert [v["field"] for v in invalid.json["error"]["violations"]] == ["timezone"]

    missing = cli("--json", "codes", "create", "--agency", "ag-does-not-exist")
    assert missing.code == 4

    created = cli("--json", "agency", "create", "--name", "Harbor PD", "--timezone", "America/Los_Angeles")
    assert created.code == 0
    agency_id = created.json["agency"]["agency_id"]
    code = cli("--json", "codes", "create", "--agency", agency_id, "--max", "3", "--label", "Roll call")
    assert code.code == 0
    assert code.json["code"]["max_redemptions"] == 3
    assert code.json["code"]["code"]
    # A coordinator (here the system admin) sees the code without its plaintext and stops it.
    listed = cli("codes", "list", "--agency", agency_id)
    assert listed.code == 0
    assert "Roll call" in listed.out
    assert "active" in listed.out
    assert code.json["code"]["code"] not in listed.out
    stopped = cli("--json", "codes", "revoke", code.json["code"]["code_id"], "--agency", agency_id)
    assert stopped.code == 0
    assert stopped.json["code"]["state"] == "revoked"
    assert cli("--json", "codes", "list", "--agency", agency_id).json["codes"][0]["state"] == "revoked"
    assert cli("--json", "codes", "revoke", "code-nope", "--agency", agency_id).code == 4

    denied = cli("--json", "book", "--provider", "u-x", "--start", "2030-01-01T09:00:00Z")
    assert denied.code == 3  # a system admin books nobody's sessions

    assert cli("roster", "set", "--zone", "UTC").code == 2  # neither --template nor --cycle
    assert cli("no-such-command").code == 2


def _years_ahead(years: int) -> str:
    """A date inside the range the services accept, whatever today is."""
    return (datetime.now(UTC) + timedelta(days=365 * years)).date().isoformat()


def _accounts(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.mark.timeout(120)
def test_seed_creates_the_demo_once(
    cli: Any, admin: Admin, system: System, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    folder = tmp_path / "data"
    first = cli("--json", "seed", "--data-dir", str(folder))
    assert first.code == 0, first.out + first.err
    report = first.json
    assert report["status"] == "created"
    assert report["web_url"] == "http://127.0.0.1:8080"
    roles = sorted(a["role"] for a in report["accounts"])
    assert roles == [
        "agency_admin",
        "officer",
        "officer",
        "officer",
        "peer_supporter",
        "therapist",
        "therapist",
    ]
    assert all(a["user_id"] and a["password"] for a in report["accounts"])
    staff = [a for a in report["accounts"] if a["role"] in ("agency_admin", "therapist")]
    assert all(len(a["totp_secret"]) >= 16 for a in staff)
    assert report["signup_code"]["code"]
    assert report["skipped"] == []
    assert len(report["bookings"]) >= 2, report["notes"]

    path = folder / "demo-accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = _accounts(path)
    assert saved["complete"] is True

    second = cli("--json", "seed", "--data-dir", str(folder))
    assert second.code == 0
    assert second.json["status"] == "exists"
    assert _accounts(path) == saved  # nothing changed

    # The demo sign-ins work: an officer sees their booking and the rotation they were given.
    monkeypatch.delenv("TENFOUR_TOKEN")
    booking = saved["bookings"][0]
    officer = saved["accounts"][booking["officer"]]
    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    roster = cli("--json", "roster", "show")
    assert roster.json["roster"]["cycle"] == CYCLES[booking["officer"]]
    listed = cli("--json", "appointments", "list")
    assert listed.code == 0
    assert [a["appointment_id"] for a in listed.json["appointments"]] == [booking["appointment_id"]]
    slots = cli("--json", "slots", "find", "--limit", "3")
    assert slots.code == 0
    assert isinstance(slots.json["slots"], list)

    # The session is hours away: joining says so (or that the room is not known yet).
    early = cli("--json", "session", "join", booking["appointment_id"], "--connect-timeout", "5")
    assert early.code in (4, 6), early.out
    assert early.json["error"]["status"] in ("FAILED_PRECONDITION", "NOT_FOUND")

    # The system admin finds the officer's view of that session in the access audit trail, under
    # pseudonyms only, and the trail's hash chain intact.
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    found = poll(
        lambda: cli("--json", "audit", "access", "--session", booking["appointment_id"]),
        lambda r: r.code != 0 or r.json["entries"],
    )
    assert found.code == 0, found.out + found.err
    trail = found.json["entries"]
    assert [(e["action"], e["actor_role"], e["source"]) for e in trail] == [("view", "officer", "scheduling")]
    assert officer["user_id"] not in found.out
    assert booking["appointment_id"] not in found.out
    verified = cli("--json", "audit", "verify")
    assert verified.code == 0, verified.out
    assert verified.json["intact"] is True
    assert verified.json["entries"] >= 1

    # The officer again (their sign-in is cached).
    monkeypatch.delenv("TENFOUR_TOKEN")
    # One time convention: found, booked and listed in the user's zone, with its offset.
    monkeypatch.setenv("TENFOUR_TZ", "America/Chicago")
    human = cli("slots", "find", "--limit", "2")
    assert "times in America/Chicago" in human.out
    assert re.search(r"\d\d:\d\d -0[56]:00", human.out), human.out
    assert re.search(r"--start 20\d\d-\d\d-\d\dT\d\d:\d\d-0[56]:00", human.out), human.out
    listed_here = cli("appointments", "list")
    assert "times in America/Chicago" in listed_here.out
    assert re.search(r"\d\d:\d\d -0[56]:00", listed_here.out), listed_here.out
    past = cli("book", "--provider", "u-any", "--start", "2020-03-02T10:00")
    assert past.code == 5
    assert "is in the past" in past.err
    # A refusal reads in plain words, never as the service's code (--json keeps the code).
    held = listed.json["appointments"][0]
    again = ["book", "--provider", held["provider_id"], "--start", held["time"]["start"]]
    refused = cli(*again)
    assert refused.code == 6, refused.err
    assert re.search(r"(you already have a session|the provider was booked) at this time", refused.err), (
        refused.err
    )
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", refused.err), refused.err
    assert cli("--json", *again).json["error"]["reason_code"] in ("officer_busy", "provider_busy")
    monkeypatch.delenv("TENFOUR_TZ")

    # Waiting to be let in is never silent: where it is, then how long so far, until the timeout.
    soon = f"appt-{secrets.token_hex(4)}"
    agency = cli("--json", "whoami").json["user"]["agency_id"]
    asyncio.run(open_room(system.nats_url, soon, officer["user_id"], agency))
    waiting = poll(  # signaling opens the room once it has the booking
        lambda: cli("session", "join", soon, "--connect-timeout", "6"), lambda r: "waiting room" in r.err
    )
    waited = waiting.err
    assert "in the waiting room: the provider lets you in (up to 6 s" in waited, waited
    assert "still in the waiting room" in waited, waited
    assert "not connected within 6 s" in waited, waited
    assert waiting.code == 6


async def open_room(nats_url: str, appointment_id: str, officer_id: str, agency_id: str) -> None:
    """A one-to-one starting in 5 minutes, as scheduling announces a booking: signaling opens its room."""
    from tenfour.common.v1 import common_pb2
    from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
    from tenfour.scheduling.v1 import appointments_pb2
    from tenfour_shared.events.bus import connect, publish
    from tenfour_shared.events.envelope import build

    start = datetime.now(UTC) + timedelta(minutes=5)
    appointment = appointments_pb2.Appointment(
        appointment_id=appointment_id,
        agency_id=agency_id,
        provider_id="u-provider",
        officer_ids=[officer_id],
        session_type=common_pb2.SESSION_TYPE_INDIVIDUAL,
        status=appointments_pb2.APPOINTMENT_STATUS_BOOKED,
        capacity=1,
    )
    appointment.time.start.FromDatetime(start)
    appointment.time.end.FromDatetime(start + timedelta(minutes=50))
    nc, js = await connect(nats_url, "cli-tests")
    try:
        await publish(js, build(AppointmentStatusChanged(appointment=appointment), subject=appointment_id))
    finally:
        await nc.drain()


@pytest.fixture
def scheduling_without_rpcs() -> Iterator[str]:
    """A gRPC server that offers no RPC at all: every call answers UNIMPLEMENTED."""
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


def test_seed_reports_what_it_skipped_when_rpcs_are_missing(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any, scheduling_without_rpcs: str
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    result = cli(
        "--json",
        "seed",
        "--prefix",
        "partial",
        "--data-dir",
        str(tmp_path),
        "--scheduling-target",
        scheduling_without_rpcs,
    )
    assert result.code == 0, result.out + result.err
    report = result.json
    assert report["status"] == "created"
    assert report["accounts_file"].endswith("demo-accounts-partial.json")
    assert report["agency"]["name"] == "Tenfour Demo Police Department (partial)"
    assert all(a["username"].startswith("partial.") for a in report["accounts"])
    assert "skipped: SchedulingService/SetRoster not available yet" in report["skipped"]
    assert "skipped: SchedulingService/FindSlots not available yet" in report["skipped"]
    assert report["bookings"] == []


def test_an_admin_unlocks_an_account_after_failed_sign_ins(cli: Any, admin: Admin, monkeypatch: Any) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    me = cli("--json", "whoami")
    assert me.code == 0
    user_id = me.json["user"]["user_id"]
    assert cli("--json", "users", "unlock", "--user", user_id).code == 0  # from zero
    for _ in range(2):
        assert cli("--json", "login", "-u", ADMIN_USERNAME, "--password", "a wrong password here").code == 3

    unlocked = cli("--json", "users", "unlock", "--user", user_id)
    unknown = cli("--json", "users", "unlock", "--user", "u-nobody")

    assert unlocked.code == 0
    assert unlocked.json == {"user_id": user_id, "was_locked": False, "failures": 2}
    assert unknown.code == 3


@pytest.mark.timeout(120)
def test_a_coordinator_keeps_peer_training_and_the_peer_sees_their_status(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "train", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    accounts = {a["role"]: a for a in seeded.json["accounts"]}
    coordinator, peer = accounts["agency_admin"], accounts["peer_supporter"]
    monkeypatch.delenv("TENFOUR_TOKEN")
    signed_in = cli(
        "--json",
        "login",
        "-u",
        coordinator["username"],
        f"--password={coordinator['password']}",
        "--totp-secret",
        coordinator["totp_secret"],
    )
    assert signed_in.code == 0, signed_in.out

    required = cli("--json", "training", "require", "peer_initial_40h=Initial 40-hour course")
    assert required.code == 0, required.out
    lapsed = cli("--json", "training", "status")
    assert [(p["peer_id"], p["state"], p["offered"]) for p in lapsed.json["peers"]] == [
        (peer["user_id"], "READINESS_STATE_LAPSED", False)
    ]
    future = cli(
        "--json", "training", "record", peer["user_id"], "--course", "peer_initial_40h",
        "--provider", "State academy", "--completed", "2099-01-01",
    )  # fmt: skip
    assert future.code == 5, future.out  # INVALID_ARGUMENT: bad input, nothing stored
    assert "completed_at" in future.out
    recorded = cli(
        "--json", "training", "record", peer["user_id"], "--course", "peer_initial_40h",
        "--provider", "State academy", "--completed", "2026-01-10", "--expires", _years_ahead(3),
    )  # fmt: skip
    assert recorded.code == 0, recorded.out
    current = cli("--json", "training", "status").json["peers"]
    assert [(p["state"], p["offered"], len(p["records"])) for p in current] == [
        ("READINESS_STATE_CURRENT", True, 1)
    ]

    assert cli("--json", "login", "-u", peer["username"], f"--password={peer['password']}").code == 0
    mine = cli("--json", "training", "mine")
    assert mine.code == 0, mine.out
    assert [(p["state"], p["offered"]) for p in mine.json["peers"]] == [("READINESS_STATE_CURRENT", True)]
    assert cli("--json", "training", "status").code == 3  # a peer cannot list the agency's peers


@pytest.mark.timeout(120)
def test_a_coordinator_records_licences_and_an_officer_sets_where_they_live(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "lic", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    accounts = {a["role"]: a for a in seeded.json["accounts"]}
    coordinator, officer = accounts["agency_admin"], accounts["officer"]
    therapist = next(a for a in seeded.json["accounts"] if a["role"] == "therapist")
    monkeypatch.delenv("TENFOUR_TOKEN")

    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    moved = cli("--json", "preferences", "set", "--jurisdiction", "us-tx")
    assert moved.code == 0, moved.out
    assert moved.json["preferences"]["jurisdiction"] == "US-TX"
    assert cli("--json", "preferences", "show").json["preferences"]["jurisdiction"] == "US-TX"
    assert cli("--json", "preferences", "set", "--jurisdiction", "Texas").code == 5
    assert cli("--json", "preferences", "show").json["preferences"]["jurisdiction"] == "US-TX"
    assert cli("--json", "preferences", "set", "--sleep", "20:00-11:00").code == 5  # over 14 h
    slept = cli("--json", "preferences", "set", "--sleep", "22:30-06:30")
    assert slept.code == 0, slept.out
    assert slept.json["preferences"]["usual_sleep"] == {
        "start": {"hour": 22, "minute": 30},
        "end": {"hour": 6, "minute": 30},
    }
    assert slept.json["preferences"]["jurisdiction"] == "US-TX"
    assert "usual_sleep" not in cli("--json", "preferences", "set", "--sleep", "default").json["preferences"]

    signed_in = cli(
        "--json", "login", "-u", coordinator["username"], f"--password={coordinator['password']}",
        "--totp-secret", coordinator["totp_secret"],
    )  # fmt: skip
    assert signed_in.code == 0, signed_in.out
    backwards = cli(
        "--json", "licences", "record", therapist["user_id"], "--jurisdiction", "US-TX",
        "--number", "LPC-1", "--issued", "2026-01-10", "--expires", "2025-01-10",
    )  # fmt: skip
    assert backwards.code == 5, backwards.out  # expiry before issue: refused, nothing stored
    assert "expires_at" in backwards.out  # --json keeps the field's path for scripts
    said = cli(
        "licences", "record", therapist["user_id"], "--jurisdiction", "US-TX",
        "--number", "LPC-1", "--issued", "2026-01-10", "--expires", "2025-01-10",
    )  # fmt: skip
    assert said.code == 5
    assert "• expiry date: must be after the date of issue" in said.err, said.err  # plain words
    assert "expires_at" not in said.err
    assert "invalid request" not in said.err
    recorded = cli(
        "--json", "licences", "record", therapist["user_id"], "--jurisdiction", "US-TX",
        "--number", "LPC-1", "--issued", "2026-01-10", "--expires", "2031-01-10",
    )  # fmt: skip
    assert recorded.code == 0, recorded.out
    listed = cli("--json", "licences", "list", therapist["user_id"])
    assert listed.code == 0, listed.out
    (clinician,) = listed.json["clinicians"]
    assert [
        (s["licence"]["jurisdiction"], s["licence"]["number"], s["state"]) for s in clinician["licences"]
    ] == [("US-TX", "LPC-1", "LICENCE_STATE_VALID")]


@pytest.mark.timeout(120)
def test_resources_waiting_lists_and_referrals_from_the_command_line(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "care", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    accounts = {a["role"]: a for a in seeded.json["accounts"]}
    coordinator, officer = accounts["agency_admin"], accounts["officer"]
    therapist = next(a for a in seeded.json["accounts"] if a["role"] == "therapist")
    monkeypatch.delenv("TENFOUR_TOKEN")
    signed_in = cli(
        "--json", "login", "-u", coordinator["username"], f"--password={coordinator['password']}",
        "--totp-secret", coordinator["totp_secret"],
    )  # fmt: skip
    assert signed_in.code == 0, signed_in.out
    assert cli("--json", "resources", "add", "hotline", "COPLINE").code == 5  # a hotline needs a number
    added = cli("--json", "resources", "add", "hotline", "COPLINE", "--phone", "1-800-267-5463")
    assert added.code == 0, added.out

    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    page = cli("--json", "resources", "list")
    assert [(r["title"], r["phone"]) for r in page.json["resources"]] == [("COPLINE", "1-800-267-5463")]
    assert "No workshop or group session is planned" in cli("resources", "list").out  # none offered
    now = datetime.now(UTC)
    past = cli(
        "--json", "waitlist", "join", "--provider", therapist["user_id"],
        "--from", (now - timedelta(hours=2)).isoformat(), "--until", (now + timedelta(days=2)).isoformat(),
    )  # fmt: skip
    assert past.code == 5, past.out  # the window starts in the past
    joined = cli(
        "--json", "waitlist", "join", "--provider", therapist["user_id"],
        "--from", (now + timedelta(days=1)).isoformat(), "--until", (now + timedelta(days=3)).isoformat(),
    )  # fmt: skip
    assert joined.code == 0, joined.out
    (entry,) = cli("--json", "waitlist", "list").json["entries"]
    assert (entry["state"], entry["provider_id"]) == ("WAITLIST_STATE_WAITING", therapist["user_id"])
    assert cli("--json", "waitlist", "leave", entry["entry_id"]).code == 0
    assert cli("--json", "waitlist", "list").json["entries"][0]["state"] == "WAITLIST_STATE_LEFT"
    assert cli("--json", "referrals", "list").json == {"referrals": []}
    assert cli("--json", "referrals", "answer", "rnotareferral").code == 4  # NOT_FOUND
    assert cli("--json", "referrals", "ask-times", "rnotareferral", "--note", "mornings").code == 4
    soon = (now + timedelta(days=2)).isoformat()
    assert cli("--json", "referrals", "pick", "rnotareferral", "--start", soon).code == 4
    assert (
        cli("--json", "referrals", "propose-times", "rnotareferral", "--start", soon).code == 3
    )  # officers cannot


def test_throttled_sign_in_says_when_to_try_again_and_waits_longer_each_time(cli: Any) -> None:
    # An unknown name is throttled exactly like a real account (no hint that it does not exist).
    name = f"ghost-{time.time_ns()}"
    wrong = ("--json", "login", "-u", name, "--password", "not the password at all")
    assert [cli(*wrong).code for _ in range(6)] == [3] * 6
    refused = [cli(*wrong) for _ in range(2)]

    assert [r.code for r in refused] == [7, 7]
    errors = [r.json["error"] for r in refused]
    assert all(e["status"] == "RESOURCE_EXHAUSTED" for e in errors)
    assert all(e["message"].startswith("login: too many sign-in attempts: wait ") for e in errors)
    assert all("try again at " in e["message"] for e in errors)
    assert errors[0]["retry_after_seconds"] >= 2
    assert errors[1]["retry_after_seconds"] > errors[0]["retry_after_seconds"]
    assert errors[0]["hint"] == "trying again before then makes the wait longer"


class _Calendar(http.server.BaseHTTPRequestHandler):
    """A calendar host on loopback: /basic.ics is a calendar, /share a sign-in web page."""

    def do_GET(self) -> None:
        if self.path == "/basic.ics":
            day = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y%m%d")
            body, kind = (
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n"
                f"DTSTAMP:20260101T000000Z\r\nDTSTART:{day}T100000Z\r\nDTEND:{day}T110000Z\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n".encode(),
                "text/calendar",
            )
        else:
            body, kind = b"<html><body>Sign in</body></html>", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_a_therapist_follows_a_calendar_from_the_command_line(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "cal", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    therapist = next(a for a in seeded.json["accounts"] if a["role"] == "therapist")
    monkeypatch.delenv("TENFOUR_TOKEN")
    signed_in = cli(
        "--json", "login", "-u", therapist["username"], f"--password={therapist['password']}",
        "--totp-secret", therapist["totp_secret"],
    )  # fmt: skip
    assert signed_in.code == 0, signed_in.out
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Calendar)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        refused = cli("--json", "calendar", "subscribe", f"{base}/share")
        assert refused.code == 5, refused.out  # INVALID_ARGUMENT: not a calendar, nothing stored
        assert "web page, not a calendar" in refused.out + refused.err
        assert cli("--json", "calendar", "status").code == 4

        followed = cli("--json", "calendar", "subscribe", f"{base}/basic.ics")
        assert followed.code == 0, followed.out + followed.err
        feed = followed.json["feed"]
        assert feed["busy_intervals"] == 1
        assert feed["url_display"] == f"{base}/…"
        status = cli("--json", "calendar", "status").json["feed"]
        assert status["last_synced_at"] == feed["last_synced_at"]
        assert cli("--json", "calendar", "sync").json["feed"]["last_error"] == ""
        assert cli("--json", "calendar", "unsubscribe").code == 0
        assert cli("--json", "calendar", "status").code == 4
    finally:
        server.shutdown()
        server.server_close()


def test_a_coordinator_runs_a_check_in_campaign_and_an_officer_is_told_before_booking(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "camp", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    coordinator = next(a for a in seeded.json["accounts"] if a["role"] == "agency_admin")
    officer = next(a for a in seeded.json["accounts"] if a["role"] == "officer")
    monkeypatch.delenv("TENFOUR_TOKEN")
    login = ("--json", "login", "-u", coordinator["username"], f"--password={coordinator['password']}")
    assert cli(*login, "--totp-secret", coordinator["totp_secret"]).code == 0

    now = datetime.now(UTC)
    month = f"{now.year:04d}-{now.month:02d}"
    too_long = cli(
        "--json", "campaigns", "launch", "--title", "Check-in", "--first-month", month, "--months", "13"
    )
    assert too_long.code == 5, too_long.out  # INVALID_ARGUMENT, nothing stored
    assert "campaign.months" in too_long.out
    launched = cli(
        "--json", "campaigns", "launch", "--title", "Annual wellness check-in", "--first-month", month,
        "--months", "2", "--attendance-confirmation",
    )  # fmt: skip
    assert launched.code == 0, launched.out
    campaign_id = launched.json["campaign"]["campaign_id"]
    listed = cli("--json", "campaigns", "list").json["campaigns"]
    assert [c["campaign_id"] for c in listed] == [campaign_id]
    # outcomes learns of the campaign from scheduling's event
    report = poll(lambda: cli("--json", "campaigns", "report"), lambda r: r.json.get("campaigns"))
    assert report.code == 0, report.out
    (pending,) = report.json["campaigns"]
    assert (pending["campaign_id"], pending.get("published", False)) == (campaign_id, False)

    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    # the officer is invited once scheduling has their enrolment
    mine = poll(lambda: cli("--json", "campaigns", "list").json["campaigns"], bool)
    assert [c["campaign_id"] for c in mine] == [campaign_id]
    unacknowledged = cli(
        "--json", "campaigns", "book", campaign_id, "--provider", "nobody", "--start",
        (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0).isoformat(),
    )  # fmt: skip
    assert unacknowledged.code == 6, unacknowledged.out  # FAILED_PRECONDITION: told, nothing booked
    assert "attended" in unacknowledged.out
    assert cli("--json", "campaigns", "report").code == 3  # officers see no figures


def test_a_coordinator_plans_a_training_from_the_command_line(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "trn", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    coordinator = next(a for a in seeded.json["accounts"] if a["role"] == "agency_admin")
    therapist = next(a for a in seeded.json["accounts"] if a["role"] == "therapist")
    monkeypatch.delenv("TENFOUR_TOKEN")
    login = ("--json", "login", "-u", coordinator["username"], f"--password={coordinator['password']}")
    assert cli(*login, "--totp-secret", coordinator["totp_secret"]).code == 0

    day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    until = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    args = ("--facilitator", therapist["user_id"], "--everyone")
    planned = cli("--json", "trainings", "plan", *args, "--from", day, "--to", until)
    assert planned.code == 6, planned.out  # the seeded therapist keeps no group hours: said so
    assert "group sessions" in planned.out
    too_long = cli("--json", "trainings", "plan", *args, "--from", day, "--to", "2099-01-01")
    assert too_long.code == 5, too_long.out
    assert '"window"' in too_long.out
    bad = cli(
        "--json", "trainings", "schedule", *args, "--course", "annual_refresher", "--title", "Refresher",
        "--start", f"{day}T15:00:00Z", "--seats", "30",
    )  # fmt: skip
    assert bad.code == 5, bad.out
    assert "session.seats" in bad.out
    listed = cli("--json", "trainings", "list")
    assert (listed.code, listed.json["sessions"]) == (0, [])
