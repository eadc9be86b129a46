"""Ports for child servers: two harnesses on one machine never get the same one, and a server
started on a port another server holds fails instead of quietly sharing it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from grpc import aio

from tenfour_shared import ports
from tenfour_shared.config import ServiceSettings
from tenfour_testing.embedded import NatsServer, free_port
from tenfour_shared.server import Runtime

pytestmark = pytest.mark.integration

TAKE_PORTS = (
    "import json; from tenfour_testing.embedded import free_port;"
    " print(json.dumps([free_port() for _ in range(90)]))"
)


def ports_taken_by_another_process() -> set[int]:
    # The other process stays alive until it has printed: its reservations hold meanwhile.
    out = subprocess.run([sys.executable, "-c", TAKE_PORTS], check=True, capture_output=True, text=True)
    return set(json.loads(out.stdout))


def test_processes_taking_ports_at_once_get_disjoint_ones() -> None:
    mine = {free_port() for _ in range(90)}
    theirs = ports_taken_by_another_process()

    assert len(mine) == 90
    assert len(theirs) == 90
    assert not mine & theirs
    # Below the kernel's ephemeral range: never handed to a port-0 bind or an outgoing connection.
    assert max(mine | theirs) < ports._ephemeral_low()


def test_a_port_some_other_process_listens_on_is_never_handed_out() -> None:
    with socket.socket() as squatter:
        first = free_port()
        # Whoever holds the port next — here a socket outside any reservation — it is skipped.
        squatter.bind(("127.0.0.1", first + 1))
        squatter.listen()
        taken = {free_port() for _ in range(60)}

    assert first + 1 not in taken


async def test_a_service_cannot_share_a_port_another_server_listens_on() -> None:
    other = aio.server()  # gRPC's defaults, SO_REUSEPORT on: the way two services used to share
    port = other.add_insecure_port("127.0.0.1:0")
    await other.start()
    try:
        runtime = Runtime(
            "availability", ServiceSettings(port=port), ["tenfour.availability.v1.AvailabilityService"]
        )
        with pytest.raises(RuntimeError, match="Failed to bind"):
            await runtime.__aenter__()
    finally:
        await other.stop(None)


def test_a_child_is_not_taken_as_ready_when_another_process_answers_on_its_port(tmp_path: Path) -> None:
    with NatsServer(tmp_path / "first") as first:
        assert ports.listened_by(first.port, first.proc.pid) is True  # type: ignore[union-attr]
        # A second server on the same port cannot bind and exits: start-up fails loudly even
        # though something answers on the port all along.
        second = NatsServer(tmp_path / "second", port=first.port)
        with pytest.raises(RuntimeError, match="exited"):
            second.start()
        second.stop()
