"""Fixtures for the gateway's tests: the whole real system (see tenfour_testing.system)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tenfour_testing.system import System, start_system


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    yield from start_system(tmp_path_factory.mktemp("system"))
