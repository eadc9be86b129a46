"""Wellness check-in campaigns: invited, booked and completed officers, under the cell-size rule.

A campaign runs over whole UTC months (the months the agency report is published by). Its
figures are measured once the last of those months is published, then frozen, like a month.

What someone holding every published figure could subtract, and how each is protected:

* **Within the campaign.** invited - booked (who did not book), booked - completed and
  invited - completed are people too: while one of them is 1-10, the smaller figure (booked or
  completed) is hidden. Invited is only ever hidden as a small cell, since scheduling shows it
  under the same rule at launch.
* **Against the monthly report.** The window's sessions booked (fulfilled) are this campaign's
  plus everything else in those months. A campaign figure is shown only when the officers behind
  that remainder number 0 or at least 11, and 0 only when every month of the window shows the
  figure anyway (then the campaign reveals no total the report did not). The remainder counts
  other sessions and, for booked, a check-in cancelled and booked again.
* **Against another campaign.** Scheduling refuses overlapping windows, so two campaigns never
  share a remainder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tenfour_outcomes.domain.facts import Outcome, SessionFact
from tenfour_outcomes.domain.metrics import Metric
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.publication import Published, Release
from tenfour_outcomes.domain.suppression import MIN_OFFICERS, Status, is_small

__all__ = ["COUNTS", "Campaign", "CampaignRelease", "measure_campaign"]

COUNTS = ("invited", "booked", "completed")
RATES = {"booked_rate": "booked", "completed_rate": "completed"}


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    title: str
    first: Period  # a month
    months: int
    invited: int
    attendance: bool

    @property
    def window(self) -> tuple[Period, ...]:
        out = [self.first]
        while len(out) < self.months:
            out.append(out[-1].next_month())
        return tuple(out)

    @property
    def last(self) -> Period:
        return self.window[-1]

    def encode(self) -> str:
        data = [self.campaign_id, self.title, self.first.label, self.months, self.invited, self.attendance]
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> Campaign:
        cid, title, first, months, invited, attendance = json.loads(raw)
        return cls(
            str(cid), str(title), Period.parse_month(first), int(months), int(invited), bool(attendance)
        )


@dataclass(frozen=True, slots=True)
class CampaignRelease:
    figures: Mapping[str, Published]  # COUNTS and RATES

    def encode(self) -> str:
        return json.dumps({k: [f.value, f.status.value] for k, f in self.figures.items()})

    @classmethod
    def decode(cls, raw: str) -> CampaignRelease:
        data = json.loads(raw)
        return cls({k: Published(None if v is None else float(v), Status(s)) for k, (v, s) in data.items()})


def _shown_every_month(releases: Iterable[Release], window: tuple[Period, ...], metric: Metric) -> bool:
    rows = {p: row for r in releases for p, row in r.rows.items()}
    return all(m in rows and rows[m][metric].status is Status.SHOWN for m in window)


def _remainder_officers(
    facts: Iterable[SessionFact], campaign_id: str, window: set[Period], fulfilled: bool
) -> int:
    """Officers behind (window total - campaign figure): others' sessions, and a campaign
    officer's sessions beyond their first."""
    behind: set[str] = set()
    seen: set[str] = set()
    for fact in facts:
        if not fact.counted or fact.month not in window:
            continue
        if fulfilled and fact.outcome is not Outcome.FULFILLED:
            continue
        for officer in fact.officers:
            if fact.campaign != campaign_id or officer in seen:
                behind.add(officer)
            else:
                seen.add(officer)
    return len(behind)


def measure_campaign(
    campaign: Campaign, facts: Iterable[SessionFact], releases: Iterable[Release]
) -> CampaignRelease:
    facts = list(facts)
    releases = list(releases)
    window = set(campaign.window)
    mine = [f for f in facts if f.campaign == campaign.campaign_id and f.counted and f.month in window]
    values = {
        "invited": campaign.invited,
        "booked": len({o for f in mine for o in f.officers}),
        "completed": len({o for f in mine if f.outcome is Outcome.FULFILLED for o in f.officers}),
    }
    status = {k: Status.SMALL_CELL if is_small(v, v) else Status.SHOWN for k, v in values.items()}

    def hide(name: str) -> None:
        if status[name] is Status.SHOWN:
            status[name] = Status.COMPLEMENTARY

    for name, metric, fulfilled in (("booked", Metric.BOOKED, False), ("completed", Metric.FULFILLED, True)):
        behind = _remainder_officers(facts, campaign.campaign_id, window, fulfilled)
        if 0 < behind < MIN_OFFICERS or (
            behind == 0 and not _shown_every_month(releases, campaign.window, metric)
        ):
            hide(name)
    changed = True
    while changed:  # differences between shown figures are people too
        changed = False
        for big, small in (("invited", "booked"), ("booked", "completed"), ("invited", "completed")):
            both = status[big] is Status.SHOWN and status[small] is Status.SHOWN
            if both and is_small(values[big] - values[small], values[big] - values[small]):
                hide(small)
                changed = True
    figures = {
        k: Published(float(values[k]) if status[k] is Status.SHOWN else None, status[k]) for k in COUNTS
    }
    for rate, part in RATES.items():
        if status[part] is not Status.SHOWN or status["invited"] is not Status.SHOWN:
            hidden = status[part] if status[part] is not Status.SHOWN else status["invited"]
            figures[rate] = Published(None, hidden)
        elif values["invited"] == 0:
            figures[rate] = Published(None, Status.SHOWN)  # nothing to divide: not available
        else:
            figures[rate] = Published(values[part] / values["invited"], Status.SHOWN)
    return CampaignRelease(figures)
