"""`tenfour appointments list` says who each session is with: for a provider, the name the
officer chose (identity's GetOfficerNames, as the web app shows it), never their id; --json
keeps the ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Admin


def test_a_peer_supporter_sees_each_officer_by_the_name_they_chose(
    cli: Any, admin: Admin, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("TENFOUR_TOKEN", admin.token)
    seeded = cli("--json", "seed", "--prefix", "with", "--data-dir", str(tmp_path))
    assert seeded.code == 0, seeded.out + seeded.err
    monkeypatch.delenv("TENFOUR_TOKEN")
    accounts = seeded.json["accounts"]
    peer = next(a for a in accounts if a["role"] == "peer_supporter")
    officer = next(a for a in accounts if "dupont" in a["username"])  # booked with the peer by the seed
    assert cli("--json", "login", "-u", peer["username"], f"--password={peer['password']}").code == 0

    listed = cli("--json", "appointments", "list")
    assert listed.code == 0, listed.out
    officer_ids = {o for a in listed.json["appointments"] for o in a.get("officer_ids", [])}
    assert officer["user_id"] in officer_ids  # --json keeps the id
    table = cli("appointments", "list")
    assert table.code == 0, table.out
    assert officer["display_name"] in table.out
    assert not [o for o in officer_ids if o in table.out]
