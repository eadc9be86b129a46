"""What the fuzz suite sent and got back, printed at the end of the pytest run."""

from __future__ import annotations

from collections import Counter

import pytest

COUNTS: dict[str, Counter[str]] = {}
FAILED_CALLS: list[tuple[str, str, str, str, str]] = []
# Each fuzz test also records its counts on its report, so the summary is complete however the
# tests were run (it is the report, not this module's globals, that reaches the summary).
PROPERTY = "fuzz_counts"
REPORTED: dict[str, Counter[str]] = {}


def collect(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == PROPERTY:
            path, counts = value
            REPORTED[path] = Counter(counts)


def lines() -> list[str]:
    counted = REPORTED or COUNTS
    if not counted:
        return []
    total = sum(c["cases"] for c in counted.values())
    forbidden = sum(c["UNKNOWN"] + c["INTERNAL"] for c in counted.values())
    signed_in_refused = sum(c["signed_in_refused_as_unauthenticated"] for c in counted.values())
    out = [
        f"FUZZ {len(counted)} RPCs, {total} cases, {forbidden} UNKNOWN/INTERNAL, "
        f"{signed_in_refused} signed-in callers refused as UNAUTHENTICATED"
    ]
    for path, counts in sorted(counted.items()):
        codes = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if k != "cases")
        out.append(f"FUZZ {path} cases={counts['cases']} {codes}")
    return out
