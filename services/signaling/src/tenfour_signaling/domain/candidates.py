"""ICE candidate lines (RFC 8839 §5.1 grammar, read loosely) and SDP candidate filtering.

Candidates carry IP addresses, so errors never quote them and nothing here logs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from .errors import InvalidSignal

__all__ = [
    "CANDIDATE_MAX_LENGTH",
    "CANDIDATE_TYPES",
    "ParsedCandidate",
    "filter_sdp_candidates",
    "parse_candidate",
]

CANDIDATE_MAX_LENGTH = 1024
CANDIDATE_TYPES = frozenset({"host", "srflx", "prflx", "relay"})

_FOUNDATION = re.compile(r"[A-Za-z0-9+/]{1,32}")
_DIGITS = re.compile(r"[0-9]{1,10}")
_TOKEN = re.compile(r"[\x21-\x7e]{1,256}")  # visible ASCII, no spaces
# Browsers hide host addresses behind mDNS names (<uuid>.local); accept DNS names generally.
_HOSTNAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*")
_HIDDEN = ("0.0.0.0", "0")  # what browsers put in raddr/rport when they hide them


@dataclass(frozen=True, slots=True)
class ParsedCandidate:
    foundation: str
    component: int
    transport: str  # lower case: udp | tcp
    priority: int
    address: str
    port: int
    type: str  # host | srflx | prflx | relay
    related_address: str | None = None
    related_port: int | None = None


def _address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        if _HOSTNAME.fullmatch(text) is None:
            raise InvalidSignal("malformed ICE candidate address") from None
        return text.lower()


def _number(text: str, upper: int, what: str) -> int:
    if _DIGITS.fullmatch(text) is None or int(text) > upper:
        raise InvalidSignal(f"malformed ICE candidate {what}")
    return int(text)


def parse_candidate(line: str) -> ParsedCandidate:
    """Parse ``candidate:...`` (an ``a=`` prefix is tolerated); raise InvalidSignal on garbage."""
    if len(line) > CANDIDATE_MAX_LENGTH:
        raise InvalidSignal("ICE candidate too long")
    body = line.strip().removeprefix("a=")
    if not body.startswith("candidate:"):
        raise InvalidSignal("an ICE candidate must start with 'candidate:'")
    fields = body.removeprefix("candidate:").split(" ")
    if len(fields) < 8 or fields[6] != "typ" or len(fields) % 2 != 0:
        raise InvalidSignal("malformed ICE candidate")
    foundation, component, transport, priority, address, port, _, kind = fields[:8]
    if _FOUNDATION.fullmatch(foundation) is None:
        raise InvalidSignal("malformed ICE candidate foundation")
    if transport.lower() not in ("udp", "tcp"):
        raise InvalidSignal("unsupported ICE candidate transport")
    if kind not in CANDIDATE_TYPES:
        raise InvalidSignal("unknown ICE candidate type")
    extensions = dict(zip(fields[8::2], fields[9::2], strict=True))
    if any(_TOKEN.fullmatch(t) is None for pair in extensions.items() for t in pair):
        raise InvalidSignal("malformed ICE candidate extension")
    raddr, rport = extensions.get("raddr"), extensions.get("rport")
    return ParsedCandidate(
        foundation=foundation,
        component=_number(component, 256, "component"),
        transport=transport.lower(),
        priority=_number(priority, 2**32 - 1, "priority"),
        address=_address(address),
        port=_number(port, 65535, "port"),
        type=kind,
        related_address=None if raddr is None else _address(raddr),
        related_port=None if rport is None else _number(rport, 65535, "related port"),
    )


def _hide_related(line: str) -> str:
    fields = line.split(" ")
    for i in range(8, len(fields) - 1, 2):
        if fields[i] == "raddr":
            fields[i + 1] = _HIDDEN[0]
        elif fields[i] == "rport":
            fields[i + 1] = _HIDDEN[1]
    return " ".join(fields)


def filter_sdp_candidates(sdp: str, allowed_types: frozenset[str], *, hide_related: bool = False) -> str:
    """Drop ``a=candidate`` lines whose type is not allowed (and unparsable ones).

    For relay-only peers pass ``hide_related=True``: a relay candidate's raddr/rport would
    otherwise still name the address the relay-only policy is meant to hide.
    """
    newline = "\r\n" if "\r\n" in sdp else "\n"
    kept: list[str] = []
    for line in sdp.split(newline):
        if line.startswith("a=candidate:"):
            try:
                parsed = parse_candidate(line)
            except InvalidSignal:
                continue
            if parsed.type not in allowed_types:
                continue
            if hide_related:
                line = _hide_related(line)
        kept.append(line)
    return newline.join(kept)
