"""Fixtures for every signaling test directory: a real coturn (Debian ``coturn``) on free ports.

Skipped without coturn, except in CI (CI=true), where a missing coturn fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tenfour_testing.coturn import Coturn
from tenfour_testing.janus import JanusServer, janus_binary


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    if shutil.which("turnserver") is None or shutil.which("turnutils_uclient") is None:
        message = "coturn is not installed (apt-get install -y coturn)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with Coturn(tmp_path_factory.mktemp("coturn")) as turn:
        yield turn


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusServer]:
    """A real Janus (Debian ``janus``): VideoRoom over the HTTP API on free loopback ports."""
    if janus_binary() is None:
        message = "Janus is not installed (apt-get install -y janus)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with JanusServer(tmp_path_factory.mktemp("janus")) as server:
        yield server
