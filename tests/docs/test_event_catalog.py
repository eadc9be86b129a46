"""docs/events.md is what tools/event_catalog.py generates from the protos today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_event_catalog_is_up_to_date_with_the_protos() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "event_catalog.py"), "--check"], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr


def test_the_catalog_lists_every_event_type_with_its_payload() -> None:
    from tenfour_shared.events.registry import PAYLOADS

    text = (ROOT / "docs" / "events.md").read_text()

    for kind, (_, cls) in PAYLOADS.items():
        assert f"## `{kind}`" in text
        assert f"payload `{cls.DESCRIPTOR.full_name}`" in text
