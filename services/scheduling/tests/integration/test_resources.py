"""The agency's resources page through gRPC: a coordinator publishes a hotline and an article,
edits and removes one; officers and peers of that agency read them (the crisis line first),
another agency's officers do not see them; bad input is refused and changes nothing."""

from __future__ import annotations

import grpc
import pytest

from tenfour.events.v1 import identity_events_pb2 as identity
from tenfour.scheduling.v1 import resources_pb2 as spb
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_shared.redis_store import as_bytes

from .conftest import Harness, violations

pytestmark = pytest.mark.integration
C = spb.ResourceCategory


async def put(h: Harness, resource: spb.Resource, agency: str = "agency-1") -> spb.Resource:
    reply: spb.Resource = await h.stub.SetResource(
        spb.SetResourceRequest(resource=resource), metadata=h.admin(agency)
    )
    return reply


async def listed(h: Harness, metadata: tuple[tuple[str, str]]) -> spb.ListResourcesResponse:
    reply: spb.ListResourcesResponse = await h.stub.ListResources(
        spb.ListResourcesRequest(), metadata=metadata
    )
    return reply


async def test_coordinators_keep_the_page_members_read_it(harness: Harness) -> None:
    h = harness
    await h.stub.SetFatiguePolicy(
        pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(crisis_line_text="Call or text 988")),
        metadata=h.admin(),
    )
    line = await put(
        h, spb.Resource(category=C.RESOURCE_CATEGORY_HOTLINE, title="COPLINE", phone="1-800-267-5463")
    )
    article = await put(
        h,
        spb.Resource(
            category=C.RESOURCE_CATEGORY_FAMILY_SUPPORT,
            title="When your partner works nights",
            url="https://example.org/families",
        ),
    )
    edited = await put(
        h,
        spb.Resource(
            resource_id=article.resource_id, category=C.RESOURCE_CATEGORY_FAMILY_SUPPORT, title="Families"
        ),
    )
    assert edited.resource_id == article.resource_id

    for reader in (h.officer("o-1"), h.peer("p-1"), h.admin()):
        page = await listed(h, reader)
        assert page.crisis_line_text == "Call or text 988"
        assert [(r.category, r.title, r.phone) for r in page.resources] == [
            (C.RESOURCE_CATEGORY_HOTLINE, "COPLINE", "1-800-267-5463"),
            (C.RESOURCE_CATEGORY_FAMILY_SUPPORT, "Families", ""),
        ]
    assert list((await listed(h, h.officer("o-9", agency="agency-2"))).resources) == []

    await h.stub.RemoveResource(spb.RemoveResourceRequest(resource_id=line.resource_id), metadata=h.admin())
    assert [r.title for r in (await listed(h, h.officer("o-1"))).resources] == ["Families"]


async def test_bad_resources_are_refused_and_change_nothing(harness: Harness) -> None:
    h = harness
    cases = [
        (spb.Resource(category=C.RESOURCE_CATEGORY_HOTLINE, title="No number"), ["resource.phone"]),
        (
            spb.Resource(category=C.RESOURCE_CATEGORY_PSYCHOEDUCATION, title="x", url="http://plain.example"),
            ["resource.url"],
        ),
        (spb.Resource(title="No category"), ["resource.category"]),
        (spb.Resource(category=C.RESOURCE_CATEGORY_WORKSHOP, title=""), ["resource.title"]),
    ]
    for resource, fields in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await put(h, resource)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert violations(refused.value) == fields
    with pytest.raises(grpc.aio.AioRpcError) as officer:
        await h.stub.SetResource(
            spb.SetResourceRequest(resource=spb.Resource(category=C.RESOURCE_CATEGORY_WORKSHOP, title="x")),
            metadata=h.officer("o-1"),
        )
    assert officer.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await h.stub.RemoveResource(
            spb.RemoveResourceRequest(resource_id="res0000000000000000"), metadata=h.admin()
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert list((await listed(h, h.officer("o-1"))).resources) == []


async def test_the_crisis_line_given_at_agency_creation_reaches_officers_unless_the_coordinator_set_one(
    harness: Harness,
) -> None:
    h = harness
    await h.publish(
        identity.AgencyRegistered(
            agency_id="agency-new", timezone="America/Denver", crisis_line_text="CopLine 1-800-267-5463"
        ),
        "agency-new",
    )
    officer = h.officer("o-new", agency="agency-new")
    await h.quiet()  # the event is consumed
    assert (await listed(h, officer)).crisis_line_text == "CopLine 1-800-267-5463"
    policy = await h.stub.GetFatiguePolicy(pb.GetFatiguePolicyRequest(), metadata=h.admin("agency-new"))
    assert policy.crisis_line_text == "CopLine 1-800-267-5463"

    # The coordinator's own line wins over the one given at creation, redelivered or not.
    await h.stub.SetFatiguePolicy(
        pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(crisis_line_text="Peer line 555-0100")),
        metadata=h.admin("agency-new"),
    )
    await h.publish(
        identity.AgencyRegistered(agency_id="agency-new", crisis_line_text="CopLine 1-800-267-5463"),
        "agency-new",
    )
    await h.quiet()
    assert (await listed(h, officer)).crisis_line_text == "Peer line 555-0100"


