"""Which unknowns of a linear system are pinned down by it: the attacker's view of a table.

Shown figures are constants; hidden ones are unknowns; every published relation (a total is the
sum of its parts) is an equation. An unknown is *determined* when some linear combination of
the equations isolates it, i.e. every solution of the homogeneous system has it at zero. In a
fully reduced row echelon form that is exactly a pivot whose row has no other unknown.

Exact: fraction-free elimination over the integers (rows are rescaled by their gcd, so entries
stay small for the 0/±1 systems of tables).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = ["determined"]

K = TypeVar("K", bound=Hashable)


def _combine(a: dict[int, int], fa: int, b: dict[int, int], fb: int) -> dict[int, int]:
    """fa * a - fb * b, divided by the gcd of its entries."""
    out = {c: fa * v for c, v in a.items()}
    for c, v in b.items():
        nv = out.get(c, 0) - fb * v
        if nv:
            out[c] = nv
        else:
            out.pop(c, None)
    g = 0
    for v in out.values():
        g = math.gcd(g, v)
        if g == 1:
            return out
    return {c: v // g for c, v in out.items()} if g > 1 else out


def determined(unknowns: Sequence[K], equations: Iterable[Mapping[K, int]]) -> set[K]:
    """The unknowns whose value follows from the equations (other keys are known constants)."""
    column = {k: i for i, k in enumerate(unknowns)}
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> row; the pivot is not scaled to 1
    for equation in equations:
        row = {column[k]: c for k, c in equation.items() if c and k in column}
        for p in [c for c in row if c in pivots]:
            if row.get(p):
                row = _combine(row, pivots[p][p], pivots[p], row[p])
        if not row:
            continue
        q = min(row)
        for c, other in pivots.items():  # keep the form fully reduced
            if other.get(q):
                pivots[c] = _combine(other, row[q], row, other[q])
        pivots[q] = row
    return {unknowns[p] for p, row in pivots.items() if len(row) == 1}
