"""The outcomes read model in Redis.

Every key of one agency carries the ``{agency_id}`` hash tag, so each script runs on Redis
Cluster. What is stored (nothing else; see the service README for why each is needed):

* ``outcomes:facts:{a}``            hash  appointment pseudonym -> session fact
* ``outcomes:stamps:{a}``           hash  appointment pseudonym -> time of its latest event (until
                                          the session's month is published)
* ``outcomes:enrolled:{a}``         hash  officer pseudonym -> enrolment day number
* ``outcomes:tiers``                hash  provider pseudonym -> peer | clinician (all agencies)
* ``outcomes:urgent:{a}``           hash  "<request pseudonym>|c" (waits) and "|w" (wrap-up) ->
                                          urgent fact (domain/urgent_facts.py)
* ``outcomes:referrals:{a}``        hash  "<referral pseudonym>|made" and "|accepted" -> the
                                          step's day and officer pseudonym (domain/referral_facts.py)
* ``outcomes:agencies``             set   agency ids with data
* ``outcomes:fb-issued:{a}``        zset  "<month>|<officer>|<appointment>" (score 0): a credential
                                          was issued; never which one
* ``outcomes:fb-credentials:{a}:<month>``  zset  SHA-256 of unused credentials (score 0)
* ``outcomes:fb-used:{a}:<month>``  zset  SHA-256 of used credentials (score 0)
* ``outcomes:fb-totals:{a}:<month>`` hash  response count and answer sums
* ``outcomes:published:{a}``        hash  month -> frozen release; ``_last`` -> last month
* ``outcomes:campaigns:{a}``        hash  campaign id -> title, months, invited count, policy
* ``outcomes:campaign-figures:{a}`` hash  campaign id -> frozen figures (written once)
* ``outcomes:campaign-joined:{a}:<campaign>`` set  officer pseudonyms invited after the launch

The three feedback keys of a month are deleted when the month is published, its issued markers
when its year is (quarters and years need them for their respondent bounds).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import redis.asyncio as aioredis

from tenfour_outcomes.domain.campaigns import Campaign, CampaignRelease
from tenfour_outcomes.domain.facts import SessionFact, Tier
from tenfour_outcomes.domain.feedback import FeedbackTotals
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.publication import Release
from tenfour_outcomes.domain.records import IssueResult, RedeemResult, Snapshot
from tenfour_outcomes.domain.referral_facts import ReferralStep
from tenfour_outcomes.domain.urgent_facts import UrgentFact
from tenfour_shared.redis_store import Keys, as_bytes, load_script

__all__ = ["IssueResult", "OutcomesStore", "RedeemResult", "Snapshot", "keys"]

SERVICE = "outcomes"
keys = Keys(SERVICE)
_PACKAGE = "tenfour_outcomes.adapters"
_LAST = b"_last"


def _ms(span: timedelta) -> int:
    return max(1, int(span.total_seconds() * 1000))


def _text(value: Any) -> str:
    return as_bytes(value).decode()


class OutcomesStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._apply = load_script(redis, _PACKAGE, "apply_fact.lua")
        self._issue = load_script(redis, _PACKAGE, "issue_credential.lua")
        self._redeem = load_script(redis, _PACKAGE, "redeem_credential.lua")
        self._publish = load_script(redis, _PACKAGE, "publish.lua")
        self._known_agencies: set[str] = set()  # saves a round trip per event

    async def _remember_agency(self, agency_id: str) -> None:
        if agency_id not in self._known_agencies:
            await self._redis.sadd(keys("agencies"), agency_id)
            self._known_agencies.add(agency_id)

    # --- ingest ------------------------------------------------------------------------------

    async def apply_fact(self, agency_id: str, appointment: str, stamp: str, fact: SessionFact) -> bool:
        key_list = [keys("facts", agency_id), keys("stamps", agency_id)]
        applied = await self._apply(keys=key_list, args=[appointment, stamp, fact.encode()])
        await self._remember_agency(agency_id)
        return bool(applied)

    async def apply_urgent(self, agency_id: str, request: str, half: str, fact: UrgentFact) -> None:
        """One half of an urgent request's fact ("c" connected, "w" wrapped up); idempotent."""
        await self._redis.hset(keys("urgent", agency_id), f"{request}|{half}", fact.encode())
        await self._remember_agency(agency_id)

    async def apply_referral(self, agency_id: str, referral: str, step: ReferralStep) -> None:
        """One step of a referral (made, accepted); the first one recorded stays (idempotent)."""
        await self._redis.hsetnx(keys("referrals", agency_id), f"{referral}|{step.step}", step.encode())
        await self._remember_agency(agency_id)

    async def enrol(self, agency_id: str, officer: str, day: int) -> None:
        await self._redis.hsetnx(keys("enrolled", agency_id), officer, day)
        await self._remember_agency(agency_id)

    async def set_tier(self, provider: str, tier: Tier) -> None:
        await self._redis.hset(keys("tiers"), provider, tier.value)

    # --- feedback ----------------------------------------------------------------------------

    async def fact(self, agency_id: str, appointment: str) -> SessionFact | None:
        raw = await self._redis.hget(keys("facts", agency_id), appointment)
        if raw is None:
            return None
        return SessionFact.decode(_text(raw))

    async def issue(
        self, agency_id: str, month: Period, officer: str, appointment: str, digest: str, ttl: timedelta
    ) -> int:
        key_list = [
            keys("published", agency_id),
            keys("fb-issued", agency_id),
            keys("fb-credentials", agency_id, month.label),
        ]
        marker = f"{month.label}|{officer}|{appointment}"
        return int(await self._issue(keys=key_list, args=[month.label, marker, digest, _ms(ttl)]))

    async def redeem(
        self, agency_id: str, month: Period, digest: str, increments: Mapping[str, int], ttl: timedelta
    ) -> int:
        key_list = [
            keys("published", agency_id),
            keys("fb-credentials", agency_id, month.label),
            keys("fb-used", agency_id, month.label),
            keys("fb-totals", agency_id, month.label),
        ]
        args: list[Any] = [month.label, digest, _ms(ttl)]
        for name, amount in increments.items():
            args += [name, amount]
        return int(await self._redeem(keys=key_list, args=args))

    # --- publication -------------------------------------------------------------------------

    async def releases(self, agency_id: str) -> tuple[list[Release], Period | None]:
        stored = await self._redis.hgetall(keys("published", agency_id))
        last = stored.pop(_LAST, None)
        releases = sorted((Release.decode(_text(v)) for v in stored.values()), key=lambda r: r.month)
        return releases, None if last is None else Period.parse_month(_text(last))

    async def snapshot(self, agency_id: str) -> Snapshot:
        facts_raw = await self._redis.hgetall(keys("facts", agency_id))
        enrolled = await self._redis.hgetall(keys("enrolled", agency_id))
        tiers = await self._redis.hgetall(keys("tiers"))
        urgent: dict[str, UrgentFact] = {}
        for k, v in (await self._redis.hgetall(keys("urgent", agency_id))).items():
            request = _text(k).rpartition("|")[0]
            half = UrgentFact.decode(_text(v))
            urgent[request] = urgent[request].merged(half) if request in urgent else half
        steps = [
            ReferralStep.decode(_text(v)) for v in (await self._redis.hvals(keys("referrals", agency_id)))
        ]
        return Snapshot(
            referrals=[s for s in steps if s is not None],
            facts={_text(k): SessionFact.decode(_text(v)) for k, v in facts_raw.items()},
            enrolments={_text(k): int(v) for k, v in enrolled.items()},
            tiers={_text(k): Tier(_text(v)) for k, v in tiers.items()},
            urgent=urgent,
        )

    async def feedback(
        self, agency_id: str, months: Sequence[Period]
    ) -> tuple[dict[Period, FeedbackTotals], dict[Period, dict[str, int]]]:
        """The feedback totals of `months`, and per month of the unpublished years how many
        credentials each officer was issued (quarters and years need their months' too)."""
        totals: dict[Period, FeedbackTotals] = {}
        for month in months:
            stored = await self._redis.hgetall(keys("fb-totals", agency_id, month.label))
            if stored:
                totals[month] = FeedbackTotals.of({_text(k): int(v) for k, v in stored.items()})
        issued: dict[Period, Counter[str]] = defaultdict(Counter)
        for member in await self._redis.zrange(keys("fb-issued", agency_id), 0, -1):
            label, officer, _ = _text(member).split("|", 2)
            issued[Period.parse_month(label)][officer] += 1
        return totals, {m: dict(c) for m, c in issued.items()}

    async def save_releases(
        self,
        agency_id: str,
        expected_last: Period | None,
        releases: Sequence[Release],
        drop_stamps: Sequence[str] = (),
    ) -> bool:
        """Store the releases unless someone published since `expected_last`; forget the working
        data they make useless, and the event stamps of `drop_stamps` (appointment pseudonyms)."""
        if not releases:
            return True
        months = [r.month for r in releases]
        key_list = [keys("published", agency_id), keys("fb-issued", agency_id), keys("stamps", agency_id)]
        for month in months:
            for kind in ("fb-credentials", "fb-used", "fb-totals"):
                key_list.append(keys(kind, agency_id, month.label))
        # Issued markers give quarters and years their respondent bounds: kept until the year is out.
        done = [m for r in releases if r.month.index == 12 for m in Period.whole_year(r.month.year).months()]
        args: list[Any] = [expected_last.label if expected_last else "", months[-1].label, len(done)]
        args += [m.label for m in done]
        args += [len(drop_stamps), *drop_stamps]
        for release in releases:
            args += [release.month.label, release.encode()]
        return bool(await self._publish(keys=key_list, args=args))

    # --- campaigns ---------------------------------------------------------------------------

    async def put_campaign(self, agency_id: str, campaign: Campaign) -> None:
        await self._redis.hsetnx(keys("campaigns", agency_id), campaign.campaign_id, campaign.encode())
        await self._remember_agency(agency_id)

    async def campaigns(self, agency_id: str) -> tuple[list[Campaign], dict[str, CampaignRelease]]:
        stored = [
            Campaign.decode(_text(v))
            for v in (await self._redis.hgetall(keys("campaigns", agency_id))).values()
        ]
        figures = await self._redis.hgetall(keys("campaign-figures", agency_id))
        out = []
        for campaign in stored:
            joined = int(await self._redis.scard(keys("campaign-joined", agency_id, campaign.campaign_id)))
            out.append(replace(campaign, invited=campaign.invited + joined))
        return out, {_text(k): CampaignRelease.decode(_text(v)) for k, v in figures.items()}

    async def add_invited(self, agency_id: str, campaign_id: str, officer: str) -> None:
        await self._redis.sadd(keys("campaign-joined", agency_id, campaign_id), officer)

    async def save_campaign_release(
        self, agency_id: str, campaign_id: str, release: CampaignRelease
    ) -> CampaignRelease:
        """The first release stored for the campaign (this one unless another instance won)."""
        key = keys("campaign-figures", agency_id)
        await self._redis.hsetnx(key, campaign_id, release.encode())
        return CampaignRelease.decode(_text(await self._redis.hget(key, campaign_id)))

    async def agencies(self) -> list[str]:
        return sorted(_text(a) for a in await self._redis.smembers(keys("agencies")))
