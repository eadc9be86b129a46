"""Publishing due months and reading reports.

A report only ever shows published (frozen) months. Publishing is idempotent and safe to race:
the store keeps the first publication of a month and the loser reads it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from tenfour_outcomes.domain.campaigns import Campaign, CampaignRelease, measure_campaign
from tenfour_outcomes.domain.measure import Inputs, first_month
from tenfour_outcomes.domain.publication import Release, due_months, publish
from tenfour_outcomes.domain.report import Report, build_report, to_csv
from tenfour_outcomes.service.access import report_agency
from tenfour_outcomes.service.ports import Outcomes
from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import NotAllowed

__all__ = ["Reports"]

log = logging.getLogger("tenfour.outcomes")
Clock = Callable[[], datetime]


class Reports:
    def __init__(self, store: Outcomes, clock: Clock, delay: timedelta, history_months: int) -> None:
        self._store = store
        self._clock = clock
        self._delay = delay
        self._history = history_months

    async def published(self, agency_id: str) -> list[Release]:
        """Every published month of the agency, publishing the ones that are due first."""
        releases, last = await self._store.releases(agency_id)
        now = self._clock()
        if last is not None and last.next_month().published_at(self._delay) > now:
            return releases
        snapshot = await self._store.snapshot(agency_id)
        facts = list(snapshot.facts.values())
        due = due_months(first_month(facts, snapshot.enrolments), last, now, self._delay, self._history)
        if not due:
            return releases
        totals, issued = await self._store.feedback(agency_id, due)
        new = publish(
            Inputs(
                facts,
                snapshot.enrolments,
                snapshot.tiers,
                totals,
                issued,
                urgent=list(snapshot.urgent.values()),
                referrals=snapshot.referrals,
            ),
            releases,
            due,
        )
        closed = [key for key, fact in snapshot.facts.items() if fact.month <= due[-1]]
        if await self._store.save_releases(agency_id, last, new, closed):
            log.info("published", extra={"months": len(new)})
            return [*releases, *new]
        return (await self._store.releases(agency_id))[0]  # another instance published first

    async def report(self, caller: Principal, agency_id: str) -> Report:
        agency = report_agency(caller, agency_id)
        return build_report(agency, await self.published(agency))

    async def csv(self, caller: Principal, agency_id: str) -> tuple[Report, str]:
        report = await self.report(caller, agency_id)
        return report, to_csv(report)

    async def campaigns(
        self, caller: Principal, agency_id: str
    ) -> list[tuple[Campaign, CampaignRelease | None, datetime]]:
        """Each campaign, newest window first, with its frozen figures once its last month is
        published (measured and stored then), and when that is."""
        agency = report_agency(caller, agency_id)
        releases = await self.published(agency)
        campaigns, frozen = await self._store.campaigns(agency)
        last = releases[-1].month if releases else None
        out: list[tuple[Campaign, CampaignRelease | None, datetime]] = []
        snapshot = None
        for campaign in sorted(campaigns, key=lambda c: (c.first, c.campaign_id), reverse=True):
            release = frozen.get(campaign.campaign_id)
            if release is None and last is not None and campaign.last <= last:
                snapshot = snapshot or await self._store.snapshot(agency)
                measured = measure_campaign(campaign, snapshot.facts.values(), releases)
                release = await self._store.save_campaign_release(agency, campaign.campaign_id, measured)
            out.append((campaign, release, campaign.last.published_at(self._delay)))
        return out

    async def every_agency(self, caller: Principal) -> list[Report]:
        if caller.role is not Role.SYSTEM_ADMIN:
            raise NotAllowed("cross-agency figures are for system admins")
        return [build_report(a, await self.published(a)) for a in await self._store.agencies()]

    async def publish_due(self) -> int:
        """Publish every agency's due months (the background task); returns agencies visited."""
        agencies = await self._store.agencies()
        for agency in agencies:
            await self.published(agency)
        return len(agencies)
