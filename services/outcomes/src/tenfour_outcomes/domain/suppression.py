"""Small-cell suppression with complementary suppression, for any set of linear relations.

Primary: a figure based on 1-10 officers is hidden (CMS cell-size rule). Zero is shown.
Complementary: hidden figures must not be recoverable from shown ones through the published
relations (row totals, column totals, a quarter as the sum of its months, ...). Whether some
combination of relations isolates a hidden figure is a linear-algebra question (see
`linear.determined`); while one does, the cheapest shown figure that shares a relation with it
is hidden too (smallest positive value first, finer periods first), until none does.

Cells may be *fixed*: published earlier, their status cannot change. The search then only hides
new cells. Hiding every new cell is always safe when the earlier publication was, so the search
ends; a hidden figure that only already-published figures determine is left as it is (it tells
nothing new).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from tenfour_outcomes.domain.linear import determined

__all__ = ["MIN_OFFICERS", "Cell", "Status", "is_small", "suppress"]

MIN_OFFICERS = 11
K = TypeVar("K", bound=Hashable)


class Status(StrEnum):
    SHOWN = "shown"
    SMALL_CELL = "small_cell"  # primary: based on 1-10 officers
    COMPLEMENTARY = "complementary"  # hidden to protect a small cell


@dataclass(frozen=True, slots=True)
class Cell:
    value: int
    people: int  # distinct officers behind the figure
    fixed: Status | None = None  # published earlier
    coarseness: int = 0  # 0 month, 1 quarter, 2 year: finer cells are hidden first


def is_small(value: float, people: int, min_people: int = MIN_OFFICERS) -> bool:
    """Based on 1-10 officers (or a non-zero figure with nobody behind it: never trust it)."""
    return (people > 0 or value != 0) and people < min_people


class _Search(Generic[K]):
    def __init__(
        self, cells: Mapping[K, Cell], equations: Sequence[Mapping[K, int]], min_people: int
    ) -> None:
        self.cells = cells
        self.equations = equations
        self.status: dict[K, Status] = {}
        for key, cell in cells.items():
            if cell.fixed is not None:
                self.status[key] = cell.fixed
            elif is_small(cell.value, cell.people, min_people):
                self.status[key] = Status.SMALL_CELL
            else:
                self.status[key] = Status.SHOWN
        self.relations_of: dict[K, list[int]] = defaultdict(list)
        for i, equation in enumerate(equations):
            for key in equation:
                self.relations_of[key].append(i)

    def hidden(self) -> list[K]:
        return [k for k, s in self.status.items() if s is not Status.SHOWN]

    def determined(self) -> set[K]:
        """Hidden cells that some combination of relations and shown figures recovers."""
        hidden = self.hidden()
        hidden_set = set(hidden)
        return determined(hidden, [e for e in self.equations if any(k in hidden_set for k in e)])

    def exposed(self, found: set[K]) -> list[K]:
        return [k for k in self.hidden() if k in found and self.status[k] is Status.SMALL_CELL]

    def candidates(self, key: K) -> list[K]:
        out = []
        for i in self.relations_of.get(key, ()):
            for other in self.equations[i]:
                if self.status[other] is Status.SHOWN and self.cells[other].fixed is None:
                    out.append(other)
        return out

    def any_candidate(self) -> list[K]:
        hidden = set(self.hidden())
        return [
            k
            for equation in self.equations
            if any(h in hidden for h in equation)
            for k in equation
            if self.status[k] is Status.SHOWN and self.cells[k].fixed is None
        ]

    def cost(self, key: K) -> tuple[bool, int, int, str]:
        cell = self.cells[key]
        return (cell.value <= 0, cell.value, cell.coarseness, repr(key))

    def run(self) -> dict[K, Status]:
        while True:
            found = self.determined()
            exposed = self.exposed(found)
            if not exposed:
                return self.reveal_redundant(found)
            added = False
            for key in exposed:
                options = self.candidates(key) or self.any_candidate()
                if options:
                    self.status[min(options, key=self.cost)] = Status.COMPLEMENTARY
                    added = True
            if not added:  # only figures published earlier determine what is left
                return self.reveal_redundant(self.determined())

    def reveal_redundant(self, found: set[K]) -> dict[K, Status]:
        """Show complementary cells that the shown ones determine anyway: it reveals nothing."""
        for key in found:
            if self.status[key] is Status.COMPLEMENTARY and self.cells[key].fixed is None:
                self.status[key] = Status.SHOWN
        return self.status


def suppress(
    cells: Mapping[K, Cell], equations: Sequence[Mapping[K, int]], min_people: int = MIN_OFFICERS
) -> dict[K, Status]:
    """The status of every cell; `equations` map cells to coefficients and each sums to zero."""
    return _Search(cells, equations, min_people).run()
