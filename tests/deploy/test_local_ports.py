"""`make run` with TENFOUR_PORT_BASE: two systems side by side share no port and no data folder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tenfour_shared.launcher import SERVICES

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("local_ports", ROOT / "deploy" / "local" / "local_ports.py")
assert _SPEC is not None
assert _SPEC.loader is not None
local_ports = importlib.util.module_from_spec(_SPEC)
sys.modules["local_ports"] = local_ports
_SPEC.loader.exec_module(local_ports)
DEFAULTS = {name: port for name, (port, _) in SERVICES.items()}


def every_port(p: object) -> set[int]:
    ports = {*p.services.values(), p.gateway, p.nats, p.redis, p.smtp}  # type: ignore[attr-defined]
    return ports | set(range(p.metrics_first, p.metrics_first + len(SERVICES) + 1))  # type: ignore[attr-defined]


def test_without_a_base_the_well_known_ports_and_data_folder_stay() -> None:
    p = local_ports.from_environment(DEFAULTS, ROOT, {})
    assert p.services == DEFAULTS
    assert (p.gateway, p.web_url, p.data_dir) == (8080, "http://127.0.0.1:8080", ROOT / ".data")


def test_two_bases_share_no_port_and_no_data_folder() -> None:
    first = local_ports.from_environment(DEFAULTS, ROOT, {"TENFOUR_PORT_BASE": "20000"})
    second = local_ports.from_environment(DEFAULTS, ROOT, {"TENFOUR_PORT_BASE": "20200"})
    assert not every_port(first) & every_port(second)
    assert len(every_port(first)) == len(SERVICES) * 2 + 5  # no port used twice within one system
    assert all(20000 < port < 20200 for port in every_port(first))
    assert first.data_dir != second.data_dir
    assert first.targets()["TENFOUR_IDENTITY_TARGET"] == "127.0.0.1:20001"
    assert first.web_url == "http://127.0.0.1:20080"


@pytest.mark.parametrize("bad", ["twenty", "80", "65500"])
def test_a_base_that_cannot_work_stops_with_a_plain_message(bad: str) -> None:
    with pytest.raises(SystemExit, match="TENFOUR_PORT_BASE"):
        local_ports.from_environment(DEFAULTS, ROOT, {"TENFOUR_PORT_BASE": bad})