async def _everything_stored(h: Harness) -> bytes:
    """Every key and value in scheduling's Redis, as one blob to search."""
    out: list[bytes] = []
    async for raw_key in h.redis.scan_iter(match="*"):
        key = raw_key if isinstance(raw_key, bytes) else str(raw_key).encode()
        out.append(key)
        kind = as_bytes(await h.redis.type(key)).decode()
        if kind == "string":
            out.append(await h.redis.get(key) or b"")
        elif kind == "hash":
            out.extend(b for pair in (await h.redis.hgetall(key)).items() for b in pair)
        elif kind == "set":
            out.extend(await h.redis.smembers(key))
        elif kind == "zset":
            out.extend(m for m, _ in await h.redis.zrange(key, 0, -1, withscores=True))
        elif kind == "list":
            out.extend(await h.redis.lrange(key, 0, -1))
        elif kind == "stream":
            out.extend(b for _, fields in await h.redis.xrange(key) for pair in fields.items() for b in pair)
    return b"\n".join(out)


async def test_reading_the_page_leaves_no_record_of_who_read_it(harness: Harness) -> None:
    h = harness
    await put(h, spb.Resource(category=C.RESOURCE_CATEGORY_HOTLINE, title="COPLINE", phone="1-800-267-5463"))
    await put(
        h,
        spb.Resource(
            category=C.RESOURCE_CATEGORY_PSYCHOEDUCATION,
            title="Sleep and shifts",
            url="https://example.org/s",
        ),
    )
    await h.set_roster("o-writer", cycle="-----DD")
    await h.quiet()
    events_before = (await h.js.stream_info("TENFOUR_SCHEDULING")).state.last_seq
    reader = "o-reader-7f3a"
    for _ in range(3):
        page = await listed(h, h.officer(reader))
        assert [r.title for r in page.resources] == ["COPLINE", "Sleep and shifts"]
    await h.quiet()
    stored = await _everything_stored(h)
    assert reader.encode() not in stored  # no counter, no "last read", no audit row
    assert b"o-writer" in stored  # (the search does find an officer who did store something)
    assert (await h.js.stream_info("TENFOUR_SCHEDULING")).state.last_seq == events_before  # no event either


