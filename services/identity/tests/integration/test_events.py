"""Events reach JetStream (stream TENFOUR_IDENTITY) through the outbox, each exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.message import Message
from nats.js import JetStreamContext

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import identity_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_identity.adapters import keys
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.envelope import parse
from tenfour_shared.events.streams import stream_name
from tenfour_shared.rpc_status import field_violations

from .conftest import PASSWORD, Stack, peer_profile, unique

STREAM = stream_name("identity")


@dataclass(frozen=True)
class Published:
    envelope: Envelope
    payload: Message
    msg_id: str
    raw: bytes


class Events:
    def __init__(self, stack: Stack, js: JetStreamContext) -> None:
        self._stack = stack
        self._js = js

    async def drained(self) -> list[Published]:
        """Every message in the stream, once the outbox has nothing left to relay."""
        redis = self._stack.redis_client()
        for _ in range(200):
            if not redis.exists(keys.OUTBOX):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("outbox never drained")
        info = await self._js.stream_info(STREAM)
        published = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await self._js.get_msg(STREAM, seq)
            envelope, payload = parse(msg.data or b"", msg.headers)
            published.append(
                Published(envelope, payload, (msg.headers or {}).get("Nats-Msg-Id", ""), msg.data or b"")
            )
        return published

    async def about(self, subject: str) -> list[Published]:
        return [p for p in await self.drained() if p.envelope.subject == subject]


@pytest.fixture
async def events(stack: Stack) -> AsyncIterator[Events]:
    nc, js = await connect_nats(stack.nats.url, "identity-event-tests")
    yield Events(stack, js)
    await nc.drain()


async def test_officer_registered_then_deactivated(stack: Stack, events: Events) -> None:
    officer = stack.officer(stack.a)
    [registered] = await events.about(officer.user_id)
    assert registered.envelope.type == "identity.user_registered"
    assert registered.msg_id == registered.envelope.id  # JetStream dedupes on it
    assert registered.payload == ev.UserRegistered(
        user_id=officer.user_id, agency_id=stack.a.id, role=common_pb2.ROLE_OFFICER
    )
    assert officer.username.encode() not in registered.raw

    stack.api.stub.DeactivateUser(
        pb.DeactivateUserRequest(user_id=officer.user_id), metadata=stack.a.admin.md
    )
    stack.api.stub.DeactivateUser(
        pb.DeactivateUserRequest(user_id=officer.user_id), metadata=stack.a.admin.md
    )
    about = await events.about(officer.user_id)
    assert [p.envelope.type for p in about] == ["identity.user_registered", "identity.user_deactivated"]
    assert about[1].payload == ev.UserDeactivated(
        user_id=officer.user_id, agency_id=stack.a.id, reason_code="admin"
    )


async def test_profile_versions_are_published_in_full(stack: Stack, events: Events) -> None:
    peer = stack.api.nominate(stack.b.admin, stack.officer(stack.b))
    changed = peer_profile()
    changed.languages[:] = ["fr-CA", "en"]
    stack.api.stub.UpdateProviderProfile(pb.UpdateProviderProfileRequest(profile=changed), metadata=peer.md)
    stack.api.stub.DeactivateUser(pb.DeactivateUserRequest(user_id=peer.user_id), metadata=stack.b.admin.md)
    updates = [
        p.payload
        for p in await events.about(peer.user_id)
        if isinstance(p.payload, ev.ProviderProfileUpdated)
    ]
    assert [u.version for u in updates] == [1, 2, 3]
    assert [u.profile.active for u in updates] == [True, True, False]
    assert list(updates[1].profile.languages) == ["fr-CA", "en"]
    assert updates[0].profile.kind == common_pb2.PROVIDER_KIND_PEER
    assert list(updates[0].profile.agency_ids) == [stack.b.id]
    assert updates[0].profile.display_name == "Night Owl"


async def test_refused_changes_publish_nothing(stack: Stack, events: Events) -> None:
    before = len(await events.drained())
    code = stack.api.new_code(stack.a.admin, stack.a.id)
    stack.api.redeem(code, stack.a.id)
    with pytest.raises(Exception, match="invalid or expired"):
        stack.api.redeem(code, stack.a.id)  # used up
    assert len(await events.drained()) == before + 1


async def test_every_event_exactly_once(stack: Stack, events: Events) -> None:
    published = await events.drained()
    ids = Counter(p.envelope.id for p in published)
    assert ids
    assert max(ids.values()) == 1
    assert all(p.msg_id == p.envelope.id for p in published)
    registered = Counter(
        p.envelope.subject for p in published if p.envelope.type == "identity.user_registered"
    )
    users = {
        key.decode().rsplit(":", 1)[1] for key in stack.redis_client().scan_iter("identity:user:{dir}:*")
    }
    assert set(registered) == users  # every account announced, and announced once
    assert max(registered.values()) == 1


async def test_a_new_agency_is_announced_with_what_others_default_from_it(
    stack: Stack, events: Events
) -> None:
    agency = stack.api.stub.CreateAgency(
        pb.CreateAgencyRequest(
            name="Harbor Police",
            timezone="America/Los_Angeles",
            jurisdiction="US-CA",
            crisis_line_text="CopLine 1-800-267-5463, any time",
        ),
        metadata=stack.root.md,
    )
    [registered] = await events.about(agency.agency_id)
    assert registered.envelope.type == "identity.agency_registered"
    assert registered.payload == ev.AgencyRegistered(
        agency_id=agency.agency_id,
        timezone="America/Los_Angeles",
        jurisdiction="US-CA",
        crisis_line_text="CopLine 1-800-267-5463, any time",
    )


async def test_the_jurisdiction_given_at_enrolment_goes_to_scheduling_once_and_is_not_kept(
    stack: Stack, events: Events
) -> None:
    code = stack.api.new_code(stack.a.admin, stack.a.id)
    username = unique("guam")
    request = pb.RedeemEnrolmentCodeRequest(
        code=code, username=username, display_name="Night Owl", password=PASSWORD, jurisdiction="US-XX"
    )
    with pytest.raises(grpc.RpcError) as refused:
        stack.api.stub.RedeemEnrolmentCode(request, timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert [v.field for v in field_violations(refused.value)] == ["jurisdiction"]

    request.jurisdiction = "us-gu"  # the same single-use code still works: nothing was stored
    reply = stack.api.stub.RedeemEnrolmentCode(request, timeout=10)
    [registered] = await events.about(reply.user.user_id)
    assert registered.payload == ev.UserRegistered(
        user_id=reply.user.user_id, agency_id=stack.a.id, role=common_pb2.ROLE_OFFICER, jurisdiction="US-GU"
    )
    redis = stack.redis_client()
    assert not any(b"US-GU" in (redis.dump(k) or b"") for k in redis.scan_iter("*") if b"outbox" not in k)
