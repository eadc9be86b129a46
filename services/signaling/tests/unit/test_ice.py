from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import SecretStr, ValidationError

from tenfour_signaling.domain import IceSettings, Role, Room, Seat, ice_configuration_for, turn_password


def settings(**overrides: object) -> IceSettings:
    values: dict[str, object] = {"host": "turn.tenfour.test", "secret": SecretStr("north-secret")}
    return IceSettings.model_validate(values | overrides)


def before(room: Room) -> datetime:
    return room.start - timedelta(minutes=5)


def officer(room: Room) -> Seat:
    return room.require_seat("officer-1")


def test_stun_and_turn_over_udp_and_tcp(room: Room) -> None:
    config = ice_configuration_for(settings(), room, officer(room), before(room))
    stun, turn = config.servers
    assert stun.urls == ("stun:turn.tenfour.test:3478",)
    assert turn.urls == (
        "turn:turn.tenfour.test:3478?transport=udp",
        "turn:turn.tenfour.test:3478?transport=tcp",
    )
    assert config.relay_only is False


def test_turn_credentials_use_the_handle_and_end_with_the_room(room: Room) -> None:
    config = ice_configuration_for(settings(), room, officer(room), before(room))
    turn = config.servers[-1]
    assert turn.username is not None
    expiry, user = turn.username.split(":")
    assert user == officer(room).handle
    assert int(expiry) == int((room.end + timedelta(minutes=15)).timestamp())
    assert config.expires_at == room.end + timedelta(minutes=15)
    assert turn.credential == turn_password("north-secret", turn.username)
    assert "officer-1" not in turn.username
    assert turn.credential not in repr(config)


def test_turns_on_443_when_configured(room: Room) -> None:
    config = ice_configuration_for(
        settings(turns_host="edge.tenfour.test"), room, officer(room), room.start - timedelta(minutes=5)
    )
    assert config.servers[-1].urls[-1] == "turns:edge.tenfour.test:443?transport=tcp"


def test_relay_only_policy_hides_officers(room: Room) -> None:
    policy = settings(relay_only_roles=frozenset({Role.OFFICER}))
    officer_config = ice_configuration_for(policy, room, officer(room), before(room))
    assert officer_config.relay_only is True
    assert all(not url.startswith("stun:") for s in officer_config.servers for url in s.urls)
    provider_config = ice_configuration_for(
        policy, room, room.require_seat("dr-lee"), room.start - timedelta(minutes=5)
    )
    assert provider_config.relay_only is False


def test_ipv6_hosts_are_bracketed(room: Room) -> None:
    config = ice_configuration_for(
        settings(host="2001:db8::1"), room, officer(room), room.start - timedelta(minutes=5)
    )
    assert config.servers[0].urls == ("stun:[2001:db8::1]:3478",)


@pytest.mark.parametrize("host", ["stun.l.google.com", "STUN1.L.GOOGLE.COM.", "google.com"])
def test_never_a_public_google_stun(host: str) -> None:
    with pytest.raises(ValidationError):
        settings(host=host)


def test_no_google_anywhere(room: Room) -> None:
    config = ice_configuration_for(
        settings(turns_host="edge.tenfour.test"), room, officer(room), room.start - timedelta(minutes=5)
    )
    assert "google" not in config.model_dump_json()