async def test_the_page_lists_the_agencys_upcoming_workshops_in_the_readers_zone(harness: Harness) -> None:
    """Item 6's "workshops from the group offering": every open group session of the agency
    (title, time in the reader's roster zone, seats), the reader's own seat marked, full ones,
    trainings and other agencies' groups left out; reading still leaves no trace."""
    from .test_groups import WED_0800, both, offer, seat

    h = harness
    await h.provider("t-1", both("t-1"))
    await h.provider("t-2", both("t-2"), agencies=("agency-2",))
    first = await offer(h, "t-1", WED_0800, 3)  # topic critical_incident
    later = await offer(h, "t-1", WED_0800.replace(hour=18), 2, key="g2")
    full = await offer(h, "t-1", WED_0800.replace(day=5), 2, key="g3")
    await offer(h, "t-2", WED_0800, 3, agency_id="agency-2")
    for officer_id in ("o-1", "o-2", "o-3"):
        await h.set_roster(officer_id)
    await seat(h, "o-1", later.appointment_id)
    await seat(h, "o-1", full.appointment_id, key="seat-full")
    await seat(h, "o-2", full.appointment_id)

    page = await listed(h, h.officer("o-1"))
    assert page.zone == "America/Chicago"
    assert [
        (w.group_appointment_id, w.topic_code, w.local_start, w.seats_free, w.capacity, w.seated)
        for w in page.workshops
    ] == [
        (first.appointment_id, "critical_incident", "2026-03-04T08:00:00-06:00", 3, 3, False),
        (later.appointment_id, "critical_incident", "2026-03-04T12:00:00-06:00", 1, 2, True),
        (full.appointment_id, "critical_incident", "2026-03-05T08:00:00-06:00", 0, 2, True),
    ]
    assert page.workshops[0].provider_display_name == "Dr t-1"
    assert page.workshops[0].time == first.time
    # Someone without a seat does not see the full one, nor who has a seat anywhere.
    other = await listed(h, h.officer("o-3"))
    assert [w.group_appointment_id for w in other.workshops] == [first.appointment_id, later.appointment_id]
    assert "o-1" not in str(other)
    # The coordinator sees the open ones too, times in UTC (no roster).
    coordinator = await listed(h, h.admin())
    assert coordinator.zone == ""
    assert coordinator.workshops[0].local_start == "2026-03-04T14:00:00+00:00"
    # Another agency's groups stay with it.
    assert [
        w.provider_display_name for w in (await listed(h, h.officer("o-9", agency="agency-2"))).workshops
    ] == ["Dr t-2"]
    # A workshop's seat is taken from what the page gives: its id.
    taken = await seat(h, "o-3", first.appointment_id)
    assert taken.officer_ids[-1] == "o-3"
    assert (await listed(h, h.officer("o-3"))).workshops[0].seated

    # A topic that is not a code is refused before anything is stored.
    request = pb.OfferGroupSessionRequest(idempotency_key="bad", capacity=3, topic_code="<b>hi</b>")
    request.start.FromDatetime(WED_0800.replace(hour=16))
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await h.stub.OfferGroupSession(request, metadata=h.therapist("t-1"))
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(bad.value) == ["topic_code"]
    assert len((await listed(h, h.officer("o-3"))).workshops) == 2


async def test_reading_the_workshops_leaves_no_record_either(harness: Harness) -> None:
    from .test_groups import WED_0800, both, offer

    h = harness
    await h.provider("t-1", both("t-1"))
    await offer(h, "t-1", WED_0800, 3)
    await h.quiet()
    events_before = (await h.js.stream_info("TENFOUR_SCHEDULING")).state.last_seq
    reader = "o-reader-5b1c"
    for _ in range(3):
        assert len((await listed(h, h.officer(reader))).workshops) == 1
    await h.quiet()
    assert reader.encode() not in await _everything_stored(h)
    assert (await h.js.stream_info("TENFOUR_SCHEDULING")).state.last_seq == events_before


async def test_workshops_that_clash_with_the_readers_shifts_or_sleep_are_marked(harness: Harness) -> None:
    """Each workshop says whether the reader can attend: the first roster or rest rule it breaks
    (their own usual sleep, the agency's rules), as every booking computes it; fitting ones unmarked."""
    from .test_groups import WED_0800, both, offer
    from .test_sleep import wall

    h = harness
    await h.provider("t-1", both("t-1"))
    fits = await offer(h, "t-1", WED_0800, 3)  # Wednesday 08:00 Chicago, a day off
    shift = await offer(h, "t-1", WED_0800.replace(day=6, hour=16), 3, key="g2")  # Friday 10:00, on duty
    sleep = await offer(h, "t-1", WED_0800.replace(day=5, hour=0), 3, key="g3")  # Wednesday 18:00
    await h.set_roster("o-1")
    await h.stub.SetPreferences(
        pb.SetPreferencesRequest(
            preferences=pb.Preferences(usual_sleep=pb.HourRange(start=wall(18), end=wall(7)))
        ),
        metadata=h.officer("o-1"),
    )
    page = await listed(h, h.officer("o-1"))
    assert [(w.group_appointment_id, w.clash_code, w.clash) for w in page.workshops] == [
        (fits.appointment_id, "", ""),
        (sleep.appointment_id, "usual_sleep", "usual sleep 18:00-07:00"),
        (shift.appointment_id, "on_duty", "on duty"),
    ]
    # Without a roster nothing is known: nothing is marked.
    assert {w.clash_code for w in (await listed(h, h.officer("o-2"))).workshops} == {""}
