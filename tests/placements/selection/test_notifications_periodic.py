"""The periodic hooks of placements: offers about to expire, the coordinators' daily digest."""

import datetime as dt

import pytest
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Application
from jinseed.notifications.enums import Channel, NotificationStatus
from jinseed.notifications.hooks import hooks_run
from jinseed.notifications.models import Notification
from placements.models import Interview, Offer
from placements.selection import notification_hooks, services
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


def _offer_ending_in(post, coordinator, hours: float) -> Offer:
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() + dt.timedelta(hours=hours))
    offer.refresh_from_db()
    return offer


def expiring_rows(offer):
    return Notification.objects.filter(kind="offer_expiring", recipient=offer.student.user, channel=Channel.EMAIL)


def test_hooks_are_discovered_for_their_cadence():
    frequent = hooks_run("frequent")
    daily = hooks_run("daily")
    assert frequent["placements.selection.notification_hooks.offers_expiring"] == "ok"
    assert daily["placements.selection.notification_hooks.coordinator_digests"] == "ok"


def test_offer_expiring_is_queued_once_within_the_last_quarter(post, coordinator):
    offer = _offer_ending_in(post, coordinator, hours=17)  # 72-hour offers: warned in the last 18 h
    now = timezone.now()
    assert notification_hooks.offers_expiring(now) == 1
    assert notification_hooks.offers_expiring(now + dt.timedelta(minutes=15)) == 0
    row = expiring_rows(offer).get()
    assert (row.event_key, row.context["respond_by_at"]) == (
        f"application:{offer.application_id}:decision:offer:{offer.pk}:expiring",
        offer.expires_at.isoformat(),
    )


def test_offer_expiring_waits_while_more_than_a_quarter_remains(post, coordinator):
    offer = _offer_ending_in(post, coordinator, hours=19)
    assert notification_hooks.offers_expiring(timezone.now()) == 0
    assert not expiring_rows(offer).exists()


def test_long_offer_is_warned_in_its_last_day(post, coordinator, cycle):
    cycle.offer_valid_hours = 240
    cycle.save(update_fields=["offer_valid_hours"])
    offer = _offer_ending_in(post, coordinator, hours=25)
    assert notification_hooks.offers_expiring(timezone.now()) == 0  # 25 h > 24 h
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() + dt.timedelta(hours=23))
    assert notification_hooks.offers_expiring(timezone.now()) == 1


def test_short_offer_is_warned_in_its_last_quarter(post, coordinator, cycle):
    cycle.offer_valid_hours = 48
    cycle.save(update_fields=["offer_valid_hours"])
    offer = _offer_ending_in(post, coordinator, hours=20)
    assert notification_hooks.offers_expiring(timezone.now()) == 0  # 20 h > 48 h / 4
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() + dt.timedelta(hours=11))
    assert notification_hooks.offers_expiring(timezone.now()) == 1


def test_answered_offer_is_not_warned_and_its_unsent_warning_is_cancelled(post, coordinator):
    offer = _offer_ending_in(post, coordinator, hours=10)
    notification_hooks.offers_expiring(timezone.now())
    services.offer_accept(offer=offer, actor=offer.student.user)
    assert set(expiring_rows(offer).values_list("status", flat=True)) == {NotificationStatus.CANCELLED}
    assert notification_hooks.offers_expiring(timezone.now()) == 0


# --- the coordinators' daily digest --------------------------------------------------------------------------


def digests(user):
    return Notification.objects.filter(recipient=user, kind="coordinator_daily_digest", channel=Channel.EMAIL)


def test_digest_lists_new_applications_and_interviews_without_outcome(post, unit, cycle, coordinator):
    now = timezone.now()
    new = make_applications(post, 2)
    Application.objects.filter(pk=new[0].pk).update(submitted_at=now - dt.timedelta(hours=3))
    Application.objects.filter(pk=new[1].pk).update(submitted_at=now - dt.timedelta(days=3))  # too old
    (interviewed,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=interviewed, slot=make_slot(unit, cycle), actor=coordinator.user)
    Interview.objects.filter(pk=interview.pk).update(starts_at=now - dt.timedelta(hours=2))
    Application.objects.filter(pk=interviewed.pk).update(submitted_at=now - dt.timedelta(days=5))
    quiet = factories.CoordinatorFactory()  # another unit, nothing new: no digest

    assert notification_hooks.coordinator_digests(now) == 1
    row = digests(coordinator.user).get()
    assert [(i["student_name"], i["post_title"]) for i in row.context["new_applications"]] == [
        (new[0].student.legal_name, post.title)
    ]
    assert [i["student_name"] for i in row.context["interviews_without_outcome"]] == [interviewed.student.legal_name]
    assert row.event_key == f"digest:{coordinator.user.pk}:{timezone.localdate(now).isoformat()}"
    assert not digests(quiet.user).exists()


def test_digest_is_sent_once_a_day_and_counts_from_the_last_one(post, coordinator):
    now = timezone.now()
    (first,) = make_applications(post, 1)
    Application.objects.filter(pk=first.pk).update(submitted_at=now - dt.timedelta(hours=1))
    assert notification_hooks.coordinator_digests(now) == 1
    assert notification_hooks.coordinator_digests(now + dt.timedelta(minutes=5)) == 0  # beat ran twice
    assert digests(coordinator.user).count() == 1

    # The next day: nothing new since yesterday's digest, so no digest.
    assert notification_hooks.coordinator_digests(now + dt.timedelta(days=1)) == 0
    # A new application after it: the day after that lists it alone.
    (second,) = make_applications(post, 1)
    Application.objects.filter(pk=second.pk).update(submitted_at=now + dt.timedelta(days=1, hours=2))
    assert notification_hooks.coordinator_digests(now + dt.timedelta(days=2)) == 1
    latest = digests(coordinator.user).order_by("-created_at", "-pk").first()
    assert [i["student_name"] for i in latest.context["new_applications"]] == [second.student.legal_name]
