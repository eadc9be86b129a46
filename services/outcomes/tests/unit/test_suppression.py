"""Suppression on hand-made tables: primary, complementary, fixed cells, zeros."""

from __future__ import annotations

from tenfour_outcomes.domain.suppression import Cell, Status, is_small, suppress

from .attack import recoverable

SHOWN, SMALL, COMP = Status.SHOWN, Status.SMALL_CELL, Status.COMPLEMENTARY


def _row(total: str, parts: list[str]) -> dict[str, int]:
    return {**dict.fromkeys(parts, 1), total: -1}


def test_the_cell_size_rule() -> None:
    assert [is_small(v, v) for v in (0, 1, 10, 11, 500)] == [False, True, True, False, False]
    assert is_small(3, 0)  # a figure with nobody behind it is never trusted
    assert is_small(40, 4)  # 40 sessions of 4 officers: based on 4 officers


def test_one_small_cell_in_a_row_takes_the_smallest_other_cell_with_it() -> None:
    cells = {"total": Cell(60, 40), "a": Cell(30, 20), "b": Cell(3, 3), "c": Cell(12, 12), "d": Cell(15, 15)}
    status = suppress(cells, [_row("total", ["a", "b", "c", "d"])])
    assert status == {"total": SHOWN, "a": SHOWN, "b": SMALL, "c": COMP, "d": SHOWN}


def test_zeros_are_shown_and_not_chosen_to_protect_others() -> None:
    cells = {"total": Cell(45, 30), "a": Cell(0, 0), "b": Cell(5, 5), "c": Cell(40, 25)}
    status = suppress(cells, [_row("total", ["a", "b", "c"])])
    assert status["a"] is SHOWN
    assert status["b"] is SMALL
    assert not recoverable([k for k, s in status.items() if s is not SHOWN], [_row("total", ["a", "b", "c"])])


def test_two_small_cells_protect_each_other_and_the_total_stays() -> None:
    cells = {"total": Cell(20, 14), "a": Cell(8, 8), "b": Cell(12, 6)}
    assert suppress(cells, [_row("total", ["a", "b"])]) == {"total": SHOWN, "a": SMALL, "b": SMALL}


def test_two_dimensional_tables_need_complements_across_rows_and_columns() -> None:
    # rows x and y, columns a and b, with totals: one small cell forces a rectangle of four.
    values = {("x", "a"): 4, ("x", "b"): 30, ("y", "a"): 20, ("y", "b"): 25}
    cells = {k: Cell(v, v) for k, v in values.items()}
    for r in "xy":
        cells[(r, "T")] = Cell(values[(r, "a")] + values[(r, "b")], 50)
    for c in "ab":
        cells[("T", c)] = Cell(values[("x", c)] + values[("y", c)], 50)
    cells[("T", "T")] = Cell(sum(values.values()), 80)
    equations = [{(r, "a"): 1, (r, "b"): 1, (r, "T"): -1} for r in "xyT"]
    equations += [{("x", c): 1, ("y", c): 1, ("T", c): -1} for c in "abT"]
    status = suppress(cells, equations)
    hidden = [k for k, s in status.items() if s is not SHOWN]
    assert status[("x", "a")] is SMALL
    assert len(hidden) >= 4
    assert ("x", "a") not in recoverable(hidden, equations)


def test_fixed_cells_keep_their_status_and_new_cells_protect_them() -> None:
    # January was published with a hidden small cell; the quarter (= Jan + Feb) comes later.
    jan = {"jan.a": Cell(5, 0, SMALL), "jan.b": Cell(40, 0, COMP), "jan.t": Cell(45, 0, SHOWN)}
    new = {"feb.a": Cell(30, 30), "feb.b": Cell(40, 40), "feb.t": Cell(70, 60)}
    new |= {"q.a": Cell(35, 33), "q.b": Cell(80, 45), "q.t": Cell(115, 70)}
    equations = [
        _row("jan.t", ["jan.a", "jan.b"]),
        _row("feb.t", ["feb.a", "feb.b"]),
        _row("q.t", ["q.a", "q.b"]),
    ]
    equations += [_row(f"q.{c}", [f"jan.{c}", f"feb.{c}"]) for c in "abt"]
    status = suppress({**jan, **new}, equations)
    assert {k: status[k] for k in jan} == {"jan.a": SMALL, "jan.b": COMP, "jan.t": SHOWN}
    hidden = [k for k, s in status.items() if s is not SHOWN]
    assert "jan.a" not in recoverable(hidden, equations)
    assert any(status[k] is not SHOWN for k in ("q.a", "feb.a"))  # q.a - feb.a would be jan.a
