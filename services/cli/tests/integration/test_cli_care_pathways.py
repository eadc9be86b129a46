"""Issue 19's care pathways from the command line, against the real system: the program report's
referral figures, enrolling with where you live, the agency's rest rules, a rotation series and a
clash moved to another time, and a clinician proposing times for a referral."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tenfour_testing.polling import poll, poll_async

from .conftest import Admin, System


def test_the_program_report_shows_referrals_made_agreed_to_and_completed(
    cli: Any, admin: Admin, system: System, monkeypatch: Any
) -> None:
    import importlib.util

    from nats.aio.client import Client

    spec = importlib.util.spec_from_file_location(
        "program_history", Path(__file__).resolve().parents[4] / "deploy" / "local" / "program_history.py"
    )
    assert spec is not None
    assert spec.loader is not None
    history = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(history)
    agency = f"ag-cli-{secrets.token_hex(3)}"
    today = datetime.now(UTC).date()

    async def publish_and_settle() -> None:
        """`make run`'s made-up month before last, then wait until outcomes consumed it all."""
        await history.publish_history(system.nats_url, history.history_events(agency, today))
        nc = Client()
        await nc.connect(system.nats_url)
        js = nc.jetstream()
        consumers = (("TENFOUR_IDENTITY", "identity"), ("TENFOUR_SCHEDULING", "scheduling"))

        async def pending() -> int:
            infos = [
                await js.consumer_info(stream, f"outcomes-from-{source}") for stream, source in consumers
            ]
            return sum(i.num_pending + i.num_ack_pending for i in infos)

        try:
            left = await poll_async(pending, lambda n: n == 0, within=30, every=0.02)
            assert left == 0, f"outcomes did not consume the history: {left} events pending"
        finally:
            await nc.close()

    asyncio.run(publish_and_settle())
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    result = cli("--json", "outcomes", "report", "--agency", agency, "--kind", "month")
    assert result.code == 0, result.out + result.err
    month = history.history_month(today).strftime("%Y-%m")
    (row,) = [p for p in result.json["periods"] if p["period"]["label"] == month]
    figures = {k: row[k]["value"] for k in ("referrals_made", "referrals_accepted", "referrals_completed")}
    assert figures == {"referrals_made": 18, "referrals_accepted": 14, "referrals_completed": 12}
    table = cli("outcomes", "report", "--agency", agency)
    assert table.code == 0
    assert "referrals made" in table.out
    monkeypatch.delenv("TENFOUR_TOKEN")
    assert cli("--json", "outcomes", "report", "--agency", agency).code == 3  # signed out: not allowed


