"""What the commands that keep records for admins and coordinators share (licences, peer
training): the signed-in call, and the answers to record, remove and list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from google.protobuf.message import Message
from rich.console import Console

from tenfour_cli.app import Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call

__all__ = ["ask", "show_recorded", "show_removed", "show_table"]

R = TypeVar("R")


def ask(ctx: Context, method: Callable[..., R], request: Message, what: str) -> R:
    """One call as the signed-in user; ``what`` names the thing in error messages."""
    return call(method, request, metadata=ctx.metadata(), timeout=ctx.timeout, what=what)


def show_recorded(ctx: Context, key: str, stored: Message, done: str, detail: str) -> int:
    """The stored record (JSON: under ``key``), or ``done`` in green and its ``detail``."""
    ctx.out.emit({key: proto_dict(stored)}, lambda console: console.print(f"[bold green]{done}[/] {detail}"))
    return Exit.OK


def show_removed(ctx: Context, record_id: str, line: str) -> int:
    ctx.out.emit({"removed": record_id}, lambda console: console.print(line))
    return Exit.OK


def show_table(
    ctx: Context,
    data: dict[str, Any],
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    after: Callable[[Console], None] | None = None,
) -> int:
    """``data`` as JSON, or a table (then ``after``, for details under it)."""

    def render(console: Console) -> None:
        console.print(ctx.out.table(title, header, rows))
        if after is not None:
            after(console)

    ctx.out.emit(data, render)
    return Exit.OK
