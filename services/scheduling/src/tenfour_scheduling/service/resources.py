"""An agency's resources page, kept by its coordinators and read by its members.

Decision: it lives in scheduling beside the crisis line text the agency already keeps here
(FatiguePolicy.crisis_line_text), which the page shows first. Reading leaves no trace: the RPC
is not in the access audit and nothing is counted per person.
"""

from __future__ import annotations

import re
import secrets

from tenfour.scheduling.v1 import resources_pb2 as spb
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Officers
from tenfour_scheduling.service.program_ports import ResourceRecords
from tenfour_scheduling.service.workshops import Workshops
from tenfour_shared import errors

__all__ = ["MAX_RESOURCES", "ResourceService"]

MAX_RESOURCES = 60
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,28}$")
_URL = re.compile(r"^https://[^\s<>\"']{3,490}$")
_ID = re.compile(r"^res[0-9a-f]{16}$")


def _printable(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


def problems(resource: spb.Resource) -> list[errors.FieldViolation]:
    out: list[errors.FieldViolation] = []
    if resource.category not in spb.ResourceCategory.values() or not resource.category:
        out.append(errors.FieldViolation("resource.category", "choose a category"))
    title = resource.title.strip()
    if not 1 <= len(title) <= 120 or not _printable(title):
        out.append(errors.FieldViolation("resource.title", "is required, at most 120 characters"))
    if len(resource.description) > 500 or not _printable(resource.description):
        out.append(errors.FieldViolation("resource.description", "at most 500 characters"))
    if resource.phone and not _PHONE.match(resource.phone.strip()):
        out.append(errors.FieldViolation("resource.phone", "digits, spaces and + - ( ) only, such as 988"))
    elif not resource.phone.strip() and resource.category == spb.RESOURCE_CATEGORY_HOTLINE:
        out.append(errors.FieldViolation("resource.phone", "a hotline needs the number to call"))
    if resource.url and not _URL.match(resource.url.strip()):
        out.append(errors.FieldViolation("resource.url", "must be an https:// address"))
    return out


class ResourceService:
    def __init__(
        self, store: ResourceRecords, officers: Officers, workshops: Workshops, clock: Clock
    ) -> None:
        self._store = store
        self._officers = officers
        self._workshops = workshops
        self._clock = clock

    async def listed(self, agency_id: str, reader_id: str) -> spb.ListResourcesResponse:
        """The page, with the agency's upcoming workshops (the group offering) in the reader's zone."""
        found = sorted(await self._store.resources(agency_id), key=lambda r: (r.category, r.title.lower()))
        policy = await self._officers.policy(agency_id)
        offering = await self._workshops.offering(agency_id, reader_id)
        return spb.ListResourcesResponse(
            resources=found,
            crisis_line_text=policy.crisis_line_text,
            workshops=offering.workshops,
            zone=offering.zone,
        )

    async def put(self, agency_id: str, resource: spb.Resource) -> spb.Resource:
        found = problems(resource)
        if found:
            raise errors.InvalidInput(found)
        existing = {r.resource_id for r in await self._store.resources(agency_id)}
        if resource.resource_id:
            if not _ID.match(resource.resource_id) or resource.resource_id not in existing:
                raise errors.NotFound("no such resource")
        elif len(existing) >= MAX_RESOURCES:
            raise errors.WrongState(f"at most {MAX_RESOURCES} resources; remove one first")
        stored = spb.Resource(
            resource_id=resource.resource_id or f"res{secrets.token_hex(8)}",
            category=resource.category,
            title=resource.title.strip(),
            description=resource.description.strip(),
            phone=resource.phone.strip(),
            url=resource.url.strip(),
            updated_at=timestamp(self._clock()),
        )
        await self._store.put(agency_id, stored)
        return stored

    async def remove(self, agency_id: str, resource_id: str) -> None:
        if not _ID.match(resource_id) or not await self._store.remove(agency_id, resource_id):
            raise errors.NotFound("no such resource")
