"""A line-numbered outline of an iCalendar text, so errors can say where they are.

icalendar parses leniently and reports problems without line numbers; this pass checks the
content-line grammar and BEGIN/END nesting itself and records where each property sits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tenfour_shared.calendar.errors import IcsError

__all__ = ["Block", "outline"]

_NAME = re.compile(r"[A-Za-z0-9-]+")
_NEWLINE = re.compile(r"\r?\n")


@dataclass(slots=True)
class Block:
    """One BEGIN..END component: its name, first line and the lines of its properties."""

    name: str
    line: int
    props: dict[str, list[int]] = field(default_factory=dict)

    def line_of(self, prop: str | None) -> int:
        lines = self.props.get(prop.upper(), []) if prop else []
        return lines[0] if lines else self.line


def outline(text: str) -> list[Block]:
    """Components in document order (the order of icalendar's walk()), with line numbers."""
    blocks: list[Block] = []
    stack: list[Block] = []
    for number, line in _logical_lines(text):
        if not stack and blocks:
            raise IcsError("content after END:VCALENDAR (only one calendar is allowed)", number)
        name, value = _split(line, number)
        if name == "BEGIN":
            component = value.strip().upper()
            if not stack and component != "VCALENDAR":
                raise IcsError(f"expected BEGIN:VCALENDAR, found BEGIN:{component}", number)
            block = Block(component, number)
            blocks.append(block)
            stack.append(block)
        elif name == "END":
            component = value.strip().upper()
            if not stack or stack[-1].name != component:
                opened = f"BEGIN:{stack[-1].name} from line {stack[-1].line}" if stack else "nothing"
                raise IcsError(f"END:{component} does not close {opened}", number)
            stack.pop()
        elif not stack:
            raise IcsError(f"expected BEGIN:VCALENDAR, found {name}", number)
        else:
            stack[-1].props.setdefault(name, []).append(number)
    if stack:
        raise IcsError(f"BEGIN:{stack[-1].name} is never closed by END:{stack[-1].name}", stack[-1].line)
    if not blocks:
        raise IcsError("the calendar is empty")
    return blocks


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfold continuation lines (RFC 5545 3.1), keeping the number of each line's first row."""
    pending: tuple[int, str] | None = None
    for index, row in enumerate(_NEWLINE.split(text), start=1):
        if row[:1] in (" ", "\t"):
            if pending is None:
                raise IcsError("continuation line with nothing to continue", index)
            pending = (pending[0], pending[1] + row[1:])
            continue
        if not row:
            continue  # blank rows are ignored (icalendar does too), even inside a fold
        if pending is not None:
            yield pending
        pending = (index, row)
    if pending is not None:
        yield pending


def _split(line: str, number: int) -> tuple[str, str]:
    """NAME[;PARAM=...]:VALUE -> (NAME upper-cased, VALUE); colons inside quotes do not count."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            name = line[:i].split(";", 1)[0]
            if _NAME.fullmatch(name):
                return name.upper(), line[i + 1 :]
            break
    shown = line if len(line) <= 60 else line[:57] + "..."
    raise IcsError(f"not an iCalendar content line (expected NAME:VALUE): {shown!r}", number)
