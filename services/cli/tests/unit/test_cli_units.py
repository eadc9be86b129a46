"""The CLI's own logic, no servers: exit codes, argument parsing, time input, files it writes."""

from __future__ import annotations

import argparse
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pyotp
import pytest

from tenfour.scheduling.v1 import licensure_pb2 as lpb
from tenfour_cli.__main__ import build_parser, main
from tenfour_cli.app import Context
from tenfour_cli.auth import totp_codes
from tenfour_cli.config import DEFAULT_TARGETS, Targets, write_private
from tenfour_cli.exits import CliError, Exit, exit_for_status
from tenfour_cli.output import Output
from tenfour_cli.records import show_recorded, show_removed, show_table
from tenfour_cli.seed import sign_in_rows
from tenfour_cli.session import SessionStore, StoredSession
from tenfour_cli.timeutil import day_or_instant, local_time_pb, parse_duration, parse_instant


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, 3),
        (grpc.StatusCode.PERMISSION_DENIED, 3),
        (grpc.StatusCode.NOT_FOUND, 4),
        (grpc.StatusCode.INVALID_ARGUMENT, 5),
        (grpc.StatusCode.FAILED_PRECONDITION, 6),
        (grpc.StatusCode.ALREADY_EXISTS, 6),
        (grpc.StatusCode.ABORTED, 6),
        (grpc.StatusCode.UNAVAILABLE, 7),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 7),
        (grpc.StatusCode.UNIMPLEMENTED, 7),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 7),
        (grpc.StatusCode.INTERNAL, 1),
        (None, 1),
    ],
)
def test_every_status_has_its_documented_exit_code(status: grpc.StatusCode | None, code: int) -> None:
    assert exit_for_status(status) == code


def test_common_options_work_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--json", "--identity-target", "h:1", "health"])
    after = parser.parse_args(["health", "--json", "--identity-target", "h:1"])
    neither = parser.parse_args(["health"])
    assert before.json
    assert after.json
    assert not neither.json
    assert before.identity_target == after.identity_target == "h:1"
    assert neither.timeout == 10.0


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["slots", "find", "--type", "brunch"])
    assert raised.value.code == 2
    assert main(["--json", "roster", "set", "--zone", "UTC"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["exit_code"] == 2


def test_targets_come_from_flags_then_environment_then_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENFOUR_SCHEDULING_TARGET", "env:3")
    monkeypatch.delenv("TENFOUR_IDENTITY_TARGET", raising=False)
    targets = Targets.resolve({"availability": "flag:2", "scheduling": None})
    assert targets.availability == "flag:2"
    assert targets.scheduling == "env:3"
    assert targets.identity == DEFAULT_TARGETS["identity"] == "127.0.0.1:50051"
    assert [name for name, _ in targets.items()] == list(DEFAULT_TARGETS)


def test_times_people_type() -> None:
    assert parse_duration("1h30m") == timedelta(hours=1, minutes=30)
    assert parse_duration("90") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_instant("2026-11-25T12:30:00-06:00") == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    assert parse_instant("2026-11-25T18:30Z") == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    assert (local_time_pb("07:05").hour, local_time_pb("07:05").minute) == (7, 5)
    for bad in (
        lambda: parse_duration("soon"),
        lambda: parse_instant("noon"),
        lambda: local_time_pb("25:00"),
    ):
        with pytest.raises(CliError) as raised:
            bad()
        assert raised.value.exit is Exit.USAGE


def test_private_files_are_0600_and_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "secret.json"
    write_private(path, "one")
    path.chmod(0o644)
    write_private(path, "two")
    assert path.read_text() == "two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret.json"]  # no temp file left


def test_the_session_cache_keeps_one_session_per_identity_service(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "session.json")
    first = StoredSession("a1", "r1", 100.0, {"username": "ana"})
    store.save("host-a:50051", first)
    store.save("host-b:50051", StoredSession("b1", "r2", 200.0, {"username": "ben"}))
    assert store.load("host-a:50051") == first
    store.forget("host-b:50051")
    assert store.load("host-b:50051") is None
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.path.write_text("{not json")
    assert store.load("host-a:50051") is None  # a damaged cache means: sign in again


def test_totp_codes_are_this_step_then_the_next() -> None:
    secret = pyotp.random_base32()
    now = 1_800_000_015.0
    assert totp_codes(secret, now) == [pyotp.TOTP(secret).at(now), pyotp.TOTP(secret).at(now + 30)]


def test_sign_in_rows_list_staff_first() -> None:
    state = {
        "accounts": {
            "o": {"role": "officer", "username": "o1", "password": "p", "totp_secret": "", "note": ""},
            "t": {"role": "therapist", "username": "t1", "password": "p", "totp_secret": "S", "note": "n"},
            "c": {"role": "agency_admin", "username": "c1", "password": "p", "totp_secret": "S", "note": ""},
        }
    }
    assert [row[:2] for row in sign_in_rows(state)] == [
        ("agency_admin", "c1"),
        ("therapist", "t1"),
        ("officer", "o1"),
    ]
    assert sign_in_rows(state)[-1][3] == "-"


def test_urgent_states_read_as_the_web_page_says_them() -> None:
    from tenfour.scheduling.v1 import scheduling_pb2 as pb
    from tenfour_cli.commands.urgent import describe

    queued = pb.UrgentSessionStatus(request_id="r1", state="queued", alerted_count=3, queue_position=2)
    queued.estimated_wait.FromSeconds(250)
    assert describe(queued) == "3 people were alerted. You are in the queue (number 2). About 4 minutes."
    accepted = pb.UrgentSessionStatus(request_id="r1", state="accepted", provider_name="Dr. Okafor")
    accepted.appointment.appointment_id = "t-1.00000000000000aa"
    assert describe(accepted) == (
        "Dr. Okafor accepted and is opening the room. Join with `tenfour session join t-1.00000000000000aa`."
    )
    connected = pb.UrgentSessionStatus(state="connected", appointment=accepted.appointment)
    assert describe(connected).startswith("Someone is in the room, waiting for you. Join with")
    assert "asked your agency" in describe(pb.UrgentSessionStatus(state="escalated", alerted_count=1))


def test_a_date_is_its_start_in_utc_and_through_it_when_it_ends_a_range() -> None:
    assert day_or_instant("2026-03-08") == datetime(2026, 3, 8, tzinfo=UTC)
    assert day_or_instant("2026-03-08", end_of_day=True) == datetime(2026, 3, 9, tzinfo=UTC)
    assert day_or_instant("2026-03-08T02:30-06:00") == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)
    with pytest.raises(CliError) as refused:
        day_or_instant("8 March", "--expires")
    assert refused.value.message.startswith("--expires:")


