"""What must never leak: contact channels, passwords, TOTP secrets, codes, private keys, who enrolled."""

from __future__ import annotations

import asyncio
import base64
import secrets
from pathlib import Path

import grpc
import pytest
import redis

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_shared.auth.keys import SigningKey
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.streams import stream_name

from .conftest import Stack, totp_code, unique
from .test_tokens import identity_key


def _dump(client: redis.Redis) -> bytes:
    """Every key name and value in Redis, whatever its type."""
    out: list[bytes] = []
    for key in client.scan_iter("*"):
        out.append(key)
        kind = client.type(key)
        if kind == b"string":
            out.append(client.get(key) or b"")
        elif kind == b"hash":
            out.extend(b"%s=%s" % kv for kv in client.hgetall(key).items())
        elif kind == b"set":
            out.extend(client.smembers(key))
        elif kind == b"stream":
            for _, fields in client.xrange(key):
                out.extend(b"%s=%s" % kv for kv in fields.items())
    return b"\n".join(out)


async def _jetstream(stack: Stack) -> bytes:
    nc, js = await connect_nats(stack.nats.url, "leak-check")
    try:
        info = await js.stream_info(stream_name("identity"))
        messages = [
            await js.get_msg(stream_name("identity"), seq)
            for seq in range(info.state.first_seq, info.state.last_seq + 1)
        ]
        return b"\n".join((m.data or b"") + repr(m.headers).encode() for m in messages)
    finally:
        await nc.drain()


def _private_forms(key: SigningKey) -> list[bytes]:
    raw = key.private_key.private_bytes_raw()
    return [raw, base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"="), key.to_pem()]


async def test_secrets_are_nowhere_at_rest_in_events_or_logs(stack: Stack) -> None:
    stub = stack.api.stub
    password = "pelican " + unique("secret-pass-")
    contact = f"+1555{secrets.randbelow(9_000_000) + 1_000_000}"
    code = stack.api.new_code(stack.a.admin, stack.a.id)
    username = unique("quietfox")
    reply = stub.RedeemEnrolmentCode(
        pb.RedeemEnrolmentCodeRequest(
            code=code, username=username, display_name="Quiet Fox", password=password
        )
    )
    md = (("authorization", f"Bearer {reply.access_token}"),)
    stub.SetContactChannel(pb.SetContactChannelRequest(contact=contact), metadata=md)
    enrolment = stub.EnrolMfa(pb.EnrolMfaRequest(), metadata=md)
    stub.ConfirmMfa(pb.ConfirmMfaRequest(totp_code=totp_code(enrolment.secret)), metadata=md)
    me = stub.GetMe(pb.GetMeRequest(), metadata=md)
    assert me.contact_channel == contact
    assert me.username == username

    # The coordinator deactivating the account sees neither contact nor pseudonym.
    gone = stub.DeactivateUser(pb.DeactivateUserRequest(user_id=me.user_id), metadata=stack.a.admin.md)
    assert not gone.contact_channel
    assert not gone.username
    assert not gone.display_name

    secrets_ = {
        "contact": contact.encode(),
        "password": password.encode(),
        "totp secret": enrolment.secret.encode(),
        "enrolment code": code.encode(),
        "compact code": code.replace("-", "").encode(),
        "refresh token": reply.refresh_token.encode(),
        "access token": reply.access_token.encode(),
    }
    key = await identity_key(stack)
    at_rest = _dump(stack.redis_client())
    for name, value in {
        **secrets_,
        **{f"private key {i}": f for i, f in enumerate(_private_forms(key))},
    }.items():
        assert value not in at_rest, f"{name} stored in clear"
    published = await _jetstream(stack)
    log = await asyncio.to_thread(Path(stack.identity.log_path or "").read_bytes)
    for name, value in {**secrets_, "username": username.encode(), "display name": b"Quiet Fox"}.items():
        assert value not in published, f"{name} in an event"
        assert value not in log, f"{name} in the log"
    audit = stub.ListAuditEvents(pb.ListAuditEventsRequest(limit=1000), metadata=stack.root.md).events
    text = " ".join(f"{e.kind} {e.user_id} {e.agency_id} {e.detail}" for e in audit)
    for value in (contact, username, "Quiet Fox", "@", "127.0.0.1"):
        assert value not in text


def test_agency_sees_how_many_enrolled_never_who(stack: Stack) -> None:
    stub = stack.api.stub
    agency_id = stack.api.create_agency(stack.root)
    admin = stack.api.create_agency_admin(stack.root, agency_id)
    code = stack.api.new_code(admin, agency_id, uses=20)

    def stats() -> pb.EnrolmentStats:
        return stub.GetEnrolmentStats(pb.GetEnrolmentStatsRequest(agency_id=agency_id), metadata=admin.md)

    assert stats() == pb.EnrolmentStats(codes_issued=1, redemptions=0, redemptions_suppressed=True)
    for _ in range(3):
        stack.api.redeem(code, agency_id)
    assert stats() == pb.EnrolmentStats(codes_issued=1, redemptions=0, redemptions_suppressed=True)
    for _ in range(9):
        stack.api.redeem(code, agency_id)
    assert stats() == pb.EnrolmentStats(
        codes_issued=1, redemptions=10, redemptions_suppressed=False
    )  # 12, coarsened
    # Nothing else an agency admin can call names its officers.
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListAuditEvents(pb.ListAuditEventsRequest(), metadata=admin.md)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
