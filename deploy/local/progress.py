"""Progress while `make run` starts: a bar on a terminal, one line per step otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from local_system import console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class Steps:
    """Progress while starting: a bar on a terminal, one line per step otherwise."""

    def __init__(self, total: int) -> None:
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.total = total
        if console.is_terminal:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )

    @contextlib.contextmanager
    def running(self) -> Iterator[Steps]:
        if self.progress is None:
            yield self
            return
        with self.progress:
            self.task = self.progress.add_task("starting", total=self.total)
            yield self

    def doing(self, what: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=what)

    def done(self, line: str) -> None:
        """A finished step: kept on screen above the bar."""
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)
            self.progress.console.print(f"  [green]✓[/] {line}")
        else:
            print(f"  • {line}", flush=True)

    def sub(self, prefix: str) -> Callable[[str, int, int], None]:
        """A callback for a long step with its own steps (the seed)."""

        def update(what: str, done: int, total: int) -> None:
            self.doing(f"{prefix}: {what} ({done}/{total})")
            if self.progress is None:
                print(f"    {what}", flush=True)

        return update
