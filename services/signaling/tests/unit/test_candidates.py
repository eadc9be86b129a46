from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenfour_signaling.domain import InvalidSignal, filter_sdp_candidates, parse_candidate

CHROME_SRFLX = (
    "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 "
    "generation 0 ufrag sXRT network-cost 999"
)
FIREFOX_MDNS = "candidate:0 1 UDP 2122252543 2b1f6a4c-4a35-4f3c-9a7d-1f0e3a9d6b2c.local 50205 typ host"
TCP_ACTIVE = "candidate:1 1 tcp 1518280447 2001:db8::5 9 typ host tcptype active generation 0"
AIORTC_RELAY = (
    "candidate:5c1a3e7f0b2d 1 udp 16777215 198.51.100.9 49160 typ relay raddr 192.0.2.4 rport 50000"
)


def test_parses_browser_and_aiortc_candidates() -> None:
    srflx = parse_candidate(CHROME_SRFLX)
    assert (srflx.type, srflx.transport, srflx.address, srflx.port) == ("srflx", "udp", "203.0.113.7", 46154)
    assert parse_candidate(FIREFOX_MDNS).address.endswith(".local")
    assert parse_candidate(TCP_ACTIVE).transport == "tcp"
    relay = parse_candidate("a=" + AIORTC_RELAY)
    assert (relay.type, relay.related_address, relay.related_port) == ("relay", "192.0.2.4", 50000)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "candidate:",
        "hello world",
        "842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx",  # no candidate: prefix
        "candidate:1 1 udp 1 203.0.113.7 46154 type host",
        "candidate:1 1 sctp 1 203.0.113.7 46154 typ host",
        "candidate:1 1 udp 1 203.0.113.7 46154 typ bogus",
        "candidate:1 1 udp 1 203.0.113.7 99999 typ host",
        "candidate:1 1 udp 99999999999 203.0.113.7 1 typ host",
        "candidate:1 1 udp 1 203.0.113.7 1 typ host raddr",
        "candidate:1 1 udp 1 <script>alert(1)</script> 1 typ host",
        "candidate:1 1 udp 1 203.0.113.7 1 typ host\r\na=inject 1",
        "candidate:" + "1" * 2000,
    ],
)
def test_rejects_garbage(garbage: str) -> None:
    with pytest.raises(InvalidSignal):
        parse_candidate(garbage)


def test_errors_do_not_quote_the_address() -> None:
    with pytest.raises(InvalidSignal) as caught:
        parse_candidate("candidate:1 1 udp 1 10.1.2.3! 1 typ host")
    assert "10.1.2.3" not in str(caught.value)


@given(st.text(max_size=300))
def test_arbitrary_text_fails_only_with_invalid_signal(text: str) -> None:
    with contextlib.suppress(InvalidSignal):
        parse_candidate(text)


SDP = "\r\n".join(
    [
        "v=0",
        "o=- 1 1 IN IP4 0.0.0.0",
        "m=video 9 UDP/TLS/RTP/SAVPF 96",
        "a=candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host",
        "a=candidate:2 1 udp 1694498815 203.0.113.7 50000 typ srflx raddr 192.0.2.10 rport 50000",
        "a=" + AIORTC_RELAY,
        "a=candidate:broken",
        "a=end-of-candidates",
        "",
    ]
)


def test_filter_keeps_relay_candidates_and_hides_their_origin() -> None:
    filtered = filter_sdp_candidates(SDP, frozenset({"relay"}), hide_related=True)
    candidates = [line for line in filtered.split("\r\n") if line.startswith("a=candidate:")]
    assert len(candidates) == 1
    assert "raddr 0.0.0.0 rport 0" in candidates[0]
    assert "192.0.2" not in filtered
    assert filtered.startswith("v=0\r\n")
    assert filtered.endswith("a=end-of-candidates\r\n")


def test_filter_without_hiding_keeps_lines_verbatim() -> None:
    filtered = filter_sdp_candidates(SDP, frozenset({"host", "srflx", "relay"}))
    assert filtered == SDP.replace("a=candidate:broken\r\n", "")
