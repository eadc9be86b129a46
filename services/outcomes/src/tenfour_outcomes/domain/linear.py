"""Which unknowns of a linear system are pinned down by it: the attacker's view of a table.

Shown figures are constants; hidden ones are unknowns; every published relation (a total is the
sum of its parts) is an equation. An unknown is *determined* when some linear combination of
the equations isolates it, i.e. every solution of the homogeneous system has it at zero. In a
fully reduced row echelon form that is exactly a pivot whose row has no free column.

Exact (fraction-free integer elimination), or modulo a large prime for speed (the suppression
search runs modulo the prime and confirms its final answer exactly).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
import math
from typing import TypeVar

__all__ = ["PRIME", "determined"]

K = TypeVar("K", bound=Hashable)
PRIME = (1 << 61) - 1


def determined(
    unknowns: Sequence[K], equations: Iterable[Mapping[K, int]], modulus: int | None = None
) -> set[K]:
    """The unknowns whose value follows from the equations (other keys are known constants)."""
    column = {k: i for i, k in enumerate(unknowns)}
    if modulus is None:
        return _determined_exact(unknowns, column, equations)
    return _determined_modular(unknowns, column, equations, modulus)


def _combine(a: dict[int, int], fa: int, b: dict[int, int], fb: int) -> dict[int, int]:
    """fa * a - fb * b, divided by the gcd of its entries (integers stay small, exactly)."""
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


def _determined_exact(
    unknowns: Sequence[K], column: Mapping[K, int], equations: Iterable[Mapping[K, int]]
) -> set[K]:
    # Fraction-free: each pivot row keeps integer entries (its pivot is not scaled to 1).
    pivots: dict[int, dict[int, int]] = {}
    for equation in equations:
        row = {column[k]: c for k, c in equation.items() if c and k in column}
        for p in [c for c in row if c in pivots]:
            if row.get(p):
                row = _combine(row, pivots[p][p], pivots[p], row[p])
        if not row:
            continue
        q = min(row)
        for c, other in pivots.items():
            if other.get(q):
                pivots[c] = _combine(other, row[q], row, other[q])
        pivots[q] = row
    return {unknowns[p] for p, row in pivots.items() if len(row) == 1}


def _determined_modular(
    unknowns: Sequence[K], column: Mapping[K, int], equations: Iterable[Mapping[K, int]], m: int
) -> set[K]:
    pivots: dict[int, dict[int, int]] = {}
    for equation in equations:
        row = {column[k]: c % m for k, c in equation.items() if c % m and k in column}
        for p in [c for c in row if c in pivots]:
            factor = row.get(p)
            if factor:
                for c, v in pivots[p].items():
                    nv = (row.get(c, 0) - factor * v) % m
                    if nv:
                        row[c] = nv
                    else:
                        row.pop(c, None)
        if not row:
            continue
        q = min(row)
        inverse = pow(row[q], m - 2, m)
        row = {c: v * inverse % m for c, v in row.items()}
        for other in pivots.values():
            factor = other.get(q)
            if factor:
                for c, v in row.items():
                    nv = (other.get(c, 0) - factor * v) % m
                    if nv:
                        other[c] = nv
                    else:
                        other.pop(c, None)
        pivots[q] = row
    return {unknowns[p] for p, row in pivots.items() if len(row) == 1}
