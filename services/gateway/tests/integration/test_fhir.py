"""The read-only FHIR R4 API against the real system: every answer validates with fhir.resources,
Slots are the free times FindSlots offers for the same provider and range, Appointments follow
bookings, paging follows `next` links, and who may see what holds."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from yarl import URL

from tenfour_gateway.fhir.search import ACCEPTED
from tenfour_testing.system import THERAPIST_PASSWORD, System, sign_in_with_new_mfa

pytestmark = pytest.mark.e2e

OFFICER_PASSWORD = "Copper-Willow-Harbor-4471"
FHIR_JSON = "application/fhir+json"


class EagerResponse(aiohttp.ClientResponse):
    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        response = await super().start(connection)
        await self.read()
        return response


def _client(url: str) -> aiohttp.ClientSession:
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[url])
    return aiohttp.ClientSession(url, cookie_jar=jar, headers={"Origin": url}, response_class=EagerResponse)


async def _rpc(
    client: aiohttp.ClientSession, service: str, method: str, body: dict[str, Any]
) -> dict[str, Any]:
    reply = await client.post(f"/api/{service}/{method}", json=body)
    answer: dict[str, Any] = await reply.json()
    assert reply.status == 200, answer
    return answer


async def _fhir(client: aiohttp.ClientSession, path: str, status: int = 200) -> dict[str, Any]:
    reply = await client.get(path, headers={"Accept": FHIR_JSON})
    body: dict[str, Any] = await reply.json(content_type=None)
    assert reply.status == status, body
    assert reply.content_type == FHIR_JSON
    return body


def _instant(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _all_pages(client: aiohttp.ClientSession, path: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    url: str | None = path
    while url:
        bundle = Bundle.model_validate(await _fhir(client, url))
        entries += [e.resource.model_dump(mode="json", exclude_none=True) for e in bundle.entry or []]
        url = next((link.url for link in bundle.link or [] if link.relation == "next"), None)
    return entries


@pytest.fixture(scope="module")
def people(system: System) -> dict[str, Any]:
    agency = system.create_agency()
    email = f"fhir{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    return {
        "agency": agency,
        "email": email,
        "therapist_id": therapist_id,
        "code": system.enrolment_code(agency),
    }


async def test_fhir_slots_and_appointments_match_what_the_services_say(
    system: System, people: dict[str, Any]
) -> None:
    therapist_id = people["therapist_id"]
    async with _client(system.url) as therapist, _client(system.url) as officer:
        await sign_in_with_new_mfa(therapist, people["email"], THERAPIST_PASSWORD)
        await _rpc(therapist, "availability", "UseDefaultRules", {"provider_id": therapist_id})
        enrolled = await officer.post(
            "/api/auth/enrol",
            json={
                "code": people["code"],
                "username": f"owl{secrets.token_hex(4)}",
                "display_name": "Sam",
                "password": OFFICER_PASSWORD,
            },
        )
        assert enrolled.status == 200, await enrolled.text()
        officer_id = (await (await officer.get("/api/session")).json())["user_id"]
        anchor = date.today() + timedelta(days=4)
        await _rpc(
            officer,
            "scheduling",
            "SetRoster",
            {
                "roster": {
                    "template": "pitman",
                    "cycle": "D------",
                    "anchor": {"year": anchor.year, "month": anchor.month, "day": anchor.day},
                    "timezone": "America/Chicago",
                }
            },
        )
        # From beyond the 2 h minimum notice, so both searches see the same first slot however slow the run.
        start, end = datetime.now(UTC) + timedelta(hours=3), datetime.now(UTC) + timedelta(days=10)
        found: list[dict[str, Any]] = []
        async with asyncio.timeout(30):  # the therapist's hours reach scheduling as an event
            while not found:
                reply = await _rpc(officer, "scheduling", "FindSlots", {"limit": 200, "horizon": "864000s"})
                found = [s for s in reply.get("slots", []) if s["provider_id"] == therapist_id]
                if not found:
                    await asyncio.sleep(0.3)
        expected = sorted(
            (s["time"]["start"], s["time"]["end"])
            for s in found
            if start <= datetime.fromisoformat(s["time"]["start"].replace("Z", "+00:00")) < end
        )
        assert expected

        # The officer's FHIR Slots: FindSlots' times for this provider and range, paged by 3.
        query = (
            f"schedule=Schedule/{therapist_id}&start=ge{_instant(start)}&start=lt{_instant(end)}&status=free"
        )
        slots = await _all_pages(officer, f"/fhir/Slot?{query}&_count=3")
        for s in slots:
            Slot.model_validate(s)
        got = sorted((s["start"], s["end"]) for s in slots)
        assert [(a[:19], b[:19]) for a, b in got] == [(a[:19], b[:19]) for a, b in expected]
        assert {s["schedule"]["reference"] for s in slots} == {f"Schedule/{therapist_id}"}
        first = await _fhir(officer, f"/fhir/Slot?{query}&_count=3")
        assert first["total"] == len(expected)
        assert len(first["entry"]) == min(3, len(expected))
        assert (len(expected) > 3) == any(link["relation"] == "next" for link in first["link"])
        assert (await _fhir(officer, f"/fhir/Slot/{slots[0]['id']}"))["start"] == slots[0]["start"]

        # A booking becomes a FHIR Appointment for both sides; the officer is a pseudonymous Patient.
        pick = found[0]
        booked = await _rpc(
            officer,
            "scheduling",
            "Book",
            {
                "idempotency_key": secrets.token_hex(8),
                "provider_id": therapist_id,
                "start": pick["time"]["start"],
                "session_type": "SESSION_TYPE_INDIVIDUAL",
            },
        )
        day = pick["time"]["start"][:10]
        for side, actor in ((officer, f"Patient/{officer_id}"), (therapist, f"Practitioner/{therapist_id}")):
            bundle = Bundle.model_validate(
                await _fhir(side, f"/fhir/Appointment?date={day}&status=booked&actor={actor}")
            )
            [entry] = [e for e in bundle.entry or [] if e.resource.id == booked["appointment_id"]]
            appointment = Appointment.model_validate(
                entry.resource.model_dump(mode="json", exclude_none=True)
            )
            assert appointment.status == "booked"
            refs = sorted(p.actor.reference for p in appointment.participant)
            assert refs == sorted([f"Patient/{officer_id}", f"Practitioner/{therapist_id}"])
            assert all(p.actor.display is None for p in appointment.participant)
        cancelled = await _fhir(officer, f"/fhir/Appointment?status=cancelled&actor=Patient/{officer_id}")
        assert cancelled["total"] == 0

        # The therapist's own Schedule and free time; another provider's is not theirs to see.
        own = await _fhir(therapist, f"/fhir/Schedule?actor=Practitioner/{therapist_id}")
        assert [Schedule.model_validate(e["resource"]).id for e in own["entry"]] == [therapist_id]
        free = await _all_pages(therapist, f"/fhir/Slot?schedule={therapist_id}&start=ge{_instant(start)}")
        assert free
        for s in free:
            Slot.model_validate(s)
        assert (await _fhir(therapist, "/fhir/Slot?schedule=Schedule/someone-else"))["total"] == 0
        await _fhir(therapist, f"/fhir/Appointment/{booked['appointment_id']}")


async def test_metadata_and_bad_searches(system: System) -> None:
    async with _client(system.url) as anonymous:
        capability = CapabilityStatement.model_validate(await _fhir(anonymous, "/fhir/metadata"))
        assert capability.fhirVersion == "4.0.1"
        types = {r.type for r in capability.rest[0].resource or []}
        assert types == {"Schedule", "Slot", "Appointment"}
        unauthenticated = await _fhir(anonymous, "/fhir/Appointment", 401)
        OperationOutcome.model_validate(unauthenticated)

    admin = {"Authorization": f"Bearer {system.admin.access_token}"}
    async with aiohttp.ClientSession(system.url, headers=admin, response_class=EagerResponse) as agency_side:
        refused = OperationOutcome.model_validate(await _fhir(agency_side, "/fhir/Appointment", 403))
        assert refused.issue[0].code == "forbidden"
        unknown = OperationOutcome.model_validate(
            await _fhir(agency_side, "/fhir/Appointment?patient.name=Smith", 400)
        )
        assert unknown.issue[0].code == "not-supported"
        assert "patient.name" in (unknown.issue[0].diagnostics or "")
        for bad in (
            "/fhir/Slot?start=tomorrow",
            "/fhir/Appointment?_count=0",
            "/fhir/Appointment?date=sa2026-01-01",
        ):
            reply = await agency_side.get(bad)
            assert reply.status in (400, 403)
            OperationOutcome.model_validate(await reply.json(content_type=None))
        assert (await agency_side.post("/fhir/Appointment", json={})).status == 405


def _fhir_requests() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Generated FHIR reads and searches (kind, id or "", query pairs): valid-looking and garbage."""
    names = sorted({n for accepted in ACCEPTED.values() for n in accepted} | {"_count", "_offset", "_format"})
    instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.isoformat(timespec="seconds") + "Z"
    )
    values = st.one_of(
        st.tuples(st.sampled_from(["", "eq", "ge", "gt", "lt", "le", "sa", "ap"]), instants).map("".join),
        st.tuples(
            st.sampled_from(["Practitioner/", "Patient/", "Schedule/", "", "Group/"]), st.text(max_size=40)
        ).map("".join),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["free", "busy", "booked", "cancelled", "json", "xml", "text/html"]),
        st.text(max_size=60),
    )
    request = st.tuples(
        st.one_of(st.sampled_from([*ACCEPTED, "Patient", "metadata"]), st.text(min_size=1, max_size=20)),
        st.one_of(st.just(""), st.text(min_size=1, max_size=80)),
        st.lists(st.tuples(st.one_of(st.sampled_from(names), st.text(max_size=20)), values), max_size=6),
    )
    drawn: list[tuple[str, str, list[tuple[str, str]]]] = []

    @settings(max_examples=400, deadline=None, database=None, derandomize=True, phases=[Phase.generate])
    @given(request)
    def draw(one: tuple[str, str, list[tuple[str, str]]]) -> None:
        drawn.append(one)

    draw()
    return drawn