def test_records_read_the_same_in_a_terminal_and_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    for json_mode in (False, True):
        ctx = Context(argparse.Namespace(), Output(json_mode), None, None)  # type: ignore[arg-type]
        stored = lpb.Licence(licence_id="lic-1", jurisdiction="US-TX")
        assert show_recorded(ctx, "licence", stored, "Licence recorded", "lic-1 (US-TX)") == Exit.OK
        assert show_removed(ctx, "lic-1", "Licence removed.") == Exit.OK
        rows = [("lic-1", "US-TX")]
        assert show_table(ctx, {"n": 1}, "Licences", ("licence", "jurisdiction"), rows) == Exit.OK
        out = capsys.readouterr().out
        expected = (
            ['"licence_id": "lic-1"', '"removed": "lic-1"', '"n": 1']
            if json_mode
            else ["Licence recorded lic-1 (US-TX)", "Licence removed.", "Licences", "jurisdiction"]
        )
        assert [e for e in expected if e not in out] == []


def test_a_refusals_code_reads_as_plain_words() -> None:
    from tenfour_cli.reasons import empty_words, plain_refusal

    assert plain_refusal("cannot book this time: starts in 40 min; needs 2 h notice (too_soon)") == (
        "this time is too soon: sessions need more notice (starts in 40 min; needs 2 h notice)",
        "too_soon",
    )
    assert plain_refusal("cannot book this time: x (brand_new_code)") == (
        "brand new code (x)",
        "brand_new_code",
    )
    assert plain_refusal("no roster yet") == ("", "")
    assert empty_words("no_offers", "no provider offers individual") == (
        "nobody offers this kind of session at the moment"
    )
    assert empty_words("", "") == "nothing matched"


@pytest.mark.parametrize(
    ("details", "words", "code"),
    [
        (
            "clinician_ids[0]: this provider does not offer individual sessions",
            "clinician 1 cannot be referred to: the clinician does not offer individual sessions",
            "clinician_refused",
        ),
        (
            "clinician_ids[1] is not a clinician of your agency",
            "clinician 2 is not a clinician of your agency",
            "clinician_not_in_agency",
        ),
        (
            "time 2 (Thu 05 Mar 02:00 CST): starts in 40 min; needs 2 h notice (too_soon)",
            "time 2 (Thu 05 Mar 02:00 CST) cannot be offered: it is too soon: sessions need more notice",
            "proposed_time_refused",
        ),
        ("invalid credentials", "", ""),
    ],
)
def test_referral_and_proposed_time_refusals_in_plain_words(details: str, words: str, code: str) -> None:
    from tenfour_cli.reasons import plain_message

    assert plain_message(details) == (words, code)
