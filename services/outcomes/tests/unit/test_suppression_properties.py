"""Property-based: suppressed figures cannot be recovered from shown ones, whatever the data.

Tables are drawn at random (many small cells, totals, several relations sharing cells, figures
published earlier), suppressed by the domain, and then attacked by an independent solver that
tries every linear combination of the published relations.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_outcomes.domain.linear import determined
from tenfour_outcomes.domain.suppression import MIN_OFFICERS, Cell, Status, suppress

from .attack import recoverable, subtraction_attack

Key = tuple[str, str]
# Officers behind a cell: mostly small, so that suppression has work to do.
people = st.one_of(st.integers(0, 12), st.integers(11, 60))


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict[Key, Cell], list[dict[Key, int]]]:
    """An r x c table of counts with row totals, column totals and a grand total."""
    rows = [f"r{i}" for i in range(draw(st.integers(1, 6)))]
    cols = [f"c{j}" for j in range(draw(st.integers(1, 6)))]
    cells: dict[Key, Cell] = {}
    for r in rows:
        for c in cols:
            p = draw(people)
            cells[(r, c)] = Cell(p * draw(st.integers(1, 3)), p)
    for r in rows:
        cells[(r, "T")] = Cell(
            sum(cells[(r, c)].value for c in cols), sum(cells[(r, c)].people for c in cols)
        )
    for c in [*cols, "T"]:
        cells[("T", c)] = Cell(
            sum(cells[(r, c)].value for r in rows), sum(cells[(r, c)].people for r in rows)
        )
    equations = []
    for r in [*rows, "T"]:
        equations.append({**{(r, c): 1 for c in cols}, (r, "T"): -1})
    for c in [*cols, "T"]:
        equations.append({**{(r, c): 1 for r in rows}, ("T", c): -1})
    return cells, equations


def _hidden(status: dict[Key, Status]) -> list[Key]:
    return [k for k, s in status.items() if s is not Status.SHOWN]


def _small(status: dict[Key, Status]) -> set[Key]:
    return {k for k, s in status.items() if s is Status.SMALL_CELL}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_small_cell_is_recoverable_from_a_table_with_totals(
    table: tuple[dict[Key, Cell], list[dict[Key, int]]],
) -> None:
    cells, equations = table
    status = suppress(cells, equations)
    for key, cell in cells.items():
        if 0 < cell.people < MIN_OFFICERS:
            assert status[key] is Status.SMALL_CELL, key  # every small cell is hidden
        if status[key] is Status.SHOWN:
            assert cell.people == 0 or cell.people >= MIN_OFFICERS
    hidden = _hidden(status)
    assert not recoverable(hidden, equations) & _small(status)
    assert not subtraction_attack(hidden, equations) & _small(status)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.data())
def test_figures_published_earlier_stay_as_they_were_and_stay_protected(
    table: tuple[dict[Key, Cell], list[dict[Key, int]]], data: st.DataObject
) -> None:
    """Publish the table, then add a new row later: old statuses are fixed, nothing leaks."""
    cells, equations = table
    first = suppress(cells, equations)
    fixed = {k: Cell(c.value, c.people, first[k]) for k, c in cells.items()}
    cols = sorted({c for _, c in cells if c != "T"})
    new: dict[Key, Cell] = {}
    for c in cols:
        p = data.draw(people)
        new[("new", c)] = Cell(p, p)
    new[("new", "T")] = Cell(sum(n.value for n in new.values()), sum(n.people for n in new.values()))
    # The new row joins a new grand total row "T2" = T + new (a year after a quarter, say).
    for c in [*cols, "T"]:
        new[("T2", c)] = Cell(fixed[("T", c)].value + new[("new", c)].value, fixed[("T", c)].people)
    more = [{**{("new", c): 1 for c in cols}, ("new", "T"): -1}]
    more += [{("T", c): 1, ("new", c): 1, ("T2", c): -1} for c in [*cols, "T"]]
    more += [{**{("T2", c): 1 for c in cols}, ("T2", "T"): -1}]
    second = suppress({**fixed, **new}, [*equations, *more])
    assert all(second[k] is first[k] for k in cells)
    assert not recoverable(_hidden(second), [*equations, *more]) & _small(second)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.integers(0, 7), st.integers(-3, 3), min_size=1, max_size=5),
        min_size=1,
        max_size=8,
    ),
    st.sets(st.integers(0, 7), min_size=1),
)
def test_the_solver_and_the_independent_attacker_agree_on_any_linear_system(
    equations: list[dict[int, int]], unknowns: set[int]
) -> None:
    ordered = sorted(unknowns)
    assert determined(ordered, equations) == recoverable(ordered, equations)