async def test_generated_fhir_requests_get_a_fhir_answer_never_a_server_error(
    system: System, people: dict[str, Any]
) -> None:
    """400 generated reads and searches from each kind of caller: every answer is FHIR JSON below
    500 (a Bundle or resource when 200, an OperationOutcome otherwise)."""
    email = f"fhirfuzz{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(people["agency"],))
    admin = {"Authorization": f"Bearer {system.admin.access_token}"}
    async with (
        _client(system.url) as therapist,
        _client(system.url) as officer,
        _client(system.url) as anonymous,
        aiohttp.ClientSession(system.url, headers=admin, response_class=EagerResponse) as agency_side,
    ):
        await sign_in_with_new_mfa(therapist, email, THERAPIST_PASSWORD)
        enrolled = await officer.post(
            "/api/auth/enrol",
            json={
                "code": system.enrolment_code(people["agency"]),
                "username": f"fz{secrets.token_hex(4)}",
                "display_name": "Kit",
                "password": OFFICER_PASSWORD,
            },
        )
        assert enrolled.status == 200, await enrolled.text()
        callers = [therapist, officer, anonymous, agency_side]
        statuses: dict[int, int] = {}
        for n, (kind, read_id, query) in enumerate(_fhir_requests()):
            path = "/fhir/" + quote(kind, safe="") + ("/" + quote(read_id, safe="") if read_id else "")
            url = URL(system.url + path + ("?" + urlencode(query) if query else ""), encoded=True)
            reply = await callers[n % len(callers)].get(url, headers={"Accept": FHIR_JSON})
            case = f"GET {path}?{urlencode(query)} as caller {n % len(callers)}"
            assert reply.status < 500, case
            assert reply.content_type == FHIR_JSON, case
            body: dict[str, Any] = await reply.json(content_type=None)
            statuses[reply.status] = statuses.get(reply.status, 0) + 1
            if reply.status >= 400:
                OperationOutcome.model_validate(body)
            elif body["resourceType"] == "Bundle":
                Bundle.model_validate(body)
            else:
                assert body["resourceType"] in {*ACCEPTED, "CapabilityStatement"}, case
        # Both sides were reached: some generated requests were answered, most were refused.
        assert statuses.get(200, 0) > 0, statuses
        assert sum(c for s, c in statuses.items() if s >= 400) > 0, statuses
