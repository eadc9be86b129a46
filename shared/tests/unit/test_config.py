"""Operators configure services through TENFOUR_ environment variables; bad values stop start-up."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from tenfour_shared.config import ServiceSettings, load_settings


class SchedulingSettings(ServiceSettings):
    port: int = 50053
    reminder_lead_minutes: int = 60


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("TENFOUR_"):
            monkeypatch.delenv(name)


def test_defaults_are_safe_for_a_laptop() -> None:
    settings = ServiceSettings()

    assert settings.host == "127.0.0.1"
    assert settings.port == 0
    assert settings.max_deliveries == 5
    assert settings.instance_id


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENFOUR_PORT", "6000")
    monkeypatch.setenv("TENFOUR_NATS_URL", "nats://nats.internal:4222")
    monkeypatch.setenv("TENFOUR_REDIS_URL", "redis://redis.internal:6379/2")
    monkeypatch.setenv("TENFOUR_DRAIN_GRACE_SECONDS", "12.5")
    monkeypatch.setenv("TENFOUR_MAX_DELIVERIES", "9")
    monkeypatch.setenv("TENFOUR_INSTANCE_ID", "pod-7")

    settings = ServiceSettings()

    assert settings.port == 6000
    assert settings.nats_url == "nats://nats.internal:4222"
    assert settings.redis_url == "redis://redis.internal:6379/2"
    assert settings.drain_grace_seconds == 12.5
    assert settings.max_deliveries == 9
    assert settings.instance_id == "pod-7"


def test_variables_without_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "7000")
    monkeypatch.setenv("MAX_DELIVERIES", "77")

    settings = ServiceSettings()

    assert settings.port == 0
    assert settings.max_deliveries == 5


def test_service_subclasses_read_their_own_fields_with_the_same_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert SchedulingSettings().port == 50053
    monkeypatch.setenv("TENFOUR_REMINDER_LEAD_MINUTES", "30")
    monkeypatch.setenv("TENFOUR_PORT", "50153")

    settings = SchedulingSettings()

    assert settings.reminder_lead_minutes == 30
    assert settings.port == 50153


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TENFOUR_PORT", "70000"),
        ("TENFOUR_PORT", "-1"),
        ("TENFOUR_PORT", "http"),
        ("TENFOUR_DRAIN_GRACE_SECONDS", "-1"),
        ("TENFOUR_DRAIN_GRACE_SECONDS", "600"),
        ("TENFOUR_MAX_DELIVERIES", "0"),
        ("TENFOUR_RETRY_BASE_SECONDS", "0"),
    ],
)
def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError) as caught:
        ServiceSettings()

    assert caught.value.errors()[0]["loc"] == (name.removeprefix("TENFOUR_").lower(),)


def test_settings_are_frozen() -> None:
    settings = ServiceSettings()

    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]


def test_invalid_configuration_exits_naming_the_variable_but_not_any_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TENFOUR_PORT", "not-a-port")
    monkeypatch.setenv("TENFOUR_REDIS_URL", "redis://:hunter2-secret@db:6379/0")
    with pytest.raises(SystemExit) as stopped:
        load_settings(ServiceSettings)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "TENFOUR_PORT" in err
    assert "hunter2-secret" not in err
    assert "not-a-port" not in err
