"""Human-readable output (rich tables, progress on stderr) or one JSON document for scripts.

With `--json`, stdout carries exactly one JSON object per run: the result, or
`{"error": {...}}` when the command failed (the exit code tells the same). Progress bars and
notes go to stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenfour_cli.exits import CliError, Exit
from tenfour_cli.fields import field_words

__all__ = ["Output", "local_iso", "proto_dict", "timestamp_text", "timestamp_utc", "user_zone", "zone_label"]


def proto_dict(message: Message) -> dict[str, Any]:
    """Every field (defaults included, so scripts see stable keys), enums by name, times RFC 3339."""
    return MessageToDict(message, always_print_fields_with_no_presence=True, preserving_proto_field_name=True)


def timestamp_utc(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


def user_zone() -> tzinfo | None:
    """The zone every time is shown in: TENFOUR_TZ (an IANA name), else this machine's zone.

    One convention for every command, so a slot found, booked and listed reads the same.
    """
    name = os.environ.get("TENFOUR_TZ", "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CliError(
                f"TENFOUR_TZ={name!r} is not a time zone", Exit.USAGE, hint="e.g. America/Chicago"
            ) from None
    return None  # astimezone(None): the machine's local zone


def zone_label(zone: tzinfo | None = None) -> str:
    """The zone's name for headings: the IANA name when known, else its abbreviation."""
    zone = zone or user_zone()
    if isinstance(zone, ZoneInfo):
        return zone.key
    return datetime.now().astimezone().tzname() or "local time"


def timestamp_text(ts: Timestamp, zone: Any = None) -> str:
    """A timestamp in the user's zone (or `zone`) with its offset, e.g. Wed 2026-11-25 12:30 -06:00."""
    moment = timestamp_utc(ts).astimezone(zone or user_zone())
    return moment.strftime("%a %Y-%m-%d %H:%M %z")[:-2] + ":" + moment.strftime("%z")[-2:]


def local_iso(ts: Timestamp) -> str:
    """The same instant as ISO 8601 in the user's zone (what --start takes back)."""
    return timestamp_utc(ts).astimezone(user_zone()).isoformat(timespec="minutes")


class Output:
    def __init__(self, json_mode: bool = False) -> None:
        self.json = json_mode
        out_tty = sys.stdout.isatty()
        self.console = Console(highlight=False, width=None if out_tty else 200, soft_wrap=not out_tty)
        self.err = Console(stderr=True, highlight=False)

    # -- results -----------------------------------------------------------------------------

    def emit(self, data: Mapping[str, Any], render: Callable[[Console], None]) -> None:
        if self.json:
            sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
            sys.stdout.flush()
        else:
            render(self.console)

    def error(self, error: CliError) -> None:
        if self.json:
            sys.stdout.write(json.dumps({"error": error.as_dict()}, indent=2) + "\n")
            sys.stdout.flush()
            return
        self.err.print(f"[bold red]error:[/] {error.message}", markup=True)
        for field, description in error.violations:
            self.err.print(f"  • {field_words(field)}: {description}", markup=False)
        if error.hint:
            self.err.print(f"  hint: {error.hint}", markup=False, style="dim")

    def note(self, text: str) -> None:
        """A remark for people (stderr); scripts reading --json never see it."""
        if not self.json:
            self.err.print(text, markup=False, style="dim")

    # -- helpers -----------------------------------------------------------------------------

    def progress(self, *, transient: bool = True) -> Progress:
        return Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=self.err,
            transient=transient,
            disable=not self.err.is_terminal,
        )

    @staticmethod
    def table(title: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> Table:
        table = Table(title=title, title_justify="left", show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        return table

    @staticmethod
    def pairs(rows: Iterable[tuple[str, object]]) -> Table:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in rows:
            table.add_row(key, str(value))
        return table
