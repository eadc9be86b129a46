"""`tenfour profile` against the real system: a therapist reads and changes their own profile
(name, a few words, languages, new clients, urgent calls); what they do not change stays; a bad
language is refused with its field in plain words and nothing stored; an officer has no profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Admin
from .test_cli_urgent import _seed


def test_a_therapist_reads_and_changes_their_own_profile(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    accounts = _seed(cli, admin, tmp_path, monkeypatch, "prof")
    therapist = next(a for a in accounts if a["role"] == "therapist")
    signed_in = cli(
        "--json", "login", "-u", therapist["username"], f"--password={therapist['password']}",
        "--totp-secret", therapist["totp_secret"],
    )  # fmt: skip
    assert signed_in.code == 0, signed_in.out
    before = cli("--json", "profile", "show")
    assert before.code == 0, before.out
    kept = {
        key: before.json["profile"].get(key)
        for key in ("provider_id", "agency_ids", "jurisdictions", "timezone")
    }

    changed = cli(
        "--json", "profile", "set", "--name", "Dr. Ana Rivera", "--bio", "Shift work and sleep.",
        "--languages", "en, es", "--new-clients", "no", "--urgent-calls", "yes",
    )  # fmt: skip
    assert changed.code == 0, changed.out + changed.err
    stored = cli("--json", "profile", "show").json["profile"]
    assert stored["display_name"] == "Dr. Ana Rivera"
    assert stored["bio"] == "Shift work and sleep."
    assert stored["languages"] == ["en", "es"]
    assert stored["accepting_new_clients"] is False
    assert "crisis_on_call" in stored["modalities"]
    assert {key: stored.get(key) for key in kept} == kept  # the rest of the profile is untouched

    # One change leaves the others as they are; the plain output says it in words.
    assert cli("--json", "profile", "set", "--urgent-calls", "no").code == 0
    shown = cli("profile", "show")
    assert shown.code == 0, shown.out
    assert "name: Dr. Ana Rivera" in shown.out
    assert "languages: en, es" in shown.out
    assert "takes new clients: no" in shown.out
    assert "takes urgent calls: no" in shown.out

    refused = cli("profile", "set", "--languages", "en,en")
    assert refused.code == 5, refused.out + refused.err  # invalid input, nothing stored
    assert "• languages: must not repeat a language" in refused.err, refused.err  # the field in words
    assert "profile.languages" not in refused.err
    assert cli("--json", "profile", "show").json["profile"]["languages"] == ["en", "es"]
    assert cli("profile", "set", "--new-clients", "maybe").code == 2  # usage

    officer = next(a for a in accounts if a["role"] == "officer")
    assert cli("--json", "login", "-u", officer["username"], f"--password={officer['password']}").code == 0
    assert cli("--json", "profile", "show").code in (3, 4, 6)  # an officer has no provider profile
