"""An attacker who knows every published relation and every shown figure, written independently
of the service's solver: dense Gaussian elimination over the integers.

A hidden figure x_h is recoverable iff the unit vector e_h lies in the row space of the
relations restricted to the hidden figures (then some linear combination of relations has x_h
as its only unknown, and shown figures give its value).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence


def _reduce(row: list[int], basis: list[tuple[int, list[int]]]) -> list[int]:
    for col, pivot_row in basis:
        if row[col]:
            a, b = pivot_row[col], row[col]
            row = [a * x - b * y for x, y in zip(row, pivot_row, strict=True)]
    return row


def recoverable(hidden: Sequence[Hashable], equations: Sequence[Mapping[Hashable, int]]) -> set[Hashable]:
    """The hidden figures that linear combinations of the relations isolate."""
    hidden = list(hidden)
    index = {k: i for i, k in enumerate(hidden)}
    basis: list[tuple[int, list[int]]] = []  # echelon form (dense rows, not reduced upwards)
    for equation in equations:
        row = [0] * len(hidden)
        for key, coefficient in equation.items():
            if key in index:
                row[index[key]] += coefficient
        row = _reduce(row, basis)
        col = next((i for i, x in enumerate(row) if x), None)
        if col is not None:
            g = math.gcd(*row)
            basis.append((col, [x // g for x in row]))
    out = set()
    for key, i in index.items():
        # e_i lies in the row space iff reducing it by the echelon basis leaves nothing.
        if not any(_reduce([int(j == i) for j in range(len(hidden))], basis)):
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