def test_an_officer_enrols_from_the_command_line_and_says_where_they_live(
    cli: Any, admin: Admin, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    created = cli("--json", "agency", "create", "--name", "Lake PD", "--timezone", "America/Chicago")
    assert created.code == 0, created.out
    agency_id = created.json["agency"]["agency_id"]
    issued = cli("--json", "codes", "create", "--agency", agency_id, "--max", "1")
    assert issued.code == 0, issued.out
    code = issued.json["code"]["code"]
    monkeypatch.delenv("TENFOUR_TOKEN")
    monkeypatch.setenv("TENFOUR_PASSWORD", "quiet harbour lantern 7")
    name = f"lakeowl{secrets.token_hex(3)}"
    args = ("--json", "enrol", "--code", code, "-u", name, "--display-name", "Sam")
    bad = cli(*args, "--jurisdiction", "Texas")
    assert bad.code == 5, bad.out  # INVALID_ARGUMENT naming the field; the single-use code stays unused
    assert "jurisdiction" in bad.out
    joined = cli(*args, "--jurisdiction", "us-wi")
    assert joined.code == 0, joined.out + joined.err
    assert joined.json["user"]["username"] == name
    shown = poll(  # identity's enrolment event reaches scheduling
        lambda: cli("--json", "preferences", "show"),
        lambda r: r.json.get("preferences", {}).get("jurisdiction") == "US-WI",
    )
    assert shown.json.get("preferences", {}).get("jurisdiction") == "US-WI", shown.out


def test_rest_rules_a_rotation_series_and_a_clash_moved_from_the_command_line(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "rest", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    coordinator = next(a for a in seeded.json["accounts"] if a["role"] == "agency_admin")
    # 4 days on, 4 off; the peer supporter gives weekdays 09:00-17:00 when off duty.
    officer = next(a for a in seeded.json["accounts"] if "fouron" in a["username"])
    provider = next(a for a in seeded.json["accounts"] if a["role"] == "peer_supporter")
    monkeypatch.delenv("TENFOUR_TOKEN")
    login = ("--json", "login", "-u", coordinator["username"], f"--password={coordinator['password']}")
    assert cli(*login, "--totp-secret", coordinator["totp_secret"]).code == 0

    # The agency's rest rules: a window over 14 h is refused and nothing changes.
    assert cli("--json", "policy", "set", "--usual-sleep", "20:00-11:00").code == 5
    assert cli("--json", "policy", "show").json["policy"].get("max_consecutive_nights", 0) == 0
    saved = cli("--json", "policy", "set", "--usual-sleep", "22:30-06:30", "--max-consecutive-nights", "3")
    assert saved.code == 0, saved.out
    policy = cli("--json", "policy", "show").json["policy"]
    assert (policy["usual_sleep_start"], policy["max_consecutive_nights"]) == ({"hour": 22, "minute": 30}, 3)
    compacts = cli("--json", "policy", "set", "--compacts", "us-co, US-AZ")
    assert sorted(compacts.json["policy"]["compact_jurisdictions"]) == ["US-AZ", "US-CO"]
    assert compacts.json["policy"]["max_consecutive_nights"] == 3  # the other rules are kept

    # The officer plans a series on each of their next six days off (some fall on weekdays) and
    # books the times that fit.
    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    plan = cli(
        "--json", "series", "plan", "--provider", provider["user_id"], "--count", "6",
        "--when", "every-kth-day-off", "--k", "1",
    )  # fmt: skip
    assert plan.code == 0, plan.out + plan.err
    plan_id = plan.json["plan"]["plan_id"]
    assert len(plan.json["plan"]["slots"]) == 6, plan.out
    booked = cli("--json", "series", "book", plan_id)
    assert booked.code == 0, booked.out
    sessions = booked.json["series"]["booked"]
    assert sessions, plan.out + booked.out

    # Their own sleep moved over the first one: it becomes a clash with other times; they move it.
    zone = ZoneInfo(cli("--json", "roster", "show").json["roster"]["timezone"])
    first = datetime.fromisoformat(sessions[0]["time"]["start"].replace("Z", "+00:00")).astimezone(zone)
    asleep = f"{(first - timedelta(hours=1)):%H:%M}-{(first + timedelta(hours=3)):%H:%M}"
    assert cli("--json", "preferences", "set", "--sleep", asleep).code == 0
    wanted = sessions[0]["appointment_id"]
    listed = poll(  # the re-check runs on scheduling's own event
        lambda: cli("--json", "conflicts", "list", "--appointment", wanted), lambda r: r.json["conflicts"]
    )
    (clash,) = listed.json["conflicts"]
    assert clash["alternatives"], clash
    # First the series' own re-planned time: still that day off (the rule names it), outside the sleep.
    own = clash["alternatives"][0]
    assert own["reasons"][0]["code"] == "rotation_series_day", own
    assert datetime.fromisoformat(own["local_start"]).date() == first.date()
    table = cli("conflicts", "list", "--appointment", wanted)
    words = re.findall(r"[a-z]+", table.out.split("other times", 1)[1])  # the table wraps its cells
    assert "series now falls on" in " ".join(words), table.out
    target = own["time"]["start"]
    moved = cli("--json", "conflicts", "move", sessions[0]["appointment_id"], "--to", target)
    assert moved.code == 0, moved.out
    assert moved.json["appointment"]["time"]["start"] == target
    assert not moved.json["appointment"].get("conflict", False)


def test_a_clinician_proposes_times_for_a_referral_and_the_officer_picks_one_from_the_command_line(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "hand", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    accounts = seeded.json["accounts"]
    peer = next(a for a in accounts if a["role"] == "peer_supporter")
    officer = next(a for a in accounts if "dupont" in a["username"])  # booked with the peer by the seed
    monkeypatch.delenv("TENFOUR_TOKEN")

    def sign_in(who: dict[str, Any]) -> None:
        extra = ("--totp-secret", who["totp_secret"]) if who.get("totp_secret") else ()
        assert (
            cli("--json", "login", "-u", who["username"], f"--password={who['password']}", *extra).code == 0
        )

    sign_in(officer)
    slots = cli("--json", "slots", "find", "--kind", "therapist", "--limit", "50").json["slots"]
    clinician_id = slots[0]["provider_id"]
    starts = [s["time"]["start"] for s in slots if s["provider_id"] == clinician_id][:2]
    clinician = next(a for a in accounts if a["user_id"] == clinician_id)

    sign_in(peer)
    made = cli("--json", "referrals", "propose", officer["user_id"], "--clinician", clinician_id)
    assert made.code == 0, made.out
    referral = made.json["referrals"][0]["referral_id"]
    sign_in(officer)
    assert cli("--json", "referrals", "answer", referral, "--agree").code == 0
    asked = cli("--json", "referrals", "ask-times", referral, "--note", "mornings after nights")
    assert asked.code == 0, asked.out

    sign_in(clinician)
    (queued,) = [
        r for r in cli("--json", "referrals", "list").json["referrals"] if r["referral_id"] == referral
    ]
    assert queued["times_note"] == "mornings after nights"
    past = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    refused = cli("--json", "referrals", "propose-times", referral, "--start", past)
    assert refused.code == 5, refused.out  # INVALID_ARGUMENT: in the past
    offered = cli(
        "--json", "referrals", "propose-times", referral, "--start", starts[0], "--start", starts[1]
    )
    assert offered.code == 0, offered.out
    assert len(offered.json["referrals"][0]["proposed"]["times"]) == 2

    sign_in(peer)
    stolen = cli("--json", "referrals", "pick", referral, "--start", starts[0])
    assert stolen.code == 3, stolen.out  # PERMISSION_DENIED: only the referred officer picks
    sign_in(officer)
    picked = cli("--json", "referrals", "pick", referral, "--start", starts[1])
    assert picked.code == 0, picked.out
    assert picked.json["appointment"]["provider_id"] == clinician_id
    assert picked.json["appointment"]["time"]["start"] == starts[1]
    assert picked.json["referral"]["state"] == "REFERRAL_STATE_BOOKED"


def test_a_pool_referral_is_booked_and_a_freed_time_taken_from_the_waiting_list_from_the_command_line(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "pool", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    accounts = seeded.json["accounts"]
    peer = next(a for a in accounts if a["role"] == "peer_supporter")
    officer = next(a for a in accounts if "dupont" in a["username"])  # booked with the peer by the seed
    waiting = next(a for a in accounts if "fouron" in a["username"])
    monkeypatch.delenv("TENFOUR_TOKEN")

    def sign_in(who: dict[str, Any]) -> None:
        extra = ("--totp-secret", who["totp_secret"]) if who.get("totp_secret") else ()
        assert (
            cli("--json", "login", "-u", who["username"], f"--password={who['password']}", *extra).code == 0
        )

    def therapist_slots(who: dict[str, Any]) -> set[tuple[str, str]]:
        sign_in(who)
        found = cli("--json", "slots", "find", "--kind", "therapist", "--limit", "200").json["slots"]
        return {(s["provider_id"], s["time"]["start"]) for s in found}

    # A clinician's time that fits both officers' shifts and sleep.
    clinician_id, start = sorted(therapist_slots(officer) & therapist_slots(waiting))[0]
    clinician = next(a for a in accounts if a["user_id"] == clinician_id)

    sign_in(peer)
    pool = cli("--json", "referrals", "propose", officer["user_id"])  # no --clinician: any clinician
    assert pool.code == 0, pool.out
    (made,) = pool.json["referrals"]
    assert made.get("clinician_ids", []) == []
    other = cli("--json", "referrals", "propose", officer["user_id"], "--clinician", clinician_id)
    declined_id = other.json["referrals"][0]["referral_id"]

    sign_in(officer)
    declined = cli("--json", "referrals", "answer", declined_id)  # without --agree: declined
    assert declined.json["referrals"][0]["state"] == "REFERRAL_STATE_DECLINED"
    agreed = cli("--json", "referrals", "answer", made["referral_id"], "--agree", "--share-booked")
    assert agreed.json["referrals"][0]["state"] == "REFERRAL_STATE_CONSENTED"

    sign_in(clinician)  # the pool's referral is in every clinician's queue; the declined one is not
    queue = {r["referral_id"] for r in cli("--json", "referrals", "list").json["referrals"]}
    assert made["referral_id"] in queue
    assert declined_id not in queue

    sign_in(officer)
    booked = cli(
        "--json", "referrals", "book", made["referral_id"], "--provider", clinician_id, "--start", start
    )
    assert booked.code == 0, booked.out
    assert booked.json["referral"]["state"] == "REFERRAL_STATE_BOOKED"
    appointment = booked.json["appointment"]
    assert (appointment["provider_id"], appointment["time"]["start"]) == (clinician_id, start)
    again = cli(
        "--json", "referrals", "book", made["referral_id"], "--provider", clinician_id, "--start", start
    )
    assert again.code == 6, again.out  # FAILED_PRECONDITION: once per referral

    sign_in(peer)  # shared: the peer sees "booked"; the declined one as declined; nothing else
    seen = {r["referral_id"]: r for r in cli("--json", "referrals", "list").json["referrals"]}
    assert seen[made["referral_id"]]["state"] == "REFERRAL_STATE_BOOKED"
    assert seen[made["referral_id"]].get("appointment_id", "") == ""  # never which session
    assert seen[declined_id]["state"] == "REFERRAL_STATE_DECLINED"

    # Another officer waits for that clinician around that time; the officer cancels; it is held.
    sign_in(waiting)
    at = datetime.fromisoformat(start.replace("Z", "+00:00"))
    joined = cli(
        "--json", "waitlist", "join", "--provider", clinician_id,
        "--from", (at - timedelta(hours=1)).isoformat(), "--until", (at + timedelta(hours=2)).isoformat(),
    )  # fmt: skip
    assert joined.code == 0, joined.out
    sign_in(officer)
    cancelled = cli("--json", "appointments", "cancel", appointment["appointment_id"])
    assert cancelled.code == 0, cancelled.out
    assert cancelled.json["appointment"]["status"] == "APPOINTMENT_STATUS_CANCELLED"
    sign_in(waiting)
    entry = poll(  # the cancellation reaches the waiting list as an event
        lambda: cli("--json", "waitlist", "list").json["entries"][0],
        lambda e: e["state"] == "WAITLIST_STATE_OFFERED",
    )
    assert entry["state"] == "WAITLIST_STATE_OFFERED", entry
    assert entry["offered_time"]["start"] == start
    accepted = cli("--json", "waitlist", "accept", entry["entry_id"])
    assert accepted.code == 0, accepted.out
    assert accepted.json["entries"][0]["state"] == "WAITLIST_STATE_BOOKED"
    mine = cli("--json", "appointments", "list").json["appointments"]
    assert [(a["provider_id"], a["status"]) for a in mine if a["time"]["start"] == start] == [
        (clinician_id, "APPOINTMENT_STATUS_BOOKED")
    ]


def test_the_resources_page_lists_the_agencys_workshops_from_the_command_line(
    cli: Any, admin: Admin, system: System, tmp_path: Path, monkeypatch: Any
) -> None:
    """`tenfour resources list` shows the agency's upcoming workshops (topic, start in the
    reader's zone, seats) with the id `tenfour groups join` takes."""
    import grpc

    from tenfour.availability.v1 import availability_pb2 as apb
    from tenfour.availability.v1 import availability_pb2_grpc
    from tenfour.common.v1 import common_pb2 as common
    from tenfour_cli.session import SessionStore

    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "shop", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    monkeypatch.delenv("TENFOUR_TOKEN")
    accounts = seeded.json["accounts"]
    rivera = next(a for a in accounts if "rivera" in a["username"])
    officer = next(a for a in accounts if "fouron" in a["username"])
    login = ("--json", "login", "-u", rivera["username"], f"--password={rivera['password']}")
    assert cli(*login, "--totp-secret", rivera["totp_secret"]).code == 0
    # Dr. Rivera gives groups in her weekday hours (the web Hours page's Group tick).
    token = SessionStore(tmp_path / "config" / "session.json").load(system.targets["identity"])
    assert token is not None
    bearer = (("authorization", f"Bearer {token.access_token}"),)
    with grpc.insecure_channel(system.targets["availability"]) as channel:
        stub = availability_pb2_grpc.AvailabilityServiceStub(channel)
        rules = stub.GetRules(apb.GetRulesRequest(provider_id=rivera["user_id"]), metadata=bearer)
        for window in rules.weekly:
            window.offers.append(common.SESSION_TYPE_GROUP)
        stub.SetRules(apb.SetRulesRequest(rules=rules, expected_version=rules.version), metadata=bearer)
    zone = ZoneInfo(rules.timezone)
    day = datetime.now(zone).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=zone)
    offer = (
        "--json",
        "groups",
        "offer",
        "--start",
        start.isoformat(),
        "--seats",
        "4",
        "--topic",
        "stress_burnout",
    )
    offered = poll(lambda: cli(*offer), lambda r: r.code == 0)  # the new hours reach scheduling as events
    assert offered.code == 0, offered.out
    (group,) = offered.json["groups"]

    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    page = cli("--json", "resources", "list")
    assert page.code == 0, page.out
    (workshop,) = page.json["workshops"]
    assert workshop["group_appointment_id"] == group["appointment_id"]
    assert workshop["topic_code"] == "stress_burnout"
    assert workshop["seats_free"] == 4
    reader_zone = ZoneInfo(page.json["zone"])  # the officer's roster zone
    assert datetime.fromisoformat(workshop["local_start"]) == start
    assert (
        datetime.fromisoformat(workshop["local_start"]).utcoffset()
        == start.astimezone(reader_zone).utcoffset()
    )
    table = cli("resources", "list")
    assert "stress burnout" in table.out
    assert start.astimezone(reader_zone).strftime("%Y-%m-%d %H:%M") in table.out
    assert "tenfour groups join GROUP_ID" in table.out
