"""Log lines are JSON an operator can ingest, and carry no personal data whatever the caller passes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tenfour_shared import logs
from tenfour_shared.logs import JsonFormatter, scrub

JWT = (
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0"
    ".eyJzdWIiOiJ1c2VyLTEiLCJyb2xlIjoib2ZmaWNlciJ9"
    ".c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMDEyMzQ1Njc4OQ"
)
SDP = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
)

Emit = Callable[..., dict[str, Any]]


@pytest.fixture
def emit() -> Iterator[Emit]:
    """Log one record through the JSON formatter and return the parsed line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("scheduling"))
    logger = logging.getLogger("tenfour.test-logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)

    def _emit(msg: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> dict[str, Any]:
        stream.seek(0)
        stream.truncate()
        logger.log(level, msg, *args, **kwargs)
        [line] = stream.getvalue().splitlines()
        parsed: dict[str, Any] = json.loads(line)
        return parsed

    yield _emit
    logger.removeHandler(handler)
    logger.propagate = True


def test_each_record_is_one_line_of_json_with_the_basics(emit: Emit) -> None:
    entry = emit("booked %d sessions", 3, level=logging.WARNING)

    assert entry["msg"] == "booked 3 sessions"
    assert entry["level"] == "warning"
    assert entry["service"] == "scheduling"
    assert entry["logger"] == "tenfour.test-logs"
    assert entry["time"].endswith("+00:00")


def test_allowlisted_fields_are_kept_with_their_types(emit: Emit) -> None:
    entry = emit(
        "rpc done",
        extra={"rpc": "/tenfour.scheduling.v1.SchedulingService/Book", "duration_ms": 1.5, "count": 2},
    )

    assert entry["rpc"] == "/tenfour.scheduling.v1.SchedulingService/Book"
    assert entry["duration_ms"] == 1.5
    assert entry["count"] == 2


def test_fields_outside_the_allowlist_are_dropped(emit: Emit) -> None:
    entry = emit(
        "profile updated",
        extra={"display_name": "Sgt. Jane Doe", "email": "jane@example.org", "peer": "10.1.2.3", "sdp": SDP},
    )

    line = json.dumps(entry)
    for secret in ("display_name", "Jane", "jane@example.org", "10.1.2.3", "peer", "ice-pwd"):
        assert secret not in line


def test_the_service_name_cannot_be_overridden_by_a_caller(emit: Emit) -> None:
    assert emit("x", extra={"service": "evil"})["service"] == "scheduling"


def test_allowlisted_fields_are_scrubbed_too(emit: Emit) -> None:
    entry = emit("lookup", extra={"request_id": "from jane@example.org at 192.168.7.9"})

    assert entry["request_id"] == "from [email] at [ip]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token {JWT} rejected", "token [jwt] rejected"),
        ("header Authorization: Bearer abc.def-123_XYZ", "header Authorization: bearer [token]"),
        ("header authorization: bearer opaque-token", "header authorization: bearer [token]"),
        ("invite sent to officer.jane+duty@pd.example.gov", "invite sent to [email]"),
        ("peer 203.0.113.45 connected", "peer [ip] connected"),
        ("peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 connected", "peer [ip] connected"),
        ("peer 2001:db8::1 connected", "peer [ip] connected"),
        ("peer [2001:db8:4::17]:443 connected", "peer [[ip]]:443 connected"),
        ("link-local fe80::1ff:fe23:4567:890a%eth0", "link-local [ip]%eth0"),
        ("loopback ::1 refused", "loopback [ip] refused"),
        ("all zeros :: and 1:2:3:4:5:6:7:: too", "all zeros [ip] and [ip] too"),
        ("mapped ::ffff:198.51.100.7 refused", "mapped [ip][ip] refused"),
        (f"offer was {SDP}", "offer was [sdp]"),
        ("got candidate:842163049 1 udp 1677729535 198.51.100.7 46154 typ srflx", "got [candidate]"),
        ("a=candidate:1 1 UDP 2122252543 2001:db8::5 3478 typ host", "a=[candidate]"),
    ],
)
def test_personal_data_in_messages_is_scrubbed(emit: Emit, text: str, expected: str) -> None:
    assert scrub(text) == expected
    # Through a real log call too, including when the data arrives as a %-argument.
    assert emit("%s", text)["msg"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "rpc /tenfour.availability.v1.AvailabilityService/GetRules took 12 ms for 3 windows",
        "rules version 7 for provider 0193ab7c-22f1 saved at 2026-03-08T02:30:00+00:00",
        "key availability:outbox:{p1} drained; see tenfour_shared::events for details",
    ],
)
def test_ordinary_text_survives_scrubbing(text: str) -> None:
    assert scrub(text) == text


def test_exceptions_are_reported_by_type_only(emit: Emit) -> None:
    try:
        raise ValueError("officer jane@example.org at 10.9.8.7 said something private")
    except ValueError:
        entry = emit("handler failed", level=logging.ERROR, exc_info=True, stack_info=True)

    assert entry["error_type"] == "ValueError"
    line = json.dumps(entry)
    for leaked in ("private", "Traceback", "test_logs.py", "raise ValueError", "Stack"):
        assert leaked not in line


def test_log_exception_with_an_explicit_exception_object(emit: Emit) -> None:
    entry = emit("dropped", level=logging.ERROR, exc_info=KeyError("jane@example.org"))

    assert entry["error_type"] == "KeyError"
    assert "jane" not in json.dumps(entry)


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("aioice", "aiortc", "nats", "grpc")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in noisy.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.usefixtures("root_logging")
def test_configure_installs_one_json_handler_and_quiets_chatty_libraries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("identity", "debug")
    logs.configure("identity", "debug")  # idempotent: a second call does not double every line

    logging.getLogger("tenfour.somewhere").debug("hello from 10.0.0.1")
    logging.getLogger("nats.client").info("connected to 10.0.0.2")

    lines = capsys.readouterr().err.splitlines()
    assert [json.loads(line)["msg"] for line in lines] == ["hello from [ip]"]
    assert json.loads(lines[0])["service"] == "identity"
    assert logging.getLogger("grpc").level == logging.WARNING
