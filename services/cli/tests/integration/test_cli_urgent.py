"""`tenfour urgent` and `tenfour oncall` against the real system: an officer asks for someone now
from a terminal, sees the crisis line first and how many were alerted, Ctrl-C cancels the
request; a therapist works their on-call switch; a wrap-up of something that is not theirs is
refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tenfour_cli.commands.urgent import DEFAULT_CRISIS_LINE

from .conftest import Admin, System


def _seed(cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any, prefix: str) -> list[dict[str, Any]]:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", prefix, "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    monkeypatch.delenv("TENFOUR_TOKEN")
    accounts: list[dict[str, Any]] = seeded.json["accounts"]
    return accounts


def _read_until(stream: Any, marker: str, seen: list[str]) -> str:
    for line in stream:
        seen.append(line)
        if marker in line:
            return str(line)
    raise AssertionError(f"{marker!r} never printed: {''.join(seen)}")


@pytest.mark.timeout(180)
def test_an_officer_asks_for_someone_now_and_ctrl_c_cancels(
    cli: Any, admin: Admin, system: System, tmp_path: Path, monkeypatch: Any
) -> None:
    accounts = _seed(cli, admin, tmp_path, monkeypatch, "urg")
    officer = next(a for a in accounts if a["role"] == "officer")
    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0

    asking = subprocess.Popen(
        [sys.executable, "-m", "tenfour_cli", "urgent", "request", "--poll", "0.5", "--wait", "120"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert asking.stderr is not None
        seen: list[str] = []
        first = _read_until(asking.stderr, "988", seen)
        assert DEFAULT_CRISIS_LINE in first  # before any call could answer
        request_id = _read_until(asking.stderr, "Request ", seen).split("Request ", 1)[1].split(".")[0]
        # The demo's crisis therapist is on call around the clock: someone was alerted.
        _read_until(asking.stderr, "alerted.", seen)
        asking.send_signal(signal.SIGINT)
        out, err = asking.communicate(timeout=60)
    finally:
        if asking.poll() is None:
            asking.kill()
    assert asking.returncode == 6, out + err  # not connected: the request was cancelled instead
    assert "Your request is cancelled" in out
    status = cli("--json", "urgent", "status", request_id)
    assert status.code == 0, status.out
    assert status.json["status"]["state"] == "cancelled"
    assert cli("--json", "urgent", "cancel", "rnotarequest").code == 4  # someone else's or none: NOT_FOUND


def test_a_therapist_switches_on_call_and_back_to_their_hours(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    accounts = _seed(cli, admin, tmp_path, monkeypatch, "onc")
    therapist = next(a for a in accounts if a["role"] == "therapist")
    signed_in = cli(
        "--json", "login", "-u", therapist["username"], f"--password={therapist['password']}",
        "--totp-secret", therapist["totp_secret"],
    )  # fmt: skip
    assert signed_in.code == 0, signed_in.out
    assert cli("--json", "oncall").json["on_call"]["mode"] == "hours"
    on = cli("--json", "oncall", "on")
    assert on.code == 0, on.out
    assert on.json["on_call"]["mode"] == "on"
    until = time.mktime(time.strptime(on.json["on_call"]["until"][:19], "%Y-%m-%dT%H:%M:%S"))
    assert 11 * 3600 < until - time.mktime(time.gmtime()) <= 12 * 3600 + 60  # the next 12 h
    shown = cli("oncall")
    assert shown.code == 0
    assert "on call: offered urgent requests first until" in shown.out
    assert cli("--json", "oncall", "hours").json["on_call"]["mode"] == "hours"
    assert cli("--json", "oncall").json["on_call"]["mode"] == "hours"
    malformed = cli("--json", "urgent", "wrap-up", "anotappointment", "--outcome", "none")
    assert malformed.code == 5, malformed.out
    assert malformed.json["error"]["violations"][0]["field"] == "appointment_id"
    other = f"{therapist['user_id']}.{'0' * 16}"
    refused = cli("--json", "urgent", "wrap-up", other, "--outcome", "none")
    assert refused.code == 4, refused.out  # only an urgent session the caller gave
