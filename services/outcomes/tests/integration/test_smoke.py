from __future__ import annotations

import pytest

from .conftest import Harness, appointment, table, utc

pytestmark = pytest.mark.integration


async def test_smoke(harness: Harness) -> None:
    for i in range(12):
        await harness.enrol(f"off-{i}", at=utc(2025, 12, 1 + i))
        await harness.session(appointment(f"ap-{i}", [f"off-{i}"], utc(2026, 1, 5 + i, 15)))
    await harness.settle()
    harness.clock.now = utc(2026, 1, 20)
    cred = await harness.credential("off-1", "ap-1")
    await harness.feedback("off-1", cred)
    print(await harness.dump())
    harness.clock.now = utc(2026, 3, 20)
    report = await harness.report()
    for k, v in table(report).items(): print(k, v)
    print(await harness.dump())
