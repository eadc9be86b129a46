"""What the fuzz suite sent and got back, printed at the end of the pytest run."""

from __future__ import annotations

from collections import Counter

COUNTS: dict[str, Counter[str]] = {}
FAILED_CALLS: list[tuple[str, str, str, str, str]] = []


def lines() -> list[str]:
    if not COUNTS:
        return []
    total = sum(c["cases"] for c in COUNTS.values())
    forbidden = sum(c["UNKNOWN"] + c["INTERNAL"] for c in COUNTS.values())
    out = [f"FUZZ {len(COUNTS)} RPCs, {total} cases, {forbidden} UNKNOWN/INTERNAL"]
    for path, counts in sorted(COUNTS.items()):
        codes = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if k != "cases")
        out.append(f"FUZZ {path} cases={counts['cases']} {codes}")
    return out
