"""Use cases over fakes of our own ports: who is told, on which channel, when, and what happens
when a receiver fails."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour_notifications.adapters.codec import notification_from, notification_json
from tenfour_notifications.adapters.messages import notification_message
from tenfour_notifications.domain.model import Category, Channel, Intent, Status
from tenfour_notifications.domain.preferences import Preferences, QuietHours
from tenfour_notifications.domain.records import AppointmentView, Device, EmailRecord
from tenfour_notifications.domain.retry import Attempt, Backoff, Outcome
from tenfour_notifications.domain.wording import SENSITIVE_WORDS, word
from tenfour_notifications.entrypoints.event_handlers import availability_handlers, scheduling_handlers
from tenfour_notifications.service.deliver import Deliverer, push_payload
from tenfour_notifications.service.dispatch import Dispatcher
from tenfour_notifications.service.notices import NOTICES, Notices, Said
from tenfour_notifications.service.ports import UserInfo
from tenfour_notifications.service.router import Router
from tenfour_shared.events.envelope import build

from .fakes import (
    Clock,
    FakeChannels,
    FakeDeliveries,
    FakeDirectory,
    FakeEmail,
    FakeLive,
    FakeMetrics,
    FakePush,
    FakeWebhook,
)

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 23:00 in Chicago (CDT from March 8)
CHICAGO = "America/Chicago"


class World:
    def __init__(self) -> None:
        self.clock = Clock(NOW)
        self.channels = FakeChannels()
        self.deliveries = FakeDeliveries()
        self.directory = FakeDirectory()
        self.live = FakeLive()
        self.dispatcher = Dispatcher(self.channels, self.deliveries, self.directory, self.live, self.clock)
        self.router = Router(self.directory, self.dispatcher, self.live)
        self.notices = Notices(self.directory, self.dispatcher, self.live)
        self.email, self.push, self.hook, self.metrics = FakeEmail(), FakePush(), FakeWebhook(), FakeMetrics()
        self.deliverer = Deliverer(
            self.deliveries,
            self.channels,
            self.email,
            self.push,
            self.hook,
            self.metrics,
            self.clock,
            Backoff(1.0, 60.0, 3),
            "https://tenfour.example",
        )

    def reach(self, user: str) -> None:
        self.channels.emails[user] = EmailRecord(f"{user}@example.org", True, NOW, NOW)
        self.channels.device_map[user] = {"d1": Device("d1", "https://push.example/x", "k", "a", "", NOW)}

    def quiet(self, user: str, start: time, end: time) -> None:
        self.channels.prefs[user] = Preferences(quiet_hours=QuietHours(start, end, CHICAGO))

    async def notify(self, event_type: str, event_id: str, **said: Any) -> None:
        await self.notices.notify(event_type, event_id, NOW, Said(**said))

    def queued(self, channel: Channel) -> list[tuple[datetime, str]]:
        return [(q.due, q.status) for q in self.deliveries.queued.values() if q.job.channel is channel]


async def test_a_reminder_goes_live_now_and_is_queued_for_push_and_email() -> None:
    w = World()
    w.reach("o1")
    start = NOW + timedelta(hours=10)
    await w.notify("scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=start)
    assert [(u, n.kind) for u, n in w.live.sent] == [("o1", "reminder")]
    # The start travels with it, so the web app words it in the reader's language and zone.
    sent = w.live.sent[0][1]
    assert sent.starts_at == start
    assert notification_from(notification_json(sent)) == sent
    assert notification_message(sent).starts_at.ToDatetime(tzinfo=UTC) == start
    assert w.queued(Channel.EMAIL) == [(NOW, "pending")]
    assert w.queued(Channel.WEB_PUSH) == [(NOW, "pending")]
    # The same event again (JetStream redelivery): nothing new, nothing live twice.
    await w.notify("scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=start)
    assert len(w.live.sent) == 1
    assert len(w.deliveries.queued) == 2


async def test_quiet_hours_defer_push_and_email_to_their_end_across_midnight() -> None:
    w = World()
    w.reach("o1")
    w.quiet("o1", time(22), time(6))  # 23:00 local now: quiet until 06:00 Chicago = 11:00 UTC
    await w.notify(
        "scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=NOW + timedelta(hours=10)
    )
    end = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    assert w.queued(Channel.EMAIL) == [(end, "deferred")]
    assert len(w.live.sent) == 1  # in-app is immediate


async def test_a_reminder_that_would_arrive_after_its_session_is_skipped() -> None:
    w = World()
    w.reach("o1")
    w.quiet("o1", time(22), time(6))
    await w.notify(
        "scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=NOW + timedelta(hours=2)
    )
    assert w.queued(Channel.EMAIL) == []
    reasons = {(j.channel, s, r) for j, s, r in w.deliveries.records.values()}
    assert (Channel.EMAIL, Status.SKIPPED, "quiet_hours") in reasons


async def test_urgent_alerts_to_on_call_providers_ignore_quiet_hours() -> None:
    w = World()
    w.reach("t1")
    w.quiet("t1", time(22), time(6))
    await w.notify("scheduling.urgent_offered", "e2", request_id="req-1", named=("t1",))
    assert w.queued(Channel.WEB_PUSH) == [(NOW, "pending")]
    assert w.live.sent[0][1].urgent


async def test_nowhere_to_deliver_is_logged_as_skipped_with_the_reason() -> None:
    w = World()
    w.channels.emails["o1"] = EmailRecord("o1@example.org", False, NOW, None)  # never confirmed
    await w.notify(
        "scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=NOW + timedelta(hours=5)
    )
    reasons = {(j.channel, r) for j, s, r in w.deliveries.records.values() if s is Status.SKIPPED}
    assert reasons == {(Channel.EMAIL, "no_confirmed_address"), (Channel.WEB_PUSH, "no_device")}


async def test_cancellation_tells_the_other_side_only() -> None:
    w = World()
    start = NOW + timedelta(days=1)
    view = AppointmentView("a1", "ag", "t1", ("o1",), start, "cancelled", False, 1, 2)
    await w.router.appointment_changed("e3", NOW, view, "booked", "officer_cancelled", False)
    assert [(u, n.kind) for u, n in w.live.sent] == [("t1", "appointment_cancelled")]


async def test_a_waiting_list_hold_reaches_only_its_officer_and_letting_it_go_tells_nobody() -> None:
    w = World()
    start = NOW + timedelta(days=1)
    held = AppointmentView("a2", "ag", "t1", ("o1",), start, "waitlist", False, 1, 1)
    await w.router.appointment_changed("e6", NOW, held, "", "waitlist_offer", False)
    assert [(u, n.kind, n.link) for u, n in w.live.sent] == [("o1", "waitlist_offered", "/#/waitlist")]
    assert "15 minutes" in w.live.sent[0][1].body
    let_go = AppointmentView("a2", "ag", "t1", ("o1",), start, "cancelled", False, 1, 2)
    await w.router.appointment_changed("e7", NOW, let_go, "waitlist", "waitlist_expired", False)
    accepted = AppointmentView("a3", "ag", "t1", ("o2",), start, "booked", False, 1, 2)
    await w.router.appointment_changed("e8", NOW, accepted, "waitlist", "booked", False)
    assert [(u, n.kind) for u, n in w.live.sent][1:] == [("t1", "appointment_booked")]


async def test_a_referral_reaches_only_the_officer_with_a_link_to_it() -> None:
    w = World()
    await w.notify("scheduling.referral_proposed", "e9", person="o1")
    assert [(u, n.kind, n.link) for u, n in w.live.sent] == [("o1", "referral_proposed", "/#/referrals")]


async def test_asking_for_times_reaches_the_named_clinicians_and_proposed_times_the_officer() -> None:
    w = World()
    handlers = scheduling_handlers(w.router, w.notices)
    asked = sev.ReferralTimesRequested(agency_id="ag", referral_id="r1", clinician_ids=["t1", "t2"])
    offered = sev.ReferralTimesProposed(officer_id="o1", agency_id="ag", referral_id="r1")
    for kind, payload in (("referral_times_requested", asked), ("referral_times_proposed", offered)):
        await handlers[f"scheduling.{kind}"](build(payload, subject="r1", when=NOW), payload)
    sent = [(u, n.kind, n.link) for u, n in w.live.sent]
    assert sent == [
        ("t1", "referral_times_requested", "/#/referred"),
        ("t2", "referral_times_requested", "/#/referred"),
        ("o1", "referral_times_proposed", "/#/referrals"),
    ]
    officer_text = w.live.sent[2][1].title + w.live.sent[2][1].body
    assert "referral" not in officer_text.lower()  # neutral on a lock screen: no clinician, no time


async def test_a_freed_group_seat_reaches_its_followers() -> None:
    w = World()
    start = NOW + timedelta(days=1)
    full = AppointmentView("g1", "ag", "t1", ("o1", "o2"), start, "booked", True, 2, 3)
    await w.directory.put_appointment(full)
    await w.directory.follow("g1", "o3", True)
    freed = AppointmentView("g1", "ag", "t1", ("o1",), start, "booked", True, 2, 4)
    await w.router.appointment_changed("e4", NOW, freed, "booked", "seat_released", False)
    assert [(u, n.kind) for u, n in w.live.sent] == [("o3", "seat_freed")]


async def test_a_training_seat_reaches_the_seated_invitee_only() -> None:
    w = World()
    start = NOW + timedelta(days=1)
    one = AppointmentView("g2", "ag", "t1", ("p1",), start, "booked", True, 4, 2)
    await w.router.appointment_changed("e5", NOW, one, "booked", "training_seated", False)
    two = AppointmentView("g2", "ag", "t1", ("p1", "o1"), start, "booked", True, 4, 3)
    await w.router.appointment_changed("e6", NOW, two, "booked", "training_seated", False)
    assert [(u, n.kind, n.link) for u, n in w.live.sent] == [
        ("p1", "training_seated", "/#/my-trainings"),
        ("o1", "training_seated", "/#/my-trainings"),
    ]


async def test_assignment_alerts_the_provider_and_withdraws_the_others() -> None:
    w = World()
    await w.notify(
        "scheduling.urgent_assigned",
        "e5",
        request_id="req-1",
        officer="o1",
        person="t1",
        appointment_id="a9",
        named=("t1", "t2", "t3"),
    )
    assert sorted((u, n.kind) for u, n in w.live.sent) == [
        ("o1", "urgent_assigned"),
        ("t1", "urgent_assigned"),
    ]
    assert sorted(u for u, _, _ in w.live.withdrawn) == ["t2", "t3"]


async def test_a_lapsing_peer_training_reaches_the_peer_and_their_agencys_coordinators_only() -> None:
    w = World()
    for user, role, agency in (
        ("adm-a", "agency_admin", "ag"),
        ("adm-b", "agency_admin", "other"),
        ("p1", "peer_supporter", "ag"),
    ):
        await w.router.user_registered(UserInfo(user, role, agency))
    await w.notify(
        "scheduling.peer_training_lapsing",
        "e6",
        person="p1",
        agency_id="ag",
        starts_at=NOW + timedelta(days=30),
    )
    assert sorted((u, n.kind, n.link) for u, n in w.live.sent) == [
        ("adm-a", "training_lapsing", "/#/training"),
        ("p1", "training_lapsing", "/#/readiness"),
    ]
    assert all("9 Apr" in n.body for _, n in w.live.sent)


async def test_an_expiring_licence_reaches_the_clinician_and_their_agency_admins_only() -> None:
    w = World()
    for user, role, agency in (
        ("adm-a", "agency_admin", "ag"),
        ("adm-b", "agency_admin", "other"),
        ("t1", "therapist", ""),
    ):
        await w.router.user_registered(UserInfo(user, role, agency))
    await w.notify(
        "scheduling.licence_expiring", "e8", person="t1", agency_id="ag", starts_at=NOW + timedelta(days=30)
    )
    assert sorted((u, n.kind, n.link) for u, n in w.live.sent) == [
        ("adm-a", "licence_expiring", "/#/licences"),
        ("t1", "licence_expiring", "/#/my-licences"),
    ]
    assert all("9 Apr" in n.body for _, n in w.live.sent)
    assert not any("US-" in n.body or "PSY" in n.body for _, n in w.live.sent)


async def test_a_paused_calendar_subscription_reaches_its_provider_only() -> None:
    w = World()
    await w.router.user_registered(UserInfo("t1", "therapist", ""))
    await w.notify("availability.busy_calendar_feed_paused", "e7", person="t1")
    assert [(u, n.kind, n.link) for u, n in w.live.sent] == [("t1", "calendar_feed_paused", "/#/import")]
    assert "calendar" in w.live.sent[0][1].body


async def test_a_campaign_invites_every_officer_of_the_agency_and_nobody_else() -> None:
    w = World()
    people = (
        ("o1", "officer", "ag"),
        ("p1", "peer_supporter", "ag"),
        ("o9", "officer", "other"),
        ("a1", "agency_admin", "ag"),
    )
    for user, role, agency in people:
        await w.router.user_registered(UserInfo(user, role, agency))
    await w.notify(
        "scheduling.campaign_launched",
        "e7",
        agency_id="ag",
        starts_at=NOW + timedelta(days=60),
        facts={"attendance": "1"},
    )
    assert sorted((u, n.kind, n.link) for u, n in w.live.sent) == [
        ("o1", "campaign_invitation", "/#/checkin"),
        ("p1", "campaign_invitation", "/#/checkin"),
    ]
    assert all("only whether you attended" in n.body for _, n in w.live.sent)
    # An officer who enrols later is invited alone, in the same words.
    await w.router.user_registered(UserInfo("o2", "officer", "ag"))
    await w.notify(
        "scheduling.campaign_invitation_added", "e8", person="o2", starts_at=NOW + timedelta(days=60)
    )
    assert [(u, n.kind) for u, n in w.live.sent[2:]] == [("o2", "campaign_invitation")]
    assert "attended" not in w.live.sent[2][1].body


@pytest.mark.parametrize(
    "kind",
    [
        "reminder",
        "appointment_booked",
        "appointment_cancelled",
        "appointment_moved",
        "appointment_conflict",
        "waiting_room",
        "seat_freed",
        "urgent_offered",
        "urgent_assigned_provider",
        "urgent_assigned_officer",
        "urgent_escalated_admin",
        "training_lapsing_provider",
        "training_lapsing_admin",
        "training_lapsed_provider",
        "training_lapsed_admin",
        "calendar_feed_paused",
        "licence_expiring_provider",
        "licence_expiring_admin",
        "campaign_invitation",
        "training_seated",
        "test",
    ],
)
def test_neutral_wording_says_nothing_about_therapy_or_who(kind: str) -> None:
    intent = Intent(
        kind,
        Category.CHANGES,
        "u",
        appointment_id="a1",
        starts_at=NOW,
        facts={"provider_name": "Dr. Rivera", "case_code": "K7"},
    )
    text = word(intent, detailed=False, zone=CHICAGO)
    for part in (text.title, text.body):
        assert not any(w in part.lower() for w in SENSITIVE_WORDS), part
        assert "Rivera" not in part
    assert text.link.startswith("/#/")
    detailed = word(intent, detailed=True, zone=CHICAGO)
    if kind == "reminder":
        assert "Dr. Rivera" in detailed.body


async def test_transient_failures_back_off_then_deliver_and_gone_removes_the_device() -> None:
    w = World()
    w.reach("o1")
    await w.notify(
        "scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=NOW + timedelta(hours=10)
    )
    (push_job,) = [q.job for q in w.deliveries.queued.values() if q.job.channel is Channel.WEB_PUSH]
    w.push.answers = [Attempt(Outcome.TRANSIENT, "unreachable")]
    retried = type(push_job)(
        **{**{f: getattr(push_job, f) for f in push_job.__dataclass_fields__}, "attempts": 1}
    )
    await w.deliverer.deliver(retried)
    due = w.deliveries.queued[push_job.key].due
    assert NOW + timedelta(seconds=0.5) <= due <= NOW + timedelta(seconds=1)  # jitter within the first step
    w.push.answers = [Attempt(Outcome.GONE, "subscription_gone")]
    await w.deliverer.deliver(retried)
    assert w.channels.device_map["o1"] == {}
    assert w.deliveries.records[push_job.key][1:] == (Status.FAILED, "subscription_gone")


async def test_retries_exhausted_fail_for_good() -> None:
    w = World()
    w.reach("o1")
    await w.notify(
        "scheduling.reminder_due", "e1", appointment_id="a1", person="o1", starts_at=NOW + timedelta(hours=10)
    )
    (mail_job,) = [q.job for q in w.deliveries.queued.values() if q.job.channel is Channel.EMAIL]
    w.email.script.answers = [Attempt(Outcome.TRANSIENT, "unreachable")]
    last = type(mail_job)(
        **{**{f: getattr(mail_job, f) for f in mail_job.__dataclass_fields__}, "attempts": 3}
    )
    await w.deliverer.deliver(last)
    assert w.deliveries.records[mail_job.key][1:] == (Status.FAILED, "retries_exhausted")
    assert w.metrics.failures == ["retries_exhausted"]


def test_push_payload_stays_under_4_kb() -> None:
    w = World()
    intent = Intent("test", Category.ACCOUNT, "u")
    text = word(intent, False, "UTC")
    from tenfour_notifications.domain.model import Notification

    n = Notification("id", "test", Category.ACCOUNT, text.title, "x" * 10_000, text.link, NOW)
    assert len(push_payload(n)) <= 3800
    assert w is not None


def test_every_registered_notice_is_read_from_its_event_and_consumed() -> None:
    w = World()
    consumed = {*scheduling_handlers(w.router, w.notices), *availability_handlers(w.notices)}
    assert set(NOTICES) <= consumed
