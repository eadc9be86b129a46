"""An attacker who knows every published relation and every shown figure, written independently
of the service's solver: dense Gaussian elimination over the rationals.

A hidden figure x_h is recoverable iff the unit vector e_h lies in the row space of the
relations restricted to the hidden figures (then some linear combination of relations has x_h
as its only unknown, and shown figures give its value).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction


def _row_echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon form: (pivot column, row) pairs, each pivot 1 and alone in its column."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = list(row)
        for col, pivot_row in basis:
            if row[col]:
                factor = row[col]
                row = [a - factor * b for a, b in zip(row, pivot_row, strict=True)]
        col = next((i for i, a in enumerate(row) if a), None)
        if col is None:
            continue
        row = [a / row[col] for a in row]
        basis = [
            (c, [a - r[col] * b for a, b in zip(r, row, strict=True)] if r[col] else r) for c, r in basis
        ]
        basis.append((col, row))
    return basis


def recoverable(hidden: Sequence[Hashable], equations: Sequence[Mapping[Hashable, int]]) -> set[Hashable]:
    """The hidden figures that linear combinations of the relations isolate."""
    hidden = list(hidden)
    index = {k: i for i, k in enumerate(hidden)}
    matrix = []
    for equation in equations:
        row = [Fraction(0)] * len(hidden)
        for key, coefficient in equation.items():
            if key in index:
                row[index[key]] += coefficient
        if any(row):
            matrix.append(row)
    basis = _row_echelon(matrix)
    out = set()
    for key, i in index.items():
        # e_i is in the row space iff reducing it by the basis leaves nothing.
        unit = [Fraction(int(j == i)) for j in range(len(hidden))]
        for col, pivot_row in basis:
            if unit[col]:
                factor = unit[col]
                unit = [a - factor * b for a, b in zip(unit, pivot_row, strict=True)]
        if not any(unit):
            out.add(key)
    return out


def subtraction_attack(
    hidden: Sequence[Hashable], equations: Sequence[Mapping[Hashable, int]], max_terms: int = 3
) -> set[Hashable]:
    """What adding and subtracting up to `max_terms` relations isolates: the spreadsheet attack."""
    hidden_set = set(hidden)
    relevant = [e for e in equations if any(k in hidden_set for k in e)]
    found: set[Hashable] = set()
    for size in range(1, min(max_terms, len(relevant)) + 1):
        for chosen in itertools.combinations(relevant, size):
            for signs in itertools.product((1, -1), repeat=size - 1):
                total: dict[Hashable, int] = {}
                for sign, equation in zip((1, *signs), chosen, strict=True):
                    for key, coefficient in equation.items():
                        if key in hidden_set:
                            total[key] = total.get(key, 0) + sign * coefficient
                unknowns = [k for k, c in total.items() if c]
                if len(unknowns) == 1:
                    found.add(unknowns[0])
    return found
